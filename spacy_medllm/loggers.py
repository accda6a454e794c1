"""Training loggers."""
from pathlib import Path
from typing import Optional, Union

from spacy.util import registry


def console_logger(
    progress_bar: Optional[str] = None,
    console_output: bool = True,
    output_file: Optional[Union[str, Path]] = None,
):
    """spaCy's ConsoleLogger.v3, except that a rerun replaces the JSONL log instead of
    silently disabling it (spaCy refuses to overwrite), so curves always show the last run."""
    if output_file:
        Path(output_file).unlink(missing_ok=True)
    return registry.loggers.get("spacy.ConsoleLogger.v3")(
        progress_bar=progress_bar, console_output=console_output, output_file=output_file
    )
