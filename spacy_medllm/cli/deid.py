"""`medllm deid`: de-identify many notes, with `medllm annotate`'s inputs, outputs and --resume."""
import os
from pathlib import Path
from typing import List, Optional

import typer

from .annotate import (BATCH_SIZE, CODE, ERRORS, FALLBACK, FORMAT, GLOB, ID_FIELD, INPUT_FMT, MAX_CHARS, N_PROCESS,
                       OVERWRITE, PROGRESS, RESUME, SHOW_TEXT, SUMMARY, TEXT_FIELD, run_annotate,
                       shared_options)
from ._util import fail, load_pipeline
from .app import app


def ensure_deid(nlp, *, strategy: Optional[str] = None, labels: Optional[List[str]] = None):
    """The pipeline's medllm_deid (added last if missing), with the strategy asked for."""
    names = [name for name, pipe in nlp.pipeline if pipe.__class__.__name__ == "Deidentifier"]
    if names:
        deid = nlp.get_pipe(names[0])
        if labels:
            raise typer.BadParameter("--labels applies only when the pipeline has no medllm_deid of its own")
    else:
        deid = nlp.add_pipe("medllm_deid", config={"labels": labels} if labels else {})
    if strategy:
        try:
            deid.set_strategy(strategy)
        except ValueError as err:
            raise typer.BadParameter(str(err))
    require_salt(deid)
    return deid


def require_salt(deid) -> None:
    """Batch runs need one salt: a per-process one would give other surrogates in each worker and run."""
    env = deid.cfg["salt_env"]
    if deid.cfg["strategy"] != "mask" and deid._salt is None and not os.environ.get(env):
        raise typer.BadParameter(
            f"strategy {deid.cfg['strategy']!r} needs a secret salt in ${env} (the same for every run of a "
            f"dataset, so that --n-process workers and --resume give the same replacements); "
            f"or use --strategy mask")


@app.command("deid")
def deid_cli(
    inputs: List[Path] = typer.Argument(..., help="Text files, folders of them, .jsonl or .csv/.tsv files, then the OUTPUT (out.jsonl, out.csv or a folder for BRAT)"),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Pipeline to run (default: a blank English pipeline with the PHI rules)"),
    strategy: str = typer.Option("mask", "--strategy", "-s", help="mask ([NAME]) | surrogate (fake values; salt from $MEDLLM_DEID_SALT) | hash"),
    labels: Optional[str] = typer.Option(None, "--labels", help="Comma-separated PHI labels to remove (default: all: NAME,DATE,AGE,LOCATION,CONTACT,ID)"),
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
    show_text: bool = SHOW_TEXT,
    summary_path: Optional[Path] = SUMMARY,
    code: Optional[Path] = CODE,
    progress: bool = PROGRESS,
):
    """De-identify notes: each record holds the text with PHI replaced and the PHI spans on it.

    JSONL records carry the de-identified `text`; a BRAT folder holds the de-identified .txt files
    with PHI (and any entities) as annotations; CSV holds the spans only. Nothing the console or the
    summary prints holds note text.
    """
    if len(inputs) < 2:
        raise typer.BadParameter("give INPUT... OUTPUT")
    *inputs, output = inputs
    label_list = [x.strip() for x in labels.split(",") if x.strip()] if labels else None

    def get_nlp():
        if model:
            nlp = load_pipeline(model, code)
        else:
            import spacy

            nlp = spacy.blank("en")
        try:
            ensure_deid(nlp, strategy=strategy, labels=label_list)
        except ValueError as err:
            raise typer.BadParameter(str(err))
        return nlp

    run_annotate(get_nlp, inputs, output, entity_text=False, spans_key=None, deid=True, **shared_options(locals()))


@app.command("deid-synth")
def deid_synth_cli(
    output: Path = typer.Argument(..., help="Folder for train.jsonl, dev.jsonl, test.jsonl"),
    n: int = typer.Option(2000, "--n", help="Notes in all (70% train, 15% dev, 15% test)"),
    seed: int = typer.Option(0, "--seed", help="Same seed, same files"),
    n_general: int = typer.Option(0, "--n-general", help="Also this many multi-locale everyday PII records "
                                  "(general_train/general_dev, training only; 0: none)"),
):
    """Write synthetic clinical notes with fake PHI and its gold offsets (for training and benchmarks)."""
    from ..deid.synth import write_splits

    if n < 3:
        raise typer.BadParameter("--n must be at least 3")
    if n_general < 0:
        raise typer.BadParameter("--n-general must not be negative")
    counts = write_splits(output, n=n, seed=seed, n_general=n_general)
    typer.echo(", ".join(f"{split} {count:,}" for split, count in counts.items()) + f" notes -> {output}", err=True)


