"""Check that a Spark output holds the same answers as `medllm annotate` (tests and benchmarks/spark_annotate.py).

Compared per id: entities (offsets, label, assertion, flags), cats (within `tol`, since a
transformer's scores move in the last bits with batch padding), translation, n_words, and for
bad notes the error kind.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, List, Optional


def _entities(ents: Optional[Iterable[dict]]) -> List[dict]:
    """Entities without empty fields (a Spark struct has every field; a record only those it set)."""
    return [{k: v for k, v in dict(e).items() if v is not None and k != "text"} for e in ents or []]


def from_annotate(records: Iterable[dict], errors: Iterable[dict] = ()) -> Dict[str, dict]:
    """{id: answer} from `medllm annotate` JSONL records and its errors file."""
    out = {r["id"]: {"error": None, "entities": _entities(r["entities"]), "cats": r.get("cats") or {},
                     "translation": r.get("translation"), "n_words": r["n_words"]} for r in records}
    for e in errors:
        out[e["id"]] = {"error": e["kind"]}
    return out


def from_spark(rows: Iterable[dict], id_col: str = "id") -> Dict[str, dict]:
    """{id: answer} from note-level Spark rows (`Row.asDict(recursive=True)`)."""
    out = {}
    for r in rows:
        if r["error"]:
            out[r[id_col]] = {"error": r["error"]["kind"]}
        else:
            out[r[id_col]] = {"error": None, "entities": _entities(r["entities"]), "cats": dict(r["cats"] or {}),
                              "translation": r["translation"], "n_words": r["n_words"]}
    return out


def compare(expected: Dict[str, dict], got: Dict[str, dict], got_rows: Optional[int] = None, tol: float = 1e-5) -> dict:
    """What differs; `same` is True when every id has the same answer (and no id is doubled)."""
    fields: Counter = Counter()
    different, max_cat_diff = [], 0.0
    for key in sorted(expected.keys() & got.keys()):
        a, b = expected[key], got[key]
        bad = [f for f in ("error", "entities", "translation", "n_words") if a.get(f) != b.get(f)]
        ca, cb = a.get("cats") or {}, b.get("cats") or {}
        if ca.keys() != cb.keys():
            bad.append("cats")
        else:
            diff = max((abs(ca[k] - cb[k]) for k in ca), default=0.0)
            max_cat_diff = max(max_cat_diff, diff)
            if diff > tol:
                bad.append("cats")
        fields.update(bad)
        if bad:
            different.append(key)
    only_expected, only_got = sorted(expected.keys() - got.keys()), sorted(got.keys() - expected.keys())
    doubled = 0 if got_rows is None else got_rows - len(got)
    return {"ids": len(expected), "same": not (different or only_expected or only_got or doubled),
            "different_ids": len(different), "different_fields": dict(fields), "first_different": different[:5],
            "missing_in_spark": len(only_expected), "extra_in_spark": len(only_got), "doubled_rows": doubled,
            "max_cat_difference": max_cat_diff,
            "errors_by_kind": dict(Counter(v["error"] for v in got.values() if v["error"]))}
