"""Training data for en_medllm_clinical: the sample notes plus the public NER corpora.

The sample is the only corpus with the clinical label scheme (PROBLEM, TREATMENT, TEST), an
assertion per entity and a note class. The public corpora add real text for two of its labels:

- BC5CDR: Disease -> PROBLEM, Chemical -> TREATMENT (drugs and other substances; i2b2 counts
  "substances given to a patient" as treatments, so a toxin is a near miss, not a clash)
- NCBI disease: Disease -> PROBLEM

A token outside their entities is "outside" (O) by default (``--missing`` changes that per
corpus). Neither corpus annotates tests or non-drug treatments, and NCBI does not annotate
drugs, so O is sometimes wrong there; but these tokens are the only real-text negatives the NER
sees. Marked *missing* instead (spaCy's partial annotation), the NER had no way to learn what is
not an entity in an abstract: with every public token missing, BC5CDR dev precision was 0.32;
with NCBI's missing, it tagged gene names (BRCA1, ATM, HFE) as PROBLEM, precision 0.32 on
NCBI test (BENCHMARKS.md).

Their docs carry no class, and the ``medllm_textcat`` pipe leaves them out of its loss.

Writes OUT/train.spacy (sample train, repeated --sample-repeat times, + public train),
OUT/dev.spacy (sample dev + the first --dev-public-docs BC5CDR dev docs, outside tokens O),
OUT/eval/bc5cdr_dev.spacy and OUT/eval/ncbi_test.spacy (fully annotated in the clinical labels,
outside tokens O: precision is real there) and OUT/stats.json.

With --maccrobat DIR (the output of `medllm corpus maccrobat`: real case reports in the clinical
labels), its train.spacy is added to train (x --maccrobat-repeat), its dev.spacy becomes the dev
split that training selects on (the sample and BC5CDR dev are then left out of it), and a copy
goes to OUT/eval/maccrobat_dev.spacy.

Usage: medllm corpus clinical ../shared/data corpus/clinical --sample-dir corpus/sample
"""
import json
import random
from collections import Counter
from pathlib import Path
from typing import Optional, Sequence

import spacy
from spacy.tokens import Doc, DocBin, Span

from ..files import atomic_write_bytes, atomic_write_text
from .errors import ConversionStats
from .public import public_path
from .readers import read_docs

# The public corpora's labels in the clinical scheme (their files: corpora/public.py).
SOURCES = {
    "bc5cdr": {"label_map": {"Disease": "PROBLEM", "Chemical": "TREATMENT"}},
    "ncbi": {"label_map": {"Disease": "PROBLEM"}},
}


class ClinicalCorpusError(ValueError):
    pass


def relabel(doc: Doc, label_map: dict, outside: str) -> Doc:
    """The doc's entities renamed by ``label_map``; other tokens ``outside`` ("missing" or "outside").
    An entity whose label is not in the map is an error: it would otherwise vanish silently."""
    spans = []
    for ent in doc.ents:
        if ent.label_ not in label_map:
            raise ValueError(f"entity label {ent.label_!r} has no mapping (known: {', '.join(label_map)})")
        spans.append(Span(doc, ent.start, ent.end, label=label_map[ent.label_]))
    doc.set_ents(spans, default=outside)
    return doc


def read_public(data_dir: Path, name: str, split: str, nlp, sents_per_doc: int, outside: str):
    src = public_path(data_dir, name, split)
    if not src.exists():
        raise ClinicalCorpusError(f"{src}: not found. Run `spacy project assets` (downloads into assets/downloads) "
                         "or point --vars.data_dir at a copy with the same layout (../shared/data).")
    stats = ConversionStats()
    docs = []
    for doc in read_docs(src, "conll", nlp, stats, n_sents=sents_per_doc):
        try:
            docs.append(relabel(doc, SOURCES[name]["label_map"], outside))
        except ValueError as err:
            raise ClinicalCorpusError(f"{src}: document {len(docs) + 1}: {err}") from None
    return docs, stats


