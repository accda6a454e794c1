"""ONNX Runtime import and session settings for the encoder fast path.

Kept apart so the one place that imports onnxruntime can name the extra to install:
an optimized pipeline must never fall back to a slower path without saying so.
"""
from __future__ import annotations

import logging
import os
from typing import Any

logger = logging.getLogger("spacy_medllm")

EXTRA_HINT = "pip install 'spacy-medllm[fast]'"


class FastPathUnavailable(ImportError):
    """onnxruntime (or onnx, for `medllm optimize`) is not installed."""


def import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError as err:
        raise FastPathUnavailable(
            "This pipeline's transformer is an optimized ONNX encoder "
            "(spacy_medllm.OnnxTransformerModel.v1) and needs onnxruntime, which is not "
            f"installed ({err}). Install the optional extra: {EXTRA_HINT}"
        ) from None
    return onnxruntime


def import_onnx() -> Any:
    try:
        import onnx
    except ImportError as err:
        raise FastPathUnavailable(
            f"`medllm optimize` needs the onnx package, which is not installed ({err}). "
            f"Install the optional extra: {EXTRA_HINT}"
        ) from None
    return onnx


def default_threads() -> int:
    """Cores this process may use (cgroup/affinity aware where the OS says so)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_session(onnx_bytes: bytes, threads: int = 0) -> Any:
    """An InferenceSession on the CPU with all graph optimizations and `threads` intra-op threads.

    threads=0 means one per core this process may use: with small batches of windows,
    inter-op parallelism buys nothing, so inter_op stays at 1.
    """
    ort = import_onnxruntime()
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads if threads > 0 else default_threads()
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    return ort.InferenceSession(onnx_bytes, sess_options=opts, providers=["CPUExecutionProvider"])
