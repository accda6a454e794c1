"""`medllm spark-annotate`: the packaged pipeline over a table of notes on Apache Spark."""
from pathlib import Path
from typing import List, Optional

import typer

from ._util import fail, report_summary
from .app import app


def parse_conf(items: List[str]) -> dict:
    conf = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--conf takes KEY=VALUE, not {item!r}")
        conf[key] = value
    return conf


@app.command("spark-annotate")
def spark_annotate_cli(
    input_path: str = typer.Argument(..., help="Parquet/CSV/JSONL file or folder (local, HDFS, S3...), or a folder of .txt notes with --input-format text"),
    output: str = typer.Argument(..., help="Parquet output folder"),
    model: str = typer.Option(..., "--model", "-m", help="Installed pipeline package, pipeline folder every executor can read, or the name of an archive shipped with --archives"),
    master: Optional[str] = typer.Option(None, "--master", help="Spark master, e.g. local[2] (default: spark-submit's, else local[*])"),
    text_col: str = typer.Option("text", "--text-column", help="Column holding the note text"),
    id_col: str = typer.Option("id", "--id-column", help="Column holding the note id (unique)"),
    input_format: str = typer.Option("parquet", "--input-format", help="parquet | csv | jsonl | text (a folder of .txt files, id = relative path)"),
    level: str = typer.Option("note", "--level", help="note: one row per note; entity: one row per entity"),
    resume: bool = typer.Option(False, "--resume", help="Annotate only ids not already in OUTPUT and append"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing OUTPUT"),
    batch_size: int = typer.Option(64, "--batch-size", "-b", help="Notes per nlp.pipe batch on a worker"),
    max_chars: int = typer.Option(100_000, "--max-chars", help="Longer notes get an error row, not annotations"),
    entity_text: bool = typer.Option(False, "--entity-text", help="Write each entity's text into the output"),
    partitions: Optional[int] = typer.Option(None, "--partitions", help="Repartition the input into N tasks (default: 2 x cores when the input has fewer)"),
    chunks: int = typer.Option(1, "--chunks", help="Write in N jobs committed one by one (by id hash): a crash loses at most one chunk"),
    threads: Optional[int] = typer.Option(None, "--threads", help="torch threads per Python worker (default: spark.task.cpus)"),
    code: Optional[Path] = typer.Option(None, "--code", help="Python file with custom components, shipped to the workers"),
    conf: List[str] = typer.Option([], "--conf", help="Extra Spark setting KEY=VALUE (repeatable)"),
    summary_path: Optional[Path] = typer.Option(None, "--summary", help="Write the run's summary as JSON here"),
):
    """Annotate a table of notes on Spark into Parquet, one row per note (or entity); bad notes get an
    `error` row, never fail the job. Schemas: docs/spark.md. No note text is printed."""
    from ..spark.session import SparkUnavailable, get_session

    if level not in ("note", "entity"):
        raise typer.BadParameter("--level is note or entity")
    if batch_size < 1 or max_chars < 1 or chunks < 1 or (partitions is not None and partitions < 1):
        raise typer.BadParameter("--batch-size, --max-chars, --chunks and --partitions must be positive")
    try:
        spark = get_session(master, parse_conf(conf), app_name="medllm spark-annotate")
    except SparkUnavailable as err:
        fail(str(err))
    from ..spark.job import JobError, run_job

    code_name = None
    if code is not None:
        if not code.is_file():
            fail(f"--code {code}: no such file")
        spark.sparkContext.addFile(str(code.resolve()))
        code_name = str(code.resolve()) if spark.sparkContext.master.startswith("local") else code.name
    try:
        summary = run_job(spark, input_path, output, model, input_format=input_format, text_col=text_col, id_col=id_col,
                          level=level, resume=resume, overwrite=overwrite, batch_size=batch_size, max_chars=max_chars,
                          entity_text=entity_text, code=code_name, threads=threads, partitions=partitions,
                          chunks=chunks, log=lambda m: typer.echo(m, err=True))
    except JobError as err:
        fail(str(err))
    report_summary(summary, summary_path)
