"""Sentences/s of medllm_translator: one-by-one vs batched, and the cache on notes with repeats.

`python -m benchmarks.translation_speed training/translate/pipeline --output metrics/translate/speed.json`
Notes are built (seeded) from the shipped clinical sentences and the sample corpus's translated
sentences; about half of each note's sentences come from a small boilerplate pool, so they repeat.
All three settings run side by side in one process, --repeats times each; medians are reported.
"""
import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

import srsly

os.environ.setdefault("OMP_NUM_THREADS", "1")


def build_notes(n_notes: int, per_note: int, seed: int):
    root = Path(__file__).resolve().parent.parent
    clinical = [rec["text"] for rec in srsly.read_jsonl(root / "assets/translation/clinical_sentences.jsonl")]
    sample = []
    for rec in srsly.read_jsonl(root / "assets/sample/test.jsonl"):
        sample += [rec["text"][t["start"]:t["end"]] for t in rec["meta"].get("translations", [])]
    rng = random.Random(seed)
    boiler = rng.sample(clinical, 8)
    pool = clinical + sample
    notes = []
    for _ in range(n_notes):
        sents = [rng.choice(boiler) if rng.random() < 0.5 else rng.choice(pool) for _ in range(per_note)]
        notes.append(" ".join(sents))
    return notes


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("pipeline")
    p.add_argument("--output", required=True)
    p.add_argument("--notes", type=int, default=30)
    p.add_argument("--per-note", type=int, default=8)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    import spacy
    import torch

    torch.set_num_threads(1)
    from spacy_medllm.files import atomic_write_text
    from spacy_medllm.translation.cache import TranslationCache

    nlp = spacy.load(a.pipeline)
    translator = nlp.get_pipe("medllm_translator")
    notes = build_notes(a.notes, a.per_note, a.seed)
    n_sents = sum(len(translator._sentence_offsets(nlp.make_doc(n))) for n in notes)
    unique = len({s for n in notes for s in [n[x:y] for x, y in translator._sentence_offsets(nlp.make_doc(n))]})
    settings = {"one_by_one": (1, 0), "batched": (a.batch_size, 0), "batched_cached": (a.batch_size, 4096)}
    times = {k: [] for k in settings}
    nlp(notes[0])  # warm up
    for _ in range(a.repeats):
        for name, (batch, cache) in settings.items():  # interleaved, so load changes hit all settings alike
            translator.batch_size = batch
            translator.cache = TranslationCache(cache)
            start = time.perf_counter()
            for _doc in nlp.pipe(notes, batch_size=8):
                pass
            times[name].append(time.perf_counter() - start)
    result = {
        "pipeline": a.pipeline, "notes": len(notes), "sentences": n_sents, "unique_sentences": unique,
        "repeats": a.repeats, "threads": 1, "batch_size": a.batch_size,
        "seconds": times,
        "sentences_per_second_median": {k: n_sents / statistics.median(v) for k, v in times.items()},
    }
    atomic_write_text(a.output, json.dumps(result, indent=2))
    print(json.dumps(result["sentences_per_second_median"], indent=2))


if __name__ == "__main__":
    main()
