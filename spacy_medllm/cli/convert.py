import json
from pathlib import Path
from typing import Optional

import typer

from .app import app


@app.command("convert")
def convert_cli(
    input_path: Path = typer.Argument(..., help="File or folder to read"),
    output_path: Path = typer.Argument(..., help="Output .spacy file"),
    fmt: str = typer.Option(..., "--format", "-f", help="conll | iob | pubtator | brat | i2b2 | jsonl"),
    lang: str = typer.Option("en", "--lang", help="Language of the tokenizer"),
    n_sents: int = typer.Option(1, "--n-sents", help="CoNLL: sentences per doc"),
    label_map: Optional[str] = typer.Option(None, "--label-map", help="PubTator: 'SpecificDisease=Disease,Modifier=Disease'"),
    alignment: str = typer.Option("strict", "--alignment", help="strict | expand | contract: spans off token boundaries"),
    stats_path: Optional[Path] = typer.Option(None, "--stats", help="Write conversion counts as JSON here"),
    max_skipped: float = typer.Option(1.0, "--max-skipped", help="Fail if more than this share of spans is skipped"),
):
    """Convert an annotated corpus to spaCy's binary format, reporting every skipped span."""
    from ..convert import convert

    options = {}
    if fmt in ("conll", "iob"):
        options["n_sents"] = n_sents
    elif alignment != "strict":
        options["alignment_mode"] = alignment
    if label_map:
        if fmt != "pubtator":
            raise typer.BadParameter("--label-map applies to --format pubtator only")
        options["label_map"] = dict(pair.split("=", 1) for pair in label_map.split(","))
    try:
        stats = convert(input_path, output_path, fmt, lang=lang, **options)
    except (ValueError, FileNotFoundError) as err:
        typer.secho(f"Error: {err}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"{output_path}: {stats.summary()}", err=True)
    if stats_path:
        stats_path.parent.mkdir(parents=True, exist_ok=True)
        stats_path.write_text(json.dumps(stats.to_dict(), indent=2), encoding="utf8")
    total = stats.entities + stats.n_skipped
    if total and stats.n_skipped / total > max_skipped:
        typer.secho(
            f"Error: {stats.n_skipped} of {total} spans skipped, above --max-skipped {max_skipped}",
            fg="red", err=True,
        )
        raise typer.Exit(1)
