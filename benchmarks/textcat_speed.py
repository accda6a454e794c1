"""Words/s of NER + classification on one shared encoder vs classification with its own encoder.

Three pipelines are built from the shipped fragments on the same base encoder and initialized
(speed does not depend on the trained weights): ner_only (transformer + ner), shared
(transformer + ner + textcat_multilabel listening to the same transformer) and separate
(transformer + ner, plus a second transformer that only the textcat listens to). Runs alternate
between the pipelines (order rotated each repeat) so machine load hits all alike; the result
holds medians over repeats and the separate/shared time ratio measured in the same run.
"""
import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.training import Example

ROOT = Path(__file__).resolve().parent.parent
from spacy_medllm.compose import compose_config
from spacy_medllm.files import atomic_write_text


def build(kind, base_model, labels):
    frags = [ROOT / "components" / "transformer.cfg", ROOT / "components" / "ner.cfg"]
    if kind == "shared":
        frags.append(ROOT / "components" / "textcat_multilabel.cfg")
    config = compose_config(frags, overrides={"paths.base_model": base_model})
    if kind == "separate":
        comps = config["components"]
        comps["textcat_transformer"] = json.loads(json.dumps(comps["transformer"]))
        tc = compose_config([ROOT / "components" / "textcat_multilabel.cfg"])["components"]["textcat_multilabel"]
        tc["model"]["tok2vec"]["upstream"] = "textcat_transformer"
        comps["textcat_multilabel"] = tc
        config["nlp"]["pipeline"] = list(config["nlp"]["pipeline"]) + ["textcat_transformer", "textcat_multilabel"]
    nlp = spacy.util.load_model_from_config(config.interpolate(), auto_fill=True, validate=True)
    def examples():
        doc = nlp.make_doc("Patient with chest pain and diabetes mellitus.")
        cats = {lab: float(i == 0) for i, lab in enumerate(labels)}
        return [Example.from_dict(doc, {"entities": [(29, 46, "Disease")], "cats": cats})]
    nlp.initialize(examples)
    return nlp


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path, help=".spacy file with the notes to time")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--base-model", default="all-MiniLM-L6-v2")
    p.add_argument("--n-docs", type=int, default=20)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=8)
    a = p.parse_args()
    import torch

    torch.set_num_threads(1)
    blank = spacy.blank("en")
    docs = list(DocBin().from_disk(a.corpus).get_docs(blank.vocab))[: a.n_docs]
    texts = [d.text for d in docs]
    labels = sorted(docs[0].cats) or ["A", "B"]
    n_words = sum(len(d) for d in docs)
    kinds = ["ner_only", "shared", "separate"]
    pipes = {k: build(k, a.base_model, labels) for k in kinds}
    for nlp in pipes.values():  # warm-up
        list(nlp.pipe(texts[:2], batch_size=a.batch_size))
    times = {k: [] for k in kinds}
    ratios = []
    for r in range(a.repeats):
        order = kinds[r % 3:] + kinds[: r % 3]
        this = {}
        for k in order:
            start = time.perf_counter()
            out = list(pipes[k].pipe(texts, batch_size=a.batch_size))
            this[k] = time.perf_counter() - start
            assert out[0].cats or k == "ner_only"
            times[k].append(this[k])
        ratios.append(this["separate"] / this["shared"])
        print(f"repeat {r + 1}/{a.repeats}: " + ", ".join(f"{k} {n_words / this[k]:.0f} w/s" for k in kinds), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    result = {
        "command": " ".join(["python"] + sys.argv),
        "base_model": a.base_model, "n_docs": len(texts), "n_words": n_words, "repeats": a.repeats,
        "batch_size": a.batch_size, "torch_threads": torch.get_num_threads(),
        "pipelines": {
            "ner_only": "transformer + ner",
            "shared": "transformer + ner + textcat_multilabel (one encoder pass)",
            "separate": "transformer + ner + textcat_transformer + textcat_multilabel (two encoder passes)",
        },
        "seconds": times,
        "median_seconds": med,
        "median_words_per_second": {k: n_words / v for k, v in med.items()},
        "median_ratio_separate_over_shared": statistics.median(ratios),
        "ratios_per_repeat": ratios,
        "classification_overhead_seconds": {
            "shared": med["shared"] - med["ner_only"], "separate": med["separate"] - med["ner_only"],
        },
        "platform": platform.platform(),
    }
    atomic_write_text(a.output, json.dumps(result, indent=2))
    print(json.dumps({k: result[k] for k in ("median_words_per_second", "median_ratio_separate_over_shared")}, indent=1))


if __name__ == "__main__":
    main()
