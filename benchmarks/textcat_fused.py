"""Whole-note classifiers trained in spaCy on the frozen shared encoder vs tuned TF-IDF + LinearSVC baselines.

The encoder (the pipeline's transformer, or the pretrained base model) runs once over every window
of every train, dev and test note (``spacy_medllm.frozen_head.encode``); then each classifier
variant is added as a component listening to it (grad_factor 0) and trained for each seed
(``fit_head``), its per-label thresholds (multi-label) or offsets (exclusive) tuned on dev after
every epoch, the epoch with the best tuned dev macro-F1 kept. That is what
``medllm textcat-train-head`` does; here the encoding is shared by all variants and seeds, so the
ablation rows (what each part of ``TextCatFused`` buys) cost one encoder pass. Test is scored
once per variant and seed, with the decision rule of benchmarks/textcat_wholenote.py (thresholds,
or the top label when none passes). The baselines are tuned the same way (C by tuned dev
macro-F1, thresholds on dev).

Usage (splits from `medllm textcat-split`, as in project.yml):
    python -m benchmarks.textcat_fused corpus/mtsamples --output benchmarks/results/textcat_fused_mtsamples.json
"""
import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from spacy_medllm.files import atomic_write_text
from spacy_medllm.textcat.metrics import classification_scores

LISTENER = {"@architectures": "spacy-transformers.TransformerListener.v1", "grad_factor": 0.0,
            "upstream": "transformer", "pooling": {"@layers": "reduce_mean.v1"}}


