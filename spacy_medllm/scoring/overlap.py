"""Exact and overlap matching of predicted to gold spans, per label.

Corpora draw entity boundaries differently ("severe chest pain" vs "chest pain"), so exact
matching alone understates a model trained on one convention and tested on another. Overlap
matching counts a predicted span as correct if it shares at least one character with a gold span
of the same label; it is one-to-one (each gold span matches at most one prediction), so a gold
span split into two predictions gives one true positive and one false positive. The pairing is
greedy, largest character overlap first (ties: earliest), which is what brat-eval and the
i2b2 2010 "inexact" score do in practice; an optimal assignment differs only on chains of
partial overlaps.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.tokens import Span
from spacy.training import Example

MODES = ("exact", "overlap")
Key = Tuple[int, int, str]


def _prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}


def match_spans(gold: Sequence[Key], pred: Sequence[Key], mode: str = "exact",
                same_label: bool = True) -> List[Tuple[int, int]]:
    """Index pairs (gold i, pred j), one-to-one. Keys are (start_char, end_char, label)."""
    if mode not in MODES:
        raise ValueError(f"unknown matching mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode == "exact":
        where: Dict[Key, List[int]] = {}
        for j, p in enumerate(pred):
            where.setdefault(p if same_label else (p[0], p[1], ""), []).append(j)
        pairs = []
        for i, g in enumerate(gold):
            js = where.get(g if same_label else (g[0], g[1], ""))
            if js:
                pairs.append((i, js.pop(0)))
        return pairs
    candidates = []
    for i, (gs, ge, gl) in enumerate(gold):
        for j, (ps, pe, pl) in enumerate(pred):
            if (not same_label or gl == pl) and ps < ge and gs < pe:
                candidates.append((-(min(ge, pe) - max(gs, ps)), i, j))
    candidates.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def span_keys(spans: Iterable[Span]) -> List[Key]:
    return [(s.start_char, s.end_char, s.label_) for s in spans]


def ner_match_scores(examples: Iterable[Example], modes: Sequence[str] = MODES) -> Dict[str, dict]:
    """{mode: {"p", "r", "f", "per_type": {label: {"p", "r", "f", "support"}}}} over ``doc.ents``."""
    counts = {m: (Counter(), Counter(), Counter()) for m in modes}
    for eg in examples:
        gold, pred = span_keys(eg.reference.ents), span_keys(eg.predicted.ents)
        for mode in modes:
            tp, fp, fn = counts[mode]
            pairs = match_spans(gold, pred, mode)
            hit_g = {i for i, _ in pairs}
            hit_p = {j for _, j in pairs}
            for i, g in enumerate(gold):
                (tp if i in hit_g else fn)[g[2]] += 1
            for j, p in enumerate(pred):
                if j not in hit_p:
                    fp[p[2]] += 1
    out = {}
    for mode, (tp, fp, fn) in counts.items():
        labels = sorted(set(tp) | set(fp) | set(fn))
        per_type = {lab: {**_prf(tp[lab], fp[lab], fn[lab]), "support": tp[lab] + fn[lab]} for lab in labels}
        out[mode] = {**_prf(sum(tp.values()), sum(fp.values()), sum(fn.values())), "per_type": per_type}
    return out


def assertion_match_scores(
    examples: Iterable[Example], *, gold_key: str = "assertion", spans_key: Optional[str] = None,
    categories: Sequence[str] = ("absent", "possible"), modes: Sequence[str] = MODES,
) -> Dict[str, dict]:
    """Assertion categories per ENTITY label ({mode: {entity label: {category: prf}}}).

    Gold: ``reference.spans[gold_key]`` (label = category), its entity label from the reference
    entity with the same offsets. Predictions: the predicted entities' ``_.assertion``, matched
    to the gold spans by offsets (exact) or one-to-one overlap, ignoring the entity label so that
    a label confusion is not counted as an assertion error. A gold entity with no match counts as
    a miss (its category is not found); a prediction with no gold entity is left out (that is an
    NER error, scored by ``ner_match_scores``)."""
    counts = {m: {} for m in modes}
    for eg in examples:
        ent_label = {(e.start_char, e.end_char): e.label_ for e in eg.reference.ents}
        gold_spans = list(eg.reference.spans.get(gold_key, []))
        gold = [(s.start_char, s.end_char, ent_label.get((s.start_char, s.end_char), "ENTITY")) for s in gold_spans]
        spans = list(eg.predicted.spans.get(spans_key, [])) if spans_key else list(eg.predicted.ents)
        pred = span_keys(spans)
        for mode in modes:
            pairs = dict(match_spans(gold, pred, mode, same_label=False))
            for i, g in enumerate(gold):
                c = counts[mode].setdefault(g[2], {cat: [0, 0, 0, 0] for cat in categories})
                gcat = gold_spans[i].label_
                pcat = spans[pairs[i]]._.assertion if i in pairs else None
                for cat in categories:
                    k = c[cat]
                    k[0] += gcat == cat and pcat == cat
                    k[1] += gcat != cat and pcat == cat
                    k[2] += gcat == cat and pcat != cat
                    k[3] += gcat == cat
    return {
        mode: {lab: {cat: {**_prf(*k[:3]), "support": k[3]} for cat, k in cats.items()}
               for lab, cats in sorted(by_label.items())}
        for mode, by_label in counts.items()
    }


def format_match_table(scores: Dict[str, dict]) -> str:
    """Per-label F1 side by side: exact and overlap."""
    modes = [m for m in MODES if m in scores]
    labels = sorted({lab for m in modes for lab in scores[m]["per_type"]})
    head = f"{'label':<14}" + "".join(f"{m + ' P':>10}{m[:3] + ' R':>8}{m[:3] + ' F':>8}" for m in modes) + f"{'support':>9}"
    lines = [head]
    for lab in labels + ["ALL"]:
        row = f"{lab:<14}"
        for m in modes:
            s = scores[m] if lab == "ALL" else scores[m]["per_type"].get(lab, {"p": 0, "r": 0, "f": 0})
            row += f"{s['p']:>10.3f}{s['r']:>8.3f}{s['f']:>8.3f}"
        support = sum(v["support"] for v in scores[modes[0]]["per_type"].values()) if lab == "ALL" else \
            scores[modes[0]]["per_type"].get(lab, {}).get("support", 0)
        lines.append(row + f"{support:>9}")
    return "\n".join(lines)
