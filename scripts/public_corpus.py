"""Convert a public NER corpus (by name) from a data folder into corpus/NAME/{train,dev,test}.spacy.

Knows the file layout of each corpus as published (and as in ../shared/data). A split
that is not there (BC5CDR's test set is kept back here) is reported and skipped.
Usage: python scripts/public_corpus.py ncbi ../shared/data corpus/ncbi
"""
import sys
from pathlib import Path

from spacy_medllm.convert import convert

LAYOUTS = {
    "ncbi": {"train": "ncbi_disease/conll/train.tsv", "dev": "ncbi_disease/conll/devel.tsv", "test": "ncbi_disease/conll/test.tsv"},
    "bc5cdr": {"train": "bc5cdr/BC5CDR-IOB/train.tsv", "dev": "bc5cdr/BC5CDR-IOB/devel.tsv", "test": "bc5cdr/BC5CDR-IOB/test.tsv"},
    "bc5cdr_chem": {"train": "bc5cdr/BC5CDR-chem-IOB/train.tsv", "dev": "bc5cdr/BC5CDR-chem-IOB/devel.tsv", "test": "bc5cdr/BC5CDR-chem-IOB/test.tsv"},
    "bc5cdr_disease": {"train": "bc5cdr/BC5CDR-disease-IOB/train.tsv", "dev": "bc5cdr/BC5CDR-disease-IOB/devel.tsv", "test": "bc5cdr/BC5CDR-disease-IOB/test.tsv"},
}


def main(name: str, data_dir: str, out_dir: str) -> None:
    if name not in LAYOUTS:
        sys.exit(f"Unknown corpus {name!r}; choose one of {', '.join(LAYOUTS)}")
    for split, rel in LAYOUTS[name].items():
        src = Path(data_dir) / rel
        if not src.exists():
            if split == "train":
                sys.exit(f"{src}: not found. Run `spacy project assets` or pass --vars.data_dir.")
            print(f"{split}: {src} not found, skipped (kept back or not downloaded)")
            continue
        stats = convert(src, Path(out_dir) / f"{split}.spacy", "conll")
        print(f"{split}: {stats.summary()}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
