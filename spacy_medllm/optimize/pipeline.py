"""`medllm optimize`: a trained pipeline in, a pipeline with a fast encoder out (ONNX or bf16)."""
from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Optional

from .export import export_encoder, fuse_encoder, matmul_nodes, quantize_blockwise, quantize_encoder, select_nodes
from .bf16 import bf16_supported, encoder_weights
from .runtime import import_onnx, import_onnxruntime

logger = logging.getLogger("spacy_medllm")

ARCHITECTURE = "spacy_medllm.OnnxTransformerModel.v1"
BF16_ARCHITECTURE = "spacy_medllm.Bf16TransformerModel.v1"
# int8: block-wise int8 (MatMulNBits, 8 bits, blocks of 32), holds the answers;
# int8-dynamic: per-tensor dynamic activations, per-channel weights: faster, answers drift;
# none: fp32 ONNX (same answers as torch to ~1e-5);
# bf16: the torch encoder with bf16 matrix products, no ONNX (CPUs with native bf16 only);
# auto: bf16 where this CPU has native bf16 (faster and closer to fp32 than int8), else int8.
QUANTIZE = ("auto", "int8", "int8-dynamic", "none", "bf16")
# Windows per encoder call by default: on 300 whole notes the bf16 encoder peaked ~250 MB lower
# at 16 than at 32, at the same speed (docs/speed.md).
BATCH_WINDOWS = {"bf16": 16}
PAD_MULTIPLE = {"bf16": 16}  # measured: the bf16 clinical pipeline 1.20x faster, ONNX Runtime no faster (docs/speed.md)


class OptimizeError(ValueError):
    pass


@dataclass
class OptimizeOptions:
    quantize: str = "auto"
    fuse: bool = True
    fp32_nodes: List[str] = field(default_factory=list)  # regexes of node names kept fp32
    window: Optional[int] = None
    stride: Optional[int] = None
    threads: int = 0
    batch_windows: Optional[int] = None  # windows per encoder call; None: BATCH_WINDOWS[quantize]
    sort_windows: bool = True
    pad_multiple: Optional[int] = None  # pad each encoder call's length to a multiple; None: PAD_MULTIPLE[quantize]
    compile: bool = False  # bf16 only: torch.compile the encoder at load
    transformer: str = "transformer"


def _transformer_pipe(nlp, name: str):
    if name not in nlp.pipe_names:
        raise OptimizeError(f"The pipeline has no component named '{name}' (components: {', '.join(nlp.pipe_names)}).")
    pipe = nlp.get_pipe(name)
    model = getattr(pipe, "model", None)
    if getattr(model, "transformer", None) is None or getattr(model, "tokenizer", None) is None:
        raise OptimizeError(
            f"Component '{name}' has no trained torch encoder (model.transformer); optimize takes a "
            "trained fp32 pipeline, not an already optimized one."
        )
    return pipe


def _model_block(old: Dict[str, Any], opts: OptimizeOptions) -> Dict[str, Any]:
    spans = dict(old["get_spans"])
    if opts.window is not None or opts.stride is not None:
        if spans.get("@span_getters") != "spacy-transformers.strided_spans.v1":
            raise OptimizeError("--window/--stride need the transformer's get_spans to be spacy-transformers.strided_spans.v1.")
        spans["window"] = opts.window if opts.window is not None else spans["window"]
        spans["stride"] = opts.stride if opts.stride is not None else spans["stride"]
        if not 0 < spans["stride"] <= spans["window"]:
            raise OptimizeError(f"--stride must be in 1..window, got window={spans['window']} stride={spans['stride']}.")
    block = {
        "@architectures": BF16_ARCHITECTURE if opts.quantize == "bf16" else ARCHITECTURE, "get_spans": spans,
        "threads": opts.threads, "batch_windows": opts.batch_windows, "sort_windows": opts.sort_windows,
        "pad_multiple": opts.pad_multiple,
    }
    if opts.quantize == "bf16":
        block["fp32_fallback"] = False
        block["compile"] = opts.compile
    return block


def build_graph(transformer: Any, tokenizer: Any, opts: OptimizeOptions) -> tuple:
    """ONNX bytes for the encoder after the steps opts asks for, and what each step did."""
    onnx_bytes, _, _ = export_encoder(transformer, tokenizer)
    meta: Dict[str, Any] = {"quantize": opts.quantize, "fused": False, "fusions": {}, "fp32_nodes": []}
    if opts.fuse:
        onnx_bytes, meta["fusions"] = fuse_encoder(onnx_bytes, transformer.config)
        meta["fused"] = True
    if opts.quantize != "none":
        keep = select_nodes(matmul_nodes(onnx_bytes), opts.fp32_nodes)
        quantize = quantize_blockwise if opts.quantize == "int8" else quantize_encoder
        onnx_bytes = quantize(onnx_bytes, keep)
        meta["fp32_nodes"] = keep
    return onnx_bytes, meta


