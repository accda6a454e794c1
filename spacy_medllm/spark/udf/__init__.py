"""Spark user functions (Arrow path) that run the pipeline on executors."""
from .annotate import annotate_spark

__all__ = ["annotate_spark"]
