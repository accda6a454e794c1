"""The shared encoder in torch with bf16 matrix products (``medllm optimize --quantize bf16``).

On CPUs with native bf16 dot products (AVX512_BF16, AMX) oneDNN runs the encoder's linear layers
about twice as fast as fp32, and ``torch.autocast`` keeps softmax, layer norms and the outputs in
fp32, so the answers barely move (docs/speed.md). Without native bf16 the same products are
emulated and run several times slower than fp32: loading such a pipeline there fails, naming the
fix, unless its config allows an fp32 fallback, which is then logged.

With ``compile = true`` (``medllm optimize --quantize bf16 --compile``) the encoder is also run
through ``torch.compile`` (inductor, dynamic shapes): its fused kernels made the whole clinical
pipeline 1.12x faster than uncompiled bf16 at the same answers (docs/speed.md). The compilation
(~30 s on 2 cores, ~16 s once inductor's on-disk cache holds the kernels) happens at load, on token
ids made up there, so a machine without a working C++ compiler fails at load, naming the setting,
not mid-batch. Inductor's ``freezing`` is not used: it ran no faster here and bypasses that cache.
"""
from __future__ import annotations

import inspect
import io
import logging
from typing import Any, Dict, List

import numpy

from .runtime import FastPathUnavailable
from .shim import WindowShim

logger = logging.getLogger("spacy_medllm")

def bf16_supported() -> bool:
    """Whether oneDNN has native bf16 on this CPU (AVX512_BF16 or AMX)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # private check missing: ask the CPU flags instead
        cpu = getattr(torch, "cpu", None)
        return bool(cpu and (getattr(cpu, "_is_avx512_bf16_supported", lambda: False)()
                             or getattr(cpu, "_is_amx_tile_supported", lambda: False)()))


UNSUPPORTED = (
    "This pipeline's transformer runs in bf16 (spacy_medllm.Bf16TransformerModel.v1), but this CPU has no "
    "native bf16 (AVX512_BF16 or AMX): emulated, it would run several times slower than fp32. Rebuild it "
    "with `medllm optimize MODEL OUTPUT --quantize int8`, or set fp32_fallback = true on "
    "[components.transformer.model] to run it in fp32 here."
)


COMPILE_FAILED = (
    "This pipeline's bf16 encoder is compiled at load (compile = true on [components.transformer.model]), "
    "and torch.compile failed here ({error}). torch's inductor needs a working C++ compiler (e.g. g++): "
    "install one, or load with compile = false (the same encoder uncompiled)."
)


class Bf16Shim(WindowShim):
    """Holds the encoder's weights (fp32, as trained) and runs them under bf16 autocast; its Linear
    layers are kept in bf16, the dtype autocast computes them in (a saved copy is written back in fp32)."""

    FORMAT, KEY, WHAT = "spacy_medllm.bf16_encoder.v1", "weights", "a bf16 encoder"
    REBUILD = "`medllm optimize --quantize bf16`"

    def __init__(self, threads: int = 0, batch_windows: int = 16, sort_windows: bool = True, fp32_fallback: bool = False,
                 compile: bool = False, pad_multiple: int = 0):
        super().__init__(threads, batch_windows, sort_windows, pad_multiple)
        self.fp32_fallback = fp32_fallback
        self.compile = compile
        self.weights: bytes = b""
        self._model: Any = None
        self._run: Any = None  # what encode calls: the model, or its compiled form
        self._bf16 = True

    def set_encoder(self, weights: bytes) -> None:
        self.weights = weights
        self._model = self._run = None

    @property
    def ready(self) -> bool:
        return bool(self.weights) or self._model is not None

    def _build(self) -> Any:
        import torch
        from transformers import CONFIG_MAPPING, AutoModel

        config = CONFIG_MAPPING[self.encoder_config["model_type"]].from_dict(self.encoder_config)
        model = AutoModel.from_config(config)
        model.load_state_dict(torch.load(io.BytesIO(self.weights), map_location="cpu", weights_only=True))
        return model.eval()

    def check_runtime(self) -> None:
        """Fail at load (or log the fallback) where bf16 would be emulated."""
        if bf16_supported():
            self._bf16 = True
        elif self.fp32_fallback:
            self._bf16 = False
            logger.warning("bf16 encoder: this CPU has no native bf16; running the encoder in fp32 (fp32_fallback = true)")
        else:
            raise FastPathUnavailable(UNSUPPORTED)

    def prepare(self) -> List[str]:
        if self._model is None:
            self._model = self._build()
            self.weights = b""  # the model holds them now; to_bytes writes them from it (peak RSS)
            if self.threads > 0:  # torch's setting is per process: set once, not on every call
                import torch

                torch.set_num_threads(self.threads)
            if self._bf16:  # what autocast would cast them to on every call, once: less memory, same numbers
                import torch

                for module in self._model.modules():
                    if isinstance(module, torch.nn.Linear):
                        module.to(torch.bfloat16)
            self._run = self._compiled() if self.compile else self._model
        accepted = inspect.signature(self._model.forward).parameters  # RoBERTa-like models take no token types
        return [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in accepted]

    def _compiled(self) -> Any:
        """The model through torch.compile, compiled now: batches of 2 and 1 (inductor specializes
        size 1), so later shapes reuse the dynamic kernels instead of recompiling mid-batch."""
        import torch

        compiled = torch.compile(self._model, dynamic=True)
        inputs = set(inspect.signature(self._model.forward).parameters)
        try:
            for batch in (2, 1):
                ids = numpy.full((batch, 8), int(self.encoder_config.get("pad_token_id") or 0) + 1, dtype="int64")
                feeds = {"input_ids": ids, "attention_mask": numpy.ones_like(ids), "token_type_ids": numpy.zeros_like(ids)}
                self._forward(compiled, {k: v for k, v in feeds.items() if k in inputs})
        except Exception as err:  # inductor raises many types (no compiler, codegen); the input is made up, no text
            raise FastPathUnavailable(COMPILE_FAILED.format(error=type(err).__name__)) from err
        return compiled

    def _forward(self, model: Any, feeds: Dict[str, numpy.ndarray]) -> Any:
        import torch

        # tensors made inside inference mode, always: the compiled graph's guards check how the
        # inputs were made, and a caller's own inference_mode() would otherwise force a recompile
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
            return model(**{k: torch.from_numpy(v) for k, v in feeds.items()}, return_dict=True)

    def encode(self, feeds: Dict[str, numpy.ndarray]) -> Dict[str, numpy.ndarray]:
        out = self._forward(self._run, feeds)
        result = {"last_hidden_state": out.last_hidden_state.float().numpy()}
        if getattr(out, "pooler_output", None) is not None:
            result["pooler_output"] = out.pooler_output.float().numpy()
        return result

    def encoder_bytes(self) -> bytes:
        return encoder_weights(self._model) if self._model is not None else self.weights

    def loaded(self) -> None:
        self.check_runtime()
        self.prepare()


def encoder_weights(transformer: Any) -> bytes:
    """The encoder's state dict as fp32 bytes (torch.save; read back with weights_only=True)."""
    import torch

    buf = io.BytesIO()
    torch.save({k: (v.detach().float() if v.is_floating_point() else v.detach()).cpu().contiguous()
                for k, v in transformer.state_dict().items()}, buf)
    return buf.getvalue()
