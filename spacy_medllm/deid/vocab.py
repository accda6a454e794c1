"""Common words of clinical text, learned from a corpus: what a PHI head span made only of is not PHI.

A name is capitalised wherever it is written; a word that clinical text writes in lower case again
and again ("effusions", "awake", "anxiety") is a common word, even where a note shouts it in capitals
("There are no PERICARDIAL OR PLEURAL EFFUSIONS") or opens a sentence with it. The trained head
learns capitals as a sign of names and places, so ``medllm_deid`` drops a head span whose words are
all such words (or stop words). Only the head's spans: the rules have their own cues and checks.
The list is saved with the pipeline (``clinical_vocab.json``), so it travels with the head it serves.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable, List, Set

from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def build_clinical_vocab(paths: Iterable[Path], min_count: int = 2, min_length: int = 3) -> List[str]:
    """Words of 3+ letters written in lower case at least ``min_count`` times in these .spacy corpora."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    counts: Counter = Counter()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ValueError(f"{path}: not found (a .spacy corpus of clinical text for the clinical vocabulary)")
        for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
            counts.update(w for w in _WORD.findall(doc.text) if len(w) >= min_length and w.islower())
    return sorted(w for w, n in counts.items() if n >= min_count)


def only_common_words(text: str, vocab: Set[str]) -> bool:
    """Every word of ``text`` is a common clinical word or a stop word, and one of them is clinical;
    digits and single letters ("ORIENTED X 1") count neither way."""
    words = [w.lower() for w in _WORD.findall(text) if len(w) > 1]
    content = [w for w in words if w not in STOP_WORDS]
    return bool(vocab) and bool(content) and all(w in vocab for w in content)
