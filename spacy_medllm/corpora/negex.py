"""NegEx test-kit TSV: one condition per row, marked in its sentence, with three judgements.

Columns (header required): line number, Condition, sentence, negation status
(Affirmed/Negated/Possible), temporality (Recent/Historical/Not particular), experiencer
(Patient/Other/Family member). The condition is found in the sentence (written in capitals there
when the rest is not), and becomes the doc's one entity with its category in
``doc.spans["assertion"]`` and the three judgements in ``doc.user_data["negex"]``.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span

from .errors import ConversionStats, CorpusFormatError

NEGATION = {"affirmed": "affirmed", "negated": "negated", "possible": "possible"}
TEMPORALITY = {"recent": "recent", "historical": "historical", "not particular": "hypothetical", "hypothetical": "hypothetical"}
EXPERIENCER = {"patient": "patient", "other": "other", "family member": "other", "family": "other"}


def negex_category(negation: str, temporality: str, experiencer: str) -> str:
    """One category per row, in the schema's precedence."""
    if negation == "negated":
        return "absent"
    if experiencer == "other":
        return "family"
    if temporality == "hypothetical":
        return "hypothetical"
    if negation == "possible":
        return "possible"
    if temporality == "historical":
        return "historical"
    return "present"


def find_condition(condition: str, sentence: str) -> Optional[tuple]:
    """Character offsets of ``condition`` in ``sentence``: the capitalised occurrence first."""
    words = condition.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    for pat, flags in ((r"\s+".join(re.escape(w.upper()) for w in words), 0), (pattern, 0), (pattern, re.I)):
        m = re.search(rf"(?<![\w]){pat}(?![\w])", sentence, flags) or re.search(pat, sentence, flags)
        if m:
            return m.start(), m.end()
    return None


def _field(row: list, i: int, table: dict, name: str, path: Path, lineno: int) -> str:
    value = row[i].strip().lower()
    if value not in table:
        raise CorpusFormatError(path, lineno, f"column {i + 1} ({name}) has unknown value {row[i].strip()!r}")
    return table[value]


def read_negex(
    path: Path, nlp: Language, stats: ConversionStats, *, label: str = "CONDITION", one_sentence: bool = True,
) -> Iterator[Doc]:
    """``one_sentence``: a row is one sentence, as in the NegEx evaluation (no splitting inside it)."""
    with open(path, encoding="utf8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header is None or len(header) < 6 or "condition" not in header[1].lower():
            raise CorpusFormatError(path, 1, "expected a header: line number, Condition, sentence, negation, temporality, experiencer")
        for lineno, row in enumerate(rows, 2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 6:
                raise CorpusFormatError(path, lineno, f"expected 6 tab-separated columns, found {len(row)}")
            negation = _field(row, 3, NEGATION, "negation status", path, lineno)
            temporality = _field(row, 4, TEMPORALITY, "temporality", path, lineno)
            experiencer = _field(row, 5, EXPERIENCER, "experiencer", path, lineno)
            sentence = row[2]
            offsets = find_condition(row[1], sentence)
            if offsets is None:
                stats.skip("condition not found in its sentence")
                continue
            doc = nlp.make_doc(sentence)
            span = doc.char_span(*offsets, label=label, alignment_mode="expand")
            if span is None or not len(span):
                stats.skip("condition not aligned to tokens")
                continue
            doc.ents = [span]
            category = negex_category(negation, temporality, experiencer)
            doc.spans["assertion"] = [Span(doc, span.start, span.end, label=category)]
            doc.user_data["id"] = row[0].strip() or str(lineno)
            doc.user_data["negex"] = {
                "negated": negation == "negated",
                "possible": negation == "possible",
                "historical": temporality == "historical",
                "hypothetical": temporality == "hypothetical",
                "family": experiencer == "other",
                "line": lineno,
            }
            if one_sentence:
                for i, token in enumerate(doc):
                    token.is_sent_start = i == 0
            stats.docs += 1
            stats.entities += 1
            yield doc
