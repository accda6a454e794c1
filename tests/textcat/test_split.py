"""spacy_medllm.textcat.split (`medllm textcat-split`): copies of a note stay in one split, with the union of their labels."""
import csv
import json
import subprocess
import sys

import spacy
from spacy.tokens import DocBin

from spacy_medllm.textcat.split import mtsamples


def _write_csv(path, rows):
    with open(path, "w", encoding="utf8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["note_id", "medical_specialty", "transcription"])
        w.writeheader()
        for i, (label, text) in enumerate(rows):
            w.writerow({"note_id": i, "medical_specialty": label, "transcription": text})


def test_copies_stay_together_with_the_union_of_labels(tmp_path):
    rows = []
    for i in range(60):
        rows.append(("Surgery", f"operative note {i} knee"))
        rows.append(("Orthopedic", f"operative  note {i} knee "))  # same text, other spacing
        rows.append(("Rare", f"letter {i}") if i < 3 else ("Neurology", f"headache {i}"))
    rows.append(("Surgery", ""))
    _write_csv(tmp_path / "m.csv", rows)
    items, labels, info = mtsamples(tmp_path / "m.csv", seed=0, dev_frac=0.15, test_frac=0.15, min_train=10)
    assert labels == ["Neurology", "Orthopedic", "Surgery"] and info["dropped_labels"] == ["Rare"]
    assert info["distinct_texts"] == 120 and info["rows_without_text_or_label"] == 1
    where = {}
    for split, notes in items.items():
        for key, text, gold in notes:
            assert key not in where
            where[key] = split
            if text.startswith("operative"):
                assert gold == {"Surgery", "Orthopedic"}
    assert sum(len(v) for v in items.values()) == 117  # the 3 notes with only "Rare" are dropped
    again, _, _ = mtsamples(tmp_path / "m.csv", seed=0, dev_frac=0.15, test_frac=0.15, min_train=10)
    assert again == items
    other, _, _ = mtsamples(tmp_path / "m.csv", seed=1, dev_frac=0.15, test_frac=0.15, min_train=10)
    assert [k for k, _, _ in other["test"]] != [k for k, _, _ in items["test"]]


def test_command_writes_docbins_with_full_and_cut_notes(tmp_path):
    rows = [("Surgery" if i % 2 else "Neurology", " ".join(["word"] * 50) + f" {i}") for i in range(40)]
    _write_csv(tmp_path / "m.csv", rows)
    out = tmp_path / "corpus"
    result = subprocess.run(
        [sys.executable, "-m", "spacy_medllm.cli", "textcat-split", "mtsamples", str(tmp_path / "m.csv"), str(out),
         "--min-train", "5", "--train-max-words", "10"], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    vocab = spacy.blank("en").vocab
    full = list(DocBin().from_disk(out / "train.spacy").get_docs(vocab))
    cut = list(DocBin().from_disk(out / "train_trunc.spacy").get_docs(vocab))
    assert len(full) == len(cut) > 20 and {len(d) for d in cut} == {10} and min(len(d) for d in full) == 51
    assert set(full[0].cats) == {"Neurology", "Surgery"} and sum(full[0].cats.values()) == 1.0
    info = json.loads((out / "split.json").read_text())
    assert info["docs"]["train"] == len(full) and info["train_max_words"] == 10
