"""CoNLL / IOB token-per-line files (NCBI disease, BC5CDR, CoNLL-2003 style)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from .errors import ConversionStats, CorpusFormatError

TAG_RE = re.compile(r"^(O|[BIESLU]-\S+)$")


def read_conll(
    path: Path, nlp: Language, stats: ConversionStats, *, n_sents: int = 1
) -> Iterator[Doc]:
    """One doc per ``n_sents`` sentences; ``-DOCSTART-`` lines always close a doc.

    The tag is the last column (tab or space separated). An I- tag that does not
    continue an entity of the same label starts one, as IOB1 allows; it is counted.
    """
    sents: List[Tuple[List[str], List[str], int]] = []
    words: List[str] = []
    tags: List[str] = []
    first_line = 0
    with open(path, encoding="utf8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if words:
                    sents.append((words, tags, first_line))
                    words, tags = [], []
                if line.startswith("-DOCSTART-") and sents:
                    yield _make_doc(nlp, sents, path, stats)
                    sents = []
                elif len(sents) >= n_sents:
                    yield _make_doc(nlp, sents, path, stats)
                    sents = []
                continue
            cols = line.split("\t") if "\t" in line else line.split()
            if len(cols) < 2:
                raise CorpusFormatError(
                    path, lineno, f"expected 'token<TAB>tag', found {len(cols)} column(s)"
                )
            token, tag = cols[0], cols[-1].strip()
            if not token.strip():
                raise CorpusFormatError(path, lineno, "empty token")
            if not TAG_RE.match(tag):
                raise CorpusFormatError(
                    path, lineno, f"invalid tag {tag!r}: expected O, B-LABEL or I-LABEL"
                )
            if not words:
                first_line = lineno
            words.append(token.strip())
            tags.append(tag)
    if words:
        sents.append((words, tags, first_line))
    if sents:
        yield _make_doc(nlp, sents, path, stats)


def _make_doc(nlp: Language, sents, path: Path, stats: ConversionStats) -> Doc:
    words: List[str] = []
    sent_starts: List[bool] = []
    ents: List[Tuple[int, int, str]] = []
    for sent_words, sent_tags, _ in sents:
        offset = len(words)
        words.extend(sent_words)
        sent_starts.extend([True] + [False] * (len(sent_words) - 1))
        ents.extend((offset + s, offset + e, label) for s, e, label in _tags_to_spans(sent_tags, stats))
    doc = Doc(nlp.vocab, words=words, sent_starts=sent_starts)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    stats.docs += 1
    stats.entities += len(ents)
    return doc


def _tags_to_spans(tags: List[str], stats: ConversionStats) -> List[Tuple[int, int, str]]:
    spans = []
    start: Optional[int] = None
    label: Optional[str] = None

    def close(i: int) -> None:
        nonlocal start, label
        if start is not None:
            spans.append((start, i, label))
        start, label = None, None

    for i, tag in enumerate(tags):
        if tag == "O":
            close(i)
            continue
        prefix, lab = tag.split("-", 1)
        if prefix in ("B", "U", "S"):
            close(i)
            start, label = i, lab
        elif prefix in ("I", "L", "E"):
            if start is None or label != lab:
                close(i)
                stats.repair("I- tag without a preceding B- (started a new entity)")
                start, label = i, lab
        if prefix in ("U", "S", "L", "E"):
            close(i + 1)
    close(len(tags))
    return spans
