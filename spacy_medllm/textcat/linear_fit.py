"""Fit a whole-note classifier's linear layers with liblinear (LinearSVC) on a frozen encoder's outputs.

Why: the fused classifier (``TextCatFused.v2``, ``TextCatNoteNgrams.v1``) is linear in its
features once the encoder is frozen: ``logits = S @ Ws + D @ Wd + b``, with ``S`` the hashed
n-grams of the whole note (``note_ngrams``) and ``D`` the mean and max of its token vectors. On
the same features, Adam on cross-entropy stays about 0.03 macro-F1 below an L2-regularised
squared-hinge solver (BENCHMARKS: "Whole-note classifiers"), the loss a tuned TF-IDF + LinearSVC
baseline wins with. So the solver is given the exact design matrix the thinc layers compute, its
weights are written back into them, and the result is an ordinary spaCy component: ``spacy.load``
runs it, thresholds tuned on dev travel with it. C and the weight of the dense block are chosen
by tuned dev macro-F1, as the baseline's C is. The pooled vectors are standardised (train mean and
deviation) and divided by the square root of their width, so the dense block has about the norm of
the L2-normalised n-gram blocks before its weight; that scaling is linear, so it is folded into
the dense layer's weights and bias.

The hashed ``SparseLinear`` adds each n-gram key's value to two weight columns (MurmurHash3 of the
key with seeds 0 and 1, modulo its length, as thinc's ``sparselinear.pyx`` does); ``sparse_design``
builds those columns, so the fitted weights reproduce the solver's decision values exactly.
"""
from __future__ import annotations

import json
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from murmurhash.mrmr import hash_bytes
from scipy.sparse import csr_matrix, hstack
from spacy.training import Example

from .ngrams import fit_idf

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
DENSE_WEIGHTS = (0.5, 1.0, 2.0)


def _parts(model) -> Tuple:
    """(note_ngrams layer, SparseLinear, dense feature layers, dense Linear, co-occurrence layer or None)."""
    sparse = model.get_ref("sparse") if model.has_ref("sparse") else model
    layers = {node.name: node for node in sparse.walk()}
    if "note_ngrams" not in layers or "sparse_linear" not in layers:
        raise ValueError("the svm solver needs a note_ngrams classifier (TextCatFused.v2 or TextCatNoteNgrams.v1); "
                         f"this model is {model.name}")
    dense_layers, dense_out = None, None
    if model.has_ref("dense"):
        dense_layers = model.get_ref("dense").layers[:-1]
        dense_out = next(n for n in model.get_ref("dense_out").walk() if n.name == "linear")
    cooc = model.get_ref("cooccurrence") if model.has_ref("cooccurrence") else None
    return layers["note_ngrams"], layers["sparse_linear"], dense_layers, dense_out, cooc


def check_head(head) -> None:
    """Refuse, naming the architecture, a head whose layers the solver cannot fit."""
    _parts(head.model)


def hashed_columns(keys: np.ndarray, length: int) -> Tuple[np.ndarray, np.ndarray]:
    """The two weight columns thinc's SparseLinear uses for each uint64 key."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    col1 = np.empty(len(uniq), dtype=np.int64)
    col2 = np.empty(len(uniq), dtype=np.int64)
    for i, key in enumerate(uniq.tolist()):
        data = int(key).to_bytes(8, "little")
        col1[i] = (hash_bytes(data, 0) & 0xFFFFFFFF) % length
        col2[i] = (hash_bytes(data, 1) & 0xFFFFFFFF) % length
    return col1[inverse], col2[inverse]


def sparse_design(ngrams, linear, docs) -> csr_matrix:
    """(n_docs, length) matrix with ``S @ W[c]`` = the layer's logit for class ``c`` (bias aside)."""
    length = linear.get_dim("length")
    (keys, values, lengths), _ = ngrams(docs, is_train=False)
    keys, values, lengths = np.asarray(keys), np.asarray(values, dtype=np.float32), np.asarray(lengths)
    rows = np.repeat(np.arange(len(docs)), lengths)
    col1, col2 = hashed_columns(keys, length)
    return csr_matrix((np.concatenate([values, values]), (np.concatenate([rows, rows]), np.concatenate([col1, col2]))),
                      shape=(len(docs), length))  # duplicates are summed, as the layer sums both columns


def dense_design(layers, docs) -> np.ndarray:
    x = docs
    for layer in layers:
        x = layer.predict(x)
    return np.asarray(x, dtype=np.float32)


