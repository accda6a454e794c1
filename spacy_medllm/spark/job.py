"""The batch job behind `medllm spark-annotate`: read, skip ids already written, annotate, append Parquet.

Writes go through Spark's own output commit protocol (Parquet, FileOutputCommitter): the files of
a write job appear in OUTPUT only when the job commits, so a run killed mid-way leaves nothing of
its unfinished job behind (only `_temporary`, which readers ignore). `chunks` > 1 splits the input
by a hash of the id into that many write jobs, each committed on its own, so a crash loses at most
one chunk's work. `resume` annotates only ids not already in OUTPUT and appends.
"""
from __future__ import annotations

import time
from typing import Optional

from .schema import output_schema
from .summary import RunCounters, SparkSummary
from .udf.annotate import annotate_spark

INPUT_FORMATS = ("parquet", "csv", "jsonl", "text")


class JobError(Exception):
    """The job cannot run as asked (missing input or column, output exists, duplicate ids): says which."""


def hadoop_fs(spark, path: str):
    """(FileSystem, qualified Path) through Spark's own Hadoop configuration (local, HDFS, S3, ABFS...)."""
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, fs.makeQualified(hpath)


def read_input(spark, path: str, fmt: str, text_col: str, id_col: str):
    """The input as a DataFrame with `id_col` and `text_col`. `text`: a folder of .txt files, read
    as bytes with Spark's binaryFile source; the id is the file's path relative to the folder,
    as `medllm annotate` names it."""
    from pyspark.errors import AnalysisException

    if fmt not in INPUT_FORMATS:
        raise JobError(f"unknown --input-format {fmt!r}: use one of {', '.join(INPUT_FORMATS)}")
    fs, qualified = hadoop_fs(spark, path)
    if not fs.exists(qualified):
        raise JobError(f"{path}: no such file or folder")
    try:
        if fmt == "parquet":
            df = spark.read.parquet(path)
        elif fmt == "csv":
            df = spark.read.options(header=True, multiLine=True, escape='"').csv(path)
        elif fmt == "jsonl":
            df = spark.read.json(path)
        else:
            df = read_text_folder(spark, path, qualified.toUri().getPath(), text_col, id_col)
    except AnalysisException as err:
        raise JobError(f"{path}: cannot read it as {fmt} ({type(err).__name__})")
    for name, what in ((text_col, "--text-column"), (id_col, "--id-column")):
        if name not in df.columns:
            raise JobError(f"{path}: no column {name!r} ({what}); columns: {', '.join(df.columns) or 'none'}")
    return df


def read_text_folder(spark, path: str, root: str, text_col: str, id_col: str):
    """Every .txt file under `path` as (id, bytes). Spark's scan skips empty files, which must still
    become `empty-text` rows: the file index's listing (`inputFiles`) brings them back."""
    from urllib.parse import urlparse

    from pyspark.sql import functions as F

    files = (spark.read.format("binaryFile").option("pathGlobFilter", "*.txt")
             .option("recursiveFileLookup", "true").load(path))
    scanned = files.select(F.expr("parse_url(path, 'PATH')").alias("_path"), "content")
    listed = spark.createDataFrame([(urlparse(p).path,) for p in files.inputFiles()], "_path string")
    start = len(root.rstrip("/")) + 2  # 1-based, after "ROOT/"
    return listed.join(scanned, "_path", "left").select(
        F.expr(f"substring(_path, {start})").alias(id_col),
        F.coalesce(F.col("content"), F.lit(bytearray())).alias(text_col))


def check_unique_ids(df, id_col: str) -> None:
    """`--resume` is exact only if an id names one note: refuse duplicate ids before annotating."""
    from pyspark.sql import functions as F

    dup = df.where(F.col(id_col).isNotNull()).groupBy(id_col).count().where("count > 1")
    n = dup.count()
    if n:
        raise JobError(f"{n:,} ids occur more than once in the input (column {id_col!r}); ids must be unique")


