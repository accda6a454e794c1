"""Corpus conversion to ``.spacy`` files, with a progress bar and an atomic write."""
from __future__ import annotations

from pathlib import Path
from typing import Union

import spacy
from spacy.tokens import DocBin
from tqdm import tqdm

from .corpora import ConversionStats, read_docs
from .files import atomic_write_bytes


def convert(
    input_path: Union[str, Path], output_path: Union[str, Path], fmt: str, *, lang: str = "en",
    progress: bool = True, **options,
) -> ConversionStats:
    """Read ``input_path`` as ``fmt`` and write a DocBin to ``output_path``.

    The output appears only when the whole input converted: a malformed line raises
    before anything is written, so no half corpus is ever trained on.
    """
    nlp = spacy.blank(lang)
    stats = ConversionStats()
    doc_bin = DocBin(store_user_data=True)
    docs = read_docs(input_path, fmt, nlp, stats, **options)
    for doc in tqdm(docs, desc=f"convert {Path(input_path).name}", unit="doc", disable=not progress, leave=False):
        doc_bin.add(doc)
    atomic_write_bytes(output_path, doc_bin.to_bytes())
    return stats
