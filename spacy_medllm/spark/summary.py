"""What a `spark-annotate` run did, counted on the executors with a Spark accumulator (no note text)."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Dict, List

from pyspark.accumulators import AccumulatorParam


class CountsParam(AccumulatorParam):
    """Adds {name: number} dicts; Spark applies each successful task's update once (updates in actions)."""

    def zero(self, value):
        return {}

    def addInPlace(self, a, b):
        for key, value in b.items():
            a[key] = a.get(key, 0) + value
        return a


class RunCounters:
    """Notes, entities, words, chars and errors by kind of the rows annotated in this run."""

    def __init__(self, sc):
        self.acc = sc.accumulator({}, CountsParam())

    def add(self, results) -> None:
        counts: Counter = Counter()
        for record, problem in results:
            counts["notes"] += 1
            if record is None:
                counts[f"error:{problem.kind}"] += 1
            else:
                counts["entities"] += len(record["entities"])
                counts["words"] += record["n_words"]
                counts["chars"] += record["n_chars"]
        self.acc.add(dict(counts))

    @property
    def value(self) -> Dict[str, int]:
        return dict(self.acc.value)


@dataclass
class SparkSummary:
    output: str
    level: str
    notes: int = 0
    annotated: int = 0
    entities: int = 0
    words: int = 0
    chars: int = 0
    errors: int = 0
    errors_by_kind: Dict[str, int] = field(default_factory=dict)
    already_done: int = 0
    output_ids: int = 0
    seconds: float = 0.0
    notes_per_second: float = 0.0
    words_per_second: float = 0.0
    master: str = ""
    cores: int = 0

    @classmethod
    def from_counts(cls, counts: Dict[str, int], **kwargs) -> "SparkSummary":
        kinds = {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("error:")}
        summary = cls(notes=counts.get("notes", 0), entities=counts.get("entities", 0), words=counts.get("words", 0),
                      chars=counts.get("chars", 0), errors=sum(kinds.values()), errors_by_kind=kinds, **kwargs)
        summary.annotated = summary.notes - summary.errors
        summary.notes_per_second = summary.notes / max(summary.seconds, 1e-9)
        summary.words_per_second = summary.words / max(summary.seconds, 1e-9)
        return summary

    def to_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> List[str]:
        out = [f"annotated {self.annotated:,} of {self.notes:,} notes ({self.entities:,} entities, {self.words:,} words)"
               f" -> {self.output} ({self.level} level)"]
        if self.already_done:
            out.append(f"resume: {self.already_done:,} ids were already in the output and were skipped")
        if self.errors:
            kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(self.errors_by_kind.items()))
            out.append(f"errors {self.errors:,} ({kinds}): rows with `error` set in the output")
        else:
            out.append("errors 0")
        out.append(f"output now holds {self.output_ids:,} distinct ids")
        out.append(f"time {self.seconds:.1f} s on {self.master} ({self.cores} cores), {self.notes_per_second:,.1f} notes/s,"
                   f" {self.words_per_second:,.0f} words/s")
        return out
