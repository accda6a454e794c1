"""Whole-note classification on frozen MiniLM features + TF-IDF vs the tuned TF-IDF + LinearSVC baseline.

A cheap first stage of issue 17's fused model: the shared encoder (all-MiniLM-L6-v2) is run once,
frozen, over EVERY window of each note; its token vectors are pooled (mean + max over all windows)
and cached. Linear heads (LinearSVC) are fit on TF-IDF word 1-2 grams (the baseline), on the pooled
vectors, and on both side by side (fused); and, as the ablation for whole-note pooling, on the first
window's pooled vectors only; and on the note's sentence embedding (the pooling
all-MiniLM-L6-v2 was trained for), alone and beside TF-IDF. Every system is tuned the same way on dev: C (and the dense
features' weight) by dev macro-F1 after per-label threshold tuning (multi-label:
spacy_medllm.textcat.metrics.tune_thresholds; exclusive: per-label offsets,
spacy_medllm.textcat.thresholds.tune_offsets); test is scored once with the chosen settings.

Usage (splits from `medllm textcat-split`, as in project.yml):
    python -m benchmarks.textcat_wholenote corpus/mtsamples --output benchmarks/results/textcat_wholenote_mtsamples.json
"""
import argparse
import hashlib
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from spacy_medllm.files import atomic_write_bytes, atomic_write_text
from spacy_medllm.textcat.metrics import classification_scores, tune_thresholds
from spacy_medllm.textcat.thresholds import tune_offsets

C_GRID = [0.1, 0.3, 1.0, 3.0, 10.0]
DENSE_WEIGHTS = [0.5, 1.0, 2.0]
DENSE_WEIGHTS_WIDE = [0.25] + DENSE_WEIGHTS  # the sentence embedding: dev chose the lowest in a probe


def load_split(corpus: Path, split: str):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(corpus / f"{split}.spacy").get_docs(nlp.vocab))
    return [d.text for d in docs], [{k for k, v in d.cats.items() if v >= 0.5} for d in docs], [len(d) for d in docs]


class Encoder:
    """Frozen MiniLM over every window of a note; returns mean+max pooled token vectors of all
    windows, for the ablation those of the first window only, and the note's sentence embedding
    the way all-MiniLM-L6-v2 was trained to give one (each window's mean over all its pieces,
    L2-normalised), averaged over the windows."""

    def __init__(self, model_dir: str, window: int = 256, batch_size: int = 32, threads: int = 2):
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(threads)
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self.model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()
        self.window, self.batch_size = window, batch_size

    def windows(self, text: str):
        ids = self.tok(text, add_special_tokens=False, truncation=False)["input_ids"] or [self.tok.unk_token_id]
        step = self.window - 2
        return [[self.tok.cls_token_id] + ids[i:i + step] + [self.tok.sep_token_id] for i in range(0, len(ids), step)]

    def __call__(self, texts, progress: bool = False):
        torch = self.torch
        owners, chunks = [], []
        for n, text in enumerate(texts):
            for w in self.windows(text):
                owners.append(n)
                chunks.append(w)
        order = np.argsort([len(c) for c in chunks])  # batches of similar length pad little
        dim = self.model.config.hidden_size
        sums = np.zeros((len(texts), dim))
        counts = np.zeros(len(texts))
        maxes = np.full((len(texts), dim), -np.inf)
        first = np.zeros((len(texts), 2 * dim))
        sentence = np.zeros((len(texts), dim))
        first_seen = set()
        bar = range(0, len(order), self.batch_size)
        if progress:
            from tqdm import tqdm

            bar = tqdm(bar, desc="encode windows", unit="batch", mininterval=10)
        for start in bar:
            idx = order[start:start + self.batch_size]
            width = max(len(chunks[i]) for i in idx)
            ids = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                ids[r, :len(chunks[i])] = torch.tensor(chunks[i])
                mask[r, :len(chunks[i])] = 1
            with torch.no_grad():
                hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state.numpy()
            for r, i in enumerate(idx):
                vecs = hidden[r, 1:len(chunks[i]) - 1] if len(chunks[i]) > 2 else hidden[r, :1]
                n = owners[i]
                sums[n] += vecs.sum(axis=0)
                counts[n] += len(vecs)
                maxes[n] = np.maximum(maxes[n], vecs.max(axis=0))
                window = hidden[r, :len(chunks[i])].mean(axis=0)
                sentence[n] += window / (np.linalg.norm(window) + 1e-12)
                if n not in first_seen and (i == 0 or owners[i - 1] != n):  # the note's first window
                    first[n] = np.concatenate([vecs.mean(axis=0), vecs.max(axis=0)])
                    first_seen.add(n)
        whole = np.concatenate([sums / counts[:, None], maxes], axis=1)
        windows = np.bincount(owners, minlength=len(texts))[:, None]
        return whole, first, sentence / np.maximum(windows, 1)


