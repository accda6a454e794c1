"""`annotate_spark`: the pipeline on Spark executors through `mapInPandas` (Spark's Arrow path).

Each Python worker loads the pipeline once (`worker_pipeline`, cached per process; Spark reuses
Python workers across tasks) and runs the same code as `medllm annotate` and `annotate_dataframe`
(`annotate_values`: checks, `safe_pipe`, `doc_record`), so the records are the same.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from ...annotate.notes import NoteProblem
from ...annotate.pipe import annotate_values
from ...annotate.records import FLAGS
from ..schema import LEVELS, output_schema

TEXT = "__medllm_text"
# One pipeline per Python worker process and (model, code): loading takes seconds, a batch milliseconds.
_PIPELINES: Dict[Tuple[str, Optional[str]], object] = {}


def find_pipeline_dir(path: Path) -> Path:
    """`path` itself if it holds config.cfg, else the shallowest folder under it that does
    (an unpacked `spacy package` archive nests the pipeline two or three levels down)."""
    if (path / "config.cfg").is_file():
        return path
    found = sorted(path.glob("**/config.cfg"), key=lambda p: len(p.parts))
    found = [p for p in found if (p.parent / "meta.json").is_file()] or found
    return found[0].parent if found else path


def locate(name: str) -> Optional[Path]:
    """A path as given, else under SparkFiles' root (`addFile`/`addArchive`), else in the working
    directory (where `spark.archives` / `--archives x.tar.gz#NAME` unpack on executors)."""
    candidates = [Path(name)]
    try:
        from pyspark import SparkFiles

        candidates.append(Path(SparkFiles.getRootDirectory()) / name)
    except Exception:  # no SparkContext here (a plain Python process): only the path itself
        pass
    candidates.append(Path.cwd() / name)
    return next((c for c in candidates if c.exists()), None)


def resolve_model(model: str) -> str:
    """What spacy.load gets: a pipeline folder if `model` names one here, else `model` (a package name)."""
    path = locate(model)
    return str(find_pipeline_dir(path)) if path is not None and path.is_dir() else model


def set_worker_threads(threads: Optional[int]) -> int:
    """torch threads for this worker: `threads`, else the task's CPUs (spark.task.cpus), so that
    N concurrent tasks on an N-core executor do not each start N threads."""
    if threads is None:
        try:
            from pyspark import TaskContext

            ctx = TaskContext.get()
            threads = ctx.cpus() if ctx is not None else 1
        except Exception:
            threads = 1
    threads = max(1, int(threads))
    try:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
    except ImportError:
        pass
    return threads


def worker_pipeline(model: str, code: Optional[str] = None):
    """The pipeline for this Python worker, loaded on first use and kept for the worker's life."""
    key = (model, code)
    if key not in _PIPELINES:
        import spacy
        from spacy.util import import_file

        if code:
            path = locate(code)
            if path is None:
                raise FileNotFoundError(f"--code file {code!r} is not on this worker (ship it with addFile or --files)")
            import_file("medllm_user_code", path)
        _PIPELINES[key] = spacy.load(resolve_model(model))
    return _PIPELINES[key]


def entity_row(ent: dict, entity_text: bool) -> dict:
    row = {"start": ent["start"], "end": ent["end"], "label": ent["label"]}
    if entity_text:
        row["text"] = ent.get("text")
    row["assertion"] = ent.get("assertion")
    for flag in FLAGS:
        row[flag] = ent.get(flag)
    return row


def record_rows(note_id, record: Optional[dict], problem, level: str, entity_text: bool) -> List[dict]:
    """Output rows (see schema.py) for one input row, from its record or its problem."""
    error = None if problem is None else {"kind": problem.kind, "reason": problem.reason}
    if level == "entity":
        if record is None:
            return [{"error": error}]
        return [{"error": None, **entity_row(ent, entity_text)} for ent in record["entities"]]
    if record is None:
        return [{"error": error}]
    entities = [entity_row(ent, entity_text) for ent in record["entities"]]
    return [{"error": None, "n_chars": record["n_chars"], "n_words": record["n_words"], "n_entities": len(entities),
             "entities": entities, "cats": record["cats"], "translation": record.get("translation")}]


