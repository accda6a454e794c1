"""MACCROBAT2020 (BRAT case reports) in the clinical labels, with POLARITY as assertion.

MACCROBAT annotates 41 entity types as event triggers; attributes (``A1<TAB>POLARITY E3 NEG``)
point at events (or at mentions). This module maps the entity types that the i2b2 2010
convention calls problems, tests and treatments, and the POLARITY attribute to the assertion
schema. Everything that cannot become an entity is counted by reason, never dropped silently:

- discontinuous spans (``341 350;357 358``): dropped (a spaCy entity is one token range);
- overlapping / nested mentions of the mapped types: the longest non-overlapping ones become
  ``doc.ents`` (spaCy's ``filter_spans``), the others stay in ``doc.spans["sc"]``;
- ``History`` / ``Family_history`` wrappers: not mapped; mentions inside them are kept and counted;
- Unicode spaces (U+2005, U+200A, ...): replaced one for one by ASCII spaces, so offsets hold and
  spaCy's tokenizer splits on them;
- spans that do not fall on token boundaries are expanded to them (counted as repaired).

The split is by document: the reports are ordered by a SHA-256 of ``seed:doc_id`` and the first
``n_dev`` go to dev, so it does not depend on file order or on the number of reports.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .brat import OFFSETS_RE, brat_pairs
from .errors import ConversionStats, CorpusFormatError
from .spans import ALL_SPANS_KEY, ASSERTION_KEY

# i2b2 2010: results such as Lab_value are not tests; substances and procedures given are treatments.
LABEL_MAP: Dict[str, str] = {
    "Sign_symptom": "PROBLEM",
    "Disease_disorder": "PROBLEM",
    "Diagnostic_procedure": "TEST",
    "Medication": "TREATMENT",
    "Therapeutic_procedure": "TREATMENT",
}
# POLARITY -> assertion category; POS (2 in the corpus) is the default "present".
POLARITY_MAP: Dict[str, str] = {
    "NEG": "absent",
    "UNCERTAIN": "possible",
    "MAYBE_POS": "possible",
    "MAYBE_NEG": "possible",
    "POS": "present",
}
WRAPPER_TYPES = ("History", "Family_history")
DEFAULT_ASSERTION = "present"


def normalize_spaces(text: str) -> Tuple[str, int]:
    """Unicode space separators (category Zs) and zero-width spaces -> ASCII space, one for one."""
    out, n = [], 0
    for ch in text:
        if ch != " " and (unicodedata.category(ch) == "Zs" or ch in "\u200b\u2028\u2029\ufeff"):
            out.append(" ")
            n += 1
        else:
            out.append(ch)
    return "".join(out), n


@dataclass
class Mention:
    tid: str
    label: str
    pieces: List[Tuple[int, int]]
    lineno: int


@dataclass
class BratDoc:
    """One report's text-bound mentions, event triggers and attributes."""

    doc_id: str
    text: str
    mentions: Dict[str, Mention] = field(default_factory=dict)
    triggers: Dict[str, str] = field(default_factory=dict)  # event id -> T id
    attributes: Dict[str, Dict[str, str]] = field(default_factory=dict)  # T id -> {name: value}


