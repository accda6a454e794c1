"""``medllm evaluate`` (scores and reports of a trained pipeline) and ``medllm plot-training``."""
from pathlib import Path
from typing import Optional

import typer

from ._util import fail, load_pipeline
from .app import app


@app.command("evaluate")
def evaluate_cli(
    model: str = typer.Argument(..., help="Pipeline name or path"),
    data: Path = typer.Argument(..., help="Gold .spacy file"),
    output: Path = typer.Option(..., "--output", "-o", help="Metrics JSON to write"),
    html_path: Optional[Path] = typer.Option(None, "--html", help="HTML report with per-label bars and a confusion matrix"),
    png_dir: Optional[Path] = typer.Option(None, "--png-dir", help="Also write the confusion matrices and per-label bars as PNG files here"),
    batch_size: int = typer.Option(64, "--batch-size"),
    title: str = typer.Option("Evaluation", "--title"),
    gpu_id: int = typer.Option(-1, "--gpu-id", help="GPU to run on; -1 for CPU"),
    missing_ok: bool = typer.Option(False, "--missing-ok", help="Exit quietly if DATA does not exist (a kept-back split)"),
):
    """Per-label precision/recall/F1 (spaCy's Scorer) as JSON, and a report a person can look at."""
    if not data.exists():
        if missing_ok:
            typer.echo(f"{data}: not found, nothing to evaluate")
            return
        fail(f"{data}: file not found")
    import spacy
    from spacy.tokens import DocBin
    from spacy.training import Example

    from ..reports import write_pngs, write_report
    from ..scoring import evaluate_pipeline

    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = load_pipeline(model)
    refs = list(DocBin().from_disk(data).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(ref.text), ref) for ref in refs]
    result = evaluate_pipeline(nlp, examples, batch_size=batch_size)
    result["model"] = model
    result["data"] = str(data)
    write_report(result, output, html_path, title=title)
    if png_dir:
        for path in write_pngs(result, png_dir):
            typer.echo(f"wrote {path}")
    s = result["scores"]
    typer.echo(f"{data}: ents P {s.get('ents_p', 0):.4f} R {s.get('ents_r', 0):.4f} F {s.get('ents_f', 0):.4f}")
    if result.get("ents_match"):
        from ..scoring.overlap import format_match_table

        typer.echo(format_match_table(result["ents_match"]))
    if s.get("assertion_acc") is not None:
        typer.echo(f"assertion accuracy {s['assertion_acc']:.4f} (on the entities the pipeline found)")
    textcat = result.get("textcat")
    if textcat:
        typer.echo(f"document classes: accuracy {textcat['accuracy']:.4f}, macro-F1 {textcat['macro_f1']:.4f}")


@app.command("plot-training")
def plot_training_cli(
    log: Path = typer.Argument(..., help="JSONL written by the training logger (training.logger.output_file)"),
    output: Path = typer.Option(..., "--output", "-o", help="PNG to write"),
):
    """Draw loss and dev-score curves of a training run."""
    from ..training_curves import plot_training_log

    if not log.exists():
        fail(f"{log}: file not found")
    typer.echo(f"Wrote {plot_training_log(log, output)}")
