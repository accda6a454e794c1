"""Classification scores shared by the transformer pipeline and the TF-IDF baseline.

Both are scored from a score matrix with one decision rule, so the comparison is like for
like: exclusive tasks take the top label; multi-label tasks take every label whose score
passes the threshold, and the top label when none does (every note has a specialty).
"""
from typing import Dict, List, Optional, Sequence, Set, Union

import numpy as np

Threshold = Optional[Union[float, Sequence[float], np.ndarray]]


def decide(scores: np.ndarray, threshold: Threshold) -> np.ndarray:
    """Boolean (n_docs, n_labels) predictions; ``threshold=None`` means exclusive (argmax);
    a sequence gives each label its own threshold."""
    pred = np.zeros(scores.shape, dtype=bool)
    if len(scores) == 0:
        return pred
    pred[np.arange(len(scores)), scores.argmax(axis=1)] = True
    if threshold is not None:
        pred |= scores >= np.asarray(threshold, dtype=float)
    return pred


def tune_thresholds(
    gold: Sequence[Set[str]], scores: np.ndarray, labels: List[str], default: float
) -> List[float]:
    """Per-label thresholds that maximise each label's F1 on a tuning split (dev, never test).

    Each threshold sits halfway between the lowest score it accepts and the next lower score,
    so it does not hug the tuning notes. A label with no positive note keeps ``default``.
    Rare labels gain most: their scores seldom pass one global threshold.
    """
    scores = np.asarray(scores, dtype=float)
    out = []
    for j, lab in enumerate(labels):
        truth = np.array([lab in g for g in gold], dtype=bool)
        if not truth.any():
            out.append(float(default))
            continue
        col = scores[:, j]
        ordered = np.unique(col)[::-1]
        best_f, best_t = -1.0, float(default)
        for k, cut in enumerate(ordered):
            pred = col >= cut
            tp = int((pred & truth).sum())
            f = 2 * tp / (int(pred.sum()) + int(truth.sum()))
            if f > best_f:
                below = ordered[k + 1] if k + 1 < len(ordered) else cut - 1.0
                best_f, best_t = f, float((cut + below) / 2)
        out.append(best_t)
    return out


def classification_scores(
    gold: Sequence[Set[str]], scores: np.ndarray, labels: List[str], threshold: Threshold
) -> Dict:
    """Accuracy (top label is one of the gold labels), macro-F1 over labels, per-label P/R/F,
    and a top-label confusion matrix (row: the gold label matched, or the best-scored gold
    label when the top label is wrong)."""
    scores = np.asarray(scores, dtype=float)
    pred = decide(scores, threshold)
    truth = np.array([[lab in g for lab in labels] for g in gold], dtype=bool).reshape(len(gold), len(labels))
    per_label = {}
    for j, lab in enumerate(labels):
        tp = int((pred[:, j] & truth[:, j]).sum())
        fp = int((pred[:, j] & ~truth[:, j]).sum())
        fn = int((~pred[:, j] & truth[:, j]).sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_label[lab] = {"p": p, "r": r, "f": f, "support": int(truth[:, j].sum())}
    top = scores.argmax(axis=1) if len(scores) else np.zeros(0, dtype=int)
    correct = truth[np.arange(len(top)), top] if len(top) else np.zeros(0, dtype=bool)
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for i, t in enumerate(top):
        if truth[i, t]:
            g = t
        else:
            gold_idx = np.flatnonzero(truth[i])
            if not len(gold_idx):
                continue
            g = gold_idx[scores[i, gold_idx].argmax()]
        confusion[g, t] += 1
    with_support = [lab for lab in labels if per_label[lab]["support"]]
    return {
        "n_docs": len(gold),
        "accuracy": float(correct.mean()) if len(correct) else 0.0,
        "macro_f1": float(np.mean([per_label[lab]["f"] for lab in with_support])) if with_support else 0.0,
        "micro_f1": _micro_f1(pred, truth),
        "per_label": per_label,
        "confusion": {"labels": labels, "matrix": confusion.tolist()},
    }


def _micro_f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = int((pred & truth).sum())
    denom = int(pred.sum()) + int(truth.sum())
    return 2 * tp / denom if denom else 0.0


def plot_confusion(confusion: Dict, path, title: str):
    """A row-normalised confusion matrix PNG, written atomically."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..files import atomic_write_bytes

    labels = confusion["labels"]
    m = np.array(confusion["matrix"], dtype=float)
    norm = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    size = 0.55 * len(labels) + 3
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if m[i, j]:
                ax.text(j, i, int(m[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted (top label)")
    ax.set_ylabel("gold")
    ax.set_title(title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())
