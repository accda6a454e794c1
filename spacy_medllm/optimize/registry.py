"""Registered functions of the fast path (entry points in pyproject.toml)."""
from typing import Callable, List

from spacy.tokens import Doc, Span
from spacy.util import registry

from .model import OnnxTransformerModel


@registry.architectures("spacy_medllm.OnnxTransformerModel.v1")
def onnx_transformer_model(
    get_spans: Callable[[List[Doc]], List[List[Span]]],
    threads: int = 0,
    batch_windows: int = 32,
    sort_windows: bool = True,
) -> OnnxTransformerModel:
    """The shared encoder as an ONNX graph run by ONNX Runtime (written by `medllm optimize`).

    threads: intra-op threads (0 = one per core this process may use).
    batch_windows: windows per ONNX Runtime call (0 = all windows of a batch at once).
    sort_windows: run windows sorted by length, each call cut to its own longest window.
    The graph, tokenizer and encoder config are restored from the component's model file.
    """
    return OnnxTransformerModel(get_spans, threads=threads, batch_windows=batch_windows, sort_windows=sort_windows)