def parse_brat(txt_path: Path) -> BratDoc:
    """Parse ``ID.txt`` + ``ID.ann``; a malformed line raises an error naming file and line."""
    ann_path = txt_path.with_suffix(".ann")
    if not txt_path.exists():
        raise CorpusFormatError(txt_path, None, "text file not found")
    if not ann_path.exists():
        raise CorpusFormatError(ann_path, None, f"annotation file not found for {txt_path.name}")
    raw_text = txt_path.read_text(encoding="utf8")
    text, _ = normalize_spaces(raw_text)
    bd = BratDoc(txt_path.stem, text)
    pending_attrs: List[Tuple[str, str, str, int]] = []
    with open(ann_path, encoding="utf8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            cols = line.split("\t")
            kind = line[0]
            if kind == "T":
                if len(cols) < 3:
                    raise CorpusFormatError(ann_path, lineno, "expected 'ID<TAB>TYPE START END<TAB>TEXT'")
                label, _, offsets = cols[1].partition(" ")
                if not label or not OFFSETS_RE.match(offsets):
                    raise CorpusFormatError(ann_path, lineno, "malformed type and offsets field")
                pieces = [tuple(int(x) for x in p.split()) for p in offsets.split(";")]
                for start, end in pieces:
                    if start >= end or end > len(text):
                        raise CorpusFormatError(
                            ann_path, lineno, f"offsets {start}-{end} empty or outside the text ({len(text)} characters)")
                if len(pieces) == 1:
                    start, end = pieces[0]
                    if normalize_spaces(cols[2])[0].split() != text[start:end].split():
                        raise CorpusFormatError(ann_path, lineno, f"text at offsets {start}-{end} does not match the annotation")
                bd.mentions[cols[0]] = Mention(cols[0], label, pieces, lineno)
            elif kind == "E":
                if len(cols) < 2 or ":" not in cols[1].split()[0]:
                    raise CorpusFormatError(ann_path, lineno, "expected 'ID<TAB>TYPE:TRIGGER ...'")
                bd.triggers[cols[0]] = cols[1].split()[0].split(":", 1)[1]
            elif kind in "AM":
                parts = cols[1].split() if len(cols) > 1 else []
                if len(parts) < 2:
                    raise CorpusFormatError(ann_path, lineno, "expected 'ID<TAB>NAME TARGET [VALUE]'")
                pending_attrs.append((parts[1], parts[0], parts[2] if len(parts) > 2 else "true", lineno))
            elif kind not in "R#*N":
                raise CorpusFormatError(ann_path, lineno, f"unknown annotation kind {kind!r}")
    for target, name, value, lineno in pending_attrs:
        tid = bd.triggers.get(target, target)
        if tid not in bd.mentions:
            raise CorpusFormatError(ann_path, lineno, f"attribute points at unknown annotation {target!r}")
        bd.attributes.setdefault(tid, {})[name] = value
    return bd


@dataclass
class MaccrobatStats(ConversionStats):
    """ConversionStats plus what the mapping did, per source type and per polarity."""

    source_types: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    assertions: Counter = field(default_factory=Counter)
    unicode_spaces: int = 0
    inside_wrapper: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        data = super().to_dict()
        data.update({
            "mapped_source_types": dict(sorted(self.source_types.items())),
            "entities_per_label": dict(sorted(self.kept.items())),
            "assertions_per_label": {k: dict(sorted(v.items())) for k, v in sorted(self._by_label().items())},
            "unicode_spaces_replaced": self.unicode_spaces,
            "kept_inside_wrapper": dict(sorted(self.inside_wrapper.items())),
        })
        return data

    def _by_label(self) -> Dict[str, Counter]:
        out: Dict[str, Counter] = {}
        for (label, assertion), n in self.assertions.items():
            out.setdefault(label, Counter())[assertion] = n
        return out


def brat_to_doc(
    bd: BratDoc, nlp: Language, stats: MaccrobatStats, *,
    label_map: Dict[str, str] = LABEL_MAP, polarity_map: Dict[str, str] = POLARITY_MAP,
) -> Doc:
    """The report as a Doc: mapped mentions in ``doc.ents`` (longest non-overlapping), all
    aligned ones in ``doc.spans["sc"]``, and one assertion span per entity."""
    doc = nlp.make_doc(bd.text)
    doc.user_data["id"] = bd.doc_id
    wrappers = [m.pieces[0] for m in bd.mentions.values() if m.label in WRAPPER_TYPES and len(m.pieces) == 1]
    candidates: List[Tuple[Span, str]] = []
    for m in bd.mentions.values():
        if m.label not in label_map:
            stats.skip(f"type not mapped ({m.label})")
            continue
        label = label_map[m.label]
        stats.source_types[m.label] += 1
        if len(m.pieces) > 1:
            stats.skip(f"discontinuous span ({label})")
            continue
        start, end = m.pieces[0]
        # trim whitespace at the edges (a span must start and end on a token)
        while start < end and bd.text[start].isspace():
            start += 1
        while end > start and bd.text[end - 1].isspace():
            end -= 1
        span = doc.char_span(start, end, label=label)
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is None or not len(span):
                stats.skip(f"not aligned to token boundaries ({label})")
                continue
            stats.repair("span expanded to token boundaries")
        polarity = bd.attributes.get(m.tid, {}).get("POLARITY")
        assertion = polarity_map.get(polarity, DEFAULT_ASSERTION) if polarity else DEFAULT_ASSERTION
        if polarity and polarity not in polarity_map:
            stats.skip(f"POLARITY value not mapped ({polarity}); read as present")
        candidates.append((span, assertion))
    spans = [s for s, _ in candidates]
    ents = filter_spans(spans)
    kept = {(s.start, s.end) for s in ents}
    dropped = Counter((s.start, s.end, s.label_) for s in spans) - Counter((s.start, s.end, s.label_) for s in ents)
    for (start, end, label), n in dropped.items():
        if (start, end) in kept:  # e.g. Sign_symptom and Disease_disorder on the same words: one entity
            stats.skip(f"same tokens as another mention ({label}; kept in doc.spans['sc'])", n)
        else:
            stats.skip(f"overlapping or nested, not the longest ({label}; kept in doc.spans['sc'])", n)
    doc.ents = ents
    if len(ents) < len(spans):
        doc.spans[ALL_SPANS_KEY] = spans
    first_assertion: Dict[Tuple[int, int], str] = {}
    for span, assertion in candidates:
        key = (span.start, span.end)
        # of two mentions on the same tokens, a non-default polarity wins
        if key not in first_assertion or first_assertion[key] == DEFAULT_ASSERTION:
            first_assertion[key] = assertion
    assertion_spans = []
    for ent in ents:
        assertion = first_assertion[(ent.start, ent.end)]
        assertion_spans.append(Span(doc, ent.start, ent.end, label=assertion))
        stats.kept[ent.label_] += 1
        if any(ws <= ent.start_char and ent.end_char <= we for ws, we in wrappers):
            stats.inside_wrapper[ent.label_] += 1
        stats.assertions[(ent.label_, assertion)] += 1
    doc.spans[ASSERTION_KEY] = assertion_spans
    stats.entities += len(ents)
    stats.docs += 1
    return doc


def read_maccrobat(path: Path, nlp: Language, stats: Optional[ConversionStats] = None, **options) -> Iterator[Doc]:
    """Docs from a folder of MACCROBAT ``.txt``/``.ann`` pairs (or one pair). Pass a
    MaccrobatStats to get the per-type counts; a plain ConversionStats gets the totals."""
    own = stats if isinstance(stats, MaccrobatStats) else MaccrobatStats()
    for txt_path in brat_pairs(Path(path)):
        bd = parse_brat(txt_path)
        own.unicode_spaces += normalize_spaces(txt_path.read_text(encoding="utf8"))[1]
        doc = brat_to_doc(bd, nlp, own, **options)
        if stats is not None and stats is not own:
            stats.docs, stats.entities = own.docs, own.entities
            stats.skipped, stats.repaired = Counter(own.skipped), Counter(own.repaired)
        yield doc


def split_ids(doc_ids: Sequence[str], n_dev: int, seed: int = 0) -> Tuple[List[str], List[str]]:
    """(train, dev) ids: ordered by SHA-256 of ``seed:id``, the first ``n_dev`` are dev."""
    if not 0 <= n_dev <= len(doc_ids):
        raise ValueError(f"n_dev must be between 0 and {len(doc_ids)}, got {n_dev}")
    if len(set(doc_ids)) != len(doc_ids):
        raise ValueError("document ids are not unique")
    order = sorted(doc_ids, key=lambda d: hashlib.sha256(f"{seed}:{d}".encode("utf8")).hexdigest())
    dev = set(order[:n_dev])
    return [d for d in sorted(doc_ids) if d not in dev], sorted(dev)



def build_corpus(brat_dir: Path, out_dir: Path, *, n_dev: int = 30, seed: int = 0) -> dict:
    """Write ``train.spacy``, ``dev.spacy`` and ``stats.json`` (counts per split and the dev ids)."""
    import json

    import spacy
    from spacy.tokens import DocBin

    from ..files import atomic_write_bytes, atomic_write_text

    nlp = spacy.blank("en")
    stats = MaccrobatStats()
    docs = list(read_maccrobat(Path(brat_dir), nlp, stats))
    if not docs:
        raise CorpusFormatError(brat_dir, None, "no .txt/.ann pairs found")
    train_ids, dev_ids = split_ids([d.user_data["id"] for d in docs], n_dev, seed)
    dev_set = set(dev_ids)
    result = {"source": str(brat_dir), "seed": seed, "label_map": LABEL_MAP, "polarity_map": POLARITY_MAP,
              "conversion": stats.to_dict(), "dev_ids": dev_ids}
    for split in ("train", "dev"):
        part = [d for d in docs if (d.user_data["id"] in dev_set) == (split == "dev")]
        db = DocBin(store_user_data=True)
        for doc in part:
            db.add(doc)
        atomic_write_bytes(Path(out_dir) / f"{split}.spacy", db.to_bytes())
        labels = Counter(e.label_ for d in part for e in d.ents)
        result[split] = {
            "docs": len(part), "words": sum(len(d) for d in part), "entities": dict(sorted(labels.items())),
            "assertions": {lab: dict(sorted(Counter(s.label_ for d in part for s, e in zip(d.spans["assertion"], d.ents)
                                                     if e.label_ == lab).items())) for lab in sorted(labels)},
        }
    atomic_write_text(Path(out_dir) / "stats.json", json.dumps(result, indent=2) + "\n")
    return result
