"""Side-by-side HTML view: each source sentence next to its translation, aligned items highlighted alike."""
import html
from typing import Iterable, List, Tuple

COLORS = ["#fde68a", "#bfdbfe", "#bbf7d0", "#fecaca", "#ddd6fe", "#fed7aa", "#a5f3fc", "#f5d0fe"]


def _mark(text: str, spans: List[Tuple[int, int, str, str]]) -> str:
    out, last = [], 0
    for start, end, color, title in sorted(spans):
        if start < last:
            continue
        out.append(html.escape(text[last:start]))
        out.append(f'<mark style="background:{color}" title="{html.escape(title)}">{html.escape(text[start:end])}</mark>')
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def render_side_by_side(docs: Iterable, spans_key: str = "translation_sents", title: str = "Translation") -> str:
    """One table row per sentence; entities and protected items share a colour with their translation."""
    rows = []
    for n, doc in enumerate(docs):
        sents = list(doc.spans[spans_key]) if spans_key in doc.spans else []
        aligns = list(doc._.translation_alignments or [])
        for ent in doc.ents:
            ts = ent._.translation_span
            if ts and not any(a["src_start"] == ent.start_char and a["src_end"] == ent.end_char for a in aligns):
                aligns.append({"src_start": ent.start_char, "src_end": ent.end_char, "start": ts["start"],
                               "end": ts["end"], "sentence": ts["sentence"], "kind": f"entity:{ent.label_}",
                               "method": ts["method"]})
        offsets, pos = [], 0
        for sent in sents:
            i = (doc._.translation or "").find(sent._.translation or "", pos)
            offsets.append(i)
            if i >= 0:
                pos = i + len(sent._.translation or "")
        for k, sent in enumerate(sents):
            src_marks, tgt_marks = [], []
            for j, a in enumerate(a for a in aligns if a["sentence"] == k):
                color = COLORS[j % len(COLORS)]
                label = f'{a["kind"]} ({a["method"]})'
                src_marks.append((a["src_start"] - sent.start_char, a["src_end"] - sent.start_char, color, label))
                if offsets[k] >= 0:
                    tgt_marks.append((a["start"] - offsets[k], a["end"] - offsets[k], color, label))
            rows.append(f"<tr><td>{n}.{k}</td><td>{_mark(sent.text, src_marks)}</td>"
                        f"<td>{_mark(sent._.translation or '', tgt_marks)}</td></tr>")
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse;width:100%}"
        "td{border:1px solid #ddd;padding:4px 8px;vertical-align:top}td:first-child{color:#888}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><table><tr><th>#</th><th>Source</th><th>Translation</th></tr>"
        + "".join(rows) + "</table></body></html>"
    )
