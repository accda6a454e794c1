"""`medllm translate-*` commands: data preparation, pipeline assembly, evaluation, HTML view."""
import json
from pathlib import Path
from typing import List, Optional

import typer

from ._util import fail, load_pipeline
from .app import app


@app.command("translate-data")
def translate_data_cli(
    data_dir: Path = typer.Argument(..., help="Folder of line-aligned *.en / *.fr files"),
    output_dir: Path = typer.Argument(..., help="Where train/dev/test/sample_test .jsonl and stats.json go"),
    sample_dir: Optional[Path] = typer.Option(None, "--sample-dir", help="Sample JSONL with meta.translations"),
    test_files: List[str] = typer.Option(["medline19_en2fr"], "--test-file", help="Held-out test file stem(s)"),
    dev_files: List[str] = typer.Option(["medline18_en2fr"], "--dev-file", help="Dev file stem(s), for checkpoint choice"),
    max_ratio: float = typer.Option(2.0, "--max-ratio", help="Drop pairs whose smoothed length ratio exceeds this"),
    placeholder_rate: float = typer.Option(0.5, "--placeholder-rate", help="Share of pairs also added with placeholders"),
    seed: int = typer.Option(0, "--seed"),
):
    """Filter misaligned pairs, hold out whole files, write the corpus and what was dropped."""
    from ..translation.parallel import prepare

    stats = prepare(data_dir, sample_dir, output_dir, test_files=test_files, dev_files=dev_files,
                    max_ratio=max_ratio, placeholder_rate=placeholder_rate, seed=seed)
    typer.echo(f"train {stats['train_pairs']} / dev {stats['dev_pairs']} / test {stats['test_pairs']} pairs; "
               f"dropped {stats['dropped_total']} misaligned or empty; "
               f"{stats['train_dropped_overlap_with_heldout']} overlapping held-out, "
               f"{stats['train_dropped_duplicates']} duplicates")


@app.command("translate-pipeline")
def translate_pipeline_cli(
    model_dir: Path = typer.Argument(..., help="A Hugging Face seq2seq checkpoint folder"),
    output: Path = typer.Argument(..., help="spaCy pipeline folder to write (model stored inside)"),
    glossary: Optional[Path] = typer.Option(None, "--glossary", help="TSV or JSON glossary, stored in the pipeline"),
    beam_size: int = typer.Option(1, "--beam-size"),
    lang: str = typer.Option("en", "--lang", help="Source language of the blank pipeline"),
    src_lang_code: Optional[str] = typer.Option(None, "--src-lang-code", help="e.g. eng_Latn (NLLB), en (M2M-100)"),
    tgt_lang_code: Optional[str] = typer.Option(None, "--tgt-lang-code", help="e.g. fra_Latn (NLLB), fr (M2M-100)"),
):
    """Wrap a checkpoint (the project's or a user-named one) in a pipeline that `spacy.load` brings back."""
    from ..translation.pipeline import build_pipeline

    nlp = build_pipeline(str(model_dir), glossary=str(glossary) if glossary else None, beam_size=beam_size, lang=lang,
                         src_lang_code=src_lang_code, tgt_lang_code=tgt_lang_code)
    nlp.to_disk(output)
    typer.echo(f"wrote {output}")


@app.command("translate-evaluate")
def translate_evaluate_cli(
    pipeline: str = typer.Argument(..., help="Pipeline (name or path) with medllm_translator"),
    test: Path = typer.Argument(..., help="JSONL of {'src','tgt'} pairs"),
    output: Path = typer.Option(..., "--output", "-o"),
    beam_size: Optional[int] = typer.Option(None, "--beam-size", help="Override the pipeline's beam size"),
    raw: bool = typer.Option(False, "--raw", help="No number protection and no glossary: the bare model"),
    no_repeat_ngram_size: Optional[int] = typer.Option(None, "--no-repeat-ngram-size", help="Override the pipeline's"),
):
    """BLEU and chrF (nltk; sacrebleu too when installed) of the pipeline and of copying the source."""
    from ..files import atomic_write_text
    from ..translation.reports import bleu_report
    from ..translation.glossary import Glossary
    from ..translation.training import read_jsonl_pairs

    nlp = load_pipeline(pipeline)
    translator = nlp.get_pipe("medllm_translator")
    if beam_size is not None:
        translator.beam_size = translator.backend.beam_size = beam_size
    if no_repeat_ngram_size is not None:
        translator.no_repeat_ngram_size = translator.backend.no_repeat_ngram_size = no_repeat_ngram_size
    if raw:
        translator.protect_numbers = False
        translator.glossary = Glossary()
    report, _ = bleu_report(nlp, read_jsonl_pairs(test))
    report.update({"pipeline": pipeline, "test": str(test), "beam_size": translator.beam_size, "raw": raw,
                   "no_repeat_ngram_size": translator.no_repeat_ngram_size})
    atomic_write_text(output, json.dumps(report, indent=2))
    t, c = report["translator"], report["copy_source"]
    typer.echo(f"{test}: BLEU {t['bleu']:.2f} chrF {t['chrf']:.2f} | copy BLEU {c['bleu']:.2f} chrF {c['chrf']:.2f} "
               f"| {report['sentences']} sentences in {report['seconds']:.0f}s")


