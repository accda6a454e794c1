"""Spark's Python daemon with the NLP stack imported before it forks workers.

Spark starts one daemon per executor and forks a Python worker from it for each concurrent task
(`spark.python.use.daemon`, the default on Linux). Set `spark.python.daemon.module` to this module
(`medllm spark-annotate` does) and the workers inherit spaCy, torch, transformers, pandas and pyarrow
already imported, instead of each paying those imports (seconds each) on its first task. Only
modules are imported here: no pipeline is loaded and no torch op runs before the fork.
"""
import importlib

PRELOAD = ("pyspark.worker", "pandas", "pyarrow", "numpy", "torch", "transformers", "spacy", "thinc.api",
           "spacy_transformers", "spacy_medllm", "spacy_medllm.spark.udf.annotate")


def preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # an optional module missing: the worker imports what it needs itself
            pass


if __name__ == "__main__":
    preload()
    from pyspark.daemon import manager

    manager()