def annotate_partition(batches: Iterator, *, model: str, code: Optional[str], threads: Optional[int], id_col: str,
                       level: str, batch_size: int, max_chars: int, entity_text: bool, decode_bytes: bool,
                       columns: List[str], counters=None) -> Iterator:
    """The function `mapInPandas` runs on each partition: pandas batches in, pandas batches out."""
    import pandas as pd

    set_worker_threads(threads)
    nlp = worker_pipeline(model, code)
    for pdf in batches:
        ids = [None if v is None or v != v else str(v) for v in pdf[id_col]]
        # a Spark null may reach pandas as None, NaN or pd.NA, depending on the column type
        texts = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in pdf[TEXT].tolist()]
        # a row without an id cannot be found again by --resume: recorded as bad-id, not annotated
        texts = [None if note_id is None else text for note_id, text in zip(ids, texts)]
        results = annotate_values(nlp, texts, max_chars=max_chars, batch_size=batch_size,
                                  entity_text=entity_text, decode_bytes=decode_bytes, source="spark")
        results = [(None, NoteProblem("bad-id", "id is missing")) if note_id is None else result
                   for note_id, result in zip(ids, results)]
        rows = []
        for note_id, (record, problem) in zip(ids, results):
            rows.extend(dict(row, **{id_col: note_id}) for row in record_rows(note_id, record, problem, level, entity_text))
        if counters is not None:
            counters.add(results)
        # object columns keep None as None (pandas would turn a missing int or list into NaN)
        yield pd.DataFrame({c: pd.Series([row.get(c) for row in rows], dtype=object) for c in columns})


def annotate_spark(
    df,
    model: str,
    text_col: str = "text",
    id_col: str = "id",
    level: str = "note",
    *,
    batch_size: int = 64,
    max_chars: int = 100_000,
    entity_text: bool = False,
    code: Optional[str] = None,
    threads: Optional[int] = None,
    counters=None,
):
    """Annotate `df[text_col]` with the spaCy pipeline `model` on the executors; a lazy DataFrame.

    `model`: an installed pipeline package, a pipeline folder every executor can read, or the
    name an archive was shipped under (`spark.archives=pipe.tar.gz#pipe`, `addArchive`).
    `code`: a Python file with custom components, imported on each worker first.
    level="note": one row per input row; level="entity": one row per entity (notes without
    entities give none) and one per bad row. Schemas: `spacy_medllm.spark.schema`. A bad row
    (null, empty, not a string, over `max_chars`, or the pipeline raised on it) gets `error`
    (kind, reason: never note text) instead of failing the job. A binary text column is
    decoded as `medllm annotate` decodes files. `counters`: a `RunCounters` for the summary.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import BinaryType

    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    for name, what in ((text_col, "text"), (id_col, "id")):
        if name not in df.columns:
            raise KeyError(f"no {what} column {name!r} in the DataFrame (columns: {', '.join(df.columns)})")
    if batch_size < 1 or max_chars < 1:
        raise ValueError("batch_size and max_chars must be positive")
    decode_bytes = isinstance(df.schema[text_col].dataType, BinaryType)
    schema = output_schema(level, id_col, entity_text)
    fn = functools.partial(annotate_partition, model=model, code=code, threads=threads, id_col=id_col, level=level,
                           batch_size=batch_size, max_chars=max_chars, entity_text=entity_text,
                           decode_bytes=decode_bytes, columns=schema.names, counters=counters)
    source = df.select(F.col(id_col).cast("string").alias(id_col), F.col(text_col).alias(TEXT))
    return source.mapInPandas(fn, schema)
