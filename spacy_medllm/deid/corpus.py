"""Training data for the PHI head: synthetic notes + the presidio_synth_v2 train split, as DocBins.

Gold PHI goes to ``doc.spans[spans_key]`` (widened to whole tokens); presidio types that are not
PHI under Safe Harbor (organization, title, ages under 90, years alone) are left unlabelled.
The presidio split is the same seeded 60/20/20 split the benchmark uses (``presidio_split``).
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Dict, Iterable, List

import spacy
import srsly
from spacy.tokens import DocBin

# presidio_synth_v2 types -> our labels; None: not PHI under Safe Harbor (left unlabelled).
PRESIDIO_LABELS = {
    "PERSON": "NAME", "STREET_ADDRESS": "LOCATION", "GPE": "LOCATION", "ZIP_CODE": "LOCATION",
    "DATE_TIME": "DATE", "PHONE_NUMBER": "CONTACT", "EMAIL_ADDRESS": "CONTACT", "DOMAIN_NAME": "CONTACT",
    "IP_ADDRESS": "CONTACT", "US_SSN": "ID", "CREDIT_CARD": "ID", "IBAN_CODE": "ID", "US_DRIVER_LICENSE": "ID",
    "AGE": "AGE", "ORGANIZATION": None, "TITLE": None, "NRP": None,
}


def presidio_split(path: Path, seed: int = 0) -> Dict[str, List[dict]]:
    """60/20/20 train/dev/test, shuffled with ``seed``; records as the synth ones, plus ``ignore``
    (gold spans that are not PHI: neither a miss nor a false alarm) and each span's presidio ``type``."""
    data = json.loads(Path(path).read_text(encoding="utf8"))
    records = []
    for i, item in enumerate(data):
        spans, ignore = [], []
        for s in item["spans"]:
            label = PRESIDIO_LABELS.get(s["entity_type"])
            value = s["entity_value"].strip()
            span = {"start": s["start_position"], "end": s["end_position"], "label": label, "type": s["entity_type"]}
            not_phi = label is None or (label == "AGE" and not (value.isdigit() and int(value) >= 90)) or \
                (label == "DATE" and value.isdigit() and len(value) == 4)  # years alone are not PHI
            (ignore if not_phi else spans).append(span)
        records.append({"id": f"presidio-{i}", "text": item["full_text"], "spans": spans, "ignore": ignore,
                        "phi_free": not spans})
    random.Random(seed).shuffle(records)
    n = len(records)
    return {"train": records[: int(n * 0.6)], "dev": records[int(n * 0.6): int(n * 0.8)], "test": records[int(n * 0.8):]}


def to_docbin(records: Iterable[dict], spans_key: str = "phi_model", lang: str = "en") -> DocBin:
    nlp = spacy.blank(lang)
    db = DocBin(store_user_data=False)
    for rec in records:
        doc = nlp.make_doc(rec["text"])
        spans = []
        for s in sorted(rec["spans"], key=lambda s: (s["start"], -s["end"])):
            span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
            if span is not None and len(span) and not any(span.start < o.end and o.start < span.end for o in spans):
                spans.append(span)
        doc.spans[spans_key] = spans
        db.add(doc)
    return db


def write_corpus(output: Path, synth_dir: Path, presidio: Path, *, seed: int = 0, spans_key: str = "phi_model",
                 dev_max: int = 0) -> Dict[str, int]:
    """train.spacy / dev.spacy under ``output``: synthetic train (dev) + presidio train (dev).

    ``dev_max`` (0: all) keeps the dev set small, half from each source: evaluation during training
    runs the encoder over every dev text, which dominates a small CPU budget."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    split = presidio_split(presidio, seed)
    counts = {}
    for name in ("train", "dev"):
        synth, other = list(srsly.read_jsonl(Path(synth_dir) / f"{name}.jsonl")), split[name]
        if name == "dev" and dev_max:
            synth, other = synth[: dev_max // 2], other[: dev_max - dev_max // 2]
        records = synth + other
        to_docbin(records, spans_key).to_disk(output / f"{name}.spacy")
        counts[name] = len(records)
    return counts
