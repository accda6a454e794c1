"""Seeded train/dev/test splits for the classification benchmarks, written as .spacy with doc.cats.

mtsamples: rows are grouped by transcription text (whitespace-normalised), so every copy of a
note lands in one split and carries the union of its specialties (multi-label). Specialties
with fewer than --min-train training notes are dropped; notes left with no label are dropped.
abstracts: one label per abstract (exclusive), split stratified by label.

Both write train.spacy, dev.spacy, test.spacy (full notes), train_trunc.spacy and
dev_trunc.spacy (notes cut to their first --train-max-words tokens, for a CPU training
budget; 0 = no cut) and split.json.
"""
import csv
import hashlib
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from ..files import atomic_write_bytes, atomic_write_text


def _split_keys(keys, seed, dev_frac, test_frac, strata=None):
    """Shuffle with a fixed seed; stratify when ``strata`` maps key -> stratum."""
    groups = defaultdict(list)
    for k in sorted(keys):
        groups[strata[k] if strata else ""].append(k)
    rng = random.Random(seed)
    out = {"train": [], "dev": [], "test": []}
    for stratum in sorted(groups):
        ks = groups[stratum]
        rng.shuffle(ks)
        n_test = round(len(ks) * test_frac)
        n_dev = round(len(ks) * dev_frac)
        out["test"] += ks[:n_test]
        out["dev"] += ks[n_test:n_test + n_dev]
        out["train"] += ks[n_test + n_dev:]
    return out


def _write(nlp, items, labels, out_dir, name, max_words=0):
    db = DocBin(store_user_data=True)
    for key, text, gold in items:
        doc = nlp.make_doc(text)
        if max_words and len(doc) > max_words:
            doc = doc[:max_words].as_doc()
        doc.cats = {lab: float(lab in gold) for lab in labels}
        doc.user_data["id"] = key
        db.add(doc)
    atomic_write_bytes(out_dir / f"{name}.spacy", db.to_bytes())


def mtsamples(path, seed, dev_frac, test_frac, min_train):
    texts = defaultdict(set)
    n_rows = n_empty = 0
    with open(path, encoding="utf8", newline="") as f:
        for row in csv.DictReader(f):
            n_rows += 1
            text = " ".join((row.get("transcription") or "").split())
            label = (row.get("medical_specialty") or "").strip()
            if not text or not label:
                n_empty += 1
                continue
            texts[text].add(label)
    keys = {hashlib.sha1(t.encode("utf8")).hexdigest()[:12]: t for t in texts}
    splits = _split_keys(keys, seed, dev_frac, test_frac)
    train_counts = Counter(lab for k in splits["train"] for lab in texts[keys[k]])
    labels = sorted(lab for lab, n in train_counts.items() if n >= min_train)
    dropped_labels = sorted(set(train_counts) - set(labels))
    items, n_dropped = {}, Counter()
    for split, ks in splits.items():
        items[split] = []
        for k in ks:
            gold = texts[keys[k]] & set(labels)
            if gold:
                items[split].append((k, keys[k], gold))
            else:
                n_dropped[split] += 1
    info = {
        "source": str(path), "seed": seed, "rows": n_rows, "rows_without_text_or_label": n_empty,
        "distinct_texts": len(texts), "multi_label": True, "min_train_notes": min_train,
        "labels": labels, "dropped_labels": dropped_labels,
        "texts_dropped_no_kept_label": dict(n_dropped),
        "train_notes_per_label": {lab: train_counts[lab] for lab in labels},
    }
    return items, labels, info


def abstracts(data_dir, seed, dev_frac, test_frac):
    names = {}
    with open(data_dir / "medical_tc_labels.csv", encoding="utf8", newline="") as f:
        for row in csv.DictReader(f):
            names[row["condition_label"].strip()] = row["condition_name"].strip()
    rows = {}
    with open(data_dir / "medical_tc_test.csv", encoding="utf8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f), 2):
            text = " ".join((row.get("medical_abstract") or "").split())
            label = names.get((row.get("condition_label") or "").strip())
            if not text or label is None:
                raise ValueError(f"{data_dir / 'medical_tc_test.csv'}: row {i}: empty text or unknown label")
            rows[f"abs{i:05d}"] = (text, label)
    strata = {k: lab for k, (_, lab) in rows.items()}
    splits = _split_keys(rows, seed, dev_frac, test_frac, strata)
    labels = sorted(names.values())
    items = {s: [(k, rows[k][0], {rows[k][1]}) for k in ks] for s, ks in splits.items()}
    info = {"source": str(data_dir), "seed": seed, "rows": len(rows), "multi_label": False, "labels": labels}
    return items, labels, info


def split_corpus(dataset: str, source: Path, output: Path, *, seed: int = 0, dev: float = 0.15, test: float = 0.15,
                 min_train: int = 50, train_max_words: int = 0) -> dict:
    """Write the seeded splits (whole and truncated) and split.json under ``output``; return the split info."""
    output = Path(output)
    if dataset == "mtsamples":
        items, labels, info = mtsamples(source, seed, dev, test, min_train)
    else:
        items, labels, info = abstracts(source, seed, dev, test)
    nlp = spacy.blank("en")
    output.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        _write(nlp, items[split], labels, output, split)
    _write(nlp, items["train"], labels, output, "train_trunc", train_max_words)
    _write(nlp, items["dev"], labels, output, "dev_trunc", train_max_words)
    info["train_max_words"] = train_max_words
    info["docs"] = {s: len(v) for s, v in items.items()}
    info["test_label_counts"] = dict(Counter(lab for _, _, g in items["test"] for lab in g))
    atomic_write_text(output / "split.json", json.dumps(info, indent=2))
    return info

