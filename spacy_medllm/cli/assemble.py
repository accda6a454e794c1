"""``medllm assemble``: add pipes trained outside `spacy train` to a trained pipeline."""
from pathlib import Path

import typer

from ._util import fail
from .app import app


@app.command("assemble")
def assemble_cli(
    base: str = typer.Argument(..., help="Trained pipeline (name or path)"),
    output: Path = typer.Argument(..., help="Pipeline folder to write"),
    translator: str = typer.Option("", "--translator", help="Pipeline holding medllm_translator to add (empty: none)"),
):
    """Add pipes trained outside `spacy train` (the translator) to a trained pipeline, for packaging."""
    from ..assemble import AssembleError, assemble_pipeline

    try:
        nlp = assemble_pipeline(base, output, translator=translator or None)
    except (AssembleError, OSError) as err:
        fail(str(err))
    typer.echo(f"wrote {output} (pipeline: {', '.join(nlp.pipe_names)})")
