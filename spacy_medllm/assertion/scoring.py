"""Assertion scores: per category precision/recall/F1 over entities whose gold label is known."""
from collections import Counter
from typing import Dict, Iterable, Optional, Sequence

from spacy.training import Example

from .schema import LABELS

GOLD_KEY = "assertion"


def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}


def score_assertion(
    examples: Iterable[Example],
    *,
    spans_key: Optional[str] = None,
    gold_key: str = GOLD_KEY,
    labels: Sequence[str] = LABELS,
    **kwargs,
) -> Dict[str, object]:
    """Gold categories come from ``reference.spans[gold_key]``; predictions from the predicted
    entities (or ``spans_key``) with the same character offsets. Entities the pipeline did not
    find are counted in ``assertion_coverage`` rather than as wrong categories, so NER misses and
    assertion errors stay apart."""
    tp, fp, fn = Counter(), Counter(), Counter()
    total = matched = correct = 0
    for eg in examples:
        gold = {(s.start_char, s.end_char): s.label_ for s in eg.reference.spans.get(gold_key, [])}
        spans = eg.predicted.spans.get(spans_key, []) if spans_key else eg.predicted.ents
        pred = {(s.start_char, s.end_char): s._.assertion for s in spans}
        for key, g in gold.items():
            total += 1
            p = pred.get(key)
            if p is None:
                continue
            matched += 1
            if p == g:
                correct += 1
                tp[g] += 1
            else:
                fn[g] += 1
                fp[p] += 1
    if not total:
        return {"assertion_acc": None, "assertion_macro_f": None, "assertion_per_type": None, "assertion_coverage": None}
    present = [label for label in labels if tp[label] + fn[label] + fp[label]]
    per_type = {label: prf(tp[label], fp[label], fn[label]) for label in present}
    macro = sum(v["f"] for v in per_type.values()) / len(per_type) if per_type else 0.0
    return {
        "assertion_acc": correct / matched if matched else 0.0,
        "assertion_macro_f": macro,
        "assertion_per_type": per_type,
        "assertion_coverage": matched / total,
    }
