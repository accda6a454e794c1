import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .app import app


def load_pipeline(model: str, code: Optional[Path] = None):
    """A pipeline by package name or path; `--code` files are imported first (custom components)."""
    import spacy
    from spacy.util import import_file

    if code is not None:
        import_file("medllm_user_code", code)
    from ..optimize.runtime import FastPathUnavailable

    try:
        return spacy.load(model)
    except (OSError, IOError, FastPathUnavailable) as err:
        typer.secho(f"Error: cannot load the pipeline {model!r}: {err}", fg="red", err=True)
        raise typer.Exit(1)


@app.command("annotate")
def annotate_cli(
    inputs: List[Path] = typer.Argument(..., help="Text files, folders of them, .jsonl or .csv/.tsv files"),
    model: str = typer.Option(..., "--model", "-m", help="Installed pipeline package or path to a pipeline"),
    output: Path = typer.Option(..., "--output", "-o", help="out.jsonl, out.csv, or a folder for BRAT"),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="jsonl | csv | brat (default: from the output's suffix; no suffix = brat)"),
    errors: Optional[Path] = typer.Option(None, "--errors", help="Errors file (default: OUTPUT stem + .errors.jsonl)"),
    input_fmt: str = typer.Option("auto", "--input-format", help="auto | text | jsonl | csv | tsv (auto: from each input's suffix)"),
    text_field: str = typer.Option("text", "--text-field", "--text-column", help="JSONL key / CSV column holding the text"),
    id_field: Optional[str] = typer.Option(None, "--id-field", "--id-column", help="JSONL key / CSV column holding the id (default: 'id' if present, else FILE:LINE / FILE:rowN)"),
    glob: str = typer.Option("*.txt", "--glob", help="Which files of a folder are notes"),
    max_chars: int = typer.Option(100_000, "--max-chars", help="Longer notes are recorded as errors, not annotated"),
    fallback_encoding: str = typer.Option("cp1252", "--fallback-encoding", help="Decoding for notes that are not UTF-8 (flagged on the record); 'none' makes them errors"),
    n_process: int = typer.Option(1, "--n-process", "-n", help="Worker processes for nlp.pipe"),
    batch_size: int = typer.Option(64, "--batch-size", "-b", help="Notes per nlp.pipe batch and per write"),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run: skip notes already in the output"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output"),
    entity_text: bool = typer.Option(False, "--entity-text", help="Write each entity's text into the output"),
    spans_key: Optional[str] = typer.Option(None, "--spans-key", help="Also write doc.spans[KEY]"),
    show_text: bool = typer.Option(False, "--show-text", help="Allow note text (exception messages) in console messages"),
    summary_path: Optional[Path] = typer.Option(None, "--summary", help="Write the run's summary as JSON here"),
    code: Optional[Path] = typer.Option(None, "--code", help="Python file with custom components to import first"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar"),
):
    """Annotate many notes with a spaCy pipeline, surviving bad notes and interruptions.

    Entity offsets are character offsets into each note's original text (as decoded, nothing
    altered); a record never holds note text unless --entity-text is given.
    """
    from ..annotate.runner import annotate
    from ..annotate.sources import NoteReader
    from ..annotate.writers import OutputError
    from ..files import atomic_write_text

    if resume and overwrite:
        raise typer.BadParameter("--resume and --overwrite exclude each other")
    if n_process < 1 or batch_size < 1 or max_chars < 1:
        raise typer.BadParameter("--n-process, --batch-size and --max-chars must be positive")
    try:
        reader = NoteReader(input_fmt=input_fmt, text_field=text_field, id_field=id_field, glob=glob,
                            max_chars=max_chars, fallback_encoding=None if fallback_encoding.lower() == "none" else fallback_encoding)
    except ValueError as err:
        raise typer.BadParameter(str(err))
    nlp = load_pipeline(model, code)
    try:
        summary = annotate(nlp, inputs, output, fmt=fmt, errors_path=errors, reader=reader, n_process=n_process,
                           batch_size=batch_size, resume=resume, overwrite=overwrite, entity_text=entity_text,
                           spans_key=spans_key, progress=progress, show_text=show_text)
    except OutputError as err:
        typer.secho(f"Error: {err}", fg="red", err=True)
        raise typer.Exit(1)
    for line in summary.lines():
        typer.echo(line, err=True)
    if summary_path:
        atomic_write_text(summary_path, json.dumps(summary.to_dict(), indent=2))
    sys.stderr.flush()