def cached_features(encoder: Encoder, texts, cache: Path):
    key = hashlib.sha1(("\n\0".join(texts) + f"|{encoder.window}").encode("utf8")).hexdigest()[:16]
    path = cache.with_name(f"{cache.stem}_{key}.npz")
    if path.exists():
        z = np.load(path)
        if "sentence" in z:  # a cache written before the sentence embeddings is recomputed
            return z["whole"], z["first"], z["sentence"]
    whole, first, sentence = encoder(texts, progress=True)
    import io

    buf = io.BytesIO()
    np.savez(buf, whole=whole, first=first, sentence=sentence)
    atomic_write_bytes(path, buf.getvalue())
    return whole, first, sentence


def fit_predict(x_train, gold_train, labels, multi_label, C, seed):
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    if multi_label:
        y = np.array([[lab in g for lab in labels] for g in gold_train], dtype=int)
        clf = OneVsRestClassifier(LinearSVC(C=C, random_state=seed)).fit(x_train, y)
    else:
        clf = LinearSVC(C=C, random_state=seed).fit(x_train, [labels.index(next(iter(g))) for g in gold_train])
    return lambda x: np.asarray(clf.decision_function(x)).reshape(x.shape[0], len(labels))


def tuned_rule(dev_gold, dev_scores, labels, multi_label):
    """Dev-tuned decision rule -> (function mapping scores to those scored at the rule, values)."""
    if multi_label:
        cuts = tune_thresholds(dev_gold, dev_scores, labels, 0.0)
        return (lambda s: s - np.array(cuts)), dict(zip(labels, cuts))
    shift = lambda s: np.exp(s - s.max(axis=1, keepdims=True))  # noqa: E731 -- log of it is s + const
    offsets = np.array(tune_offsets([next(iter(g)) for g in dev_gold], shift(dev_scores), labels))
    return (lambda s: s + offsets), dict(zip(labels, offsets.tolist()))


def evaluate_system(name, feats, data, labels, multi_label, seed, weights=(None,)):
    """Grid over C (and the dense weight of fused features) by dev macro-F1 after tuning the
    decision rule on dev; returns test scores at fixed and tuned rules."""
    cut = 0.0 if multi_label else None
    best = None
    for w in weights:
        x = {s: feats(s, w) for s in ("train", "dev", "test")}
        for C in C_GRID:
            predict = fit_predict(x["train"], data["train"][1], labels, multi_label, C, seed)
            dev = predict(x["dev"])
            rule, values = tuned_rule(data["dev"][1], dev, labels, multi_label)
            f = classification_scores(data["dev"][1], rule(dev), labels, cut)["macro_f1"]
            if best is None or f > best[0]:
                best = (f, C, w, predict, rule, values, x["test"])
    f, C, w, predict, rule, values, x_test = best
    test = predict(x_test)
    fixed = classification_scores(data["test"][1], test, labels, cut)
    tuned = classification_scores(data["test"][1], rule(test), labels, cut)
    summary = lambda r: {k: r[k] for k in ("accuracy", "macro_f1", "micro_f1")}  # noqa: E731
    print(f"  {name:34s} seed {seed}  C {C:<4} w {w}  dev {f:.3f}  test fixed {fixed['macro_f1']:.3f}  "
          f"tuned macro {tuned['macro_f1']:.3f} micro {tuned['micro_f1']:.3f} acc {tuned['accuracy']:.3f}", flush=True)
    return {"C": C, "dense_weight": w, "dev_macro_f1_tuned": f, "test_fixed": summary(fixed),
            "test_tuned": {**summary(tuned), "per_label_f1": {k: v["f"] for k, v in tuned["per_label"].items()}},
            "tuned_rule": values}


