"""Errors that point at the offending file and line, and counts of what was skipped."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union


class CorpusFormatError(ValueError):
    """A malformed input line. Never carries note text, only its location and the problem."""

    def __init__(self, path: Union[str, Path], line: Optional[int], problem: str):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


@dataclass
class ConversionStats:
    """What a conversion produced and what it could not use, with reasons."""

    docs: int = 0
    entities: int = 0
    skipped: Counter = field(default_factory=Counter)
    repaired: Counter = field(default_factory=Counter)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def repair(self, reason: str, n: int = 1) -> None:
        self.repaired[reason] += n

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())

    def to_dict(self) -> dict:
        return {
            "docs": self.docs,
            "entities": self.entities,
            "skipped": dict(self.skipped),
            "repaired": dict(self.repaired),
        }

    def summary(self) -> str:
        parts = [f"{self.docs} docs, {self.entities} entities"]
        if self.skipped:
            parts.append(
                f"skipped {self.n_skipped} spans ("
                + ", ".join(f"{n} {r}" for r, n in sorted(self.skipped.items()))
                + ")"
            )
        if self.repaired:
            parts.append(
                "repaired " + ", ".join(f"{n} {r}" for r, n in sorted(self.repaired.items()))
            )
        return "; ".join(parts)
