"""Scores of a trained pipeline on a gold corpus: spaCy's Scorer for the numbers, plus a token-level
NER confusion matrix and the classification metrics of the benchmarks (spacy_medllm/reports.py draws them)."""
from __future__ import annotations

import time
from collections import Counter
from typing import Dict, Iterable, List, Optional

from spacy.language import Language
from spacy.training import Example

from .overlap import ner_match_scores


def ner_confusion(examples: Iterable[Example]) -> Dict[str, Dict[str, int]]:
    """Token-level confusion of entity labels (gold row, predicted column; "O" is outside)."""
    counts: Counter = Counter()
    for eg in examples:
        gold = eg.get_aligned_ner()
        for token, tag in zip(eg.predicted, gold):
            if tag is None or tag == "-":
                continue
            g = "O" if tag == "O" else tag.split("-", 1)[1]
            p = token.ent_type_ or "O"
            counts[(g, p)] += 1
    labels = sorted({g for g, _ in counts} | {p for _, p in counts}, key=lambda x: (x == "O", x))
    return {g: {p: counts[(g, p)] for p in labels} for g in labels}


def evaluate_pipeline(nlp: Language, examples: List[Example], batch_size: int = 64) -> dict:
    """Predict once, then score with spaCy's Scorer (``nlp.evaluate`` would copy the examples
    and keep its predictions to itself, and the confusion matrix needs them)."""
    from spacy.scorer import Scorer

    start = time.perf_counter()
    docs = nlp.pipe((eg.predicted for eg in examples), batch_size=batch_size)
    for eg, doc in zip(examples, docs):
        eg.predicted = doc
    elapsed = time.perf_counter() - start
    scores = Scorer(nlp).score(examples)
    n_words = sum(len(eg.reference) for eg in examples)
    result = {
        "n_docs": len(examples),
        "n_words": n_words,
        "words_per_second": n_words / elapsed if elapsed else None,
        "scores": {k: v for k, v in scores.items() if not isinstance(v, dict)},
    }
    if "ents_per_type" in scores:
        result["ents_per_type"] = scores["ents_per_type"]
        result["ents_match"] = ner_match_scores(examples)  # exact and overlap, per label
        result["ner_confusion"] = ner_confusion(examples)
    if scores.get("assertion_per_type"):
        result["assertion_per_type"] = scores["assertion_per_type"]
    textcat = textcat_report(examples)
    if textcat:
        from ..textcat.thresholds import pipeline_thresholds

        result["textcat"] = textcat
        textcat["thresholds"] = pipeline_thresholds(nlp)  # the decision rule behind the scores
    return result


def textcat_report(examples: List[Example]) -> Optional[dict]:
    """Accuracy, macro-F1, per-label F1 and a top-label confusion matrix of ``doc.cats``, scored
    like the classification benchmarks (exclusive: top label; multi-label: threshold 0.5)."""
    import numpy as np

    from ..textcat.metrics import classification_scores

    gold_docs = [eg.reference for eg in examples if eg.reference.cats]
    # No gold classes, or a pipeline without a classifier: nothing to report.
    if not gold_docs or not any(eg.predicted.cats for eg in examples):
        return None
    labels = sorted({label for doc in gold_docs for label in doc.cats})
    exclusive = all(sum(v >= 0.5 for v in doc.cats.values()) == 1 for doc in gold_docs)
    gold, rows = [], []
    for eg in examples:
        if not eg.reference.cats:
            continue
        gold.append({label for label, v in eg.reference.cats.items() if v >= 0.5})
        rows.append([float(eg.predicted.cats.get(label, 0.0)) for label in labels])
    report = classification_scores(gold, np.array(rows), labels, None if exclusive else 0.5)
    report["exclusive"] = exclusive
    return report
