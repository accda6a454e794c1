"""Inference fast path for the shared encoder: an ONNX Runtime graph (fused, int8) carried
inside a saved pipeline. Built by `medllm optimize`; loaded by plain `spacy.load`.
"""
from .runtime import EXTRA_HINT, FastPathUnavailable

__all__ = ["EXTRA_HINT", "FastPathUnavailable"]
