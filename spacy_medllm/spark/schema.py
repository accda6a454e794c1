"""The stable output schemas of `annotate_spark` and `medllm spark-annotate` (documented in docs/spark.md).

Fixed whatever the pipeline holds, so that outputs of different runs (and `--resume` appends) can
be read as one table: a field the pipeline does not fill is null (`assertion` and the flags
without an assertion component, `translation` without a translator).
"""
from __future__ import annotations

from ..annotate.records import FLAGS

LEVELS = ("note", "entity")
SCHEMA_VERSION = 1


def _types():
    from pyspark.sql import types as T

    return T


def error_type():
    """kind: a short code (missing-text, empty-text, too-long, binary, pipeline-error...); reason: why, never note text."""
    T = _types()
    return T.StructType([T.StructField("kind", T.StringType(), False), T.StructField("reason", T.StringType(), False)])


def entity_fields(entity_text: bool = False) -> list:
    T = _types()
    fields = [T.StructField("start", T.IntegerType(), False), T.StructField("end", T.IntegerType(), False),
              T.StructField("label", T.StringType(), False)]
    if entity_text:
        fields.append(T.StructField("text", T.StringType(), True))
    fields.append(T.StructField("assertion", T.StringType(), True))
    fields += [T.StructField(flag, T.BooleanType(), True) for flag in FLAGS]
    return fields


def note_schema(id_col: str = "id", entity_text: bool = False):
    """One row per input row: id, error, n_chars, n_words, n_entities, entities, cats, translation."""
    T = _types()
    return T.StructType([
        T.StructField(id_col, T.StringType(), True),
        T.StructField("error", error_type(), True),
        T.StructField("n_chars", T.IntegerType(), True),
        T.StructField("n_words", T.IntegerType(), True),
        T.StructField("n_entities", T.IntegerType(), True),
        T.StructField("entities", T.ArrayType(T.StructType(entity_fields(entity_text)), False), True),
        T.StructField("cats", T.MapType(T.StringType(), T.DoubleType(), False), True),
        T.StructField("translation", T.StringType(), True),
    ])


def entity_schema(id_col: str = "id", entity_text: bool = False):
    """One row per entity (a note without entities has none), plus one row per bad note with `error` set."""
    T = _types()
    nullable = [T.StructField(f.name, f.dataType, True) for f in entity_fields(entity_text)]
    return T.StructType([T.StructField(id_col, T.StringType(), True), T.StructField("error", error_type(), True),
                         *nullable])


def output_schema(level: str, id_col: str = "id", entity_text: bool = False):
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    return (note_schema if level == "note" else entity_schema)(id_col, entity_text)
