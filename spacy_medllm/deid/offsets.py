"""Offsets between a note and its de-identified text, both ways.

The de-identified text is the original with some spans replaced; the map keeps those
replacements, so any character offset (an entity found by NER on the original note) can be
reported on the de-identified text, and back. An offset inside a replaced span moves to the
replacement's start or end (``side``), so an entity that overlaps PHI covers the whole placeholder.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Iterable, List, Tuple


class OffsetMap:
    """Sorted, non-overlapping replacements ``(old_start, old_end, new_start, new_end)``."""

    def __init__(self, replacements: Iterable[Tuple[int, int, int, int]] = ()):
        self.replacements: List[Tuple[int, int, int, int]] = sorted(tuple(r) for r in replacements)
        self._old = [r[0] for r in self.replacements]
        self._new = [r[2] for r in self.replacements]

    @classmethod
    def apply(cls, text: str, spans: Iterable[Tuple[int, int, str]]) -> Tuple[str, "OffsetMap"]:
        """Replace ``(start, end, replacement)`` spans (sorted, non-overlapping) in ``text``."""
        out, reps, pos, shift = [], [], 0, 0
        for start, end, value in sorted(spans):
            if start < pos:
                raise ValueError("replacement spans overlap")
            out.append(text[pos:start])
            new_start = start + shift
            out.append(value)
            reps.append((start, end, new_start, new_start + len(value)))
            shift += len(value) - (end - start)
            pos = end
        out.append(text[pos:])
        return "".join(out), cls(reps)

    @staticmethod
    def _map(pos: int, keys: List[int], reps, src: int, dst: int, side: str) -> int:
        i = bisect_right(keys, pos) - 1
        if i < 0:
            return pos
        rep = reps[i]
        s_start, s_end, d_start, d_end = rep[src], rep[src + 1], rep[dst], rep[dst + 1]
        if pos >= s_end:
            return pos - s_end + d_end
        if pos == s_start:
            return d_start
        return d_start if side == "start" else d_end

    def to_new(self, pos: int, side: str = "start") -> int:
        """An offset in the original text -> the de-identified text."""
        return self._map(pos, self._old, self.replacements, 0, 2, side)

    def to_old(self, pos: int, side: str = "start") -> int:
        """An offset in the de-identified text -> the original text."""
        return self._map(pos, self._new, self.replacements, 2, 0, side)

    def span_to_new(self, start: int, end: int) -> Tuple[int, int]:
        return self.to_new(start, "start"), self.to_new(end, "end")

    def span_to_old(self, start: int, end: int) -> Tuple[int, int]:
        return self.to_old(start, "start"), self.to_old(end, "end")

    def to_list(self) -> List[List[int]]:
        return [list(r) for r in self.replacements]

    def __len__(self) -> int:
        return len(self.replacements)

    def __reduce__(self):  # picklable for nlp.pipe(n_process=...)
        return (OffsetMap, (self.replacements,))
