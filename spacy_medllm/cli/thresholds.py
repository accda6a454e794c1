"""``medllm tune-thresholds``: learn per-label thresholds on a labelled split and save them in the pipeline."""
import shutil
from pathlib import Path
from typing import List, Optional

import typer

from ._util import fail, load_pipeline
from .app import app


def _swap_in(tmp: Path, output: Path) -> None:
    """Replace ``output`` by ``tmp`` so an interrupted save never leaves half a pipeline."""
    old = output.with_name(output.name + ".old-thresholds")
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    tmp.rename(output)
    if old.exists():
        shutil.rmtree(old)


@app.command("tune-thresholds")
def tune_thresholds_cli(
    model: str = typer.Argument(..., help="Pipeline name or path with a medllm_textcat / medllm_textcat_multilabel component"),
    data: Path = typer.Argument(..., help="Labelled .spacy split to tune on (dev, never test)"),
    output: Path = typer.Argument(..., help="Directory to save the tuned pipeline to (may be MODEL)"),
    component: Optional[List[str]] = typer.Option(None, "--component", "-c", help="Component(s) to tune (default: all tunable)"),
    batch_size: int = typer.Option(16, "--batch-size"),
    gpu_id: int = typer.Option(-1, "--gpu-id", help="GPU to run on; -1 for CPU"),
):
    """Tune per-label thresholds (multi-label) or per-label offsets (exclusive, macro-F1) on DATA and save
    the pipeline to OUTPUT; spacy.load of OUTPUT applies them with no extra step."""
    import numpy as np
    import spacy
    from spacy.tokens import DocBin
    from spacy.training import Example
    from wasabi import msg

    from ..textcat.metrics import classification_scores
    from ..textcat.thresholds import tune_pipeline

    if not data.exists():
        fail(f"{data}: file not found")
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = load_pipeline(model)
    refs = list(DocBin().from_disk(data).get_docs(nlp.vocab))
    n_unlabelled = sum(1 for r in refs if not r.cats)
    examples = [Example(nlp.make_doc(r.text), r) for r in refs if r.cats]
    try:
        tuned = tune_pipeline(nlp, examples, component or None, batch_size)
    except ValueError as err:
        fail(f"{data}: {err}")
    msg.info(f"{data}: tuned on {len(examples)} labelled docs ({n_unlabelled} without cats skipped)")
    docs = list(nlp.pipe((eg.predicted for eg in examples), batch_size=batch_size))
    gold = [{k for k, v in eg.reference.cats.items() if v >= 0.5} for eg in examples]
    for name, values in tuned.items():
        pipe = nlp.get_pipe(name)
        labels = list(pipe.labels)
        cut = None if pipe.is_exclusive else float(pipe.cfg.get("threshold", 0.5))
        raw = np.array([[d._.raw_cats[lab] for lab in labels] for d in docs])
        mapped = np.array([[d.cats[lab] for lab in labels] for d in docs])
        before = classification_scores(gold, raw, labels, cut)
        after = classification_scores(gold, mapped, labels, cut)
        kind = "offset" if pipe.is_exclusive else "threshold"
        msg.table([(lab, f"{values[lab]:.3f}") for lab in labels], header=("label", kind), divider=True)
        msg.good(f"{name}: macro-F1 on {data.name} {before['macro_f1']:.3f} -> {after['macro_f1']:.3f} "
                 f"(micro-F1 {before['micro_f1']:.3f} -> {after['micro_f1']:.3f}; tuned on this split)")
    output = Path(output)
    tmp = output.with_name(output.name + ".tmp-thresholds")
    if tmp.exists():
        shutil.rmtree(tmp)
    nlp.to_disk(tmp)
    _swap_in(tmp, output)
    msg.good(f"saved {output}")
