"""Evaluation scores: a pipeline on a gold corpus (pipeline.py) and span matching, exact or
one-to-one overlap of the same label (overlap.py)."""
from .pipeline import evaluate_pipeline, ner_confusion, textcat_report

__all__ = ["evaluate_pipeline", "ner_confusion", "textcat_report"]