@app.command("deid-names")
def deid_names_cli(
    output: Path = typer.Argument(..., help="JSON file for the name lists (the package's: spacy_medllm/deid/resources/names.json)"),
    corpora: List[Path] = typer.Argument(..., help="Notes whose lower-case words are common words (.spacy, or any text/CSV/JSONL file)"),
    min_count: int = typer.Option(2, "--min-count", help="A word written in lower case this often is a common word"),
    text_field: str = typer.Option("text", "--text-field", help="The note text's column (CSV/TSV) or field (JSONL); comma-separated: the first a file has"),
):
    """Write the name lists of the PHI name rules: faker's names of every locale, less the words these
    notes write in lower case, and the known words (English and the notes' own) that are no name."""
    from ..deid.names import write_name_lists

    if min_count < 1:
        raise typer.BadParameter("--min-count must be at least 1")
    try:
        counts = write_name_lists(output, corpora, min_count, text_field)
    except (ValueError, ImportError) as err:
        raise typer.BadParameter(str(err))
    typer.echo(f"{counts['given']:,} given names, {counts['common']:,} common words ({counts['surnames']:,} also surnames), "
               f"{counts['known']:,} other known words ({counts['capitalized_surnames']:,} surnames written only capitalized), "
               f"{counts['countries']:,} countries -> {output}", err=True)


@app.command("deid-train-head")
def deid_train_head_cli(
    pipeline: Path = typer.Argument(..., help="Trained pipeline with a transformer (the clinical one: the head shares its pass)"),
    train: Path = typer.Argument(..., help="Training .spacy from `medllm deid-corpus`"),
    dev: Path = typer.Argument(..., help="Dev .spacy, picks the epoch to keep (span F)"),
    output: Path = typer.Argument(..., help="Folder for model-best, model-last and head_log.jsonl"),
    epochs: int = typer.Option(20, "--epochs"),
    batch_size: int = typer.Option(16, "--batch-size"),
    learn_rate: float = typer.Option(0.001, "--learn-rate"),
    threshold: float = typer.Option(0.5, "--threshold", help="medllm_deid keeps head spans scoring at least this"),
    seed: int = typer.Option(0, "--seed"),
    clinical_vocab: List[Path] = typer.Option([], "--clinical-vocab", help="A .spacy corpus of clinical text (repeatable): "
                                              "head spans made only of the words it writes in lower case are dropped"),
    averages: bool = typer.Option(False, "--averages/--no-averages", help="Score and keep the running average of the "
                                  "head's weights, as spacy train does"),
):
    """Train the PHI head on the pipeline's frozen encoder (cached outputs) and join it to medllm_deid."""
    from ..deid.head_training import train_deid_head

    for path in (pipeline, train, dev, *clinical_vocab):
        if not path.exists():
            fail(f"{path}: not found")
    try:
        best = train_deid_head(pipeline, train, dev, output, epochs=epochs, batch_size=batch_size,
                               learn_rate=learn_rate, seed=seed, threshold=threshold, clinical_vocab_from=clinical_vocab,
                               averages=averages)
    except ValueError as err:  # no transformer to listen to, no examples, medllm_deid before the head
        fail(f"{pipeline}: {err}")
    typer.echo(f"best dev span F {best:.3f}; saved {output / 'model-best'}", err=True)


@app.command("deid-corpus")
def deid_corpus_cli(
    synth_dir: Path = typer.Argument(..., help="Folder written by `medllm deid-synth`"),
    presidio: Path = typer.Argument(..., help="presidio_synth_v2's synth_dataset_v2.json"),
    output: Path = typer.Argument(..., help="Folder for train.spacy and dev.spacy"),
    seed: int = typer.Option(0, "--seed", help="Seed of the presidio 60/20/20 split (the benchmark uses 0)"),
    spans_key: str = typer.Option("phi_model", "--spans-key", help="Span group the PHI head learns"),
    dev_max: int = typer.Option(0, "--dev-max", help="At most this many dev texts, shared evenly by the sources (0: all)"),
    negatives: Optional[Path] = typer.Option(None, "--negatives", help="A .spacy of PHI-free clinical text (e.g. "
                                             "MACCROBAT case reports) cut into training texts with no PHI"),
    negatives_max: int = typer.Option(500, "--negatives-max", help="At most this many texts from --negatives"),
):
    """Training data for the PHI head: synthetic notes plus the presidio train split (DocBins)."""
    from ..deid.corpus import write_corpus

    for path in (synth_dir / "train.jsonl", presidio, *([negatives] if negatives else [])):
        if not path.exists():
            fail(f"{path} not found")
    counts = write_corpus(output, synth_dir, presidio, seed=seed, spans_key=spans_key, dev_max=dev_max,
                          negatives=negatives, negatives_max=negatives_max)
    typer.echo(", ".join(f"{k} {v:,}" for k, v in counts.items()) + f" docs -> {output}", err=True)
