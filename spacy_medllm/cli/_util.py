"""Shared pieces of the ``medllm`` commands: one way to fail, one way to load a pipeline."""
from __future__ import annotations

from pathlib import Path
from typing import NoReturn, Optional

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``Error: message`` in red on stderr and exit with ``code``. Messages name the file,
    line or field, never note text."""
    typer.secho(f"Error: {message}", fg="red", err=True)
    raise typer.Exit(code)


def load_pipeline(model: str, code: Optional[Path] = None, *, allow_rules: bool = False):
    """A pipeline by package name or path; ``code`` files are imported first (custom components).
    With ``allow_rules``, ``rules`` is a blank English pipeline with ``medllm_context`` (the rule
    assertion needs no trained model). A pipeline that does not load is a clean error."""
    import spacy
    from spacy.util import import_file

    if code is not None:
        import_file("medllm_user_code", code)
    if allow_rules and model == "rules":
        nlp = spacy.blank("en")
        nlp.add_pipe("medllm_context")
        return nlp
    from ..optimize.runtime import FastPathUnavailable  # an optimized pipeline without onnxruntime

    try:
        return spacy.load(model)
    except (OSError, IOError, FastPathUnavailable) as err:
        fail(f"cannot load the pipeline {model!r}: {err}")


def report_summary(summary, path: Optional[Path] = None) -> None:
    """Print a run's summary lines on stderr (counts only, never note text) and, if asked, save it as
    JSON atomically: `medllm annotate`, `medllm deid` and `medllm spark-annotate` end the same way."""
    import json
    import sys

    from ..files import atomic_write_text

    for line in summary.lines():
        typer.echo(line, err=True)
    if path:
        atomic_write_text(path, json.dumps(summary.to_dict(), indent=2))
    sys.stderr.flush()
