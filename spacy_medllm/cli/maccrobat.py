from pathlib import Path

import typer

from .app import app


@app.command("maccrobat-corpus")
def maccrobat_corpus_cli(
    brat_dir: Path = typer.Argument(..., help="Folder of MACCROBAT2020 ID.txt + ID.ann pairs"),
    out_dir: Path = typer.Argument(..., help="Writes train.spacy, dev.spacy and stats.json here"),
    dev_docs: int = typer.Option(30, "--dev-docs", help="Reports in the dev split (by a seeded hash of the report id)"),
    seed: int = typer.Option(0, "--seed"),
):
    """MACCROBAT in the clinical labels (PROBLEM/TEST/TREATMENT) with POLARITY as assertion, split by report."""
    from ..corpora.errors import CorpusFormatError
    from ..corpora.maccrobat import build_corpus

    if not brat_dir.is_dir():
        typer.secho(f"Error: {brat_dir}: folder not found", fg="red", err=True)
        raise typer.Exit(1)
    try:
        result = build_corpus(brat_dir, out_dir, n_dev=dev_docs, seed=seed)
    except (CorpusFormatError, ValueError) as err:
        typer.secho(f"Error: {err}", fg="red", err=True)
        raise typer.Exit(1)
    for split in ("train", "dev"):
        s = result[split]
        typer.echo(f"{split}: {s['docs']} reports, {s['words']} words, entities {s['entities']}")
    skipped = result["conversion"]["skipped"]
    typer.echo("not entities: " + ", ".join(f"{n} {r}" for r, n in sorted(skipped.items()) if not r.startswith("type not mapped")))
    typer.echo(f"Wrote {out_dir}/train.spacy, dev.spacy, stats.json")
