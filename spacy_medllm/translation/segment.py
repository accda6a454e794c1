"""Sentence boundaries without a parser, and splitting of sentences too long for the model."""
import re
from typing import Callable, List, Tuple

# End of sentence: . ! ? followed by space and an upper-case letter/digit, or a line break.
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-ZÀ-Ý0-9])|\n\s*")
_CLAUSE_END = re.compile(r"(?<=[;:,)])\s+")


def fallback_sentences(text: str) -> List[Tuple[int, int]]:
    """Character spans of sentences (surrounding whitespace excluded); empty text gives none."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_long(text: str, n_tokens: Callable[[str], int], max_tokens: int) -> List[str]:
    """Pieces of `text` that each fit `max_tokens`, cut at clause punctuation, else between words.

    Joining the pieces with single spaces gives back the text (up to whitespace): nothing is dropped.
    """
    if n_tokens(text) <= max_tokens:
        return [text]
    clauses = [c for c in _CLAUSE_END.split(text) if c]
    if len(clauses) == 1:
        return _split_words(text, n_tokens, max_tokens)
    pieces: List[str] = []
    cur = ""
    for clause in clauses:
        candidate = f"{cur} {clause}" if cur else clause
        if n_tokens(candidate) <= max_tokens:
            cur = candidate
            continue
        if cur:
            pieces.append(cur)
        if n_tokens(clause) <= max_tokens:
            cur = clause
        else:
            pieces.extend(_split_words(clause, n_tokens, max_tokens))
            cur = ""
    if cur:
        pieces.append(cur)
    return pieces


def _split_words(text: str, n_tokens: Callable[[str], int], max_tokens: int) -> List[str]:
    words = text.split()
    pieces, cur = [], []
    for w in words:
        if n_tokens(w) > max_tokens:  # one pathological "word": cut it into character windows
            if cur:
                pieces.append(" ".join(cur))
                cur = []
            pieces.extend(w[i : i + max_tokens] for i in range(0, len(w), max_tokens))
            continue
        if cur and n_tokens(" ".join(cur + [w])) > max_tokens:
            pieces.append(" ".join(cur))
            cur = []
        cur.append(w)
    if cur:
        pieces.append(" ".join(cur))
    return pieces
