"""Readers for annotated clinical and biomedical corpora."""
from .errors import ConversionStats, CorpusFormatError
from .readers import FORMATS, read_docs

__all__ = ["ConversionStats", "CorpusFormatError", "FORMATS", "read_docs"]
