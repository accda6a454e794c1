"""Training curves: the per-step scores of a ``spacy train`` JSONL log as one PNG."""
from __future__ import annotations

from pathlib import Path


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