def save(docs, path: Path) -> None:
    db = DocBin(store_user_data=True)
    for doc in docs:
        db.add(doc)
    atomic_write_bytes(path, db.to_bytes())


def describe(docs) -> dict:
    labels = Counter(ent.label_ for doc in docs for ent in doc.ents)
    return {"docs": len(docs), "words": sum(len(d) for d in docs), "entities": dict(sorted(labels.items())),
            "with_cats": sum(bool(d.cats) for d in docs)}


def build_clinical_corpus(
    sample_dir: Path, data_dir: Path, out_dir: Path, *, sources: Sequence[str] = ("bc5cdr", "ncbi"),
    sample_repeat: int = 3, sents_per_doc: int = 10, dev_public_docs: int = 60, missing: Sequence[str] = (),
    maccrobat: Optional[Path] = None, maccrobat_repeat: int = 1, seed: int = 0,
) -> dict:
    """Write OUT/train.spacy, OUT/dev.spacy, OUT/eval/*.spacy and OUT/stats.json; return the stats."""
    sample_dir, data_dir, out_dir = Path(sample_dir), Path(data_dir), Path(out_dir)
    nlp = spacy.blank("en")
    sources, missing = list(sources), list(missing)
    unknown = [s for s in sources + missing if s not in SOURCES]
    if unknown:
        raise ClinicalCorpusError(f"--sources/--missing: unknown corpus {', '.join(unknown)} (known: {', '.join(SOURCES)})")
    sample = {split: list(DocBin().from_disk(sample_dir / f"{split}.spacy").get_docs(nlp.vocab))
              for split in ("train", "dev")}
    train = [doc for _ in range(sample_repeat) for doc in sample["train"]]
    stats = {"sample_train": describe(sample["train"]), "sample_repeat": sample_repeat, "public": {}}
    for name in sources:
        outside = "missing" if name in missing else "outside"
        docs, conv = read_public(data_dir, name, "train", nlp, sents_per_doc, outside)
        stats["public"][name] = {"train": describe(docs), "outside_tokens": outside, "conversion": conv.summary()}
        train.extend(docs)
    maccrobat_dev = None
    if maccrobat:
        paths = [Path(maccrobat) / f"{split}.spacy" for split in ("train", "dev")]
        absent = [str(path) for path in paths if not path.exists()]
        if absent:
            raise ClinicalCorpusError(f"{', '.join(absent)}: not found. Run `medllm corpus maccrobat` first.")
        mac_train, maccrobat_dev = (list(DocBin().from_disk(path).get_docs(nlp.vocab)) for path in paths)
        train.extend(doc for _ in range(maccrobat_repeat) for doc in mac_train)
        stats["maccrobat"] = {"train": describe(mac_train), "repeat": maccrobat_repeat, "dev": describe(maccrobat_dev)}
    random.Random(seed).shuffle(train)

    dev = list(sample["dev"])
    eval_dir = out_dir / "eval"
    if "bc5cdr" in sources:
        bc_dev, _ = read_public(data_dir, "bc5cdr", "dev", nlp, sents_per_doc, "outside")
        dev.extend(bc_dev[:dev_public_docs])
        save(bc_dev, eval_dir / "bc5cdr_dev.spacy")
        stats["public"]["bc5cdr"]["dev"] = describe(bc_dev)
    if "ncbi" in sources:
        ncbi_test, _ = read_public(data_dir, "ncbi", "test", nlp, sents_per_doc, "outside")
        save(ncbi_test, eval_dir / "ncbi_test.spacy")
        stats["public"]["ncbi"]["test"] = describe(ncbi_test)
    if maccrobat_dev is not None:
        dev = maccrobat_dev
        save(maccrobat_dev, eval_dir / "maccrobat_dev.spacy")
    save(train, out_dir / "train.spacy")
    save(dev, out_dir / "dev.spacy")
    stats["train"], stats["dev"] = describe(train), describe(dev)
    atomic_write_text(out_dir / "stats.json", json.dumps(stats, indent=2) + "\n")
    return stats
