"""``medllm textcat-split`` (seeded splits of the classification corpora) and ``medllm textcat-train-head``."""
import json
from pathlib import Path
from typing import Optional

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


@app.command("textcat-train-head")
def textcat_train_head_cli(
    train: Path = typer.Argument(..., help="Training .spacy with doc.cats (whole notes: `medllm textcat-split` train.spacy)"),
    dev: Path = typer.Argument(..., help="Dev .spacy: thresholds are tuned on it after each epoch, and its tuned macro-F1 picks the epoch"),
    output: Path = typer.Argument(..., help="Folder for model-best, model-last and head_log.jsonl"),
    pipeline: Optional[Path] = typer.Option(None, "--pipeline", help="Trained pipeline whose transformer the classifier joins"),
    base_model: Optional[str] = typer.Option(None, "--base-model", help="Or: a pretrained encoder (name or directory) for a "
                                             "transformer + classifier pipeline"),
    multi_label: Optional[bool] = typer.Option(None, "--multi-label/--exclusive", help="Default: multi-label when some "
                                               "training doc has other than one class"),
    fragment: Optional[str] = typer.Option(None, "--fragment", help="Classifier fragment (default textcat_multilabel_fused "
                                           "or textcat_fused)"),
    name: Optional[str] = typer.Option(None, "--name", help="Component name in the pipeline (default textcat_multilabel or textcat; "
                                       "a pipeline that has one already keeps it and trains it)"),
    epochs: int = typer.Option(8, "--epochs", help="With --solver adam"),
    batch_size: int = typer.Option(16, "--batch-size"),
    learn_rate: float = typer.Option(0.01, "--learn-rate"),
    seed: int = typer.Option(0, "--seed"),
    solver: str = typer.Option("svm", "--solver", help="svm (linear weights fitted by LinearSVC, C and dense weight "
                               "chosen on dev; TextCatFused.v2 / TextCatNoteNgrams.v1) | adam (--epochs of Adam on the "
                               "component's loss; any architecture)"),
    c_grid: str = typer.Option("0.1,0.3,1,3,10", "--c-grid", help="With --solver svm: the values of C to try"),
    dense_weights: str = typer.Option("0.5,1,2", "--dense-weights", help="With --solver svm: weights of the pooled "
                                      "encoder block against the n-grams"),
    replace: bool = typer.Option(False, "--replace/--keep", help="With --pipeline: replace its component of that name "
                                 "(e.g. the classifier that fine-tuned the encoder) by a new head; --keep trains it"),
    min_df: Optional[int] = typer.Option(None, "--min-df", help="IDF weights on the note n-grams, leaving out those of "
                                         "fewer training notes (TextCatFused.v2 / TextCatNoteNgrams.v1; default: the "
                                         "fragment's, 0 = no IDF)"),
):
    """Train a whole-note classifier on cached outputs of a frozen encoder, thresholds tuned on dev and saved with it."""
    from ..textcat.head_training import SOLVERS, is_multi_label, train_textcat_head

    for path in (train, dev, *([pipeline] if pipeline else [])):
        if not path.exists():
            fail(f"{path}: not found")
    if (pipeline is None) == (base_model is None):
        fail("give --pipeline or --base-model (one of them)")
    if replace and pipeline is None:
        fail("--replace needs --pipeline (a --base-model pipeline has no classifier to replace)")
    if solver not in SOLVERS:
        fail(f"--solver {solver!r}: use {' or '.join(SOLVERS)}")
    if min_df is not None and min_df < 0:
        fail("--min-df must be 0 (no IDF) or more")
    try:
        grid = [float(x) for x in c_grid.split(",") if x.strip()]
        weights = [float(x) for x in dense_weights.split(",") if x.strip()]
    except ValueError:
        fail("--c-grid and --dense-weights take comma-separated numbers")
    if not grid or not weights or min(grid) <= 0 or min(weights) <= 0:
        fail("--c-grid and --dense-weights need at least one positive number each")
    for path in (train, dev):
        try:
            is_multi_label(path)
        except ValueError as err:  # no labelled doc
            fail(str(err))
    try:
        best = train_textcat_head(train, dev, output, pipeline=pipeline, base_model=base_model, multi_label=multi_label,
                                  fragment=fragment, name=name, epochs=epochs, batch_size=batch_size,
                                  learn_rate=learn_rate, seed=seed, solver=solver, c_grid=grid, dense_weights=weights,
                                  replace=replace, min_df=min_df)
    except ValueError as err:  # no transformer to listen to, no examples, unknown fragment
        fail(f"{pipeline or base_model}: {err}")
    typer.echo(f"best dev macro-F1 (thresholds tuned on dev) {best:.3f}; saved {output / 'model-best'}", err=True)
