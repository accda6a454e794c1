"""Registered functions of the fast path (entry points in pyproject.toml)."""
from typing import Callable, List

from spacy.tokens import Doc, Span
from spacy.util import registry

from .model import Bf16TransformerModel, OnnxTransformerModel


@registry.architectures("spacy_medllm.OnnxTransformerModel.v1")
def onnx_transformer_model(
    get_spans: Callable[[List[Doc]], List[List[Span]]],
    threads: int = 0,
    batch_windows: int = 32,
    sort_windows: bool = True,
    pad_multiple: int = 0,
) -> OnnxTransformerModel:
    """The shared encoder as an ONNX graph run by ONNX Runtime (written by `medllm optimize`).

    threads: intra-op threads (0 = one per core this process may use).
    batch_windows: windows per ONNX Runtime call (0 = all windows of a batch at once).
    sort_windows: run windows sorted by length, each call cut to its own longest window.
    pad_multiple: pad each call's length up to a multiple of this (0 = off; ONNX Runtime's fused
        attention gained nothing from it on the clinical pipeline).
    The graph, tokenizer and encoder config are restored from the component's model file.
    """
    return OnnxTransformerModel(get_spans, threads=threads, batch_windows=batch_windows, sort_windows=sort_windows,
                                pad_multiple=pad_multiple)


@registry.architectures("spacy_medllm.Bf16TransformerModel.v1")
def bf16_transformer_model(
    get_spans: Callable[[List[Doc]], List[List[Span]]],
    threads: int = 0,
    batch_windows: int = 16,
    sort_windows: bool = True,
    fp32_fallback: bool = False,
    compile: bool = False,
    pad_multiple: int = 0,
) -> Bf16TransformerModel:
    """The shared encoder in torch with bf16 matrix products (written by `medllm optimize --quantize bf16`).

    threads: torch threads for the encoder (0 = leave torch's setting).
    fp32_fallback: on a CPU without native bf16, run fp32 and log it instead of failing at load.
    compile: run the encoder through torch.compile (inductor; compiled at load, needs a C++ compiler).
    pad_multiple: pad each call's length up to a multiple of this (0 = off, what a config without
        the setting gets). `medllm optimize` writes 16: torch's CPU attention kernel is much faster
        on lengths that are multiples of 16 (docs/speed.md).
    batch_windows, sort_windows: as for spacy_medllm.OnnxTransformerModel.v1.
    """
    return Bf16TransformerModel(get_spans, threads=threads, batch_windows=batch_windows, sort_windows=sort_windows,
                                fp32_fallback=fp32_fallback, compile=compile, pad_multiple=pad_multiple)
