"""How far an optimized pipeline's answers are from the fp32 pipeline's, on the same notes."""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.tokens import Doc

Entity = Tuple[int, int, str, Optional[str]]


def doc_answers(doc: Doc) -> Dict[str, object]:
    """What a user reads off a note: entities (offsets, label, assertion) and the top class."""
    from ..annotate.records import span_assertion

    ents: List[Entity] = [(e.start_char, e.end_char, e.label_, span_assertion(e)) for e in doc.ents]
    top = max(doc.cats, key=doc.cats.get) if doc.cats else None
    return {"ents": ents, "top_class": top}


def agreement(reference: Sequence[dict], candidate: Sequence[dict]) -> Dict[str, float]:
    """Micro entity F1 (exact start, end, label and assertion) and top-class agreement vs reference."""
    if len(reference) != len(candidate):
        raise ValueError(f"Answer lists differ in length: {len(reference)} vs {len(candidate)} notes.")
    tp = n_ref = n_cand = 0
    span_tp = 0
    same_top = n_top = 0
    for ref, cand in zip(reference, candidate):
        r = {tuple(e) for e in ref["ents"]}
        c = {tuple(e) for e in cand["ents"]}
        tp += len(r & c)
        span_tp += len({e[:3] for e in r} & {e[:3] for e in c})
        n_ref += len(r)
        n_cand += len(c)
        if ref["top_class"] is not None:
            n_top += 1
            same_top += ref["top_class"] == cand["top_class"]
    return {
        "entity_f1": _f1(tp, n_ref, n_cand),
        "entity_f1_without_assertion": _f1(span_tp, n_ref, n_cand),
        "top_class_agreement": same_top / n_top if n_top else 1.0,
        "n_reference_entities": n_ref,
        "n_candidate_entities": n_cand,
        "n_notes": len(reference),
    }


def _f1(tp: int, n_ref: int, n_cand: int) -> float:
    if n_ref == 0 and n_cand == 0:
        return 1.0
    return 2 * tp / (n_ref + n_cand)


def answers(nlp, texts: Iterable[str], batch_size: int = 32) -> List[dict]:
    return [doc_answers(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]
