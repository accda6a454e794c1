"""TransformerModel look-alikes whose forward pass runs a fast encoder: an ONNX graph in ONNX
Runtime, or the torch encoder with bf16 matrix products.

Everything around the encoder is spacy-transformers' own code (span getter, tokenizer
call, offset alignment, truncation, FullTransformerBatch), so `doc._.trf_data` and the
listeners see the same structure and shapes as with the torch encoder.
"""
from __future__ import annotations

from typing import Callable, List, Tuple

import torch
from spacy.tokens import Doc
from spacy_transformers.align import get_alignment, get_alignment_via_offset_mapping
from spacy_transformers.data_classes import FullTransformerBatch, WordpieceBatch
from spacy_transformers.layers.transformer_model import huggingface_tokenize
from spacy_transformers.truncate import truncate_oversize_splits
from thinc.api import Model
from transformers.modeling_outputs import BaseModelOutputWithPoolingAndCrossAttentions

from .bf16 import Bf16Shim
from .runtime import import_onnxruntime
from .shim import OnnxShim, WindowShim


class InferenceOnly(RuntimeError):
    pass


NOT_TRAINABLE = (
    "This transformer is an optimized encoder (built by `medllm optimize`) and is for "
    "inference only: train and initialize the original fp32 pipeline, then optimize it again."
)


class FastTransformerModel(Model):
    """Inference-only stand-in for spacy-transformers' TransformerModel, its encoder in a WindowShim."""

    def __init__(self, name: str, shim: WindowShim, get_spans: Callable):
        super().__init__(
            name,
            forward,
            init=init,
            shims=[shim],
            dims={"nO": None},
            attrs={"get_spans": get_spans, "has_transformer": False, "flush_cache_chance": 0.0},
        )

    @property
    def shim(self) -> WindowShim:
        return self.shims[0]

    @property
    def tokenizer(self):
        return self.shim.tokenizer

    @property
    def transformer(self):
        """No trainable torch module: the weights live in the shim."""
        return None

    def set_encoder(self, encoder: bytes, tokenizer, encoder_config: dict, meta: dict) -> None:
        self.shim.set_state(encoder, tokenizer, encoder_config, meta)
        self.attrs["has_transformer"] = True
        self.set_dim("nO", self.shim.width)

    def from_bytes(self, bytes_data: bytes) -> "FastTransformerModel":
        super().from_bytes(bytes_data)
        if self.shim.ready:
            self.attrs["has_transformer"] = True
        return self


class OnnxTransformerModel(FastTransformerModel):
    """The encoder as an ONNX graph in ONNX Runtime."""

    def __init__(self, get_spans: Callable, threads: int = 0, batch_windows: int = 32, sort_windows: bool = True,
                 pad_multiple: int = 0):
        import_onnxruntime()  # fail at load with the extra's name, never silently later
        super().__init__("onnx-transformer", OnnxShim(threads=threads, batch_windows=batch_windows,
                                                       sort_windows=sort_windows, pad_multiple=pad_multiple), get_spans)


class Bf16TransformerModel(FastTransformerModel):
    """The torch encoder with bf16 matrix products (CPUs with native bf16)."""

    def __init__(self, get_spans: Callable, threads: int = 0, batch_windows: int = 16, sort_windows: bool = True,
                 fp32_fallback: bool = False, compile: bool = False, pad_multiple: int = 0):
        super().__init__("bf16-transformer", Bf16Shim(threads=threads, batch_windows=batch_windows, sort_windows=sort_windows,
                                                       fp32_fallback=fp32_fallback, compile=compile,
                                                       pad_multiple=pad_multiple), get_spans)


def init(model: FastTransformerModel, X=None, Y=None) -> None:
    if not model.shim.ready:
        raise InferenceOnly(NOT_TRAINABLE)


def forward(model: FastTransformerModel, docs: List[Doc], is_train: bool) -> Tuple[FullTransformerBatch, Callable]:
    if is_train:
        raise InferenceOnly(NOT_TRAINABLE)
    if not model.shim.ready:
        raise InferenceOnly("The optimized encoder has no weights: load a pipeline written by `medllm optimize`.")
    tokenizer = model.tokenizer
    nested_spans = model.attrs["get_spans"](docs)
    flat_spans = [span for doc_spans in nested_spans for span in doc_spans]
    if not flat_spans:
        return FullTransformerBatch.empty(len(docs)), _no_backprop
    encoding = huggingface_tokenize(tokenizer, [span.text for span in flat_spans])
    wordpieces = WordpieceBatch.from_batch_encoding(encoding)
    if "offset_mapping" in encoding:
        align = get_alignment_via_offset_mapping(flat_spans, encoding["offset_mapping"])
    else:
        align = get_alignment(flat_spans, wordpieces.strings, tokenizer.all_special_tokens)
    wordpieces, align = truncate_oversize_splits(wordpieces, align, tokenizer.model_max_length)
    outputs = model.shim.run(wordpieces.input_ids, wordpieces.attention_mask, wordpieces.token_type_ids)
    model_output = BaseModelOutputWithPoolingAndCrossAttentions(
        **{key: torch.from_numpy(value) for key, value in outputs.items()}
    )
    batch = FullTransformerBatch(spans=nested_spans, wordpieces=wordpieces, model_output=model_output, align=align)
    return batch, _no_backprop


def _no_backprop(d_output):
    raise InferenceOnly(NOT_TRAINABLE)