def existing_output(spark, output: str, level: str, id_col: str, entity_text: bool):
    """(OUTPUT exists, its committed rows or None); refuses an output written with other columns."""
    fs, qualified = hadoop_fs(spark, output)
    if not fs.exists(qualified):
        return False, None
    if not has_parquet(fs, qualified):
        return True, None
    done = spark.read.parquet(output)
    expected = output_schema(level, id_col, entity_text).names
    if done.columns != expected:
        raise JobError(f"{output} holds other columns ({', '.join(done.columns)}) than --level {level} writes "
                       f"({', '.join(expected)}); cannot add to it")
    return True, done


def has_parquet(fs, qualified) -> bool:
    return any(s.getPath().getName().endswith(".parquet") for s in fs.listStatus(qualified))


def clear_aborted_job(spark, output: str) -> bool:
    """Delete OUTPUT/_temporary: what a killed job left uncommitted. FileOutputCommitter would
    otherwise fold committed-task leftovers of the dead job into the next job's commit."""
    fs, qualified = hadoop_fs(spark, output)
    temp = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(qualified, "_temporary")
    return bool(fs.exists(temp) and fs.delete(temp, True))


def run_job(spark, input_path: str, output: str, model: str, *, input_format: str = "parquet", text_col: str = "text",
            id_col: str = "id", level: str = "note", resume: bool = False, overwrite: bool = False,
            batch_size: int = 64, max_chars: int = 100_000, entity_text: bool = False, code: Optional[str] = None,
            threads: Optional[int] = None, partitions: Optional[int] = None, chunks: int = 1,
            log=print) -> SparkSummary:
    """Annotate INPUT into OUTPUT (Parquet); see `medllm spark-annotate --help`."""
    from pyspark.sql import functions as F

    if resume and overwrite:
        raise JobError("--resume and --overwrite exclude each other")
    if chunks < 1:
        raise JobError("--chunks must be at least 1")
    df = read_input(spark, input_path, input_format, text_col, id_col)
    df = df.select(F.col(id_col).cast("string").alias(id_col), text_col)
    check_unique_ids(df, id_col)
    exists, done = (False, None) if overwrite else existing_output(spark, output, level, id_col, entity_text)
    already = 0
    if exists and not (resume or overwrite):
        raise JobError(f"{output} exists: pass --resume to continue it or --overwrite to replace it")
    if resume:
        if clear_aborted_job(spark, output):
            log(f"{output}: removed _temporary left by an interrupted job (uncommitted, never visible)")
        if done is not None:
            done_ids = done.select(id_col).distinct()
            already = done_ids.where(F.col(id_col).isNotNull()).count()
            df = df.join(done_ids.where(F.col(id_col).isNotNull()), id_col, "left_anti")
            if done.where(F.col(id_col).isNull()).limit(1).count():  # rows without an id were written already
                df = df.where(F.col(id_col).isNotNull())
            log(f"{output}: resuming, {already:,} ids already done")
    sc = spark.sparkContext
    parallelism = sc.defaultParallelism
    n_parts = partitions or (2 * parallelism if df.rdd.getNumPartitions() < 2 * parallelism else None)
    if n_parts:
        df = df.repartition(n_parts)
    counters = RunCounters(sc)
    start = time.perf_counter()
    for k in range(chunks):
        part = df if chunks == 1 else df.where(F.pmod(F.xxhash64(F.col(id_col)), F.lit(chunks)) == k)
        out = annotate_spark(part, model, text_col=text_col, id_col=id_col, level=level, batch_size=batch_size,
                             max_chars=max_chars, entity_text=entity_text, code=code, threads=threads,
                             counters=counters)
        mode = "overwrite" if (overwrite and k == 0) else "append"
        out.write.mode(mode).parquet(output)
    seconds = time.perf_counter() - start
    output_ids = spark.read.parquet(output).select(id_col).distinct().count()
    return SparkSummary.from_counts(counters.value, output=output, level=level, already_done=already,
                                    output_ids=output_ids, seconds=seconds, master=sc.master, cores=parallelism)
