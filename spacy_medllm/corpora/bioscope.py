"""BioScope XML: negation and speculation cue scopes turned into entity-level assertion labels.

BioScope marks cues and their scopes, not entities. Each scope yields one entity: the first
content words after a forward cue (or before a cue that ends its scope, "... was ruled out"),
labelled ``absent`` for negation and ``possible`` for speculation; a phrase outside every scope
yields a ``present`` entity. These are derived labels for training, not gold entities.
"""
from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator, List, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ConversionStats, CorpusFormatError
from .spans import set_char_spans

STOP = {
    "a", "an", "the", "of", "that", "this", "these", "those", "any", "to", "for", "in", "on", "with", "by", "be",
    "is", "was", "were", "are", "been", "has", "have", "had", "it", "its", "and", "or", "as", "at", "from", "which",
    "not", "no", "there", "we", "our", "can", "may", "might", "could", "whether", "if", "than", "but", "also",
}
STOP_WORDS_END = {"is", "was", "were", "are", "be", "been", "has", "have", "had", "did", "does", "do", "which", "that"}
LABELS = {"negation": "absent", "speculation": "possible"}


def _flatten(elem: ET.Element, parts: List[str], cues: list, scopes: dict, offset: List[int]) -> None:
    """Concatenate the sentence's text, recording cue and scope character offsets."""
    start = offset[0]
    if elem.text:
        parts.append(elem.text)
        offset[0] += len(elem.text)
    for child in elem:
        _flatten(child, parts, cues, scopes, offset)
        if child.tail:
            parts.append(child.tail)
            offset[0] += len(child.tail)
    if elem.tag == "cue":
        cues.append((start, offset[0], elem.get("type"), elem.get("ref")))
    elif elem.tag == "xcope":
        scopes[elem.get("id")] = (start, offset[0])


def _phrase(doc: Doc, start: int, end: int, from_end: bool = False, max_words: int = 4):
    """Up to ``max_words`` content words inside [start, end) characters, skipping function words."""
    tokens = [t for t in doc if t.idx >= start and t.idx + len(t) <= end]
    if from_end:
        tokens = tokens[::-1]
    picked = []
    for t in tokens:
        if not picked and (t.lower_ in STOP or not t.is_alpha):
            continue
        if picked and (t.is_punct or t.lower_ in STOP_WORDS_END or t.is_space):
            break
        picked.append(t)
        if len(picked) >= max_words:
            break
    if from_end:
        picked = picked[::-1]
    while picked and picked[-1].lower_ in STOP:
        picked.pop()
    if not picked:
        return None
    return picked[0].idx, picked[-1].idx + len(picked[-1])


def read_bioscope(
    path: Path, nlp: Language, stats: ConversionStats, *, seed: int = 0, present_per_sentence: int = 1,
) -> Iterator[Doc]:
    rng = random.Random(seed)
    try:
        tree = ET.parse(path)
    except ET.ParseError as err:
        line = err.position[0] if err.position else None
        raise CorpusFormatError(path, line, f"not well-formed XML ({err.msg if hasattr(err, 'msg') else err})") from None
    for sent in tree.iter("sentence"):
        parts: List[str] = []
        cues: List[Tuple[int, int, str, str]] = []
        scopes: dict = {}
        _flatten(sent, parts, cues, scopes, [0])
        text = "".join(parts)
        if not text.strip():
            stats.skip("empty sentence")
            continue
        doc = nlp.make_doc(text)
        spans, taken = [], []

        def free(s: int, e: int) -> bool:
            return all(e <= a or s >= b for a, b in taken)

        for c_start, c_end, c_type, ref in cues:
            label = LABELS.get(c_type)
            scope = scopes.get(ref)
            if label is None or scope is None:
                stats.skip("cue without a known type or scope")
                continue
            s_start, s_end = scope
            if c_end >= s_end - 1 and c_start > s_start:  # the cue closes its scope: "X was ruled out"
                found = _phrase(doc, s_start, c_start, from_end=False)
            else:
                found = _phrase(doc, c_end, s_end)
            if found is None or not free(*found):
                stats.skip("no free content words in the scope")
                continue
            taken.append(found)
            spans.append((found[0], found[1], "FINDING", label))
        outside = [t for t in doc if t.is_alpha and t.lower_ not in STOP and len(t) > 3
                   and all(not (a <= t.idx < b) for a, b in scopes.values())]
        rng.shuffle(outside)
        n_present = 0
        for t in outside:
            if n_present >= present_per_sentence:
                break
            found = _phrase(doc, t.idx, len(text), max_words=2)
            if found and free(*found) and all(not (a <= found[1] - 1 < b) for a, b in scopes.values()):
                taken.append(found)
                spans.append((found[0], found[1], "FINDING", "present"))
                n_present += 1
        if not spans:
            stats.skip("sentence without a usable phrase")
            continue
        spans.sort()
        doc.user_data["id"] = sent.get("id") or str(stats.docs)
        set_char_spans(doc, spans, stats, "expand")
        stats.docs += 1
        yield doc
