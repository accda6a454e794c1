"""``medllm textcat-split``: seeded splits of the classification corpora."""
import json
from pathlib import Path

import typer

from ._util import fail
from .app import app


@app.command("textcat-split")
def textcat_split_cli(
    dataset: str = typer.Argument(..., help="mtsamples | abstracts"),
    source: Path = typer.Argument(..., help="mtsamples.csv, or the medical_abstracts_tc folder"),
    output: Path = typer.Argument(..., help="Folder for train/dev/test(.spacy), *_trunc.spacy and split.json"),
    seed: int = typer.Option(0, "--seed"),
    dev: float = typer.Option(0.15, "--dev", help="Share of the dev split"),
    test: float = typer.Option(0.15, "--test", help="Share of the test split"),
    min_train: int = typer.Option(50, "--min-train", help="mtsamples: drop specialties with fewer training notes"),
    train_max_words: int = typer.Option(0, "--train-max-words", help="Cut *_trunc notes to this many tokens (0: no cut)"),
):
    """Seeded train/dev/test splits (copies of a note stay together) written as .spacy with doc.cats."""
    from ..textcat.split import split_corpus

    if dataset not in ("mtsamples", "abstracts"):
        fail(f"dataset {dataset!r}: choose mtsamples or abstracts")
    if not source.exists():
        fail(f"{source}: not found")
    info = split_corpus(dataset, source, output, seed=seed, dev=dev, test=test, min_train=min_train,
                        train_max_words=train_max_words)
    typer.echo(json.dumps({k: info[k] for k in ("docs", "labels")}, indent=1))
