"""Annotate notes on Apache Spark with a packaged pipeline: `annotate_spark` and `medllm spark-annotate`.

Needs the `spark` extra (pyspark 4, pyarrow) and a Java runtime; see docs/spark.md.
"""
from .schema import entity_schema, note_schema, output_schema
from .udf.annotate import annotate_spark

__all__ = ["annotate_spark", "entity_schema", "note_schema", "output_schema"]
