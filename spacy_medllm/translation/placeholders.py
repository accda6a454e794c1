"""Placeholders for protected spans, and checking that they came back from the model.

A protected item is a source span whose target text is fixed: a number/dose/date or a
do-not-translate entity (target = source text) or a glossary term (target = glossary entry).
"""
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple


@dataclass
class Item:
    start: int  # character offsets in the sentence
    end: int
    target: str
    kind: str  # "number", "glossary", "entity:<LABEL>"


def select_items(candidates: Sequence[Item]) -> List[Item]:
    """Non-overlapping items: entities beat glossary terms beat numbers, then longer spans win."""
    rank = {"entity": 0, "glossary": 1, "number": 2}
    chosen: List[Item] = []
    for it in sorted(candidates, key=lambda c: (rank.get(c.kind.split(":")[0], 3), c.start - c.end, c.start)):
        if not any(it.start < c.end and c.start < it.end for c in chosen):
            chosen.append(it)
    return sorted(chosen, key=lambda c: c.start)


def mask(text: str, items: Sequence[Item], fmt: str) -> str:
    out, last = [], 0
    for i, it in enumerate(items):
        out.append(text[last:it.start])
        out.append(fmt.format(i=i))
        last = it.end
    out.append(text[last:])
    return "".join(out)


def placeholder_pattern(fmt: str) -> "re.Pattern":
    """A tolerant pattern for one placeholder format: `<ph_3>` also matches `< ph_3 >`, `<ph 3>`."""
    before, after = fmt.split("{i}")
    def loose(s: str) -> str:
        return r"\s*".join(re.escape(c) if c not in "_ " else r"[_ ]?" for c in s.strip())
    return re.compile(loose(before) + r"\s*(\d+)\s*" + loose(after))


def restore(output: str, items: Sequence[Item], fmt: str) -> Tuple[Optional[str], Dict[str, int], List[Tuple[int, int]]]:
    """Put each item's target back; None if a placeholder is missing, duplicated or unknown.

    Returns (text or None, counts, target offsets per item).
    """
    counts = {"placeholders": len(items), "intact": 0, "repaired": 0, "missing": 0}
    exact = [fmt.format(i=i) for i in range(len(items))]
    pattern = placeholder_pattern(fmt)
    found: Dict[int, List[re.Match]] = {}
    for m in pattern.finditer(output):
        found.setdefault(int(m.group(1)), []).append(m)
    ok = True
    for i in range(len(items)):
        ms = found.get(i, [])
        if len(ms) != 1:
            counts["missing"] += 1
            ok = False
        elif ms[0].group(0) == exact[i]:
            counts["intact"] += 1
        else:
            counts["repaired"] += 1
    if any(k >= len(items) for k in found):
        ok = False
    if not ok:
        return None, counts, []
    pieces, spans, last, pos = [], [None] * len(items), 0, 0
    for m in sorted((found[i][0] for i in range(len(items))), key=lambda m: m.start()):
        i = int(m.group(1))
        chunk = output[last:m.start()]
        pieces.append(chunk)
        pos += len(chunk)
        pieces.append(items[i].target)
        spans[i] = (pos, pos + len(items[i].target))
        pos += len(items[i].target)
        last = m.end()
    pieces.append(output[last:])
    return "".join(pieces), counts, spans


def strip_placeholders(text: str, fmt: str) -> str:
    """Remove anything that still looks like a placeholder: never emit a broken one."""
    return re.sub(r"\s{2,}", " ", placeholder_pattern(fmt).sub("", text)).strip()
