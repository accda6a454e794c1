"""One entry point over every format, used by the CLI and the spaCy readers."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Iterator, Optional, Union

from spacy.language import Language
from spacy.tokens import Doc

from .bioscope import read_bioscope
from .brat import read_brat
from .conll import read_conll
from .errors import ConversionStats, CorpusFormatError
from .i2b2 import read_i2b2
from .jsonl import read_jsonl
from .negex import read_negex
from .pubtator import read_pubtator
from .textcat import read_textcat_csv, read_textcat_jsonl

def read_spacy(path: Path, nlp: Language, stats: ConversionStats) -> Iterator[Doc]:
    """Docs already converted to ``.spacy`` (DocBin)."""
    from spacy.tokens import DocBin

    for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
        stats.docs += 1
        yield doc


FORMATS: Dict[str, Callable[..., Iterator[Doc]]] = {
    "conll": read_conll,
    "iob": read_conll,
    "pubtator": read_pubtator,
    "brat": read_brat,
    "i2b2": read_i2b2,
    "jsonl": read_jsonl,
    "negex": read_negex,
    "bioscope": read_bioscope,
    "spacy": read_spacy,
    "textcat-csv": read_textcat_csv,
    "textcat-jsonl": read_textcat_jsonl,
}


def read_docs(
    path: Union[str, Path], fmt: str, nlp: Language, stats: Optional[ConversionStats] = None, **options
) -> Iterator[Doc]:
    """Yield reference docs from ``path`` in format ``fmt``; skipped spans are counted in ``stats``."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"Unknown corpus format {fmt!r}; choose one of {', '.join(sorted(FORMATS))}.")
    if not path.exists():
        raise CorpusFormatError(path, None, "file or folder not found")
    if stats is None:
        stats = ConversionStats()
    return FORMATS[fmt](path, nlp, stats, **options)
