"""Evaluate any pipeline's assertion output on NegEx-format rows or on annotated corpora.

The gold condition is given as the entity (as in the NegEx evaluation), so components that
find entities or split sentences are switched off: the score is about assertion alone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from tqdm import tqdm

from ..corpora.errors import ConversionStats
from ..corpora.readers import read_docs
from ..scoring.overlap import assertion_match_scores
from .schema import span_flags
from .scoring import prf, score_assertion

# Components that would replace the given entities or the one-sentence rows.
SKIP_FACTORIES = {
    "ner", "beam_ner", "entity_ruler", "span_ruler", "spancat", "spancat_singlelabel", "future_entity_ruler",
    "medspacy_target_matcher", "medspacy_pyrush", "sentencizer", "senter", "parser", "beam_parser",
}
NEGEX_FLAGS = ("negated", "possible", "historical", "hypothetical", "family")
SCHEMA_TO_NEGEX = {"absent": "negated", "possible": "possible", "historical": "historical",
                   "hypothetical": "hypothetical", "family": "family"}


def schema_flags(span: Span) -> set:
    return {SCHEMA_TO_NEGEX[f] for f in span_flags(span)}


def assertion_pipes(nlp: Language) -> List[str]:
    return [name for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory not in SKIP_FACTORIES]


def predict_given_entities(nlp: Language, refs: List[Doc], batch_size: int = 64, progress: bool = True) -> List[Doc]:
    """Run the assertion components on copies of ``refs`` that keep their entities and sentences."""
    skip = [name for name in nlp.pipe_names if name not in assertion_pipes(nlp)]
    docs = [ref.copy() for ref in refs]
    with nlp.select_pipes(disable=skip):
        out = nlp.pipe(docs, batch_size=batch_size)
        if progress:
            out = tqdm(out, total=len(docs), desc="assertion", unit="doc", leave=False)
        return list(out)


def flag_scores(preds: Iterable[Doc], get_flags: Callable[[Span], set] = schema_flags) -> Dict[str, dict]:
    """Precision/recall/F1 of each NegEx judgement, over rows (one condition each)."""
    counts = {flag: [0, 0, 0, 0] for flag in NEGEX_FLAGS}  # tp, fp, fn, support
    for doc in preds:
        gold = doc.user_data["negex"]
        predicted = get_flags(doc.ents[0]) if doc.ents else set()
        for flag in NEGEX_FLAGS:
            g, p = gold[flag], flag in predicted
            c = counts[flag]
            c[0] += g and p
            c[1] += p and not g
            c[2] += g and not p
            c[3] += g
    return {flag: {**prf(*c[:3]), "support": c[3]} for flag, c in counts.items()}


def evaluate_negex(
    nlp: Language, path: Path, *, get_flags: Callable[[Span], set] = schema_flags,
    batch_size: int = 64, progress: bool = True,
) -> Dict[str, object]:
    stats = ConversionStats()
    refs = list(read_docs(path, "negex", nlp, stats))
    preds = predict_given_entities(nlp, refs, batch_size, progress)
    result: Dict[str, object] = {"rows": len(refs), "skipped": dict(stats.skipped)}
    result.update(flag_scores(preds, get_flags))
    if get_flags is schema_flags:
        result["categories"] = score_assertion([Example(p, r) for p, r in zip(preds, refs)])
    return result


def evaluate_corpus(
    nlp: Language, path: Path, fmt: str, *, batch_size: int = 64, progress: bool = True, **options,
) -> Dict[str, object]:
    """Per-category scores on an annotated corpus (gold entities given)."""
    stats = ConversionStats()
    refs = [doc for doc in read_docs(path, fmt, nlp, stats, **options) if "assertion" in doc.spans]
    preds = predict_given_entities(nlp, refs, batch_size, progress)
    result: Dict[str, object] = {"docs": len(refs), "skipped": dict(stats.skipped)}
    examples = [Example(p, r) for p, r in zip(preds, refs)]
    result.update(score_assertion(examples))
    result["per_entity_label"] = assertion_match_scores(examples)  # exact and overlap matching
    return result


def format_table(result: Dict[str, object], flags: Optional[Iterable[str]] = None) -> str:
    lines = [f"{'judgement':<14}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}"]
    for flag in flags or NEGEX_FLAGS:
        s = result.get(flag)
        if isinstance(s, dict):
            lines.append(f"{flag:<14}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}{s['support']:>9}")
    cats = result.get("categories", result)
    per_type = cats.get("assertion_per_type") if isinstance(cats, dict) else None
    if per_type:
        lines.append("")
        lines.append(f"{'category':<14}{'P':>7}{'R':>7}{'F1':>7}")
        for label, s in per_type.items():
            lines.append(f"{label:<14}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}")
        lines.append(f"accuracy {cats['assertion_acc']:.3f}   macro F1 {cats['assertion_macro_f']:.3f}")
    by_label = result.get("per_entity_label")
    if by_label:
        lines.append("")
        lines.append(f"{'entity':<12}{'category':<10}" + "".join(f"{m + ' F1':>12}" for m in by_label) + f"{'support':>9}")
        first = next(iter(by_label.values()))
        for label, cats in first.items():
            for cat, s in cats.items():
                row = "".join(f"{by_label[m][label][cat]['f']:>12.3f}" for m in by_label)
                lines.append(f"{label:<12}{cat:<10}{row}{s['support']:>9}")
    return "\n".join(lines)
