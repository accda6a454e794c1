"""Turn the trained torch encoder into an ONNX graph: export, transformer fusions, int8.

Each step is a function of bytes in, bytes out so `medllm optimize` (and the benchmark's
ablation rows) can stop after any of them.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .runtime import EXTRA_HINT, FastPathUnavailable, import_onnx, import_onnxruntime

logger = logging.getLogger("spacy_medllm")

INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17


def _eager_copy(transformer: Any) -> Any:
    """The same weights in a model built with eager attention.

    SDPA exports as one opaque op-chain that ORT's BERT fusion does not recognise;
    the eager graph fuses into ORT's Attention kernel.
    """
    from transformers import AutoModel

    config = transformer.config.__class__.from_dict(transformer.config.to_dict())
    model = AutoModel.from_config(config, attn_implementation="eager")
    model.load_state_dict(transformer.state_dict())
    return model.eval()


def export_encoder(transformer: Any, tokenizer: Any) -> Tuple[bytes, List[str], List[str]]:
    """ONNX bytes of the encoder with dynamic batch and sequence axes, plus its input/output names."""
    import torch

    import_onnx()
    model = _eager_copy(transformer)
    sample = tokenizer(["the patient denies chest pain", "no fever"], return_tensors="pt", padding=True)
    names = [n for n in INPUT_NAMES if n in sample]
    has_pooler = getattr(model, "pooler", None) is not None
    outputs = ["last_hidden_state"] + (["pooler_output"] if has_pooler else [])

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *args):
            out = self.model(**dict(zip(names, args)), return_dict=True)
            return (out.last_hidden_state, out.pooler_output) if has_pooler else out.last_hidden_state

    axes: Dict[str, Dict[int, str]] = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    if has_pooler:
        axes["pooler_output"] = {0: "batch"}
    with tempfile.TemporaryDirectory() as tmp, torch.inference_mode():
        path = Path(tmp) / "encoder.onnx"
        torch.onnx.export(
            Encoder(), tuple(sample[n] for n in names), str(path), input_names=names,
            output_names=outputs, dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True,
            dynamo=False,
        )
        return path.read_bytes(), names, outputs


def fuse_encoder(onnx_bytes: bytes, config: Any) -> Tuple[bytes, Dict[str, int]]:
    """ORT's offline BERT fusions (Attention, SkipLayerNorm, BiasGelu, EmbedLayerNorm).

    Only the portable fusions are saved (opt_level=1); hardware-specific layouts are
    left to the session on the machine that runs the pipeline.
    """
    import_onnxruntime()
    from onnxruntime.transformers.optimizer import optimize_model

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.onnx", Path(tmp) / "out.onnx"
        src.write_bytes(onnx_bytes)
        opt = optimize_model(
            str(src), model_type="bert", num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size, opt_level=1, use_gpu=False,
        )
        stats = {k: int(v) for k, v in opt.get_fused_operator_statistics().items() if v}
        opt.save_model_to_file(str(dst))
        return dst.read_bytes(), stats


def matmul_nodes(onnx_bytes: bytes) -> List[str]:
    """Names of the weight-bearing nodes int8 would touch, in graph order (for --fp32-nodes)."""
    onnx = import_onnx()
    graph = onnx.load_from_string(onnx_bytes).graph
    return [n.name for n in graph.node if n.op_type in ("MatMul", "Attention", "Gemm")]


def quantize_encoder(onnx_bytes: bytes, keep_fp32: Iterable[str] = ()) -> bytes:
    """Dynamic int8: weights per output channel (s8), activations per tensor at run time (u8).

    Only MatMul/Attention are quantized: the embedding tables stay fp32, where int8
    costs accuracy and buys no speed. Nodes named in keep_fp32 stay fp32 too.
    """
    onnx = import_onnx()
    import_onnxruntime()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.onnx", Path(tmp) / "out.onnx"
        src.write_bytes(onnx_bytes)
        quantize_dynamic(
            str(src), str(dst), per_channel=True, weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Attention"], nodes_to_exclude=list(keep_fp32),
            # fused contrib ops (SkipLayerNormalization...) defeat ONNX shape inference: their
            # outputs are float, say so
            extra_options={"MatMulConstBOnly": True, "DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        return dst.read_bytes()


def quantize_blockwise(onnx_bytes: bytes, keep_fp32: Iterable[str] = (), block_size: int = 32) -> bytes:
    """Int8 weights per block of `block_size` input rows, int8 compute on blocks of activations.

    ONNX Runtime's MatMulNBits (bits=8, accuracy_level=4): activations are quantized per
    block of 32 values instead of per tensor, so the few outlier channels of a BERT
    hidden state do not flatten every other channel's precision. On the demo pipeline it
    keeps entity agreement >= 0.98 where per-tensor dynamic int8 fell to ~0.88 (see
    docs/speed.md). The fused Attention op (Q/K/V projections) stays fp32.
    """
    onnx = import_onnx()
    import_onnxruntime()
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer
    except ImportError as err:  # onnx-ir missing: part of the [fast] extra
        raise FastPathUnavailable(f"Block-wise int8 needs onnx-ir ({err}). Install the optional extra: {EXTRA_HINT}") from None
    model = onnx.load_from_string(onnx_bytes)
    config = DefaultWeightOnlyQuantConfig(block_size=block_size, is_symmetric=True, accuracy_level=4, bits=8)
    quantizer = MatMulNBitsQuantizer(model, nodes_to_exclude=list(keep_fp32), algo_config=config)
    quantizer.process()
    return quantizer.model.model.SerializeToString()


def select_nodes(names: List[str], patterns: Optional[Iterable[str]]) -> List[str]:
    """Node names matching any of the regular expressions (for keeping layers fp32)."""
    import re

    pats = [re.compile(p) for p in (patterns or [])]
    return [n for n in names if any(p.search(n) for p in pats)]
