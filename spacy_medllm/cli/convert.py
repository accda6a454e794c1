import json
from pathlib import Path
from typing import List, Optional

import typer

from ._util import fail
from .app import app


@app.command("convert")
def convert_cli(
    input_path: Path = typer.Argument(..., help="File or folder to read"),
    output_path: Path = typer.Argument(..., help="Output .spacy file"),
    fmt: str = typer.Option(..., "--format", "-f", help="conll | iob | pubtator | brat | i2b2 | jsonl | textcat-csv | textcat-jsonl"),
    lang: str = typer.Option("en", "--lang", help="Language of the tokenizer"),
    n_sents: int = typer.Option(1, "--n-sents", help="CoNLL: sentences per doc"),
    label_map: Optional[str] = typer.Option(None, "--label-map", help="PubTator: 'SpecificDisease=Disease,Modifier=Disease'"),
    alignment: str = typer.Option("strict", "--alignment", help="strict | expand | contract: spans off token boundaries"),
    stats_path: Optional[Path] = typer.Option(None, "--stats", help="Write conversion counts as JSON here"),
    max_skipped: float = typer.Option(1.0, "--max-skipped", help="Fail if more than this share of spans is skipped"),
    text_column: str = typer.Option("text", "--text-column", help="textcat-csv/-jsonl: column holding the text"),
    label_columns: List[str] = typer.Option(["label"], "--label-column", help="textcat-csv/-jsonl: label column (repeat for several)"),
    labels: Optional[str] = typer.Option(None, "--labels", help="textcat-csv/-jsonl: comma-separated label set; others are errors"),
    label_separator: Optional[str] = typer.Option(None, "--label-separator", help="textcat-csv/-jsonl: split a label cell on this"),
    multi_label: bool = typer.Option(False, "--multi-label", help="textcat-csv/-jsonl: allow several labels per row"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="textcat-csv/-jsonl: skip and count bad rows instead of failing"),
):
    """Convert an annotated corpus to spaCy's binary format, reporting every skipped span."""
    from ..convert import convert

    options = {}
    if fmt.startswith("textcat-"):
        options = {
            "text_column": text_column, "label_columns": label_columns, "multi_label": multi_label,
            "label_separator": label_separator, "skip_invalid": skip_invalid,
            "labels": [x.strip() for x in labels.split(",")] if labels else None,
        }
    elif fmt in ("conll", "iob"):
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
        fail(str(err))
    if fmt.startswith("textcat-"):
        skipped = ", ".join(f"{n} {r}" for r, n in sorted(stats.skipped.items()))
        typer.echo(f"{output_path}: {stats.docs} docs; skipped {stats.n_skipped} rows" + (f" ({skipped})" if skipped else ""), err=True)
    else:
        typer.echo(f"{output_path}: {stats.summary()}", err=True)
    if stats_path:
        stats_path.parent.mkdir(parents=True, exist_ok=True)
        stats_path.write_text(json.dumps(stats.to_dict(), indent=2), encoding="utf8")
    total = (stats.docs if fmt.startswith("textcat-") else stats.entities) + stats.n_skipped
    if total and stats.n_skipped / total > max_skipped:
        fail(f"{stats.n_skipped} of {total} spans skipped, above --max-skipped {max_skipped}")
