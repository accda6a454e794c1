"""Write N synthetic notes (one .txt each) for `medllm annotate` demos, tests and benchmarks.

The notes come from the sample generator (corpora/synthetic.py): invented text, no patient data.
`--bad K` adds K notes that must end up in the errors file (empty, whitespace-only, binary),
`--model-dir DIR` also saves a small rule pipeline (blank English + an entity_ruler over the
generator's PROBLEM / TEST / TREATMENT terms) for fast runs without a trained model.
Usage: medllm make-notes notes/ --n 1000 [--bad 10] [--model-dir rules-model]
"""
import random
from pathlib import Path

from .synthetic import make_note

BAD_KINDS = ("empty", "whitespace", "binary")


def note_texts(n: int, seed: int = 7):
    rng = random.Random(seed)
    return [make_note(rng, i)["text"] for i in range(n)]


def write_notes(folder, n: int, *, bad: int = 0, seed: int = 7) -> dict:
    """Write the notes; returns {"notes": n, "bad": {kind: count}}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(n)))
    for i, text in enumerate(note_texts(n, seed)):
        (folder / f"note-{i:0{width}d}.txt").write_bytes(text.encode("utf-8"))
    counts = {}
    for j in range(bad):
        kind = BAD_KINDS[j % len(BAD_KINDS)]
        data = {"empty": b"", "whitespace": b"  \n\t\n", "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}[kind]
        (folder / f"bad-{j:04d}.txt").write_bytes(data)
        counts[kind] = counts.get(kind, 0) + 1
    return {"notes": n, "bad": counts}


def ruler_pipeline():
    """blank("en") + entity_ruler matching the generator's terms, case-insensitively."""
    import spacy

    from . import synthetic as sample

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = []
    for kind, pool in sample.POOLS.items():
        patterns += [{"label": sample.LABELS[kind], "pattern": term[0]} for term in pool]
    ruler.add_patterns(patterns)
    return nlp
