"""BRAT standoff: ``name.txt`` with ``name.ann`` beside it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, List

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ConversionStats, CorpusFormatError
from .spans import set_char_spans

OFFSETS_RE = re.compile(r"^\d+ \d+(;\d+ \d+)*$")
# Annotation kinds that are valid BRAT but carry no entity span of their own.
NON_ENTITY_KINDS = {"R": "relation", "E": "event", "A": "attribute", "M": "attribute",
                    "N": "normalization", "#": "note", "*": "equivalence"}


def brat_pairs(path: Path) -> List[Path]:
    """The ``.txt`` files to read: one file, or every one in a folder (recursively)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*.txt"))
    if path.suffix == ".ann":
        return [path.with_suffix(".txt")]
    return [path]


def read_brat(
    path: Path, nlp: Language, stats: ConversionStats, *, alignment_mode: str = "strict"
) -> Iterator[Doc]:
    for txt_path in brat_pairs(path):
        ann_path = txt_path.with_suffix(".ann")
        if not txt_path.exists():
            raise CorpusFormatError(txt_path, None, "text file not found for this .ann file")
        if not ann_path.exists():
            raise CorpusFormatError(ann_path, None, f"annotation file not found for {txt_path.name}")
        text = txt_path.read_text(encoding="utf8")
        spans = []
        with open(ann_path, encoding="utf8") as f:
            for lineno, raw in enumerate(f, 1):
                line = raw.rstrip("\r\n")
                if not line.strip():
                    continue
                kind = line[0]
                if kind in NON_ENTITY_KINDS:
                    stats.skip(f"{NON_ENTITY_KINDS[kind]} annotation (not an entity)")
                    continue
                if kind != "T":
                    raise CorpusFormatError(ann_path, lineno, f"unknown annotation kind {kind!r}")
                cols = line.split("\t")
                if len(cols) != 3:
                    raise CorpusFormatError(
                        ann_path, lineno,
                        f"expected 'ID<TAB>LABEL START END<TAB>TEXT', found {len(cols)} tab-separated fields",
                    )
                label, _, offsets = cols[1].partition(" ")
                if not label or not OFFSETS_RE.match(offsets):
                    raise CorpusFormatError(ann_path, lineno, f"malformed label and offsets field {cols[1]!r}")
                pieces = [tuple(int(x) for x in p.split()) for p in offsets.split(";")]
                for start, end in pieces:
                    if start >= end or end > len(text):
                        raise CorpusFormatError(
                            ann_path, lineno,
                            f"offsets {start}-{end} outside the text ({len(text)} characters) or empty",
                        )
                if len(pieces) > 1:
                    stats.skip("discontinuous span")
                    continue
                start, end = pieces[0]
                if text[start:end] != cols[2]:
                    raise CorpusFormatError(
                        ann_path, lineno,
                        f"text at offsets {start}-{end} does not match the annotation's text",
                    )
                spans.append((start, end, label, None))
        doc = nlp.make_doc(text)
        doc.user_data["id"] = txt_path.stem
        set_char_spans(doc, spans, stats, alignment_mode)
        stats.docs += 1
        yield doc
