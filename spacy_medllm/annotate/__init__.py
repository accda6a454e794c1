"""Batch annotation of notes: `medllm annotate`, `medllm visualize` and `annotate_dataframe`."""
from .dataframe import annotate_dataframe
from .notes import Note, NoteError, NoteProblem
from .records import doc_record, span_assertion
from .runner import Summary, annotate
from .sources import NoteReader
from .visualize import render_html, visualize

__all__ = ["annotate", "annotate_dataframe", "doc_record", "Note", "NoteError", "NoteProblem", "NoteReader",
           "render_html", "span_assertion", "Summary", "visualize"]