def variants(multi_label: bool):
    """name -> (model config, loss). Rows marked "no encoder" do not read the transformer; loss
    "svm": the linear weights fitted by LinearSVC instead of Adam (``--solver svm``, linear_fit.py)."""
    ex = not multi_label
    fused = {"exclusive_classes": ex, "ngram_size": 2, "label_cooccurrence_layer": multi_label, "tok2vec": LISTENER}
    v2 = {"@architectures": "spacy_medllm.TextCatFused.v2", **fused}
    rows = {
        "bow_counts (spaCy TextCatBOW.v3, no encoder)": (
            {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": ex, "ngram_size": 2, "no_output_layer": False}, "mse"),
        "note_ngrams, body block only (no encoder)": (
            {"@architectures": "spacy_medllm.TextCatNoteNgrams.v1", "exclusive_classes": ex, "ngram_size": 2,
             "opening_tokens": 0, "heading_weight": 0.0}, "mse"),
        "note_ngrams (TextCatNoteNgrams.v1, no encoder)": (
            {"@architectures": "spacy_medllm.TextCatNoteNgrams.v1", "exclusive_classes": ex, "ngram_size": 2}, "mse"),
        "dense (mean+max of all windows, TextCatReduce.v1)": (
            {"@architectures": "spacy.TextCatReduce.v1", "exclusive_classes": ex, "use_reduce_first": False,
             "use_reduce_last": False, "use_reduce_max": True, "use_reduce_mean": True, "tok2vec": LISTENER}, "cross_entropy"),
        "fused_v1 (BOW counts + dense)": ({"@architectures": "spacy_medllm.TextCatFused.v1", **fused}, "cross_entropy"),
        "fused_v2 (note_ngrams + layer-normed dense)": ({**v2, "normalize_dense": True}, "cross_entropy"),
        "fused_v2, spaCy's squared-error loss": ({**v2, "normalize_dense": True}, "mse"),
        "fused_v2, dense not normalised": ({**v2, "normalize_dense": False}, "cross_entropy"),
        "note_ngrams, LinearSVC solver (no encoder)": (
            {"@architectures": "spacy_medllm.TextCatNoteNgrams.v1", "exclusive_classes": ex, "ngram_size": 2}, "svm"),
        "fused_v2, dense not normalised, LinearSVC solver": ({**v2, "normalize_dense": False}, "svm"),
        "note_ngrams with IDF (min_df 2), LinearSVC solver (no encoder)": (
            {"@architectures": "spacy_medllm.TextCatNoteNgrams.v1", "exclusive_classes": ex, "ngram_size": 2,
             "min_df": 2}, "svm"),
        "fused_v2 with IDF (min_df 2), LinearSVC solver": ({**v2, "normalize_dense": False, "min_df": 2}, "svm"),
    }
    if multi_label:
        rows["fused_v2 without label co-occurrence"] = (
            {**v2, "normalize_dense": True, "label_cooccurrence_layer": False}, "cross_entropy")
    return rows


def add_head(nlp, name, model, multi_label, train, loss="mse"):
    if multi_label:
        config = {"model": model, "threshold": 0.5, "scorer": {"@scorers": "spacy.textcat_multilabel_scorer.v2"}, "loss": loss}
        head = nlp.add_pipe("medllm_textcat_multilabel", name=name, config=config)
    else:
        config = {"model": model, "threshold": 0.0, "scorer": {"@scorers": "spacy_medllm.textcat_scorer.v1"}, "loss": loss}
        head = nlp.add_pipe("medllm_textcat", name=name, config=config)
    head.initialize(lambda: train[:500], nlp=nlp)
    return head


def scores_at_tuned_rule(head, examples, labels, multi_label):
    gold = [{k for k, v in eg.reference.cats.items() if v >= 0.5} for eg in examples]
    raw = head.raw_scores([eg.predicted for eg in examples])
    order = [list(head.labels).index(lab) for lab in labels]
    mapped = head.calibrate(raw)[:, order]
    return classification_scores(gold, mapped, labels, 0.5 if multi_label else None)


def summary(r, per_label=False):
    out = {k: r[k] for k in ("accuracy", "macro_f1", "micro_f1")}
    if per_label:
        out["per_label_f1"] = {k: v["f"] for k, v in r["per_label"].items()}
    return out


def train_variant(nlp, name, model, loss, lr, multi_label, seed, data, labels, epochs, batch_size):
    from thinc.api import fix_random_seed

    from spacy_medllm.frozen_head import fit_head
    from spacy_medllm.textcat.head_training import tune_on_dev
    from spacy_medllm.textcat.linear_fit import fit_linear_head

    fix_random_seed(seed)
    pipe_name = f"head_{seed}"
    head = add_head(nlp, pipe_name, model, multi_label, data["train"], "cross_entropy" if loss == "svm" else loss)
    state = {}

    def snapshot():
        state["bytes"] = head.to_bytes()

    start = time.perf_counter()
    if loss == "svm":
        best, log = fit_linear_head(head, data["train"], data["dev"], seed=seed, before_score=tune_on_dev,
                                    on_best=snapshot)
    else:
        best, log = fit_head(head, data["train"], data["dev"], score_key="cats_macro_f", epochs=epochs,
                             batch_size=batch_size, learn_rate=lr, seed=seed, before_score=tune_on_dev, on_best=snapshot)
    seconds = time.perf_counter() - start
    head.from_bytes(state["bytes"])
    best_row = max(log, key=lambda r: r.get("cats_macro_f") or 0.0)
    best_epoch = best_row.get("epoch", f"C={best_row.get('C')}, dense weight {best_row.get('dense_weight')}")
    dev = scores_at_tuned_rule(head, data["dev"], labels, multi_label)
    test = scores_at_tuned_rule(head, data["test"], labels, multi_label)
    nlp.remove_pipe(pipe_name)
    print(f"  {name:58s} seed {seed}  best {best_epoch}  dev {dev['macro_f1']:.3f}  test macro {test['macro_f1']:.3f} "
          f"micro {test['micro_f1']:.3f} acc {test['accuracy']:.3f}  ({seconds:.0f} s)", flush=True)
    return {"best_epoch": best_epoch, "train_seconds": round(seconds, 1), "dev_tuned": summary(dev),
            "test_tuned": summary(test, per_label=True)}


def baselines(corpus, labels, multi_label):
    """TF-IDF word 1-2 grams (+ char 2-5 grams) + LinearSVC, C and thresholds tuned on dev."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    from benchmarks.textcat_wholenote import evaluate_system, load_split

    data = {s: load_split(corpus, s) for s in ("train", "dev", "test")}
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit(data["train"][0])
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                           max_features=300000).fit(data["train"][0])
    W = {s: word.transform(data[s][0]) for s in data}
    Ch = {s: char.transform(data[s][0]) for s in data}
    out = {
        "tfidf_word12_linearsvc": evaluate_system("tfidf word", lambda s, w: W[s], data, labels, multi_label, 0),
        "tfidf_word12_char25_linearsvc": evaluate_system(
            "tfidf word+char", lambda s, w: hstack([W[s], Ch[s]]).tocsr(), data, labels, multi_label, 0),
    }
    return out, word, data


def speed(nlp, head_cfg, multi_label, train, vec, texts, n_words, repeats=3):
    """Words/s from raw text, alternating, medians: transformer + fused head; the note_ngrams head
    alone (no encoder); TF-IDF transform alone (the baseline's cost; its linear product is negligible)."""
    import spacy

    fused_model, _ = head_cfg["fused"]
    sparse_model, _ = head_cfg["sparse"]
    add_head(nlp, "speed_fused", fused_model, multi_label, train, "cross_entropy")
    sparse_nlp = spacy.blank("en")
    add_head(sparse_nlp, "speed_sparse", sparse_model, multi_label, train)
    runs = {"transformer + fused_v2": [], "note_ngrams alone": [], "tfidf_word12 transform": []}
    for _ in range(repeats):
        t = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=16):
            pass
        runs["transformer + fused_v2"].append(time.perf_counter() - t)
        t = time.perf_counter()
        for _doc in sparse_nlp.pipe(texts, batch_size=64):
            pass
        runs["note_ngrams alone"].append(time.perf_counter() - t)
        t = time.perf_counter()
        vec.transform(texts)
        runs["tfidf_word12 transform"].append(time.perf_counter() - t)
    nlp.remove_pipe("speed_fused")
    return {k: {"words_per_second": n_words / statistics.median(v), "seconds": v} for k, v in runs.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path, help="directory from `medllm textcat-split` (train/dev/test.spacy, split.json)")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--base-model", default="all-MiniLM-L6-v2", help="pretrained encoder (when no --pipeline)")
    p.add_argument("--pipeline", type=Path, default=None, help="or a trained pipeline whose transformer to use")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--learn-rate", type=float, default=0.01)
    p.add_argument("--only", nargs="*", default=None, help="variant name prefixes to run (default: all)")
    p.add_argument("--speed-docs", type=int, default=60)
    a = p.parse_args()
    import spacy
    from spacy.training import Corpus

    from spacy_medllm.frozen_head import encode
    from spacy_medllm.textcat.head_training import encoder_pipeline

    info = json.loads((a.corpus / "split.json").read_text())
    labels, multi_label = info["labels"], info["multi_label"]
    base, vec, raw = baselines(a.corpus, labels, multi_label)
    nlp = spacy.load(a.pipeline) if a.pipeline else encoder_pipeline(a.base_model)
    start = time.perf_counter()
    data = {s: encode(nlp, list(Corpus(a.corpus / f"{s}.spacy")(nlp)), f"encode {s}") for s in ("train", "dev", "test")}
    encode_seconds = time.perf_counter() - start
    rows = variants(multi_label)
    if a.only:
        rows = {k: v for k, v in rows.items() if any(k.startswith(o) for o in a.only)}
    results = {}
    for name, (model, loss) in rows.items():
        results[name] = {"learn_rate": a.learn_rate, "loss": loss, "model": model}
        for seed in a.seeds:
            results[name][f"seed{seed}"] = train_variant(nlp, name, model, loss, a.learn_rate, multi_label, seed, data,
                                                         labels, a.epochs, a.batch_size)
        for split in ("dev_tuned", "test_tuned"):
            for m in ("accuracy", "macro_f1", "micro_f1"):
                vals = [results[name][f"seed{s}"][split][m] for s in a.seeds]
                results[name][f"mean_{split}_{m}"] = float(np.mean(vals))
        results[name]["macro_f1_gain_over_tuned_tfidf"] = (
            results[name]["mean_test_tuned_macro_f1"] - base["tfidf_word12_linearsvc"]["test_tuned"]["macro_f1"])
    chosen = max(results, key=lambda k: results[k]["mean_dev_tuned_macro_f1"]) if results else None
    n = min(a.speed_docs, len(raw["test"][0]))
    all_rows = variants(multi_label)
    speed_result = speed(nlp, {"fused": all_rows["fused_v2 (note_ngrams + layer-normed dense)"],
                               "sparse": all_rows["note_ngrams (TextCatNoteNgrams.v1, no encoder)"]},
                         multi_label, data["train"], vec, raw["test"][0][:n], sum(raw["test"][2][:n]))
    speed_result["n_docs"] = n
    result = {
        "name": "textcat_fused", "corpus": str(a.corpus),
        "command": " ".join(["python -m benchmarks.textcat_fused"] + sys.argv[1:]),
        "multi_label": multi_label, "labels": labels, "split_seed": info.get("seed"),
        "encoder": str(a.pipeline) if a.pipeline else a.base_model, "encode_seconds": round(encode_seconds, 1),
        "epochs": a.epochs, "seeds": a.seeds, "learn_rate": a.learn_rate, "batch_size": a.batch_size,
        "protocol": "every variant: epoch chosen by spaCy's cats_macro_f on dev after tuning thresholds/offsets on dev; "
                    "dev and test scored with those thresholds (top label when none passes); "
                    "baselines: C in the grid of benchmarks/textcat_wholenote.py by tuned dev macro-F1",
        "chosen_by_dev": chosen, "baselines": base, "variants": results, "speed": speed_result,
        "platform": platform.platform(),
    }
    atomic_write_text(a.output, json.dumps(result, indent=2))
    print(json.dumps({k: {m: round(v[m], 4) for m in v if m.startswith("mean") or m.startswith("macro")}
                      for k, v in results.items()}, indent=1))
    print("chosen by dev:", chosen)
    print(json.dumps({k: round(v["words_per_second"]) for k, v in speed_result.items() if isinstance(v, dict)}))


if __name__ == "__main__":
    main()
