"""Candidate spans for the PHI head: spaCy's n-grams, less those that cannot be PHI.

A span categorizer scores every candidate, and with n-grams of 1-8 tokens that is about 8 per
token: most of the head's cost. A PHI value never crosses a line break or a run of blanks (the
training data cuts multi-line addresses into lines), never starts on punctuation other than an
opening "(", "+" or "#" ("(617) 555-0199", "+44 ...", "# 12") and never ends on punctuation other
than ")". On the head's training data this halves the candidates (3.7 per token against 7.2) and
leaves 99.1% of the gold spans reachable, against 99.5% for plain n-grams of 1-8 tokens
(``python -m benchmarks.deid --suggester-coverage corpus/deid/train.spacy``).

``skip_plain_words`` (v2) also drops the n-grams made only of plain words: lower-case words that
notes write in lower case (the packaged common-word list, ``names.py``) or stop words, with
punctuation between them. Such a span ("chest pain", "was given") has no capital, digit or symbol
to be PHI by, and ``medllm_deid`` drops a head span of only common clinical words anyway; on whole
notes they are most of the candidates. Month and weekday names stay candidates ("seen monday").
"""
from functools import lru_cache
from typing import FrozenSet, Iterable, Optional

import numpy
from spacy.attrs import IS_LOWER, IS_PUNCT, IS_SPACE, LOWER, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.strings import get_string_id
from spacy.tokens import Doc
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

START_OK = {"(", "+", "#"}
END_OK = {")"}
DATE_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday christmas thanksgiving easter".split())


@lru_cache(maxsize=1)
def plain_words() -> FrozenSet[str]:
    """Lower-case words no PHI span is made only of: the packaged common words and stop words."""
    from .names import packaged_name_lists

    return frozenset((packaged_name_lists().common | {w.lower() for w in STOP_WORDS}) - DATE_WORDS)


@lru_cache(maxsize=1)
def _plain_ids() -> numpy.ndarray:
    return numpy.array(sorted(get_string_id(w) for w in plain_words()), dtype="uint64")


_START_OK_IDS = numpy.array([get_string_id(t) for t in START_OK], dtype="uint64")
_END_OK_IDS = numpy.array([get_string_id(t) for t in END_OK], dtype="uint64")


def phi_ngram_suggester(docs: Iterable[Doc], min_size: int, max_size: int, *, skip_plain_words: bool = False,
                        ops: Optional[Ops] = None) -> Ragged:
    """(start, end) token offsets of the n-grams of ``min_size``..``max_size`` tokens that could be PHI."""
    ops = ops or get_current_ops()
    spans, lengths = [], []
    for doc in docs:
        n = len(doc)
        attrs = doc.to_array([ORTH, LOWER, IS_SPACE, IS_PUNCT, IS_LOWER]).astype("uint64").reshape(n, 5)
        orth, lower = attrs[:, 0], attrs[:, 1]
        space, punct, is_lower = attrs[:, 2] == 1, attrs[:, 3] == 1, attrs[:, 4] == 1
        bad_start = space | (punct & ~numpy.isin(orth, _START_OK_IDS))
        bad_end = space | (punct & ~numpy.isin(orth, _END_OK_IDS))
        blanks = numpy.concatenate([[0], numpy.cumsum(space)])
        if skip_plain_words:  # tokens that can make a span PHI: anything but a plain word or punctuation
            ids = _plain_ids()  # sorted: a binary search per token, not a set built per doc
            plain = ids[numpy.minimum(numpy.searchsorted(ids, lower), len(ids) - 1)] == lower
            marked = ~(punct | (is_lower & plain))
            marks = numpy.concatenate([[0], numpy.cumsum(marked)])
        length = 0
        for size in range(min_size, min(max_size, n) + 1):
            starts = numpy.arange(n - size + 1)
            ends = starts + size
            keep = ~bad_start[starts] & ~bad_end[ends - 1] & (blanks[ends] == blanks[starts])
            if skip_plain_words:
                keep &= marks[ends] > marks[starts]
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


def build_phi_ngram_suggester_v2(min_size: int, max_size: int, skip_plain_words: bool = True):
    """``spacy_medllm.phi_ngram_suggester.v2``: v1, and the n-grams of only plain words dropped."""
    def suggest(docs: Iterable[Doc], *, ops: Optional[Ops] = None) -> Ragged:
        return phi_ngram_suggester(docs, min_size, max_size, skip_plain_words=skip_plain_words, ops=ops)

    return suggest
