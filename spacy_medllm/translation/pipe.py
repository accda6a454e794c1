"""The `medllm_translator` pipe: sentence-by-sentence translation that keeps protected items intact.

Writes `doc._.translation` (str), `Span._.translation` for every sentence (the sentence spans are
also kept in `doc.spans[spans_key]`), `Span._.translation_span` for every entity in `doc.ents`
(see `translation_span` below) and `doc._.translation_alignments` (every protected item).

`Span._.translation_span` is None when the entity's translation cannot be located, else a dict:
    {"start": int, "end": int,   # character offsets into doc._.translation
     "text": str,                # doc._.translation[start:end]
     "sentence": int,            # index of the sentence in doc.spans[spans_key]
     "method": "protected" | "glossary" | "verbatim"}
"protected" and "glossary" spans are exact by construction; "verbatim" means the entity text was
found unchanged (case-insensitively) in its sentence's translation.
"""
import io
import tarfile
import tempfile
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import srsly
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import ensure_path, minibatch

from .cache import TranslationCache
from .glossary import Glossary
from .placeholders import Item, mask, restore, select_items, strip_placeholders
from .protect import find_protected
from .segment import fallback_sentences, split_long

SETTINGS = ("model_name", "src_lang", "tgt_lang", "src_lang_code", "tgt_lang_code", "prefix", "beam_size",
            "no_repeat_ngram_size", "max_length", "max_input_tokens", "batch_size", "local_files_only",
            "protect_labels", "protect_numbers", "placeholder", "cache_size", "spans_key", "reference_key")
STAT_KEYS = ("sentences", "translated_sentences", "cache_hits", "split_sentences", "placeholders", "intact",
             "repaired", "missing", "fallback_sentences")


def install_extensions() -> None:
    for cls, names in ((Doc, ("translation", "translation_alignments")), (Span, ("translation", "translation_span"))):
        for name in names:
            if not cls.has_extension(name):
                cls.set_extension(name, default=None)


