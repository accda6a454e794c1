"""The serialized state of a fast encoder (an ONNX graph here, bf16 torch weights in bf16.py),
and the window batching both share.

A thinc Shim, so the transformer component's to_disk/to_bytes carry the encoder inside
the pipeline's own `transformer/model` file and `spacy package` needs nothing extra.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy
import srsly
from thinc.api import Shim

from .runtime import make_session

def save_tokenizer(tokenizer: Any) -> Dict[str, bytes]:
    if tokenizer is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer.save_pretrained(tmp)
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir() if p.is_file()}


def load_tokenizer(files: Dict[str, bytes], kwargs: Dict[str, Any]) -> Any:
    if not files:
        return None
    from transformers import AutoTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        for name, content in files.items():
            (Path(tmp) / name).write_bytes(content)
        return AutoTokenizer.from_pretrained(tmp, local_files_only=True, **kwargs)


class WindowShim(Shim):
    """Runs an encoder over a padded batch of windows, sub-batch by sub-batch, and serializes it
    with its tokenizer and config (subclasses say how to encode and what the encoder's bytes are)."""

    FORMAT = ""  # the model file's format tag
    KEY = ""  # the model file's field holding the encoder's bytes
    WHAT = ""  # what a wrong model file is not, for the error
    REBUILD = "`medllm optimize`"

    def __init__(self, threads: int = 0, batch_windows: int = 32, sort_windows: bool = True, pad_multiple: int = 0):
        super().__init__(None)
        if int(pad_multiple) < 0:
            raise ValueError(f"pad_multiple must be 0 (off) or a positive number of word pieces, got {pad_multiple}.")
        self.threads = threads
        self.batch_windows = int(batch_windows)  # 0: the whole batch in one call
        self.sort_windows = sort_windows
        self.pad_multiple = int(pad_multiple)  # 0: each call cut to its own longest window exactly
        self.tokenizer: Any = None
        self.encoder_config: Dict[str, Any] = {}
        self.meta: Dict[str, Any] = {}

    @property
    def width(self) -> int:
        return int(self.encoder_config["hidden_size"])

    @property
    def ready(self) -> bool:
        raise NotImplementedError

    def set_state(self, encoder: Any, tokenizer: Any, encoder_config: Dict[str, Any], meta: Dict[str, Any]):
        """Take the encoder's bytes (``set_encoder``), its tokenizer, config and meta; returns self."""
        self.tokenizer = tokenizer
        self.encoder_config, self.meta = dict(encoder_config), dict(meta)
        self.set_encoder(encoder)
        return self

    def set_encoder(self, encoder: Any) -> None:
        """Keep the encoder's bytes and drop whatever was built from the previous ones."""
        raise NotImplementedError

    def encoder_bytes(self) -> Any:
        """What to_bytes writes under KEY."""
        raise NotImplementedError

    def loaded(self) -> None:
        """Build what the encoder needs now, so a broken model file fails at load, not mid-batch."""
        self.prepare()

    def to_bytes(self) -> bytes:
        return srsly.msgpack_dumps({
            "format": self.FORMAT, self.KEY: self.encoder_bytes(), "tokenizer": save_tokenizer(self.tokenizer),
            "tokenizer_kwargs": {"use_fast": bool(getattr(self.tokenizer, "is_fast", True))},
            "config": self.encoder_config, "meta": self.meta,
        })

    def from_bytes(self, data: bytes) -> "WindowShim":
        msg = srsly.msgpack_loads(data)
        if msg.get("format") != self.FORMAT:
            raise ValueError(
                f"The transformer's model file is not {self.WHAT} (format {msg.get('format')!r}, expected "
                f"{self.FORMAT!r}); rebuild it with {self.REBUILD}."
            )
        tokenizer = load_tokenizer(msg["tokenizer"], msg["tokenizer_kwargs"])
        self.set_state(msg.pop(self.KEY), tokenizer, msg["config"], msg["meta"])
        del msg  # the encoder's bytes, once set, are held once
        if self.ready:
            self.loaded()
        return self

    def prepare(self) -> List[str]:
        """Get ready to encode; the encoder's input names."""
        raise NotImplementedError

    def encode(self, feeds: Dict[str, numpy.ndarray]) -> Dict[str, numpy.ndarray]:
        """last_hidden_state (and pooler_output, where the encoder has one) of one sub-batch."""
        raise NotImplementedError

    def run(self, input_ids, attention_mask, token_type_ids=None) -> Dict[str, numpy.ndarray]:
        """Encoder outputs for a padded batch of windows, the same shapes as the torch model's.

        Windows are sorted by length and run in sub-batches cut to their own longest
        window, so short windows (the tail of every note) are not padded to the batch's
        longest. With pad_multiple, each call is then padded up to a multiple of it: torch's
        CPU attention kernel runs far faster on such lengths (docs/speed.md). Padded
        positions are masked out of attention and come back as zeros (no listener reads them).
        """
        inputs = self.prepare()
        n, length = input_ids.shape
        lengths = attention_mask.sum(axis=1)
        order = numpy.argsort(-lengths, kind="stable") if self.sort_windows else numpy.arange(n)
        hidden = numpy.zeros((n, length, self.width), dtype="float32")
        pooled = None
        arrays = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
        if token_type_ids is None:
            arrays["token_type_ids"] = numpy.zeros_like(input_ids)
        step = self.batch_windows if self.batch_windows > 0 else n
        for start in range(0, n, step):
            idx = order[start : start + step]
            cut = int(lengths[idx].max()) if self.sort_windows else length
            cut = max(cut, 1)
            feeds = {name: self._feed(arrays[name][idx, :cut]) for name in inputs}
            outs = self.encode(feeds)
            hidden[idx, :cut] = outs["last_hidden_state"][:, :cut]
            if "pooler_output" in outs:
                if pooled is None:
                    pooled = numpy.zeros((n, self.width), dtype="float32")
                pooled[idx] = outs["pooler_output"]
        result = {"last_hidden_state": hidden}
        if pooled is not None:
            result["pooler_output"] = pooled
        return result

    def _feed(self, columns: numpy.ndarray) -> numpy.ndarray:
        """One encoder input of a sub-batch, zero-padded on the right to a multiple of pad_multiple
        (zero attention mask: the padding is not attended to; zero ids: any id would do)."""
        n, cut = columns.shape
        if self.pad_multiple <= 1 or cut % self.pad_multiple == 0:
            return numpy.ascontiguousarray(columns, dtype="int64")
        feed = numpy.zeros((n, -(-cut // self.pad_multiple) * self.pad_multiple), dtype="int64")
        feed[:, :cut] = columns
        return feed


class OnnxShim(WindowShim):
    """Holds the ONNX graph and runs it in ONNX Runtime."""

    FORMAT, KEY, WHAT = "spacy_medllm.onnx_encoder.v1", "onnx", "an optimized ONNX encoder"

    def __init__(self, threads: int = 0, batch_windows: int = 32, sort_windows: bool = True, pad_multiple: int = 0):
        super().__init__(threads, batch_windows, sort_windows, pad_multiple)
        self.onnx_bytes: Optional[bytes] = None
        self._session: Any = None

    # -- state ----------------------------------------------------------------------------
    def set_encoder(self, onnx_bytes: bytes) -> None:
        self.onnx_bytes = onnx_bytes
        self._session = None

    @property
    def ready(self) -> bool:
        return self.onnx_bytes is not None

    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = make_session(self.onnx_bytes, self.threads)
            self._inputs = [i.name for i in self._session.get_inputs()]
            self._outputs = [o.name for o in self._session.get_outputs()]
        return self._session

    def encoder_bytes(self) -> Optional[bytes]:
        return self.onnx_bytes

    # -- inference ------------------------------------------------------------------------
    def prepare(self) -> List[str]:
        self.session
        return self._inputs

    def encode(self, feeds: Dict[str, numpy.ndarray]) -> Dict[str, numpy.ndarray]:
        return dict(zip(self._outputs, self.session.run(self._outputs, feeds)))
