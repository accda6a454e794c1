"""A self-contained HTML page of annotated notes: displaCy entities marked by assertion, with the
category scores and the translation beside each note. Everything is HTML-escaped; the page
loads nothing from outside.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Union

from spacy import displacy
from spacy.tokens import Doc, Span

from .records import ASSERTIONS, FLAG_ASSERTION, FLAGS, span_assertion

COLORS = {"PROBLEM": "#fca5a5", "TEST": "#93c5fd", "TREATMENT": "#86efac", "DISEASE": "#fdba74",
          "CHEMICAL": "#c4b5fd"}
PALETTE = ["#fde68a", "#a5f3fc", "#f9a8d4", "#bef264", "#fcd34d", "#d8b4fe", "#99f6e4", "#fecaca"]
MARKERS = {"absent": "negated", "possible": "possible", "hypothetical": "hypothetical",
           "historical": "historical", "family": "family"}
TPL_ENT = (
    '<mark class="entity medllm-ent {classes}" style="background-color: {bg};" title="{tooltip}">'
    '{text}<span class="medllm-label">{label}</span>{marker}</mark>'
)
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 2em; color: #1f2937; }
h1 { font-size: 1.4em; margin-bottom: .3em; }
.medllm-note { display: grid; grid-template-columns: minmax(0, 3fr) minmax(220px, 1fr); gap: 1.5em;
  border-top: 1px solid #e5e7eb; padding: 1.2em 0; }
.medllm-note h2 { grid-column: 1 / -1; font-size: 1em; margin: 0; color: #6b7280; font-weight: 600; }
.medllm-text .entities { line-height: 2.6 !important; font-size: 15px; }
mark.medllm-ent { padding: .25em .45em; margin: 0 .15em; border-radius: .35em; border: 2px solid transparent; }
.medllm-label { font-size: .7em; font-weight: 700; margin-left: .4em; vertical-align: middle; }
.medllm-marker { font-size: .65em; font-weight: 700; margin-left: .35em; padding: .05em .35em; border-radius: .6em;
  background: #111827; color: #fff; vertical-align: middle; text-decoration: none; display: inline-block; }
mark.assert-absent { text-decoration: line-through; text-decoration-thickness: 2px;
  background-image: repeating-linear-gradient(45deg, rgba(0,0,0,.22) 0 2px, transparent 2px 7px); }
mark.assert-possible { border: 2px dashed #111827; }
mark.assert-hypothetical { border: 2px dotted #111827; }
mark.assert-historical { opacity: .5; }
mark.assert-family { box-shadow: inset 0 -4px 0 #7c3aed; }
mark.assert-family .medllm-marker { background: #7c3aed; }
.medllm-side h3 { font-size: .85em; text-transform: uppercase; letter-spacing: .05em; color: #6b7280; margin: 0 0 .4em; }
.medllm-cat { display: grid; grid-template-columns: 8em 1fr 3em; gap: .4em; align-items: center; font-size: .85em; margin: .15em 0; }
.medllm-bar { height: .7em; background: #e5e7eb; border-radius: .35em; overflow: hidden; }
.medllm-bar span { display: block; height: 100%; background: #2563eb; }
.medllm-translation { font-size: .9em; background: #f9fafb; border-left: 3px solid #2563eb; padding: .5em .8em; white-space: pre-wrap; }
.medllm-legend { display: flex; flex-wrap: wrap; gap: .6em 1.2em; align-items: center; margin: .6em 0 1.2em; font-size: .9em; }
.medllm-errors { font-size: .85em; color: #991b1b; }
"""


def label_colors(labels: Iterable[str]) -> Dict[str, str]:
    colors, n = {}, 0
    for label in sorted(set(labels)):
        if label.upper() in COLORS:
            colors[label] = COLORS[label.upper()]
        else:
            colors[label] = PALETTE[n % len(PALETTE)]
            n += 1
    return colors


def span_classes(span: Span) -> List[str]:
    names = set()
    assertion = span_assertion(span)
    if assertion and assertion != "present":
        names.add(assertion)
    for flag in FLAGS:
        if Span.has_extension(flag) and span._.get(flag):
            names.add(FLAG_ASSERTION[flag])
    return [n for n in ASSERTIONS if n in names]


