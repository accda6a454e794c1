"""``medllm corpus``: a public NER corpus, or the clinical training mix, as .spacy files."""
import json
from pathlib import Path
from typing import Optional

import typer

from ._util import fail
from .app import app


@app.command("corpus")
def corpus_cli(
    name: str = typer.Argument(..., help="ncbi | bc5cdr | bc5cdr_chem | bc5cdr_disease | clinical"),
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
    seed: int = typer.Option(0, "--seed"),
):
    """Convert a public NER corpus by name (its file layout is known), or build the clinical mix:
    the sample notes plus BC5CDR and NCBI disease mapped onto the clinical labels."""
    if name == "clinical":
        from ..corpora.clinical import ClinicalCorpusError, build_clinical_corpus

        if sample_dir is None:
            fail("corpus clinical: --sample-dir (the converted sample, e.g. corpus/sample) is required")
        try:
            stats = build_clinical_corpus(
                sample_dir, data_dir, out_dir, sources=[s for s in sources.split(",") if s],
                sample_repeat=sample_repeat, sents_per_doc=sents_per_doc, dev_public_docs=dev_public_docs,
                missing=[s for s in missing.split(",") if s], seed=seed,
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
