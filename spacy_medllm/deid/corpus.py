"""Training data for the PHI head: synthetic notes + the presidio_synth_v2 train split, as DocBins.

Gold PHI goes to ``doc.spans[spans_key]`` (widened to whole tokens, one span per line of a
multi-line address so every part fits the suggester); presidio values that are not PHI under Safe
Harbor (organization, title, ages under 90, years alone, a country or US state alone) are left
unlabelled.
The presidio split is the same seeded 60/20/20 split the benchmark uses (``presidio_split``).
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional

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


def _not_phi_places() -> set:
    """Place names Safe Harbor lets through: countries and US states (only smaller units are PHI)."""
    from faker.providers.address.en import Provider
    from faker.providers.address.en_US import Provider as USProvider

    return {name.lower() for name in (*Provider.countries, *USProvider.states)} | \
        {"united states", "usa", "uk", "nan"}  # "nan": an empty value written out by the generator


def not_phi(label: Optional[str], value: str, places: set) -> bool:
    """A presidio value our labels do not count as PHI: a type outside Safe Harbor, an age under 90,
    a year alone, a country or state alone (a parenthesised qualifier such as "Cyprus (Greek)" ignored)."""
    if label is None:
        return True
    if label == "AGE":
        return not (value.isdigit() and int(value) >= 90)
    if label == "DATE":
        return value.isdigit() and len(value) == 4
    if label == "LOCATION":
        return re.sub(r"\s*\(.*\)$", "", value).strip().lower() in places
    return False


def presidio_split(path: Path, seed: int = 0) -> Dict[str, List[dict]]:
    """60/20/20 train/dev/test, shuffled with ``seed``; records as the synth ones, plus ``ignore``
    (gold spans that are not PHI: neither a miss nor a false alarm) and each span's presidio ``type``."""
    data = json.loads(Path(path).read_text(encoding="utf8"))
    places = _not_phi_places()
    records = []
    for i, item in enumerate(data):
        spans, ignore = [], []
        for s in item["spans"]:
            label = PRESIDIO_LABELS.get(s["entity_type"])
            value = s["entity_value"].strip()
            span = {"start": s["start_position"], "end": s["end_position"], "label": label, "type": s["entity_type"]}
            (ignore if not_phi(label, value, places) else spans).append(span)
        records.append({"id": f"presidio-{i}", "text": item["full_text"], "spans": spans, "ignore": ignore,
                        "phi_free": not spans})
    random.Random(seed).shuffle(records)
    n = len(records)
    return {"train": records[: int(n * 0.6)], "dev": records[int(n * 0.6): int(n * 0.8)], "test": records[int(n * 0.8):]}


def _lines(rec: dict) -> Iterable[tuple]:
    """Each gold span cut at line breaks into its non-blank lines: a 4-line address is 4 spans the
    suggester's n-grams can each reach, and the union still covers the whole value."""
    text = rec["text"]
    for s in rec["spans"]:
        for m in re.finditer(r"[^\n]+", text[s["start"]:s["end"]]):
            piece = m.group()
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                yield s["start"] + m.start() + lead, s["start"] + m.start() + len(piece.rstrip()), s["label"]


def to_docbin(records: Iterable[dict], spans_key: str = "phi_model", lang: str = "en") -> DocBin:
    nlp = spacy.blank(lang)
    db = DocBin(store_user_data=False)
    for rec in records:
        doc = nlp.make_doc(rec["text"])
        spans = []
        for start, end, label in sorted(_lines(rec), key=lambda s: (s[0], -s[1])):
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None and len(span) and not any(span.start < o.end and o.start < span.end for o in spans):
                spans.append(span)
        doc.spans[spans_key] = spans
        db.add(doc)
    return db


# Headers after which a note writes a clinical term where a form would write a name ("Name: X").
CLINICAL_HEADERS = ["Chief complaint", "CC", "Assessment", "Impression", "Diagnosis", "Indication", "PMH",
                    "Past medical history", "Plan", "Reason for admission", "Findings", "Problem", "Procedure",
                    "Medications", "Allergies", "History", "Postoperative diagnosis", "Reason for visit"]