class Translator(Pipe):
    def __init__(self, nlp: Language, name: str = "medllm_translator", *, model_name: Optional[str] = None,
                 src_lang: str = "en", tgt_lang: str = "fr", src_lang_code: Optional[str] = None,
                 tgt_lang_code: Optional[str] = None, prefix: str = "", beam_size: int = 1,
                 no_repeat_ngram_size: int = 0, max_length: int = 256,
                 max_input_tokens: Optional[int] = None, batch_size: int = 16, device: str = "cpu",
                 local_files_only: bool = True, glossary_path: Optional[str] = None,
                 protect_labels: Sequence[str] = ("DRUG",), protect_numbers: bool = True,
                 placeholder: str = "<ph_{i}>", cache_size: int = 2048, spans_key: str = "translation_sents",
                 reference_key: str = "translation"):
        if "{i}" not in placeholder:
            raise ValueError(f"placeholder format must contain '{{i}}', got {placeholder!r}")
        install_extensions()
        self.name = name
        self.vocab = nlp.vocab
        self.model_name = model_name
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.src_lang_code, self.tgt_lang_code = src_lang_code, tgt_lang_code
        self.prefix = prefix
        self.beam_size, self.max_length, self.max_input_tokens = beam_size, max_length, max_input_tokens
        self.no_repeat_ngram_size = no_repeat_ngram_size
        self.batch_size = max(1, int(batch_size))
        self.device = device
        self.local_files_only = local_files_only
        self.glossary_path = glossary_path
        self.protect_labels = list(protect_labels)
        self.protect_numbers = protect_numbers
        self.placeholder = placeholder
        self.cache_size = cache_size
        self.spans_key = spans_key
        self.reference_key = reference_key
        self.cache = TranslationCache(cache_size)
        self.stats: Dict[str, int] = dict.fromkeys(STAT_KEYS, 0)
        self._backend = None
        self._glossary: Optional[Glossary] = None
        self._sent_spans: Dict[Tuple[int, int, int], Span] = {}  # doc.sents spans awaiting their translation

    # -- lazily loaded state ------------------------------------------------------------------
    @property
    def backend(self):
        if self._backend is None:
            if not self.model_name:
                raise ValueError(f"{self.name}: no translation model; set `model_name` in the config or call "
                                 "initialize(model=...)")
            from .backend import Seq2SeqBackend

            self._backend = Seq2SeqBackend.load(self.model_name, **self._backend_kwargs(), local_files_only=self.local_files_only)
        return self._backend

    def _backend_kwargs(self) -> Dict[str, Any]:
        return {"src_lang": self.src_lang, "tgt_lang": self.tgt_lang, "src_lang_code": self.src_lang_code,
                "tgt_lang_code": self.tgt_lang_code, "prefix": self.prefix, "beam_size": self.beam_size,
                "no_repeat_ngram_size": self.no_repeat_ngram_size, "max_length": self.max_length,
                "max_input_tokens": self.max_input_tokens, "device": self.device}

    def set_model(self, model, tokenizer) -> None:
        """Use an in-memory model and tokenizer (tests, training scripts)."""
        from .backend import Seq2SeqBackend

        kwargs = self._backend_kwargs()
        kwargs.pop("src_lang"), kwargs.pop("tgt_lang")
        self._backend = Seq2SeqBackend(model, tokenizer, **kwargs)
        self.cache.clear()

    @property
    def glossary(self) -> Glossary:
        if self._glossary is None:
            self._glossary = Glossary.from_file(self.glossary_path) if self.glossary_path else Glossary()
        return self._glossary

    @glossary.setter
    def glossary(self, value: Glossary) -> None:
        self._glossary = value
        self.cache.clear()

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Example]]] = None, *, nlp: Optional[Language] = None,
                   model: Optional[str] = None, glossary: Optional[Glossary] = None) -> None:
        """Load (and so validate) the model and glossary now rather than on the first document."""
        if model is not None:
            self.model_name = str(model)
            self._backend = None
        if glossary is not None:
            self.glossary = glossary
        if self.model_name or self._backend is not None:
            self.backend  # noqa: B018 - load it now
        self.glossary  # noqa: B018
        self.cache.clear()

    # -- processing -----------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 32) -> Iterator[Doc]:
        for docs in minibatch(stream, size=batch_size):
            self._process(docs)
            yield from docs

    def _sentence_offsets(self, doc: Doc) -> List[Tuple[int, int]]:
        if doc.has_annotation("SENT_START"):
            spans = []
            for sent in doc.sents:
                s, e = sent.start_char, sent.end_char
                while s < e and doc.text[s].isspace():
                    s += 1
                while e > s and doc.text[e - 1].isspace():
                    e -= 1
                if e > s:
                    spans.append((s, e))
                    self._sent_spans[(id(doc), s, e)] = sent
            return spans
        return fallback_sentences(doc.text)

    def _items(self, doc: Doc, start: int, end: int) -> List[Item]:
        text = doc.text[start:end]
        cands = [Item(e.start_char - start, e.end_char - start, e.text, f"entity:{e.label_}")
                 for e in doc.ents if e.label_ in self.protect_labels and e.start_char >= start and e.end_char <= end]
        cands += [Item(s, e, tgt, "glossary") for s, e, tgt in self.glossary.find(text)]
        if self.protect_numbers:
            cands += [Item(s, e, text[s:e], "number") for s, e in find_protected(text)]
        return select_items(cands)

    def _process(self, docs: Sequence[Doc]) -> None:
        jobs = []  # (doc index, start, end, key, items)
        results: Dict[Any, Tuple[str, List[Tuple[int, int]]]] = {}
        pending: Dict[Any, Tuple[str, List[Item]]] = {}
        for d, doc in enumerate(docs):
            for start, end in self._sentence_offsets(doc):
                items = self._items(doc, start, end)
                key = (doc.text[start:end], tuple((i.start, i.end, i.kind) for i in items if i.kind.startswith("entity")))
                if self.cache.max_size == 0:  # no cache: no reuse at all, not even within a batch
                    key = key + (len(jobs),)
                jobs.append((d, start, end, key, items))
                self.stats["sentences"] += 1
                if key in results or key in pending:
                    self.stats["cache_hits"] += 1
                    continue
                cached = self.cache.get(key)
                if cached is not None:
                    self.stats["cache_hits"] += 1
                    results[key] = cached
                else:
                    pending[key] = (key[0], items)
        results.update(self._translate_sentences(pending))
        for key in pending:
            self.cache.put(key, results[key])
        by_doc: Dict[int, list] = {}
        for d, start, end, key, items in jobs:
            by_doc.setdefault(d, []).append((start, end, items) + results[key])
        for d, doc in enumerate(docs):
            self._annotate(doc, by_doc.get(d, []))
        self._sent_spans.clear()

    def _translate_sentences(self, pending: Dict[Any, Tuple[str, List[Item]]]) -> Dict[Any, Tuple[str, list]]:
        """Masked translation of every sentence; sentences whose placeholders fail are redone piecewise."""
        if not pending:
            return {}
        fmt = self.placeholder
        keys = list(pending)
        masked = [mask(pending[key][0], pending[key][1], fmt) for key in keys]
        outputs = dict(zip(keys, self.translate_texts(masked)))
        out: Dict[Any, Tuple[str, list]] = {}
        retry = {}
        for key, (text, items) in pending.items():
            self.stats["translated_sentences"] += 1
            translated = outputs[key]
            if not items:
                out[key] = (strip_placeholders(translated, fmt), [])
                continue
            restored, counts, spans = restore(translated, items, fmt)
            for k in ("placeholders", "intact", "repaired", "missing"):
                self.stats[k] += counts[k]
            if restored is not None:
                out[key] = (restored, spans)
            else:
                retry[key] = (text, items)
        if retry:
            self.stats["fallback_sentences"] += len(retry)
            out.update(self._piecewise(retry))
        return out

    def _piecewise(self, retry: Dict[Any, Tuple[str, List[Item]]]) -> Dict[Any, Tuple[str, list]]:
        """Translate the text between protected items on its own and copy the items in between."""
        gaps = {}
        for key, (text, items) in retry.items():
            bounds = [0] + [x for it in items for x in (it.start, it.end)] + [len(text)]
            gaps[key] = [text[bounds[k]:bounds[k + 1]] for k in range(0, len(bounds), 2)]
        to_do = [g.strip() for gs in gaps.values() for g in gs if any(c.isalpha() for c in g)]
        outputs = dict(zip(to_do, self.translate_texts(to_do)))
        out = {}
        for key, (text, items) in retry.items():
            pieces, spans, pos = [], [], 0
            for k, gap in enumerate(gaps[key]):
                if any(c.isalpha() for c in gap):
                    lead = " " if gap[:1].isspace() and pieces else ""
                    trail = " " if gap[-1:].isspace() and k < len(items) else ""
                    piece = lead + strip_placeholders(outputs[gap.strip()], self.placeholder) + trail
                else:
                    piece = gap
                pieces.append(piece)
                pos += len(piece)
                if k < len(items):
                    pieces.append(items[k].target)
                    spans.append((pos, pos + len(items[k].target)))
                    pos += len(items[k].target)
            out[key] = ("".join(pieces).strip(), spans)
            if out[key][0] != "".join(pieces):  # stripping shifted the offsets
                shift = len("".join(pieces)) - len("".join(pieces).lstrip())
                out[key] = (out[key][0], [(s - shift, e - shift) for s, e in spans])
        return out

    def translate_texts(self, texts: Sequence[str]) -> List[str]:
        """Translations in input order, computed in length-sorted batches; long texts are split, never truncated.

        Identical texts are translated once unless the cache is disabled (cache_size 0).
        """
        backend = self.backend
        limit = backend.max_input_tokens
        reuse = self.cache.max_size > 0
        units: List[List[str]] = []
        for text in texts:
            pieces = split_long(text, backend.n_tokens, limit) if text.strip() else []
            if len(pieces) > 1:
                self.stats["split_sentences"] += 1
            units.append(pieces)
        flat = [p for ps in units for p in ps]
        if reuse:
            flat = list(dict.fromkeys(flat))
        order = sorted(range(len(flat)), key=lambda i: len(flat[i]))
        done: List[Optional[str]] = [None] * len(flat)
        for batch in minibatch(order, size=self.batch_size):
            for i, tgt in zip(batch, backend.translate([flat[i] for i in batch])):
                done[i] = tgt
        if reuse:
            lookup = dict(zip(flat, done))
            return [" ".join(lookup[p] for p in ps) if ps else t for t, ps in zip(texts, units)]
        it = iter(done)
        return [" ".join(next(it) for _ in ps) if ps else t for t, ps in zip(texts, units)]

    def _annotate(self, doc: Doc, sentences: List[tuple]) -> None:
        parts, pos, last_end, sent_spans, aligns = [], 0, 0, [], []
        for k, (start, end, items, translation, spans) in enumerate(sentences):
            if parts:
                sep = "\n" if "\n" in doc.text[last_end:start] else " "
                parts.append(sep)
                pos += len(sep)
            span = self._sent_spans.pop((id(doc), start, end), None) or doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                span._.translation = translation
                sent_spans.append(span)
            for it, (ts, te) in zip(items, spans):
                aligns.append({"src_start": start + it.start, "src_end": start + it.end, "kind": it.kind,
                               "start": pos + ts, "end": pos + te, "text": translation[ts:te], "sentence": k,
                               "method": "glossary" if it.kind == "glossary" else "protected"})
            parts.append(translation)
            sentences[k] = (start, end, pos, translation)
            pos += len(translation)
            last_end = end
        doc._.translation = "".join(parts) if sentences else doc.text
        doc._.translation_alignments = aligns
        doc.spans[self.spans_key] = sent_spans
        by_src = {(a["src_start"], a["src_end"]): a for a in aligns}
        for ent in doc.ents:
            ent._.translation_span = self._entity_span(ent, by_src, sentences, doc._.translation)

    def _entity_span(self, ent: Span, by_src: Dict, sentences: List[tuple], full: str) -> Optional[Dict[str, Any]]:
        a = by_src.get((ent.start_char, ent.end_char))
        if a is not None:
            return {k: a[k] for k in ("start", "end", "text", "sentence", "method")}
        for k, (start, end, offset, translation) in enumerate(sentences):
            if start <= ent.start_char and ent.end_char <= end:
                target = self.glossary.lookup(ent.text)
                method = "glossary" if target is not None else "verbatim"
                i = translation.lower().find((target or ent.text).lower())
                if i < 0:
                    return None
                s, e = offset + i, offset + i + len(target or ent.text)
                return {"start": s, "end": e, "text": full[s:e], "sentence": k, "method": method}
        return None

    # -- evaluation -------------------------------------------------------------------------------
    def score(self, examples: Iterable[Example], **kwargs) -> Dict[str, Any]:
        """Corpus BLEU and chrF against `example.reference.user_data[reference_key]` (a string).

        Examples without a reference are skipped; with none at all the scores are None.
        """
        from .metrics import corpus_scores

        hyps, refs = [], []
        for eg in examples:
            ref = eg.reference.user_data.get(self.reference_key)
            if isinstance(ref, str):
                hyps.append(eg.predicted._.translation or "")
                refs.append(ref)
        if not refs:
            return {"translation_bleu": None, "translation_chrf": None}
        s = corpus_scores(hyps, refs)
        return {"translation_bleu": s["bleu"], "translation_chrf": s["chrf"]}

    # -- serialization ----------------------------------------------------------------------------
    def settings(self) -> Dict[str, Any]:
        return {k: getattr(self, k) for k in SETTINGS}

    def _apply_settings(self, cfg: Dict[str, Any]) -> None:
        for k in SETTINGS:
            if k in cfg:
                setattr(self, k, cfg[k])
        self.cache = TranslationCache(self.cache_size)

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self.settings())
        (path / "glossary.json").write_bytes(self.glossary.to_bytes())
        if "model" not in exclude and (self._backend is not None or self.model_name):
            self.backend.save(path / "model")

    def from_disk(self, path, *, exclude=tuple()) -> "Translator":
        path = ensure_path(path)
        self._apply_settings(srsly.read_json(path / "cfg.json"))
        if (path / "glossary.json").exists():
            self._glossary = Glossary.from_bytes((path / "glossary.json").read_bytes())
        if "model" not in exclude and (path / "model").exists():
            from .backend import Seq2SeqBackend

            kwargs = self._backend_kwargs()
            self._backend = Seq2SeqBackend.load(path / "model", local_files_only=True, **kwargs)
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            self.to_disk(tmp, exclude=exclude)
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as tar:
                tar.add(tmp, arcname=".")
            return srsly.msgpack_dumps({"tar": buf.getvalue()})

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "Translator":
        data = srsly.msgpack_loads(bytes_data)
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(fileobj=io.BytesIO(data["tar"]), mode="r") as tar:
                tar.extractall(tmp, filter="data")
            return self.from_disk(tmp, exclude=exclude)
