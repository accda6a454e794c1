from pathlib import Path

import typer

from .app import app


@app.command("evaluate-assertion")
def evaluate_assertion_cli(
    model: str = typer.Argument(..., help="Pipeline name or path; 'rules' for a blank English pipeline with medllm_context"),
    data: Path = typer.Argument(..., help="Gold data: NegEx TSV, or a corpus with assertion labels"),
    output: Path = typer.Option(..., "--output", "-o", help="Metrics JSON to write"),
    fmt: str = typer.Option("negex", "--format", "-f", help="negex | jsonl | bioscope | i2b2 | spacy"),
    batch_size: int = typer.Option(64, "--batch-size"),
):
    """Per-category precision/recall/F1 of any pipeline's assertion output, with the entities given."""
    import spacy
    import srsly

    from ..assertion.evaluate import evaluate_corpus, evaluate_negex, format_table
    from ..files import atomic_write_text

    if not data.exists():
        typer.secho(f"Error: {data}: file not found", fg="red", err=True)
        raise typer.Exit(1)
    if model == "rules":
        nlp = spacy.blank("en")
        nlp.add_pipe("medllm_context")
    else:
        nlp = spacy.load(model)
    if fmt == "negex":
        result = evaluate_negex(nlp, data, batch_size=batch_size)
    else:
        result = evaluate_corpus(nlp, data, fmt, batch_size=batch_size)
    result["model"] = model
    result["data"] = str(data)
    atomic_write_text(output, srsly.json_dumps(result, indent=2))
    typer.echo(format_table(result))
    if result.get("skipped"):
        typer.echo(f"skipped: {result['skipped']}")
    typer.echo(f"Wrote {output}")