@app.command("translate-protection")
def translate_protection_cli(
    pipeline: str = typer.Argument(..., help="Pipeline (name or path) with medllm_translator"),
    inputs: List[Path] = typer.Argument(..., help="JSONL files: {'text', 'drugs': [...]} or {'src', ...}"),
    output: Path = typer.Option(..., "--output", "-o"),
):
    """Share of numbers, doses, dates, glossary terms and DRUG entities that reach the output exactly."""
    from ..files import atomic_write_text
    from ..translation.reports import protection_report, read_records

    nlp = load_pipeline(pipeline)
    result = {"pipeline": pipeline}
    for path in inputs:
        result[path.stem] = protection_report(nlp, read_records(path))
        r = result[path.stem]
        typer.echo(f"{path}: {r['exact_in_output']}/{r['items']} protected items exact "
                   f"({100 * (r['share'] or 0):.1f}%), placeholders missing {r['placeholder_stats']['missing']}"
                   f"/{r['placeholder_stats']['placeholders']}, fallback sentences {r['sentences_recovered_by_fallback']}")
    atomic_write_text(output, json.dumps(result, indent=2))


@app.command("translate-html")
def translate_html_cli(
    pipeline: str = typer.Argument(..., help="Pipeline (name or path) with medllm_translator"),
    input_path: Path = typer.Argument(..., help="A text file (one document) or JSONL with 'text' per line"),
    output: Path = typer.Option(..., "--output", "-o"),
    drugs: bool = typer.Option(True, "--drugs/--no-drugs", help="Mark the JSONL 'drugs' names as DRUG entities"),
):
    """Side-by-side source/translation HTML with aligned entities and protected items highlighted."""
    from ..files import atomic_write_text
    from ..translation.html import render_side_by_side

    nlp = load_pipeline(pipeline)
    if input_path.suffix == ".jsonl":
        from ..translation.reports import read_records

        docs = []
        for rec in read_records(input_path):
            doc = nlp.make_doc(rec["text"])
            if drugs:
                spans = [doc.char_span(i, i + len(n), label="DRUG") for n in rec["drugs"]
                         for i in [rec["text"].find(n)] if i >= 0]
                doc.ents = [s for s in spans if s is not None]
            docs.append(doc)
        docs = list(nlp.pipe(docs))
    else:
        docs = [nlp(input_path.read_text(encoding="utf8"))]
    atomic_write_text(output, render_side_by_side(docs, title=f"Translation: {input_path.name}"))
    typer.echo(f"wrote {output}")


@app.command("translate-train")
def translate_train_cli(
    corpus_dir: Path = typer.Argument(..., help="Folder with train.jsonl and dev.jsonl (from translate-data)"),
    output_dir: Path = typer.Argument(..., help="Folder for the tokenizer, checkpoints, model-best and summary.json"),
    max_minutes: float = typer.Option(40.0, "--max-minutes", help="Stop after this long; the best checkpoint is kept"),
    max_epochs: int = typer.Option(200, "--max-epochs"),
    vocab_size: int = typer.Option(8000, "--vocab-size"),
    d_model: int = typer.Option(192, "--d-model"),
    layers: int = typer.Option(3, "--layers"),
    heads: int = typer.Option(4, "--heads"),
    ffn: int = typer.Option(768, "--ffn"),
    dropout: float = typer.Option(0.1, "--dropout"),
    max_tokens: int = typer.Option(3000, "--max-tokens", help="Tokens per batch"),
    learn_rate: float = typer.Option(1e-3, "--learn-rate"),
    warmup: int = typer.Option(300, "--warmup"),
    label_smoothing: float = typer.Option(0.1, "--label-smoothing"),
    threads: int = typer.Option(1, "--threads", help="Torch threads (1: a shared CPU)"),
    seed: int = typer.Option(0, "--seed"),
    init_checkpoint: Optional[str] = typer.Option(None, "--init-checkpoint", help="Fine-tune this local seq2seq checkpoint instead"),
):
    """Train a BPE tokenizer and a small Marian model from scratch (time-capped, best checkpoint kept)."""
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from ..translation.training import train

    for name in ("train.jsonl", "dev.jsonl"):
        if not (corpus_dir / name).exists():
            fail(f"{corpus_dir / name}: not found (run `medllm translate-data` first)")
    summary = train(
        f"{corpus_dir}/train.jsonl", f"{corpus_dir}/dev.jsonl", str(output_dir), vocab_size=vocab_size,
        d_model=d_model, layers=layers, heads=heads, ffn=ffn, dropout=dropout, max_minutes=max_minutes,
        max_epochs=max_epochs, max_tokens=max_tokens, learn_rate=learn_rate, warmup=warmup,
        label_smoothing=label_smoothing, seed=seed, threads=threads, init_checkpoint=init_checkpoint,
    )
    typer.echo(json.dumps(summary, indent=2))
