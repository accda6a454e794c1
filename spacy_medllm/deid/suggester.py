"""Candidate spans for the PHI head: spaCy's n-grams, less those that cannot be PHI.

A span categorizer scores every candidate, and with n-grams of 1-8 tokens that is about 8 per
token: most of the head's cost. A PHI value never crosses a line break or a run of blanks (the
training data cuts multi-line addresses into lines), never starts on punctuation other than an
opening "(", "+" or "#" ("(617) 555-0199", "+44 ...", "# 12") and never ends on punctuation other
than ")". On the head's training data this halves the candidates (3.7 per token against 7.2) and
leaves 99.1% of the gold spans reachable, against 99.5% for plain n-grams of 1-8 tokens
(``python -m benchmarks.deid --suggester-coverage corpus/deid/train.spacy``).
"""
from typing import Iterable, Optional

import numpy
from spacy.tokens import Doc
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

START_OK = {"(", "+", "#"}
END_OK = {")"}


def phi_ngram_suggester(docs: Iterable[Doc], min_size: int, max_size: int, *, ops: Optional[Ops] = None) -> Ragged:
    """(start, end) token offsets of the n-grams of ``min_size``..``max_size`` tokens that could be PHI."""
    ops = ops or get_current_ops()
    spans, lengths = [], []
    for doc in docs:
        n = len(doc)
        space = numpy.fromiter((t.is_space for t in doc), dtype=bool, count=n)
        bad_start = space | numpy.fromiter((t.is_punct and t.text not in START_OK for t in doc), dtype=bool, count=n)
        bad_end = space | numpy.fromiter((t.is_punct and t.text not in END_OK for t in doc), dtype=bool, count=n)
        blanks = numpy.concatenate([[0], numpy.cumsum(space)])
        length = 0
        for size in range(min_size, min(max_size, n) + 1):
            starts = numpy.arange(n - size + 1)
            ends = starts + size
            keep = ~bad_start[starts] & ~bad_end[ends - 1] & (blanks[ends] == blanks[starts])
            if keep.any():
                spans.append(numpy.stack([starts[keep], ends[keep]], axis=1).astype("i"))
                length += int(keep.sum())
        lengths.append(length)
    data = ops.asarray2i(numpy.vstack(spans)) if spans else ops.xp.zeros((0, 0), dtype="i")
    return Ragged(data, ops.asarray1i(lengths))


def build_phi_ngram_suggester(min_size: int, max_size: int):
    """``spacy_medllm.phi_ngram_suggester.v1``: the suggester above as a spancat ``suggester``."""
    def suggest(docs: Iterable[Doc], *, ops: Optional[Ops] = None) -> Ragged:
        return phi_ngram_suggester(docs, min_size, max_size, ops=ops)

    return suggest
