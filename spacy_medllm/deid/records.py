"""An annotate record moved onto the de-identified text (`medllm deid`, `medllm annotate --deid`).

The record's text becomes ``Doc._.deidentified``; every entity and span offset goes through the
note's ``OffsetMap`` (an entity overlapping PHI widens to the whole replacement); the PHI spans
are added as the span layer ``phi`` (on the de-identified text, so they cover the placeholders).
"""
from __future__ import annotations

import dataclasses
from typing import Tuple

from spacy.tokens import Doc


class NotDeidentified(Exception):
    """The pipeline did not de-identify the note (no ``medllm_deid`` in it)."""


def _move(item: dict, mapping, text: str, entity_text: bool) -> dict:
    item = dict(item)
    item["start"], item["end"] = mapping.span_to_new(item["start"], item["end"])
    if entity_text:
        item["text"] = text[item["start"]:item["end"]]
    return item


def deid_record(doc: Doc, note, record: dict, *, entity_text: bool = False, phi_key: str = "phi") -> Tuple[object, dict]:
    """(note with de-identified text, record on it). ``record`` must not hold entity text."""
    if not Doc.has_extension("deidentified") or doc._.deidentified is None:
        raise NotDeidentified("the pipeline has no medllm_deid component")
    text, mapping = doc._.deidentified, doc._.deid_map
    record = dict(record)
    record["entities"] = [_move(ent, mapping, text, entity_text) for ent in record["entities"]]
    spans = {key: [_move(s, mapping, text, entity_text) for s in group] for key, group in (record.get("spans") or {}).items()}
    phi = []
    for start, end, _, new_start, new_end in ((r[0], r[1], None, r[2], r[3]) for r in mapping.replacements):
        label = next((s.label_ for s in doc.spans.get(phi_key, []) if s.start_char <= start and end <= s.end_char), "PHI")
        item = {"start": new_start, "end": new_end, "label": label}
        if entity_text:
            item["text"] = text[new_start:new_end]
        phi.append(item)
    spans[phi_key] = phi
    record["spans"] = spans
    record["n_chars"] = len(text)
    record["text"] = text
    return dataclasses.replace(note, text=text), record
