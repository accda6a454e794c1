from pathlib import Path
from typing import List, Optional

import typer

from ._util import fail, load_pipeline
from .app import app


@app.command("evaluate-assertion")
def evaluate_assertion_cli(
    model: str = typer.Argument(..., help="Pipeline name or path; 'rules' for a blank English pipeline with medllm_context"),
    data: Path = typer.Argument(..., help="Gold data: NegEx TSV, or a corpus with assertion labels"),
    output: Path = typer.Option(..., "--output", "-o", help="Metrics JSON to write"),
    fmt: str = typer.Option("negex", "--format", "-f", help="negex | jsonl | bioscope | i2b2 | spacy"),
    batch_size: int = typer.Option(64, "--batch-size"),
):
    """Per-category precision/recall/F1 of any pipeline's assertion output, with the entities given."""
    import srsly

    from ..assertion.flag_scores import evaluate_corpus, evaluate_negex, format_table
    from ..files import atomic_write_text

    if not data.exists():
        fail(f"{data}: file not found")
    nlp = load_pipeline(model, allow_rules=True)
    if fmt == "negex":
        result = evaluate_negex(nlp, data, batch_size=batch_size)
    else:
        result = evaluate_corpus(nlp, data, fmt, batch_size=batch_size)
    result["model"] = model
    result["data"] = str(data)
    atomic_write_text(output, srsly.json_dumps(result, indent=2))
    typer.echo(format_table(result))
    if result.get("skipped"):
        typer.echo(f"skipped: {result['skipped']}")
    typer.echo(f"Wrote {output}")


@app.command("assertion-data")
def assertion_data_cli(
    data_dir: Path = typer.Argument(..., help="Folder with bioscope/, mtsamples/ and ncbi_disease/ (public layouts)"),
    out_dir: Path = typer.Argument(..., help="Folder for train.spacy, dev.spacy and stats.json"),
    sample_dir: Path = typer.Option(Path("assets/sample"), "--sample-dir", help="The sample's train/dev .jsonl"),
    bioscope_max: int = typer.Option(3000, "--bioscope-max", help="BioScope sentences kept"),
    silver_max: int = typer.Option(3000, "--silver-max", help="Silver MTSamples sentences kept"),
    phrase_max: int = typer.Option(1500, "--phrase-max", help="Phrase variants of silver findings (0: none)"),
    cue_max: int = typer.Option(0, "--cue-max", help="Cue variants of silver findings (0: none)"),
    run_max: int = typer.Option(0, "--run-max", help="Runs of 2-3 silver sentences as one unit (0: none)"),
    seed: int = typer.Option(0, "--seed"),
    ner_model: str = typer.Option("", "--ner-model", help="Find silver entities with this pipeline instead of the term list"),
    ner_labels: Optional[List[str]] = typer.Option(None, "--ner-labels", help="With --ner-model: keep this entity label (repeat)"),
    maccrobat: str = typer.Option("", "--maccrobat", help="A `medllm corpus maccrobat` folder: its gold POLARITY sentences join train and dev (\"\": none)"),
    maccrobat_repeat: int = typer.Option(1, "--maccrobat-repeat", help="Copies of the MACCROBAT train sentences"),
):
    """Assertion training data: sample notes (gold), BioScope scopes (derived), MTSamples findings
    labelled by medllm_context (silver) and their variants, MACCROBAT polarity (clinical gold).
    No NegEx row: it stays an evaluation set."""
    from ..assertion.training_data import build_assertion_data

    for part in (data_dir, sample_dir):
        if not part.exists():
            fail(f"{part}: folder not found")
    if maccrobat:
        for split in ("train", "dev"):
            if not (Path(maccrobat) / f"{split}.spacy").exists():
                fail(f"{Path(maccrobat) / f'{split}.spacy'} not found (run `medllm corpus maccrobat` first)")
    if maccrobat_repeat < 1:
        fail("--maccrobat-repeat must be at least 1")
    result = build_assertion_data(
        data_dir, out_dir, sample_dir=sample_dir, bioscope_max=bioscope_max, silver_max=silver_max,
        phrase_max=phrase_max, cue_max=cue_max, run_max=run_max, seed=seed, ner_model=ner_model or None,
        ner_labels=ner_labels or None, maccrobat_dir=Path(maccrobat) if maccrobat else None,
        maccrobat_repeat=maccrobat_repeat,
    )
    typer.echo(result["counts"])
    typer.echo(result["labels"])


@app.command("assertion-train-head")
def assertion_train_head_cli(
    pipeline: Path = typer.Argument(..., help="Trained pipeline with a transformer (a medllm_assertion head is added, on the frozen encoder, if it has none)"),
    train: Path = typer.Argument(..., help="Training .spacy (entities and assertion spans)"),
    dev: Path = typer.Argument(..., help="Dev .spacy, picks the epoch to keep (macro F1)"),
    output: Path = typer.Argument(..., help="Folder for model-best, model-last and head_log.jsonl"),
    epochs: int = typer.Option(20, "--epochs"),
    batch_size: int = typer.Option(32, "--batch-size"),
    learn_rate: float = typer.Option(0.001, "--learn-rate"),
    seed: int = typer.Option(0, "--seed"),
):
    """Train only medllm_assertion's head, on cached outputs of the frozen encoder (minutes, not hours)."""
    from ..assertion.head_training import train_assertion_head

    for path in (pipeline, train, dev):
        if not path.exists():
            fail(f"{path}: not found")
    try:
        best = train_assertion_head(pipeline, train, dev, output, epochs=epochs, batch_size=batch_size,
                                    learn_rate=learn_rate, seed=seed)
    except ValueError as err:  # no transformer to listen to, no examples
        fail(f"{pipeline}: {err}")
    typer.echo(f"best dev macro F1 {best:.3f}; saved {output / 'model-best'}")
