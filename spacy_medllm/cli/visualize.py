from pathlib import Path
from typing import List, Optional

import typer

from .app import app


@app.command("visualize")
def visualize_cli(
    inputs: List[Path] = typer.Argument(..., help="Text files, folders of them, .jsonl or .csv/.tsv files"),
    model: str = typer.Option(..., "--model", "-m", help="Installed pipeline package or path to a pipeline"),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML page to write"),
    limit: int = typer.Option(20, "--limit", help="Show at most this many notes"),
    title: str = typer.Option("Annotated notes", "--title"),
    text_field: str = typer.Option("text", "--text-field", "--text-column", help="JSONL key / CSV column holding the text"),
    id_field: Optional[str] = typer.Option(None, "--id-field", "--id-column", help="JSONL key / CSV column holding the id"),
    glob: str = typer.Option("*.txt", "--glob", help="Which files of a folder are notes"),
    max_chars: int = typer.Option(100_000, "--max-chars", help="Longer notes are listed as errors"),
    spans_key: Optional[str] = typer.Option(None, "--spans-key", help="Draw doc.spans[KEY] instead of doc.ents"),
    code: Optional[Path] = typer.Option(None, "--code", help="Python file with custom components to import first"),
):
    """Write a self-contained HTML page (displaCy) of annotated notes: entities coloured by label and
    marked by assertion, category scores and translation beside each note. The page shows note text."""
    from itertools import islice

    from ..annotate.notes import Note, NoteError
    from ..annotate.pipe import safe_pipe
    from ..annotate.sources import NoteReader
    from ..annotate.visualize import render_html
    from ..files import atomic_write_text
    from ._util import load_pipeline

    reader = NoteReader(text_field=text_field, id_field=id_field, glob=glob, max_chars=max_chars)
    nlp = load_pipeline(model, code)
    nlp.max_length = max(nlp.max_length, max_chars + 1)
    errors: list = []

    def notes():
        for item in reader.read(inputs):
            if isinstance(item, NoteError):
                errors.append(item.to_dict())
            elif isinstance(item, Note):
                yield item

    def failed(note, err):
        errors.append(NoteError(note.id, note.source, "pipeline-error", f"the pipeline raised {type(err).__name__}",
                                line=note.line).to_dict())

    pairs = list(safe_pipe(nlp, islice(notes(), limit), on_failure=failed))
    page = render_html([doc for _, doc in pairs], ids=[note.id for note, _ in pairs], title=title,
                       spans_key=spans_key, errors=errors)
    atomic_write_text(output, page)
    typer.echo(f"{output}: {len(pairs)} notes" + (f", {len(errors)} errors listed at the end" if errors else ""), err=True)
