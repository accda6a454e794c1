"""Turn character-offset annotations into spaCy entities, counting what does not fit."""
from __future__ import annotations

from typing import Iterable, Optional, Tuple

from spacy.tokens import Doc
from spacy.util import filter_spans

from .errors import ConversionStats

ASSERTION_KEY = "assertion"
ALL_SPANS_KEY = "sc"


def set_char_spans(
    doc: Doc,
    spans: Iterable[Tuple[int, int, str, Optional[str]]],
    stats: ConversionStats,
    alignment_mode: str = "strict",
) -> Doc:
    """Attach (start, end, label, assertion) spans to ``doc``.

    Spans that do not match token boundaries are counted as skipped. Overlapping spans
    cannot all be entities: the longest win in ``doc.ents``, and every aligned span is
    kept in ``doc.spans["sc"]`` so nothing is lost from the reference.
    """
    aligned = []
    assertions = []
    for start, end, label, assertion in spans:
        span = doc.char_span(start, end, label=label, alignment_mode="strict")
        if span is None and alignment_mode != "strict":
            span = doc.char_span(start, end, label=label, alignment_mode=alignment_mode)
            if span is not None and len(span):
                stats.repair(f"span {alignment_mode}ed to token boundaries")
            else:
                span = None
        if span is None:
            stats.skip("not aligned to token boundaries")
            continue
        aligned.append(span)
        if assertion:
            assertions.append(doc.char_span(span.start_char, span.end_char, label=assertion))
    ents = filter_spans(aligned)
    if len(ents) < len(aligned):
        stats.skip("overlapping (kept in doc.spans['sc'], not in doc.ents)", len(aligned) - len(ents))
        doc.spans[ALL_SPANS_KEY] = aligned
    doc.ents = ents
    stats.entities += len(ents)
    if assertions:
        doc.spans[ASSERTION_KEY] = assertions
    return doc