TERM_ENDINGS = [".", " for 3 days.", ", improving.", " began 2 weeks ago.", " has been ruled out.", ", stable.", ""]


def negative_records(path: Path, n: int, seed: int = 0, max_chars: int = 400, term_share: float = 0.35) -> List[dict]:
    """Up to ``n`` PHI-free records from a DocBin of clinical text that holds no PHI (published case
    reports, abstracts): prose cut into paragraphs and sentence runs of at most ``max_chars``, a
    third of them with capitals as dictation writes them; and, for ``term_share`` of the records,
    the DocBin's own entities (``doc.ents``) capitalised where a name could stand ("Chief
    complaint: Jaundice for 3 days.", "ENDOCARDITIS"). Together they teach the head that clinical
    words in a name's place or in capitals are not PHI."""
    from .synth import capitalised

    rng = random.Random(seed)
    nlp = spacy.blank("en")
    chunks, terms = [], []
    for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
        terms.extend(e.text for e in doc.ents if 2 < len(e.text) < 60 and "\n" not in e.text)
        for para in re.split(r"\n\s*\n|\n", doc.text):
            piece = ""
            for sent in re.split(r"(?<=[.!?])\s+", para.strip()):
                if piece and len(piece) + len(sent) + 1 > max_chars:
                    chunks.append(piece)
                    piece = ""
                piece = f"{piece} {sent}".strip()
            if len(piece) > 20:
                chunks.append(piece)
    rng.shuffle(chunks)
    n_terms = int(n * term_share) if terms else 0
    texts = [capitalised(rng, c) if rng.random() < 0.33 else c for c in chunks[: n - n_terms]]
    for _ in range(n_terms):
        lines = []
        for term in rng.sample(terms, min(len(terms), rng.randint(1, 3))):
            term = term[0].upper() + term[1:]
            term = term.upper() if rng.random() < 0.3 else term
            lines.append(f"{rng.choice(CLINICAL_HEADERS)}: {term}{rng.choice(TERM_ENDINGS)}" if rng.random() < 0.7
                         else f"{term}{rng.choice(TERM_ENDINGS)}")
        texts.append(rng.choice(["\n", "  ", " "]).join(lines))
    return [{"id": f"negative-{i}", "text": text, "spans": [], "phi_free": True} for i, text in enumerate(texts)]


def write_corpus(output: Path, synth_dir: Path, presidio: Path, *, seed: int = 0, spans_key: str = "phi_model",
                 dev_max: int = 0, negatives: Optional[Path] = None, negatives_max: int = 0) -> Dict[str, int]:
    """train.spacy / dev.spacy under ``output``: synthetic train (dev) + presidio train (dev), plus
    ``medllm deid-synth``'s general_train (general_dev) where it wrote them, plus up to
    ``negatives_max`` PHI-free chunks of ``negatives`` (a DocBin) in train.

    ``dev_max`` (0: all) keeps the dev set small, shared evenly between the sources: evaluation
    during training runs the encoder over every dev text, which dominates a small CPU budget."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    split = presidio_split(presidio, seed)
    counts = {}
    for name in ("train", "dev"):
        sources = [list(srsly.read_jsonl(Path(synth_dir) / f"{name}.jsonl")), split[name]]
        general = Path(synth_dir) / f"general_{name}.jsonl"
        if general.exists():
            sources.append(list(srsly.read_jsonl(general)))
        if name == "dev" and dev_max:
            share = dev_max // len(sources)
            sources = [source[:share] for source in sources]
        if name == "train" and negatives is not None and negatives_max:
            sources.append(negative_records(negatives, negatives_max, seed))
        records = [rec for source in sources for rec in source]
        to_docbin(records, spans_key).to_disk(output / f"{name}.spacy")
        counts[name] = len(records)
    return counts