def speed(encoder, vec, texts, n_words, repeats=3):
    """Words/s from raw text: MiniLM windows + pooling (+ TF-IDF) for the fused head vs TF-IDF alone,
    alternating runs, medians (the linear products themselves are negligible)."""
    runs = {"fused_minilm_tfidf": [], "baseline_tfidf": []}
    for _ in range(repeats):
        t = time.perf_counter()
        encoder(texts)
        vec.transform(texts)
        runs["fused_minilm_tfidf"].append(time.perf_counter() - t)
        t = time.perf_counter()
        vec.transform(texts)
        runs["baseline_tfidf"].append(time.perf_counter() - t)
    return {k: {"words_per_second": n_words / statistics.median(v), "seconds": v} for k, v in runs.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path, help="directory from `medllm textcat-split` (train/dev/test.spacy, split.json)")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--base-model", default="all-MiniLM-L6-v2")
    p.add_argument("--window", type=int, default=256)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--speed-docs", type=int, default=40)
    a = p.parse_args()
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import StandardScaler, normalize

    from spacy_medllm.base_model import resolve_base_model

    info = json.loads((a.corpus / "split.json").read_text())
    labels, multi_label = info["labels"], info["multi_label"]
    data = {s: load_split(a.corpus, s) for s in ("train", "dev", "test")}
    encoder = Encoder(resolve_base_model(a.base_model, allow_hub=False), window=a.window)
    start = time.perf_counter()
    dense = {s: cached_features(encoder, data[s][0], a.corpus / f"minilm_{s}") for s in data}
    encode_seconds = time.perf_counter() - start
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit(data["train"][0])
    tfidf = {s: vec.transform(data[s][0]) for s in data}
    scalers = [StandardScaler().fit(dense["train"][k]) for k in (0, 1, 2)]

    def dense_feats(split, which):
        return normalize(scalers[which].transform(dense[split][which]))

    systems = {
        "baseline_tfidf_linearsvc": (lambda s, w: tfidf[s], (None,)),
        "minilm_whole_note_linearsvc": (lambda s, w: dense_feats(s, 0), (None,)),
        "fused_tfidf_minilm_first_window": (lambda s, w: hstack([tfidf[s], csr_matrix(w * dense_feats(s, 1))]).tocsr(), DENSE_WEIGHTS),
        "fused_tfidf_minilm_whole_note": (lambda s, w: hstack([tfidf[s], csr_matrix(w * dense_feats(s, 0))]).tocsr(), DENSE_WEIGHTS),
        "minilm_sentence_embedding_linearsvc": (lambda s, w: dense_feats(s, 2), (None,)),
        "fused_tfidf_minilm_sentence_embedding": (
            lambda s, w: hstack([tfidf[s], csr_matrix(w * dense_feats(s, 2))]).tocsr(), DENSE_WEIGHTS_WIDE),
    }
    results = {}
    for name, (feats, weights) in systems.items():
        results[name] = {f"seed{seed}": evaluate_system(name, feats, data, labels, multi_label, seed, weights)
                         for seed in a.seeds}
        for m in ("accuracy", "macro_f1", "micro_f1"):
            vals = [results[name][f"seed{s}"]["test_tuned"][m] for s in a.seeds]
            results[name][f"mean_tuned_{m}"] = float(np.mean(vals))
    base = results["baseline_tfidf_linearsvc"]
    for name in systems:
        results[name]["macro_f1_gain_over_tuned_baseline"] = results[name]["mean_tuned_macro_f1"] - base["mean_tuned_macro_f1"]
    n = min(a.speed_docs, len(data["test"][0]))
    speed_result = speed(encoder, vec, data["test"][0][:n], sum(data["test"][2][:n]))
    speed_result["n_docs"] = n
    speed_result["ratio_baseline_over_fused"] = (speed_result["baseline_tfidf"]["words_per_second"]
                                                 / speed_result["fused_minilm_tfidf"]["words_per_second"])
    result = {
        "name": "textcat_wholenote", "corpus": str(a.corpus), "command": " ".join(["python -m benchmarks.textcat_wholenote"] + sys.argv[1:]),
        "multi_label": multi_label, "labels": labels, "docs": info.get("docs"),
        "split_seed": info.get("seed"), "base_model": a.base_model, "window": a.window,
        "feature_cache_seconds": encode_seconds,
        "tuning": "C in %s (fused: dense weight in %s) chosen by dev macro-F1 after tuning the decision rule on dev; "
                  "multi-label: per-label thresholds; exclusive: per-label offsets (macro-F1)" % (C_GRID, DENSE_WEIGHTS),
        "seeds": a.seeds, "systems": results, "speed": speed_result, "platform": platform.platform(),
    }
    atomic_write_text(a.output, json.dumps(result, indent=2))
    print(json.dumps({k: {m: v[m] for m in v if m.startswith("mean") or m.startswith("macro")} for k, v in results.items()}, indent=1))
    print(json.dumps({k: v for k, v in speed_result.items()}, indent=1))


if __name__ == "__main__":
    main()
