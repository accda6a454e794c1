"""Evaluation reports: spaCy's Scorer for the numbers, a token-level confusion matrix, HTML and PNG."""
from __future__ import annotations

import base64
import html
import io
import json
import time
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from spacy.language import Language
from spacy.training import Example

from .files import atomic_write_text


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
        result["ner_confusion"] = ner_confusion(examples)
    if scores.get("assertion_per_type"):
        result["assertion_per_type"] = scores["assertion_per_type"]
    textcat = textcat_report(examples)
    if textcat:
        from .textcat.thresholds import pipeline_thresholds

        result["textcat"] = textcat
        textcat["thresholds"] = pipeline_thresholds(nlp)  # the decision rule behind the scores
    return result


def textcat_report(examples: List[Example]) -> Optional[dict]:
    """Accuracy, macro-F1, per-label F1 and a top-label confusion matrix of ``doc.cats``, scored
    like the classification benchmarks (exclusive: top label; multi-label: threshold 0.5)."""
    import numpy as np

    from .textcat.metrics import classification_scores

    gold_docs = [eg.reference for eg in examples if eg.reference.cats]
    if not gold_docs:
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


def plot_training_log(log_path: Path, png_path: Path) -> Path:
    """Loss and dev-score curves from the JSONL that the training logger writes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import srsly

    rows = list(srsly.read_jsonl(log_path))
    if not rows:
        raise ValueError(f"{log_path}: no evaluation rows logged yet")
    steps = [r["step"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for name in rows[0]["losses"]:
        ax1.plot(steps, [r["losses"].get(name, float("nan")) for r in rows], label=f"loss {name}")
    ax1.set_xlabel("step")
    ax1.set_yscale("log")
    ax1.legend(fontsize=8)
    ax1.set_title("Training loss (per evaluation interval)")
    for name in rows[0]["scores"]:
        values = [r["scores"].get(name) for r in rows]
        if all(isinstance(v, (int, float)) for v in values):
            ax2.plot(steps, values, label=name)
    # spaCy logs component scores in percent and the selection score as a fraction.
    ax2.plot(steps, [100 * r["score"] for r in rows], "k--", label="score (selection)")
    ax2.set_xlabel("step")
    ax2.set_ylim(0, 100)
    ax2.legend(fontsize=8, loc="lower right")
    ax2.set_title("Dev scores (%)")
    png_path = Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png_path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return png_path
