"""Collect in-domain text for domain-adaptive masked-LM pretraining of the encoder.

Reads the training/development parts of the public corpora in DATA_DIR (never a test
split) and drops any line that also occurs in a held-out test set, so the encoder never
sees test text. Usage: python scripts/domain_text.py ../shared/data corpus/domain_text.txt
"""
import csv
import sys
from pathlib import Path

csv.field_size_limit(10**8)


def conll_sentences(path: Path):
    words = []
    for line in path.read_text(encoding="utf8").splitlines():
        if line.strip():
            words.append(line.split("\t")[0])
        elif words:
            yield " ".join(words)
            words = []
    if words:
        yield " ".join(words)


def main(data_dir: str, output: str) -> None:
    data = Path(data_dir)
    held_out = set()
    test = data / "ncbi_disease" / "conll" / "test.tsv"
    if test.exists():
        held_out.update(conll_sentences(test))
    pubtator_test = data / "ncbi_disease" / "pubtator" / "NCBItestset_corpus.txt"
    test_ids = set()
    if pubtator_test.exists():
        test_ids = {l.split("|", 1)[0] for l in pubtator_test.read_text(encoding="utf8").splitlines() if "|t|" in l}
    lines = []
    for name in ("NCBItrainset_corpus.txt", "NCBIdevelopset_corpus.txt"):
        path = data / "ncbi_disease" / "pubtator" / name
        if path.exists():
            for l in path.read_text(encoding="utf8").splitlines():
                if ("|t|" in l or "|a|" in l) and l.split("|", 1)[0] not in test_ids:
                    lines.append(l.split("|", 2)[2])
    for split in ("train.tsv", "devel.tsv"):
        path = data / "bc5cdr" / "BC5CDR-IOB" / split
        if path.exists():
            lines.extend(conll_sentences(path))
    for name in ("abstracts_sentences.tsv", "full_papers_sentences.tsv"):
        path = data / "bioscope" / name
        if path.exists():
            with open(path, encoding="utf8") as f:
                lines.extend(row["text"] for row in csv.DictReader(f, delimiter="\t"))
    path = data / "medical_abstracts_tc" / "medical_tc_test.csv"
    if path.exists():
        with open(path, encoding="utf8") as f:
            lines.extend(row["medical_abstract"] for row in csv.DictReader(f))
    path = data / "mtsamples" / "mtsamples.csv"
    if path.exists():
        with open(path, encoding="utf8") as f:
            lines.extend(dict.fromkeys(row["transcription"] for row in csv.DictReader(f)))
    kept, dropped = [], 0
    seen = set()
    for line in lines:
        line = " ".join(line.split())
        if not line or line in seen:
            continue
        if line in held_out:
            dropped += 1
            continue
        seen.add(line)
        kept.append(line)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text("\n".join(kept) + "\n", encoding="utf8")
    print(f"{output}: {len(kept)} lines, {sum(len(l.split()) for l in kept)} words; "
          f"{dropped} lines dropped because they occur in a test split")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
