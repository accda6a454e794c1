"""Evaluation reports of ``medllm evaluate``: a self-contained HTML page and PNG pictures of the
scores (the numbers themselves: the scoring subpackage)."""
from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import List, Optional, Tuple

from .files import atomic_write_text


def _png_base64(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(result: dict) -> List[Tuple[str, str]]:
    """(file stem, base64 PNG) for each picture of the report."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # the report still has its tables
        return []
    images = []
    per_type = result.get("ents_per_type") or {}
    if per_type:
        labels = sorted(per_type)
        fig, ax = plt.subplots(figsize=(max(4, 1.6 * len(labels)), 3))
        width = 0.27
        for i, metric in enumerate("prf"):
            ax.bar([x + (i - 1) * width for x in range(len(labels))],
                   [per_type[lab][metric] for lab in labels], width, label={"p": "precision", "r": "recall", "f": "F1"}[metric])
        ax.set_xticks(range(len(labels)), labels)
        ax.set_ylim(0, 1)
        ax.legend(loc="lower right", fontsize=8)
        ax.set_title("Entity scores per label")
        images.append(("ner_per_label", _png_base64(fig)))
        plt.close(fig)
    conf = result.get("ner_confusion") or {}
    if conf:
        labels = list(conf)
        import numpy as np

        m = np.array([[conf[g][p] for p in labels] for g in labels], dtype=float)
        norm = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        fig, ax = plt.subplots(figsize=(1.2 * len(labels) + 2, 1.0 * len(labels) + 1.5))
        ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(j, i, int(m[i, j]), ha="center", va="center", color="white" if norm[i, j] > 0.5 else "black", fontsize=8)
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title("Token-level confusion (row-normalised colour)")
        images.append(("ner_confusion", _png_base64(fig)))
        plt.close(fig)
    textcat = result.get("textcat")
    if textcat:
        labels = textcat["confusion"]["labels"]
        fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(labels)), 3))
        ax.bar(range(len(labels)), [textcat["per_label"][lab]["f"] for lab in labels])
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.set_ylim(0, 1)
        ax.set_title(f"Document classes: F1 per label (accuracy {textcat['accuracy']:.3f})")
        images.append(("textcat_per_label", _png_base64(fig)))
        plt.close(fig)
    return images


def write_pngs(result: dict, png_dir: Path, prefix: str = "") -> List[Path]:
    """The report's pictures as PNG files: per-label bars and confusion matrices."""
    from .files import atomic_write_bytes
    from .textcat.metrics import plot_confusion

    png_dir = Path(png_dir)
    written = [atomic_write_bytes(png_dir / f"{prefix}{stem}.png", base64.b64decode(b64)) for stem, b64 in _figures(result)]
    if result.get("textcat"):
        written.append(plot_confusion(result["textcat"]["confusion"], png_dir / f"{prefix}textcat_confusion.png",
                                      "Document classes: confusion"))
    return [Path(p) for p in written]


def render_html(result: dict, title: str) -> str:
    rows = []
    for label, s in sorted((result.get("ents_per_type") or {}).items()):
        rows.append(f"<tr><td>{html.escape(label)}</td><td>{s['p']:.3f}</td><td>{s['r']:.3f}</td><td>{s['f']:.3f}</td></tr>")
    overall = result["scores"]
    summary = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v:.4f}</td></tr>" for k, v in overall.items() if isinstance(v, (int, float))
    )
    images = "".join(f'<img alt="figure" src="data:image/png;base64,{b64}"/>' for _, b64 in _figures(result))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 10px;text-align:right}}td:first-child{{text-align:left}}img{{margin:1em;vertical-align:top}}</style>
</head><body><h1>{html.escape(title)}</h1>
<p>{result['n_docs']} docs, {result['n_words']} words, {result['words_per_second'] or 0:.0f} words/s (evaluation pass).</p>
<h2>Entities per label</h2><table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th></tr>{''.join(rows)}</table>
{_textcat_table(result.get("textcat"))}<h2>All scores</h2><table>{summary}</table>{images}</body></html>"""


def _textcat_table(textcat: Optional[dict]) -> str:
    if not textcat:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{s['p']:.3f}</td><td>{s['r']:.3f}</td><td>{s['f']:.3f}</td><td>{s['support']}</td></tr>"
        for label, s in sorted(textcat["per_label"].items())
    )
    tuned = "".join(
        f"<p>{html.escape(name)}: tuned per-label {t['kind']}s "
        + ", ".join(f"{html.escape(lab)} {v:.3f}" for lab, v in sorted(t["values"].items())) + "</p>"
        for name, t in (textcat.get("thresholds") or {}).items() if t["values"]
    )
    return (f"<h2>Document classes</h2><p>accuracy {textcat['accuracy']:.3f}, macro-F1 {textcat['macro_f1']:.3f}</p>{tuned}"
            f"<table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>")


def write_report(result: dict, json_path: Path, html_path: Optional[Path] = None, title: str = "Evaluation") -> None:
    atomic_write_text(Path(json_path), json.dumps(result, indent=2))
    if html_path:
        atomic_write_text(Path(html_path), render_html(result, title))
