"""JSONL: one note a line, with character-offset spans."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Tuple

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from .errors import ConversionStats, CorpusFormatError
from .spans import set_char_spans


def iter_json_lines(path: Path) -> Iterator[Tuple[int, dict]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object is an
    error naming the file and line (never its content)."""
    with open(path, encoding="utf8") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                record = srsly.json_loads(raw)
            except ValueError as err:
                raise CorpusFormatError(path, lineno, f"invalid JSON ({type(err).__name__})") from None
            if not isinstance(record, dict):
                raise CorpusFormatError(path, lineno, "each line must be a JSON object")
            yield lineno, record


def read_jsonl(
    path: Path, nlp: Language, stats: ConversionStats, *, text_key: str = "text",
    spans_key: str = "spans", alignment_mode: str = "strict",
) -> Iterator[Doc]:
    """``{"text": ..., "spans": [{"start", "end", "label", "assertion"?}], "cats"?, "id"?, "meta"?}``.

    Spans may also be ``[start, end, label]`` triples (spaCy's ``entities`` style) and
    the key ``entities`` is read when ``spans`` is absent. An ``assertion`` on a span
    goes to ``doc.spans["assertion"]``; ``cats`` to ``doc.cats``; ``meta`` (for example
    reference translations) to ``doc.user_data``.
    """
    for lineno, record in iter_json_lines(path):
        text = record.get(text_key)
        if not isinstance(text, str):
            raise CorpusFormatError(path, lineno, f"field '{text_key}' missing or not a string")
        raw_spans = record.get(spans_key, record.get("entities", []))
        if not isinstance(raw_spans, list):
            raise CorpusFormatError(path, lineno, f"field '{spans_key}' must be a list")
        spans = []
        for i, sp in enumerate(raw_spans):
            if isinstance(sp, dict):
                start, end, label, assertion = sp.get("start"), sp.get("end"), sp.get("label"), sp.get("assertion")
            elif isinstance(sp, (list, tuple)) and len(sp) == 3:
                (start, end, label), assertion = sp, None
            else:
                raise CorpusFormatError(path, lineno, f"span {i}: expected an object with start, end, label")
            if not isinstance(start, int) or not isinstance(end, int) or not isinstance(label, str) or not label:
                raise CorpusFormatError(path, lineno, f"span {i}: start and end must be integers and label a non-empty string")
            if not 0 <= start < end <= len(text):
                raise CorpusFormatError(path, lineno, f"span {i}: offsets {start}-{end} outside the text ({len(text)} characters)")
            spans.append((start, end, label, assertion))
        doc = nlp.make_doc(text)
        if "id" in record:
            doc.user_data["id"] = str(record["id"])
        cats = record.get("cats")
        if cats is not None:
            if not isinstance(cats, dict) or not all(isinstance(v, (int, float)) for v in cats.values()):
                raise CorpusFormatError(path, lineno, "field 'cats' must map labels to numbers")
            doc.cats = {str(k): float(v) for k, v in cats.items()}
        if isinstance(record.get("meta"), dict):
            doc.user_data.update(_safe_meta(record["meta"], stats))
        set_char_spans(doc, spans, stats, alignment_mode)
        stats.docs += 1
        yield doc


def _safe_meta(value, stats: ConversionStats):
    """medspaCy registers a msgpack hook that reads any dict with a "section" key as its own
    Section object, so such a dict would break loading a .spacy file once medspaCy is imported."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "section":
                stats.repair("meta key 'section' renamed 'section_name' (medspaCy reserves it in .spacy files)")
                key = "section_name"
            out[key] = _safe_meta(item, stats)
        return out
    if isinstance(value, list):
        return [_safe_meta(item, stats) for item in value]
    return value
