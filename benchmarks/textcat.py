"""Score a trained classification pipeline and a TF-IDF + LinearSVC baseline on the same split.

One command, one split, one decision rule (spacy_medllm.textcat.metrics): the baseline is fit on
train.spacy (full notes) and both are scored on the split given (test.spacy by default).
Writes a results JSON and a confusion-matrix PNG per system.

Multi-label tasks: ``--tune-split dev`` also picks a threshold per label on that split for
each system (its F1-best cut, spacy_medllm.textcat.metrics.tune_thresholds) and reports the
evaluation split with those thresholds beside the fixed ones (0.5 sigmoid, 0 for the SVM).
"""
import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import spacy
from spacy.tokens import DocBin
from tqdm import tqdm

from spacy.pipeline.textcat_multilabel import MultiLabel_TextCategorizer

from spacy_medllm.files import atomic_write_text

from spacy_medllm.textcat.metrics import classification_scores, plot_confusion, tune_thresholds
from spacy_medllm.textcat.thresholds import pipeline_thresholds


def load(path, nlp):
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    return [d.text for d in docs], [{k for k, v in d.cats.items() if v >= 0.5} for d in docs], docs


def fit_baseline(train_texts, train_gold, labels, multi_label, seed):
    """TF-IDF (word 1-2 grams) + LinearSVC fit on the training notes; returns texts -> decision scores."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    x_train = vec.fit_transform(train_texts)
    if multi_label:
        y = np.array([[lab in g for lab in labels] for g in train_gold], dtype=int)
        clf = OneVsRestClassifier(LinearSVC(random_state=seed)).fit(x_train, y)
    else:
        y = [labels.index(next(iter(g))) for g in train_gold]
        clf = LinearSVC(random_state=seed).fit(x_train, y)
    return lambda texts: np.asarray(clf.decision_function(vec.transform(texts))).reshape(len(texts), len(labels))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", type=Path)
    p.add_argument("corpus", type=Path, help="directory with train.spacy and the evaluation split")
    p.add_argument("--split", default="test")
    p.add_argument("--component", default=None, help="textcat component (default: the first textcat* one)")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--png-dir", type=Path, default=None)
    p.add_argument("--name", default="textcat")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tune-split", default=None, help="multi-label: tune per-label thresholds on this split (e.g. dev)")
    a = p.parse_args()
    nlp = spacy.load(a.model)
    name = a.component or next(n for n in nlp.pipe_names if n.startswith("textcat") or "textcat" in nlp.get_pipe_meta(n).factory)
    pipe = nlp.get_pipe(name)
    multi_label = isinstance(pipe, MultiLabel_TextCategorizer)
    if a.tune_split and not multi_label:
        p.error(f"--tune-split: {name} is exclusive (top label wins); per-label thresholds apply to multi-label pipes")
    threshold = pipe.cfg.get("threshold", 0.5) if multi_label else None
    split_info = json.loads((a.corpus / "split.json").read_text()) if (a.corpus / "split.json").exists() else {}
    train_texts, train_gold, _ = load(a.corpus / "train.spacy", nlp)
    test_texts, test_gold, test_docs = load(a.corpus / f"{a.split}.spacy", nlp)
    labels = list(pipe.labels)

    def classify(texts, split):
        docs = list(tqdm(nlp.pipe(texts, batch_size=16), total=len(texts), desc=f"classify {split}", unit="doc"))
        return np.array([[d.cats.get(lab, 0.0) for lab in labels] for d in docs]), sum(len(d) for d in docs)

    start = time.perf_counter()
    model_scores, n_words = classify(test_texts, a.split)
    elapsed = time.perf_counter() - start
    model = classification_scores(test_gold, model_scores, labels, threshold)
    model["words_per_second"] = n_words / elapsed

    start = time.perf_counter()
    baseline_model = fit_baseline(train_texts, train_gold, labels, multi_label, a.seed)
    base = baseline_model(test_texts)
    base_time = time.perf_counter() - start
    baseline = classification_scores(test_gold, base, labels, 0.0 if multi_label else None)
    baseline["fit_and_predict_seconds"] = base_time

    tuned = None
    if a.tune_split:
        tune_texts, tune_gold, _ = load(a.corpus / f"{a.tune_split}.spacy", nlp)
        model_cut = tune_thresholds(tune_gold, classify(tune_texts, a.tune_split)[0], labels, threshold)
        base_cut = tune_thresholds(tune_gold, baseline_model(tune_texts), labels, 0.0)
        tuned = {
            "tuned_on": a.tune_split,
            "transformer": {**classification_scores(test_gold, model_scores, labels, model_cut),
                            "thresholds": dict(zip(labels, model_cut))},
            "baseline_tfidf_linearsvc": {**classification_scores(test_gold, base, labels, base_cut),
                                         "thresholds": dict(zip(labels, base_cut))},
        }
        tuned["macro_f1_gain_over_baseline"] = (
            tuned["transformer"]["macro_f1"] - tuned["baseline_tfidf_linearsvc"]["macro_f1"])

    result = {
        "name": a.name, "model": str(a.model), "corpus": str(a.corpus), "split": a.split,
        "command": " ".join(["python"] + sys.argv),
        "multi_label": multi_label, "threshold": threshold, "labels": labels,
        "component_thresholds": pipeline_thresholds(nlp),  # tuned values the pipe applied (empty: untuned)
        "n_train": len(train_texts), "n_eval": len(test_texts), "n_eval_words": n_words,
        "split_info": {k: v for k, v in split_info.items() if k != "source"},
        "transformer": model, "baseline_tfidf_linearsvc": baseline,
        "macro_f1_gain_over_baseline": model["macro_f1"] - baseline["macro_f1"],
        "per_label_thresholds": tuned,
        "platform": platform.platform(),
    }
    atomic_write_text(a.output, json.dumps(result, indent=2))
    if a.png_dir:
        plot_confusion(model["confusion"], a.png_dir / f"{a.name}_{a.split}_confusion.png", f"{a.name} {a.split}: transformer")
        plot_confusion(baseline["confusion"], a.png_dir / f"{a.name}_{a.split}_confusion_baseline.png", f"{a.name} {a.split}: TF-IDF + LinearSVC")
    for sysname in ("transformer", "baseline_tfidf_linearsvc"):
        r = result[sysname]
        print(f"{sysname:26s} accuracy {r['accuracy']:.3f}  macro-F1 {r['macro_f1']:.3f}  micro-F1 {r['micro_f1']:.3f}")
        if tuned:
            r = tuned[sysname]
            print(f"{'  thresholds tuned on ' + a.tune_split:26s} accuracy {r['accuracy']:.3f}  "
                  f"macro-F1 {r['macro_f1']:.3f}  micro-F1 {r['micro_f1']:.3f}")


if __name__ == "__main__":
    main()
