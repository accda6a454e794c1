"""spaCy components and project workflows for clinical text.

Importing this package is never required: every registered function is exposed through
entry points, so ``spacy.load`` finds them on its own.
"""
from .about import __version__
from .base_model import resolve_base_model
from .annotate import annotate_dataframe, visualize

__all__ = ["__version__", "resolve_base_model"]
__all__ += ["annotate_dataframe", "visualize"]