def _targets(examples: List[Example], labels: Sequence[str], multi_label: bool) -> np.ndarray:
    if multi_label:
        return np.array([[eg.reference.cats.get(lab, 0.0) >= 0.5 for lab in labels] for eg in examples], dtype=int)
    return np.array([int(np.argmax([eg.reference.cats.get(lab, 0.0) for lab in labels])) for eg in examples])


def fit_linear_head(head, train: List[Example], dev: List[Example], *, score_key: str = "cats_macro_f",
                    c_grid: Sequence[float] = C_GRID, dense_weights: Sequence[float] = DENSE_WEIGHTS, seed: int = 0,
                    before_score: Optional[Callable] = None, on_best: Optional[Callable[[], None]] = None,
                    ) -> Tuple[float, List[Dict]]:
    """Fit the head's linear weights for each C (and dense weight), tune on dev (``before_score``),
    score on dev; keep the best, calling ``on_best`` when it improves. Returns (best score, log)."""
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    model = head.model
    ngrams, linear, dense_layers, dense_out, cooc = _parts(model)
    labels = list(head.labels)
    multi_label = bool(model.attrs.get("multi_label"))
    train_docs = [eg.predicted for eg in train]
    fit_idf(ngrams, train_docs)  # min_df > 0: the IDF table from every training note, not a sample
    S = sparse_design(ngrams, linear, train_docs)
    D = dense_design(dense_layers, train_docs) if dense_layers is not None else None
    if D is not None:
        mean, scale = D.mean(0), D.std(0) * np.sqrt(D.shape[1])
        scale[scale == 0] = 1.0
        D = (D - mean) / scale
    y = _targets(train, labels, multi_label)
    if multi_label and (y.sum(0) == 0).any():
        missing = [lab for lab, n in zip(labels, y.sum(0)) if n == 0]
        raise ValueError(f"no training doc has label(s) {', '.join(missing)}: the svm solver cannot fit them")
    length, best, best_bytes, log = linear.get_dim("length"), -1.0, None, []
    start = time.perf_counter()
    for weight in (dense_weights if D is not None else (None,)):
        X = S if D is None else hstack([S, csr_matrix(weight * D)]).tocsr()
        for C in c_grid:
            svc = LinearSVC(C=C, random_state=seed, max_iter=5000)
            clf = OneVsRestClassifier(svc).fit(X, y) if multi_label else svc.fit(X, y)
            coef, intercept = _coef(clf, len(labels), multi_label)
            W = np.ascontiguousarray(coef[:, :length], dtype=np.float32).reshape(-1)
            linear.set_param("W", W)
            linear.set_param("b", np.asarray(intercept, dtype=np.float32))
            if D is not None:  # w * ((x - mean) / scale) @ c  ==  x @ (w * c / scale) - mean @ (w * c / scale)
                Wd = weight * coef[:, length:] / scale
                dense_out.set_param("W", np.asarray(Wd, dtype=np.float32))
                dense_out.set_param("b", np.asarray(-(Wd @ mean), dtype=np.float32))
            if cooc is not None:
                cooc.set_param("C", np.zeros_like(cooc.get_param("C")))
            if before_score is not None:
                before_score(head, dev)
            docs = [eg.predicted for eg in dev]
            head.set_annotations(docs, head.predict(docs))
            score = head.score(dev).get(score_key) or 0.0
            row = {"C": C, "dense_weight": weight, score_key: score, "seconds": round(time.perf_counter() - start, 1)}
            log.append(row)
            print(json.dumps(row), flush=True)
            if score > best:
                best, best_bytes = score, head.to_bytes()
                if on_best is not None:
                    on_best()
    head.from_bytes(best_bytes)
    return best, log


def _coef(clf, n_labels: int, multi_label: bool) -> Tuple[np.ndarray, np.ndarray]:
    """(n_labels, n_features) weights and intercepts. Exclusive: a two-class LinearSVC has one row
    (its decision > 0 means the second class); a class no training doc has never wins."""
    if multi_label:
        coef = np.vstack([np.asarray(est.coef_) for est in clf.estimators_])
        return coef, np.concatenate([est.intercept_ for est in clf.estimators_])
    rows, intercepts = np.asarray(clf.coef_), np.asarray(clf.intercept_)
    if len(clf.classes_) == 2:
        rows, intercepts = np.vstack([-rows / 2, rows / 2]), np.array([-intercepts[0] / 2, intercepts[0] / 2])
    coef = np.zeros((n_labels, rows.shape[1]))
    intercept = np.full(n_labels, -1e3)
    coef[clf.classes_], intercept[clf.classes_] = rows, intercepts
    return coef, intercept
