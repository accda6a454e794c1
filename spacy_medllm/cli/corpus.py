"""``medllm corpus``: a public NER corpus, or the clinical training mix, as .spacy files."""
import json
from pathlib import Path
from typing import Optional

import typer

from ._util import fail
from .app import app


@app.command("corpus")
def corpus_cli(
    name: str = typer.Argument(..., help="ncbi | bc5cdr | bc5cdr_chem | bc5cdr_disease | maccrobat | clinical"),
    data_dir: Path = typer.Argument(..., help="Folder with the public corpora in their published layout"),
    out_dir: Path = typer.Argument(..., help="Folder to write train/dev/test .spacy files into"),
    sample_dir: Optional[Path] = typer.Option(None, "--sample-dir", help="clinical: the sample's train.spacy and dev.spacy"),
    sources: str = typer.Option("bc5cdr,ncbi", "--sources", help="clinical: public corpora to add (comma-separated)"),
    sample_repeat: int = typer.Option(
        3, "--sample-repeat", help="clinical: copies of each sample note in train, so note classes and TEST stay in most batches"
    ),
    sents_per_doc: int = typer.Option(10, "--sents-per-doc", help="clinical: sentences of a public corpus per training doc"),
    dev_public_docs: int = typer.Option(60, "--dev-public-docs", help="clinical: BC5CDR dev docs added to the dev split"),
    missing: str = typer.Option(
        "", "--missing", help="clinical: corpora whose tokens outside an entity are marked missing, not O (comma-separated)"
    ),
    maccrobat: str = typer.Option(
        "", "--maccrobat", help="clinical: a `medllm corpus maccrobat` output folder; its train is added, its dev is the dev split (\"\" = none)"
    ),
    maccrobat_repeat: int = typer.Option(1, "--maccrobat-repeat", help="clinical: copies of each MACCROBAT train report"),
    dev_docs: int = typer.Option(30, "--dev-docs", help="maccrobat: reports in the dev split (by a seeded hash of the report id)"),
    seed: int = typer.Option(0, "--seed"),
):
    """Convert a public NER corpus by name (its file layout is known), or build the clinical mix:
    the sample notes plus BC5CDR and NCBI disease (and MACCROBAT) mapped onto the clinical labels."""
    if name == "maccrobat":
        _maccrobat(data_dir, out_dir, dev_docs, seed)
        return
    if name == "clinical":
        from ..corpora.clinical import ClinicalCorpusError, build_clinical_corpus

        if sample_dir is None:
            fail("corpus clinical: --sample-dir (the converted sample, e.g. corpus/sample) is required")
        try:
            stats = build_clinical_corpus(
                sample_dir, data_dir, out_dir, sources=[s for s in sources.split(",") if s],
                sample_repeat=sample_repeat, sents_per_doc=sents_per_doc, dev_public_docs=dev_public_docs,
                missing=[s for s in missing.split(",") if s], maccrobat=Path(maccrobat) if maccrobat else None,
                maccrobat_repeat=maccrobat_repeat, seed=seed,
            )
        except (ClinicalCorpusError, FileNotFoundError) as err:
            fail(str(err))
        typer.echo(json.dumps({"train": stats["train"], "dev": stats["dev"]}, indent=2))
        return
    from ..corpora.public import convert_public

    try:
        convert_public(name, data_dir, out_dir, echo=typer.echo)
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))


def _maccrobat(data_dir: Path, out_dir: Path, dev_docs: int, seed: int) -> None:
    """MACCROBAT in the clinical labels (PROBLEM/TEST/TREATMENT) with POLARITY as assertion, split by report."""
    from ..corpora.errors import CorpusFormatError
    from ..corpora.maccrobat import build_corpus
    from ..corpora.public import public_path

    brat_dir = public_path(data_dir, "maccrobat", "brat")
    if not brat_dir.is_dir():
        fail(f"{brat_dir}: folder not found. Run `spacy project assets` or pass the folder holding maccrobat/brat.")
    try:
        result = build_corpus(brat_dir, out_dir, n_dev=dev_docs, seed=seed)
    except (CorpusFormatError, ValueError) as err:
        fail(str(err))
    for split in ("train", "dev"):
        s = result[split]
        typer.echo(f"{split}: {s['docs']} reports, {s['words']} words, entities {s['entities']}")
    skipped = result["conversion"]["skipped"]
    typer.echo("not entities: " + ", ".join(f"{n} {r}" for r, n in sorted(skipped.items()) if not r.startswith("type not mapped")))
    typer.echo(f"Wrote {out_dir}/train.spacy, dev.spacy, stats.json")
