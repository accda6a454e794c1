"""What a processed note becomes: a plain dict, whatever components the pipeline has.

Entities come from `doc.ents` (and `doc.spans[key]` when asked); assertion from
`Span._.assertion` and the `is_*` flags when some component registered them; categories from
`doc.cats`; a translation from `Doc._.translation` when registered. Offsets are character
offsets into the note's original text (Python string indices, i.e. Unicode code points).
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional

from spacy.tokens import Doc, Span

FLAGS = ("is_negated", "is_uncertain", "is_historical", "is_hypothetical", "is_family")
# When a pipeline sets flags but no `assertion` string, the first true flag names it.
FLAG_ASSERTION = {"is_negated": "absent", "is_uncertain": "possible", "is_hypothetical": "hypothetical",
                  "is_historical": "historical", "is_family": "family"}
ASSERTIONS = ("present", "absent", "possible", "hypothetical", "historical", "family")


def registered_flags() -> List[str]:
    return [name for name in FLAGS if Span.has_extension(name)]


def span_assertion(span: Span) -> Optional[str]:
    """The span's assertion: `_.assertion` if set, else derived from the flags, else None."""
    if Span.has_extension("assertion"):
        value = span._.assertion
        if value:
            return str(value)
    flags = [name for name in FLAG_ASSERTION if Span.has_extension(name) and span._.get(name)]
    if flags:
        return FLAG_ASSERTION[flags[0]]
    return "present" if registered_flags() else None


def span_dict(span: Span, text: Optional[str] = None, flags: Iterable[str] = ()) -> dict:
    """One entity; `text` is the note's original text, given only when entity text is wanted."""
    data = {"start": span.start_char, "end": span.end_char, "label": span.label_}
    if text is not None:
        data["text"] = text[span.start_char:span.end_char]
    if Span.has_extension("assertion") or flags:
        data["assertion"] = span_assertion(span)
    for name in flags:
        data[name] = bool(span._.get(name))
    return data


def doc_record(doc: Doc, note, *, entity_text: bool = False, spans_key: Optional[str] = None) -> dict:
    """The JSON record for one note (`note` is a `Note`: id, source, line, original text)."""
    flags = registered_flags()
    text = note.text if entity_text else None
    record = {"id": note.id, "source": note.source}
    if note.line is not None:
        record["line"] = note.line
    if note.row is not None:
        record["row"] = note.row
    record["n_chars"] = len(note.text)
    record["n_words"] = note.n_words
    record["encoding"] = note.encoding
    if note.warnings:
        record["warnings"] = list(note.warnings)
    record["entities"] = [span_dict(ent, text, flags) for ent in doc.ents]
    if spans_key is not None:
        group = doc.spans[spans_key] if spans_key in doc.spans else []
        record["spans"] = {spans_key: [span_dict(span, text, flags) for span in group]}
    record["cats"] = {label: float(score) for label, score in doc.cats.items()}
    if Doc.has_extension("translation"):
        value = doc._.translation
        record["translation"] = None if value is None else str(value)
    return record


def record_entities(record: dict) -> List[Dict]:
    """Entities of a record with the layer they came from ('ents' or the spans key)."""
    out = [dict(ent, layer="ents") for ent in record.get("entities", [])]
    for key, spans in (record.get("spans") or {}).items():
        out.extend(dict(span, layer=key) for span in spans)
    return out