def _ent_params(span: Span) -> dict:
    kinds = span_classes(span)
    marker = "".join(f'<span class="medllm-marker">{MARKERS[k]}</span>' for k in kinds)
    tooltip = f"{span.label_}: {span_assertion(span) or 'no assertion'}"
    return {"classes": " ".join(f"assert-{k}" for k in kinds), "marker": marker, "tooltip": html.escape(tooltip)}


def _side(doc: Doc) -> str:
    parts = []
    if doc.cats:
        rows = []
        for label, score in sorted(doc.cats.items(), key=lambda kv: -kv[1]):
            pct = max(0.0, min(1.0, float(score))) * 100
            rows.append(f'<div class="medllm-cat"><span>{html.escape(str(label))}</span>'
                        f'<div class="medllm-bar"><span style="width: {pct:.0f}%"></span></div><span>{float(score):.2f}</span></div>')
        parts.append("<h3>Categories</h3>" + "".join(rows))
    if Doc.has_extension("translation") and doc._.translation:
        parts.append(f'<h3>Translation</h3><div class="medllm-translation">{html.escape(str(doc._.translation))}</div>')
    return "".join(parts) or '<p style="color:#9ca3af;font-size:.85em">no categories or translation</p>'


def _legend(colors: Dict[str, str]) -> str:
    items = [f'<mark class="entity medllm-ent" style="background-color: {c};">{html.escape(label)}</mark>'
             for label, c in colors.items()]
    for kind in ASSERTIONS[1:]:
        items.append(f'<mark class="entity medllm-ent assert-{kind}" style="background-color: #e5e7eb;">'
                     f'{kind}<span class="medllm-marker">{MARKERS[kind]}</span></mark>')
    return '<div class="medllm-legend"><strong>Legend</strong>' + "".join(items) + "</div>"


def render_html(
    docs: Sequence[Doc],
    *,
    ids: Optional[Sequence[str]] = None,
    title: str = "Annotated notes",
    spans_key: Optional[str] = None,
    errors: Sequence[dict] = (),
) -> str:
    """The whole page as a string. `spans_key` draws `doc.spans[KEY]` instead of `doc.ents`."""
    ids = list(ids) if ids is not None else [str(i + 1) for i in range(len(docs))]
    groups = [list(doc.spans[spans_key]) if spans_key and spans_key in doc.spans else list(doc.ents) for doc in docs]
    colors = label_colors(span.label_ for group in groups for span in group)
    escaped = {html.escape(label).upper(): color for label, color in colors.items()}
    sections = []
    for doc, note_id, spans in zip(docs, ids, groups):
        data = {"text": doc.text, "title": None,
                "ents": [{"start": s.start_char, "end": s.end_char, "label": html.escape(s.label_),
                          "params": _ent_params(s)} for s in sorted(spans, key=lambda s: (s.start_char, -s.end_char))]}
        markup = displacy.render(data, style="ent", manual=True, page=False, jupyter=False,
                                 options={"colors": escaped, "template": TPL_ENT})
        sections.append(f'<section class="medllm-note"><h2>{html.escape(str(note_id))}</h2>'
                        f'<div class="medllm-text">{markup}</div><aside class="medllm-side">{_side(doc)}</aside></section>')
    if errors:
        items = "".join(f"<li>{html.escape(str(e.get('id')))} ({html.escape(str(e.get('source')))}): "
                        f"{html.escape(str(e.get('reason')))}</li>" for e in errors)
        sections.append(f'<section class="medllm-errors"><h3>Not shown ({len(errors)} errors)</h3><ul>{items}</ul></section>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{_legend(colors)}{''.join(sections)}</body></html>\n")


def visualize(
    notes: Iterable[Union[str, Doc]],
    nlp=None,
    output: Optional[Union[str, Path]] = None,
    *,
    ids: Optional[Sequence[str]] = None,
    title: str = "Annotated notes",
    spans_key: Optional[str] = None,
) -> str:
    """Texts (run through `nlp`) or Docs to an HTML page; written atomically when `output` is given."""
    from ..files import atomic_write_text

    notes = list(notes)
    if any(isinstance(n, str) for n in notes):
        if nlp is None:
            raise ValueError("texts need a pipeline: pass nlp=")
        texts = [n for n in notes if isinstance(n, str)]
        piped = iter(nlp.pipe(texts))
        notes = [next(piped) if isinstance(n, str) else n for n in notes]
    page = render_html(notes, ids=ids, title=title, spans_key=spans_key)
    if output is not None:
        atomic_write_text(output, page)
    return page
