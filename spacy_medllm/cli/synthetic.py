"""``medllm make-sample`` / ``medllm make-notes``: the invented clinical notes (no patient data)."""
from pathlib import Path
from typing import Optional

import typer

from .app import app


@app.command("make-sample")
def make_sample_cli(
    output_dir: Path = typer.Argument(..., help="Folder for train/dev/test.jsonl"),
    n: int = typer.Option(300, "--n", help="Notes in all"),
    seed: int = typer.Option(13, "--seed"),
):
    """Regenerate the synthetic sample corpus (deterministic for a seed)."""
    from ..corpora.synthetic import write_sample

    write_sample(output_dir, n=n, seed=seed, echo=typer.echo)


@app.command("make-notes")
def make_notes_cli(
    output_dir: Path = typer.Argument(..., help="Folder for one .txt per note"),
    n: int = typer.Option(1000, "--n", help="Notes to write"),
    bad: int = typer.Option(0, "--bad", help="Also write this many notes that must be recorded as errors"),
    seed: int = typer.Option(7, "--seed"),
    model_dir: Optional[Path] = typer.Option(None, "--model-dir", help="Also save the rule pipeline here"),
):
    """Write N synthetic notes for `medllm annotate` demos, tests and benchmarks."""
    from ..corpora.synthetic_notes import ruler_pipeline, write_notes

    counts = write_notes(output_dir, n, bad=bad, seed=seed)
    typer.echo(f"{output_dir}: {counts['notes']} notes, bad: {counts['bad'] or 'none'}")
    if model_dir:
        ruler_pipeline().to_disk(model_dir)
        typer.echo(f"{model_dir}: rule pipeline (entity_ruler)")
