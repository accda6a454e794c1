"""Negation and uncertainty with GOLD mentions on MACCROBAT dev, per entity label.

Systems side by side on the same docs (gold PROBLEM/TEST/TREATMENT entities, the project's
sentence fallback): ``medllm_context`` (the packaged rules) and medspaCy's ConText with its
default rules, the reference. Scores are per entity label for the categories MACCROBAT's
POLARITY gives (absent = NEG, possible = UNCERTAIN / MAYBE_*), with exact matching (the entities
are the gold ones, so overlap matching gives the same numbers).

With --model PATH, the trained ``medllm_assertion`` of that pipeline joins as a third system: its
encoder runs on each report, the head classifies the gold mentions (the NER is not run).

Usage: python -m benchmarks.maccrobat_assertion [--dev corpus/maccrobat/dev.spacy]
       [--brat ../shared/data/maccrobat/brat] [--output benchmarks/results/maccrobat_assertion.json]
       [--model training/assertion_clinical/model-best]
If --dev does not exist it is built from --brat (the same seeded split as `medllm corpus maccrobat`).

--ablation NEGEX_TSV: medllm_context with each rule change of docs/assertion_rules.md left out
(the rules whose metadata.change is that tag; "C1-excl" puts the TEST exclusion back), scored on
MACCROBAT dev and on NegEx rows; writes benchmarks/results/maccrobat_assertion_ablation.json.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy
import srsly
from spacy.tokens import DocBin
from spacy.training import Example

from spacy_medllm.assertion.sentences import ensure_sentences
from spacy_medllm.files import atomic_write_text
from spacy_medllm.scoring.overlap import assertion_match_scores

MEDSPACY_CATEGORY = (("is_negated", "absent"), ("is_uncertain", "possible"))


def load_dev(dev: Path, brat: Path, nlp) -> list:
    if not dev.exists():
        from spacy_medllm.corpora.maccrobat import build_corpus

        build_corpus(brat, dev.parent)
    docs = list(DocBin().from_disk(dev).get_docs(nlp.vocab))
    for doc in docs:
        ensure_sentences(doc)
    return docs


def run_medllm(refs):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_context")
    return [nlp.get_pipe("medllm_context")(ref.copy()) for ref in refs]


def run_medspacy(refs):
    import medspacy  # noqa: F401  (registers medspacy_context)

    nlp = spacy.blank("en")
    nlp.add_pipe("medspacy_context")
    ctx = nlp.get_pipe("medspacy_context")
    out = []
    for ref in refs:
        doc = ctx(ref.copy())
        for ent in doc.ents:  # medspaCy's flags -> one category, negation first
            ent._.assertion = next((cat for attr, cat in MEDSPACY_CATEGORY if getattr(ent._, attr)), "present")
        out.append(doc)
    return out


def run_model(refs, path: Path):
    """The pipeline's transformer and medllm_assertion on the gold mentions."""
    nlp = spacy.load(path)
    keep = [name for name in nlp.pipe_names if name in ("transformer", "medllm_assertion")]
    if "medllm_assertion" not in keep:
        raise SystemExit(f"{path}: no medllm_assertion in the pipeline ({', '.join(nlp.pipe_names)})")
    docs = []
    for ref in refs:
        doc = nlp.make_doc(ref.text)
        doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_, alignment_mode="expand") for e in ref.ents]
        if len(doc) == len(ref):  # same tokenizer: the same sentences the rules saw
            for token, ref_token in zip(doc, ref):
                token.is_sent_start = ref_token.is_sent_start
        docs.append(doc)
    for name in keep:
        docs = list(nlp.get_pipe(name).pipe(docs, batch_size=8))
    return docs


CHANGES = ("C1-excl", "C1b", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10")


def rules_without(change: str) -> list:
    from spacy_medllm.assertion.context import default_rules

    rules = [dict(r) for r in default_rules() if (r.get("metadata") or {}).get("change") != change]
    if change == "C1-excl":
        for r in rules:
            if r.get("excluded_types") == ["TEST"]:
                r.pop("excluded_types")
    return rules


def ablation(refs, negex: Path) -> dict:
    from spacy_medllm.assertion.flag_scores import evaluate_negex

    out = {}
    for change in ("none",) + CHANGES:
        nlp = spacy.blank("en")
        ctx = nlp.add_pipe("medllm_context", config={"use_default_rules": False})
        ctx.add_rules(rules_without(change))
        preds = [ctx(ref.copy()) for ref in refs]
        scores = assertion_match_scores([Example(p_, r) for p_, r in zip(preds, refs)], modes=("exact",))["exact"]
        row = {label: round(c["absent"]["f"], 3) for label, c in scores.items()}
        row["negex_dev_negated_f"] = round(evaluate_negex(nlp, negex, progress=False)["negated"]["f"], 3)
        out["all rules" if change == "none" else f"without {change}"] = row
        print(change, row, flush=True)
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dev", type=Path, default=Path("corpus/maccrobat/dev.spacy"))
    p.add_argument("--brat", type=Path, default=Path("../shared/data/maccrobat/brat"))
    p.add_argument("--output", type=Path, default=Path("benchmarks/results/maccrobat_assertion.json"))
    p.add_argument("--systems", default="medllm_context,medspacy_context")
    p.add_argument("--model", type=Path, default=None, help="a pipeline with medllm_assertion: scored as a third system")
    p.add_argument("--ablation", type=Path, default=None, metavar="NEGEX_TSV",
                   help="leave out each rule change in turn; negated F1 on MACCROBAT dev and on these NegEx rows")
    args = p.parse_args(argv)
    nlp = spacy.blank("en")
    refs = load_dev(args.dev, args.brat, nlp)
    if args.ablation:
        result = {"data": str(args.dev), "negex": str(args.ablation), "negated_f1": ablation(refs, args.ablation)}
        output = args.output.with_name("maccrobat_assertion_ablation.json")
        atomic_write_text(output, srsly.json_dumps(result, indent=2) + "\n")
        print(f"Wrote {output}")
        return result
    runners = {"medllm_context": run_medllm, "medspacy_context": run_medspacy}
    systems = [name for name in args.systems.split(",") if name]
    if args.model:
        runners["medllm_assertion"] = lambda refs: run_model(refs, args.model)
        systems.append("medllm_assertion")
    result = {"data": str(args.dev), "docs": len(refs), "entities": sum(len(d.ents) for d in refs), "systems": {},
              "model": str(args.model) if args.model else None}
    for name in systems:
        start = time.perf_counter()
        preds = runners[name](refs)
        scores = assertion_match_scores([Example(p_, r) for p_, r in zip(preds, refs)], modes=("exact",))
        result["systems"][name] = {"seconds": round(time.perf_counter() - start, 2), "scores": scores["exact"]}
        print(f"{name}: " + "  ".join(f"{lab} neg F1 {c['absent']['f']:.3f} (P {c['absent']['p']:.3f} R {c['absent']['r']:.3f}, "
                                     f"n={c['absent']['support']}) unc F1 {c['possible']['f']:.3f}"
                                     for lab, c in scores["exact"].items()))
    atomic_write_text(args.output, srsly.json_dumps(result, indent=2) + "\n")
    print(f"Wrote {args.output}")
    return result


if __name__ == "__main__":
    main()
