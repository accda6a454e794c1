from pathlib import Path
from typing import List, Optional

import typer

from ._util import fail, report_summary, load_pipeline
from .app import app


# Options shared by `medllm annotate` and `medllm deid` (one definition, the same behaviour).
FORMAT = typer.Option(None, "--format", "-f", help="jsonl | csv | brat (default: from the output's suffix; no suffix = brat)")
ERRORS = typer.Option(None, "--errors", help="Errors file (default: OUTPUT stem + .errors.jsonl)")
INPUT_FMT = typer.Option("auto", "--input-format", help="auto | text | jsonl | csv | tsv (auto: from each input's suffix)")
TEXT_FIELD = typer.Option("text", "--text-field", "--text-column", help="JSONL key / CSV column holding the text")
ID_FIELD = typer.Option(None, "--id-field", "--id-column", help="JSONL key / CSV column holding the id (default: 'id' if present, else FILE:LINE / FILE:rowN)")
GLOB = typer.Option("*.txt", "--glob", help="Which files of a folder are notes")
MAX_CHARS = typer.Option(100_000, "--max-chars", help="Longer notes are recorded as errors, not annotated")
FALLBACK = typer.Option("cp1252", "--fallback-encoding", help="Decoding for notes that are not UTF-8 (flagged on the record); 'none' makes them errors")
N_PROCESS = typer.Option(1, "--n-process", "-n", help="Worker processes for nlp.pipe")
BATCH_SIZE = typer.Option(64, "--batch-size", "-b", help="Notes per nlp.pipe batch and per write")
RESUME = typer.Option(False, "--resume", help="Continue an interrupted run: skip notes already in the output")
OVERWRITE = typer.Option(False, "--overwrite", help="Replace an existing output")
ENTITY_TEXT = typer.Option(False, "--entity-text", help="Write each entity's text into the output")
SPANS_KEY = typer.Option(None, "--spans-key", help="Also write doc.spans[KEY]")
SHOW_TEXT = typer.Option(False, "--show-text", help="Allow note text (exception messages) in console messages")
SUMMARY = typer.Option(None, "--summary", help="Write the run's summary as JSON here")
CODE = typer.Option(None, "--code", help="Python file with custom components to import first")
PROGRESS = typer.Option(True, "--progress/--no-progress", help="Show a progress bar")


SHARED = ("fmt", "errors", "input_fmt", "text_field", "id_field", "glob", "max_chars", "fallback_encoding", "n_process",
          "batch_size", "resume", "overwrite", "show_text", "summary_path", "progress")


def shared_options(values: dict) -> dict:
    """The shared options of a command's arguments (``locals()``), named as ``run_annotate`` takes them."""
    out = {name: values[name] for name in SHARED}
    out["errors_path"] = out.pop("errors")
    return out


def run_annotate(get_nlp, inputs: List[Path], output: Path, *, input_fmt: str, text_field: str,
                 id_field: Optional[str], glob: str, max_chars: int, fallback_encoding: str, n_process: int,
                 batch_size: int, resume: bool, overwrite: bool, summary_path: Optional[Path], **options) -> None:
    """Check the options, load the pipeline (``get_nlp()``), run, print and save the summary."""
    from ..annotate.runner import annotate
    from ..annotate.sources import NoteReader
    from ..annotate.writers import OutputError

    if resume and overwrite:
        raise typer.BadParameter("--resume and --overwrite exclude each other")
    if n_process < 1 or batch_size < 1 or max_chars < 1:
        raise typer.BadParameter("--n-process, --batch-size and --max-chars must be positive")
    try:
        reader = NoteReader(input_fmt=input_fmt, text_field=text_field, id_field=id_field, glob=glob,
                            max_chars=max_chars, fallback_encoding=None if fallback_encoding.lower() == "none" else fallback_encoding)
    except ValueError as err:
        raise typer.BadParameter(str(err))
    nlp = get_nlp()
    try:
        summary = annotate(nlp, inputs, output, reader=reader, n_process=n_process, batch_size=batch_size,
                           resume=resume, overwrite=overwrite, **options)
    except OutputError as err:
        fail(str(err))
    report_summary(summary, summary_path)


@app.command("annotate")
def annotate_cli(
    inputs: List[Path] = typer.Argument(..., help="Text files, folders of them, .jsonl or .csv/.tsv files"),
    model: str = typer.Option(..., "--model", "-m", help="Installed pipeline package or path to a pipeline"),
    output: Path = typer.Option(..., "--output", "-o", help="out.jsonl, out.csv, or a folder for BRAT"),
    fmt: Optional[str] = FORMAT,
    errors: Optional[Path] = ERRORS,
    input_fmt: str = INPUT_FMT,
    text_field: str = TEXT_FIELD,
    id_field: Optional[str] = ID_FIELD,
    glob: str = GLOB,
    max_chars: int = MAX_CHARS,
    fallback_encoding: str = FALLBACK,
    n_process: int = N_PROCESS,
    batch_size: int = BATCH_SIZE,
    resume: bool = RESUME,
    overwrite: bool = OVERWRITE,
    entity_text: bool = ENTITY_TEXT,
    spans_key: Optional[str] = SPANS_KEY,
    show_text: bool = SHOW_TEXT,
    summary_path: Optional[Path] = SUMMARY,
    code: Optional[Path] = CODE,
    progress: bool = PROGRESS,
    deid: bool = typer.Option(False, "--deid", help="Write de-identified text (medllm_deid is added if the pipeline lacks it) with the annotations mapped onto it"),
    strategy: Optional[str] = typer.Option(None, "--strategy", help="With --deid: mask | surrogate | hash (default: the component's)"),
):
    """Annotate many notes with a spaCy pipeline, surviving bad notes and interruptions.

    Entity offsets are character offsets into each note's original text (as decoded, nothing
    altered), or into the de-identified text with --deid; a record never holds note text unless
    --entity-text or --deid is given.
    """
    def get_nlp():
        nlp = load_pipeline(model, code)
        if deid:
            from .deid import ensure_deid

            ensure_deid(nlp, strategy=strategy)
        return nlp

    run_annotate(get_nlp, inputs, output, entity_text=entity_text, spans_key=spans_key, deid=deid,
                 **shared_options(locals()))
