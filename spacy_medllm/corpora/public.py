"""The public corpora's file layouts, as published (and as in ../shared/data): the one table that
``medllm corpus``, the clinical corpus and the assertion data read their files from.

A split that is not there (BC5CDR's test set is kept back here) is reported and skipped.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict

from ..convert import convert

LAYOUTS: Dict[str, Dict[str, str]] = {
    "ncbi": {"train": "ncbi_disease/conll/train.tsv", "dev": "ncbi_disease/conll/devel.tsv", "test": "ncbi_disease/conll/test.tsv"},
    "bc5cdr": {"train": "bc5cdr/BC5CDR-IOB/train.tsv", "dev": "bc5cdr/BC5CDR-IOB/devel.tsv", "test": "bc5cdr/BC5CDR-IOB/test.tsv"},
    "bc5cdr_chem": {"train": "bc5cdr/BC5CDR-chem-IOB/train.tsv", "dev": "bc5cdr/BC5CDR-chem-IOB/devel.tsv", "test": "bc5cdr/BC5CDR-chem-IOB/test.tsv"},
    "bc5cdr_disease": {"train": "bc5cdr/BC5CDR-disease-IOB/train.tsv", "dev": "bc5cdr/BC5CDR-disease-IOB/devel.tsv", "test": "bc5cdr/BC5CDR-disease-IOB/test.tsv"},
    # BRAT case reports (``medllm corpus maccrobat`` splits them by report).
    "maccrobat": {"brat": "maccrobat/brat"},
    # Not NER corpora: read by the assertion data and the classification splits.
    "bioscope": {"abstracts": "bioscope/abstracts.xml", "full_papers": "bioscope/full_papers.xml"},
    "mtsamples": {"all": "mtsamples/mtsamples.csv"},
    "negex": {"dev": "negex/negex_dev.tsv"},
}
# The corpora ``medllm corpus NAME`` converts as they are (CoNLL/IOB NER).
NER_CORPORA = ("ncbi", "bc5cdr", "bc5cdr_chem", "bc5cdr_disease")


def public_path(data_dir: Path, corpus: str, part: str) -> Path:
    """Where ``part`` (a split, or a file's role) of ``corpus`` lies under ``data_dir``."""
    if corpus not in LAYOUTS or part not in LAYOUTS[corpus]:
        raise KeyError(f"no {corpus!r} {part!r} in the public-corpus layouts (known: {', '.join(LAYOUTS)})")
    return Path(data_dir) / LAYOUTS[corpus][part]


def convert_public(name: str, data_dir: Path, out_dir: Path, echo: Callable[[str], None] = print) -> Dict[str, object]:
    """Convert each split of the NER corpus ``name`` into ``out_dir/{split}.spacy``; a missing
    train split is an error, a missing dev/test split is reported and skipped."""
    if name not in NER_CORPORA:
        raise ValueError(f"Unknown corpus {name!r}; choose one of {', '.join(NER_CORPORA)}")
    done: Dict[str, object] = {}
    for split in LAYOUTS[name]:
        src = public_path(data_dir, name, split)
        if not src.exists():
            if split == "train":
                raise FileNotFoundError(f"{src}: not found. Run `spacy project assets` or pass --vars.data_dir.")
            echo(f"{split}: {src} not found, skipped (kept back or not downloaded)")
            continue
        stats = convert(src, Path(out_dir) / f"{split}.spacy", "conll")
        echo(f"{split}: {stats.summary()}")
        done[split] = stats
    return done
