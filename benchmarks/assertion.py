"""Assertion benchmark, side by side in one run: NegEx-format accuracy and ConText speed.

Systems: medspaCy's ConText (default rules), negspacy (en_clinical termset), medllm_context,
medllm_assertion (a trained pipeline, optional), and combinations of the last two. Every system
gets the same docs: the NegEx condition as the one entity, the row as one sentence.
Speed: medllm_context against medspaCy's ConText on the same docs (NegEx rows and the sample's
notes with their entities), alternating runs, medians of --repeats.

Usage: python -m benchmarks.assertion NEGEX_TSV [--model PIPELINE] [--output JSON]
"""
import argparse
import statistics
import time
from pathlib import Path

import spacy
import srsly

from spacy_medllm.assertion.flag_scores import (
    flag_scores, predict_given_entities, schema_flags,
)
from spacy_medllm.assertion.sentences import ensure_sentences
from spacy_medllm.corpora.errors import ConversionStats
from spacy_medllm.corpora.readers import read_docs
from spacy_medllm.files import atomic_write_text

MEDSPACY_ATTRS = {"negated": "is_negated", "possible": "is_uncertain", "historical": "is_historical",
                  "hypothetical": "is_hypothetical", "family": "is_family"}


def medspacy_nlp():
    import medspacy  # noqa: F401  (registers medspacy_context)

    nlp = spacy.blank("en")
    nlp.add_pipe("medspacy_context")
    return nlp


def negspacy_nlp():
    from negspacy.negation import Negex  # noqa: F401
    from negspacy.termsets import termset

    nlp = spacy.blank("en")
    nlp.add_pipe("negex", config={"neg_termset": termset("en_clinical").get_patterns()})
    return nlp


def rules_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_context")
    return nlp


def row_flags(preds, get_flags):
    return [get_flags(doc.ents[0]) if doc.ents else set() for doc in preds]


class Fixed:
    """Flags computed elsewhere, replayed through flag_scores."""

    def __init__(self, flags):
        self.flags = iter(flags)

    def __call__(self, span):
        return next(self.flags)


def timed(nlp, docs, repeats):
    """Median seconds over repeats of running the pipeline on copies of docs."""
    times = []
    for _ in range(repeats):
        batch = [d.copy() for d in docs]
        start = time.perf_counter()
        for doc in batch:
            for _, proc in nlp.pipeline:
                doc = proc(doc)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("negex", type=Path)
    ap.add_argument("--model", default=None, help="trained pipeline with medllm_assertion")
    ap.add_argument("--sample", type=Path, default=Path("assets/sample/test.jsonl"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--output", type=Path, default=Path("benchmarks/results/assertion_negex_dev.json"))
    args = ap.parse_args()

    blank = spacy.blank("en")
    stats = ConversionStats()
    refs = list(read_docs(args.negex, "negex", blank, stats))
    systems = {
        "medspaCy ConText (default rules)": (medspacy_nlp(), lambda s: {f for f, a in MEDSPACY_ATTRS.items() if getattr(s._, a)}),
        "negspacy (en_clinical)": (negspacy_nlp(), lambda s: {"negated"} if s._.negex else set()),
        "medllm_context": (rules_nlp(), schema_flags),
    }
    if args.model:
        systems["medllm_assertion"] = (spacy.load(args.model), schema_flags)
    flags = {}
    results = {"rows": len(refs), "skipped": dict(stats.skipped), "systems": {}}
    for name, (nlp, get_flags) in systems.items():
        preds = predict_given_entities(nlp, refs, progress=False)
        flags[name] = row_flags(preds, get_flags)
        results["systems"][name] = flag_scores(preds, Fixed(flags[name]))
    if "medllm_assertion" in flags:
        rules, model = flags["medllm_context"], flags["medllm_assertion"]
        combos = {
            # The classifier for negation, the rules for time and experiencer.
            "assertion negation + context other": [
                ({"negated"} & m) | (r - {"negated"}) for r, m in zip(rules, model)],
            "negated if either": [r | ({"negated"} & m) for r, m in zip(rules, model)],
            "negated if both": [(r - {"negated"}) | ({"negated"} & r & m) for r, m in zip(rules, model)],
        }
        for name, combo in combos.items():
            results["systems"][f"combination: {name}"] = flag_scores(refs, Fixed(combo))

    # Speed: the two ConText implementations on the same docs.
    notes = [d for d in read_docs(args.sample, "jsonl", blank, ConversionStats())]
    for doc in notes:
        ensure_sentences(doc)
    speed = {}
    for corpus_name, docs in (("negex rows", refs), ("sample notes", notes)):
        n_sents = sum(1 for d in docs for _ in d.sents)
        meds, ours = medspacy_nlp(), rules_nlp()
        timed(meds, docs[:20], 1), timed(ours, docs[:20], 1)  # warm up
        t_meds, t_ours = [], []
        for _ in range(args.repeats):  # alternate, so drift on a noisy machine hits both
            t_meds += timed(meds, docs, 1)
            t_ours += timed(ours, docs, 1)
        speed[corpus_name] = {
            "docs": len(docs), "sentences": n_sents,
            "medspaCy ConText sents/s": n_sents / statistics.median(t_meds),
            "medllm_context sents/s": n_sents / statistics.median(t_ours),
            "ratio (medllm_context / medspaCy)": statistics.median(t_meds) / statistics.median(t_ours),
        }
    results["speed"] = speed
    args.output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.output, srsly.json_dumps(results, indent=2))

    print(f"NegEx rows: {len(refs)} (skipped {dict(stats.skipped)})\n")
    print("| system | negated P | negated R | negated F1 | historical F1 | hypothetical F1 |")
    print("|---|---|---|---|---|---|")
    for name, s in results["systems"].items():
        neg = s["negated"]
        print(f"| {name} | {neg['p']:.3f} | {neg['r']:.3f} | {neg['f']:.3f} | {s['historical']['f']:.3f} | {s['hypothetical']['f']:.3f} |")
    print("\n| docs | sentences | medspaCy ConText sents/s | medllm_context sents/s | ratio |")
    print("|---|---|---|---|---|")
    for name, s in speed.items():
        print(f"| {name} | {s['sentences']} | {s['medspaCy ConText sents/s']:.0f} | {s['medllm_context sents/s']:.0f} | "
              f"{s['ratio (medllm_context / medspaCy)']:.2f}x |")
    print(f"\nWrote {args.output}")


if __name__ == "__main__":
    main()