def optimize_pipeline(model: str, output: Path, opts: OptimizeOptions, overwrite: bool = False) -> Dict[str, Any]:
    """Write OUTPUT: MODEL's pipeline with its shared encoder as an ONNX graph (or, with
    quantize="bf16", as torch weights run with bf16 matrix products).

    Written to a temporary directory beside OUTPUT and moved into place only once it
    loads back, so a failed run never leaves a half-written pipeline.
    """
    import spacy
    from spacy.util import load_config

    if opts.quantize not in QUANTIZE:
        raise OptimizeError(f"--quantize must be one of {', '.join(QUANTIZE)}, got {opts.quantize!r}.")
    if opts.quantize == "auto":
        opts = replace(opts, quantize="bf16" if bf16_supported() else "int8")
        logger.info("optimize: --quantize auto chose %s (native bf16 on this CPU: %s)", opts.quantize, opts.quantize == "bf16")
    if opts.compile and opts.quantize != "bf16":
        raise OptimizeError(f"--compile is for the bf16 encoder (torch); --quantize {opts.quantize} runs in ONNX Runtime.")
    if opts.batch_windows is None:
        opts = replace(opts, batch_windows=BATCH_WINDOWS.get(opts.quantize, 32))
    if opts.pad_multiple is None:
        opts = replace(opts, pad_multiple=PAD_MULTIPLE.get(opts.quantize, 0))
    if opts.pad_multiple < 0:
        raise OptimizeError(f"--pad-multiple must be 0 (off) or positive, got {opts.pad_multiple}.")
    bf16 = opts.quantize == "bf16"
    if not bf16:
        import_onnxruntime()
        import_onnx()
    output = Path(output)
    if output.exists() and not overwrite:
        raise OptimizeError(f"Output '{output}' exists; pass --overwrite to replace it.")
    nlp = spacy.load(model)
    pipe = _transformer_pipe(nlp, opts.transformer)
    torch_model = pipe.model
    block = _model_block(dict(nlp.config["components"][opts.transformer]["model"]), opts)
    if bf16:
        encoder, meta = encoder_weights(torch_model.transformer), {"quantize": "bf16", "fused": False, "fusions": {}, "fp32_nodes": []}
    else:
        encoder, meta = build_graph(torch_model.transformer, torch_model.tokenizer, opts)
    meta["source"] = {"name": nlp.meta.get("name"), "version": nlp.meta.get("version")}
    meta["torch_name"] = str(nlp.config["components"][opts.transformer]["model"].get("name", ""))

    from spacy.util import registry

    from .registry import bf16_transformer_model, onnx_transformer_model

    spans = registry.resolve({"x": block["get_spans"]})["x"]
    make = bf16_transformer_model if bf16 else onnx_transformer_model
    new_model = make(spans, opts.threads, opts.batch_windows, opts.sort_windows, pad_multiple=opts.pad_multiple,
                     **({"compile": opts.compile} if bf16 else {}))
    new_model.set_encoder(encoder, torch_model.tokenizer, torch_model.transformer.config.to_dict(), meta)

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        nlp.meta["name"] = f"{nlp.meta.get('name', 'pipeline')}_fast" if not str(nlp.meta.get("name", "")).endswith("_fast") else nlp.meta["name"]
        nlp.meta.setdefault("requirements", [])
        nlp.meta["requirements"] = [r for r in nlp.meta["requirements"] if not r.startswith("onnxruntime")]
        if not bf16:
            nlp.meta["requirements"].append(_onnxruntime_requirement())
        nlp.to_disk(tmp)
        config = load_config(tmp / "config.cfg", interpolate=False)
        config["components"][opts.transformer]["model"] = block
        config.to_disk(tmp / "config.cfg")
        (tmp / opts.transformer / "model").write_bytes(new_model.to_bytes())
        check = spacy.load(tmp)  # must load back before it replaces anything
        check(" ".join(["patient"] * 5))
        if output.exists():
            shutil.rmtree(output)
        tmp.rename(output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return {"output": str(output), "encoder_bytes": len(encoder), **meta, "model": block}


def _onnxruntime_requirement() -> str:
    ort = import_onnxruntime()
    major_minor = ".".join(ort.__version__.split(".")[:2])
    return f"onnxruntime>={major_minor}"
