"""``spacy_medllm.note_ngrams.v1``: the hashed n-gram features of a clinical note, weighted like TF-IDF.

spaCy's ``extract_ngrams`` gives raw counts of case-sensitive n-grams of every token, spaces and
punctuation included: a 5,000-word note then has logits ten times those of a 500-word note, and
"\\n" bigrams are features. A tuned TF-IDF + linear model wins on whole notes partly because its
features do not grow with length. This layer gives the same kind of vector, with three blocks
(keys of each block are salted apart, each block L2-normalised, then weighted):

- ``body``: lower-cased word 1..n-grams of the whole note, spaces and punctuation left out
  (``words``), counts damped to ``1 + log(count)`` (sublinear TF);
- ``opening``: the same n-grams of the first ``opening_tokens`` words, where a note says what it
  is ("DISCHARGE SUMMARY", "CHIEF COMPLAINT", "PREOPERATIVE DIAGNOSIS");
- ``headings``: each section heading (upper-case words before a colon, "HOSPITAL COURSE:"), once.
  Heading sets tell document types apart (a discharge summary, an ER report, a SOAP note).

With ``min_df`` > 0 the body block is also weighted by inverse document frequency, as
scikit-learn's ``TfidfVectorizer`` does (``ln((1 + n) / (1 + df)) + 1``), and n-grams seen in
fewer than ``min_df`` training notes are left out: without IDF and min_df the tuned TF-IDF +
LinearSVC baseline loses 0.012 dev / 0.026 test macro-F1 on MTSamples (docs/textcat.md). The
table is learned from every training note (``fit_idf``: by ``medllm textcat-train-head`` and
by the ``medllm_textcat*`` components' ``initialize`` under ``spacy train``; another component
gets only its 10-note initialize sample) and saved with the model.

Output ``(keys, values, lengths)`` is what thinc's ``SparseLinear`` reads. No gradient flows back.
"""
import string
from functools import partial
from typing import Callable, List, Optional, Tuple

import numpy as np
from spacy.ml.models.textcat import resize_and_set_ref
from spacy.strings import hash_string
from spacy.tokens import Doc
from thinc.api import Logistic, Model, SparseLinear_v2, chain, resizable, with_cpu
from thinc.layers.resizable import resize_linear_weighted
from thinc.layers.softmax_activation import softmax_activation
from thinc.types import Floats2d

_PUNCT = string.punctuation
# Salts that move the keys of the opening and heading blocks away from the body's.
_OPENING_SALT = np.uint64(0x9E3779B97F4A7C15)
_HEADING_SALT = np.uint64(0xC2B2AE3D27D4EB4F)


def note_ngrams(ngram_size: int = 2, opening_tokens: int = 60, body_weight: float = 1.0,
                opening_weight: float = 0.5, heading_weight: float = 0.5, min_df: int = 0) -> Model:
    """``opening_tokens = 0`` or a weight of 0 leaves that block out; ``min_df = 0``: no IDF."""
    if ngram_size < 1:
        raise ValueError("note_ngrams: ngram_size must be at least 1")
    if min_df < 0:
        raise ValueError("note_ngrams: min_df must be 0 (no IDF) or more")
    return Model("note_ngrams", _forward, init=_init, attrs={
        "ngram_size": ngram_size, "opening_tokens": opening_tokens,
        "weights": (float(body_weight), float(opening_weight), float(heading_weight)), "min_df": int(min_df),
        "idf_keys": np.zeros(0, dtype="uint64"), "idf_values": np.zeros(0, dtype="float32"),
    })


def _word_ids(doc: Doc) -> np.ndarray:
    return np.array([hash_string(w) for w in words(doc)], dtype="uint64")


def _body_keys(model: Model, doc: Doc) -> np.ndarray:
    return _ngram_keys(model, _word_ids(doc), model.attrs["ngram_size"])


def fit_idf(model: Model, docs: List[Doc]) -> int:
    """Learn the body block's IDF table from ``docs`` (no-op when min_df is 0); returns its size."""
    min_df = model.attrs["min_df"]
    if min_df <= 0:
        return 0
    if not docs:
        raise ValueError("note_ngrams: no training notes to learn the IDF table from")
    keys, df = np.unique(np.concatenate([np.unique(_body_keys(model, doc)) for doc in docs]), return_counts=True)
    keep = df >= min_df
    if not keep.any():
        raise ValueError(f"note_ngrams: no n-gram is in {min_df} or more of the {len(docs)} training notes; "
                         "lower min_df (0: no IDF)")
    model.attrs["idf_keys"] = keys[keep].astype("uint64")
    model.attrs["idf_values"] = (np.log((1.0 + len(docs)) / (1.0 + df[keep])) + 1.0).astype("float32")
    return int(keep.sum())


def fit_note_idf(model: Model, get_docs: Callable[[], List[Doc]]) -> None:
    """Fit the IDF table of every ``note_ngrams`` layer with min_df > 0 inside ``model``
    (``get_docs`` is called only when there is one)."""
    layers = [node for node in model.walk() if node.name == "note_ngrams" and node.attrs["min_df"] > 0]
    docs = get_docs() if layers else []
    for node in layers:
        fit_idf(node, docs)


def _init(model: Model, X: Optional[List[Doc]] = None, Y=None) -> None:
    if X is not None and model.attrs["min_df"] > 0 and not len(model.attrs["idf_keys"]):
        fit_idf(model, list(X))


def _idf(model: Model) -> Tuple[np.ndarray, np.ndarray]:
    """The IDF table: sorted n-gram keys and their weights."""
    table, values = model.attrs["idf_keys"], model.attrs["idf_values"]
    if not len(table):
        raise ValueError("note_ngrams: min_df > 0 but no IDF table: initialize the model on training notes "
                         "(medllm textcat-train-head does) before using it")
    return table, values


def _ngram_keys(model: Model, ids: np.ndarray, n_max: int) -> np.ndarray:
    grams = [ids]
    for n in range(2, n_max + 1):
        if len(ids) >= n:
            grams.append(model.ops.ngrams(n, ids))
    return np.concatenate(grams) if grams else np.zeros(0, dtype="uint64")


def _block(keys: np.ndarray, weight: float, sublinear: bool = True, idf=None) -> Tuple[np.ndarray, np.ndarray]:
    if not len(keys) or weight <= 0:
        return np.zeros(0, dtype="uint64"), np.zeros(0, dtype="float32")
    keys, counts = np.unique(keys, return_counts=True)
    vals = (1.0 + np.log(counts)) if sublinear else np.ones(len(counts))
    if idf is not None:  # (sorted table keys, weights): keep the keys in the table, weighted
        table, weights = idf
        idx = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        found = table[idx] == keys
        keys, vals = keys[found], vals[found] * weights[idx[found]]
        if not len(keys):
            return np.zeros(0, dtype="uint64"), np.zeros(0, dtype="float32")
    vals = weight * vals / np.sqrt((vals ** 2).sum())
    return keys, vals.astype("float32")


def words(doc: Doc) -> List[str]:
    """Lower-cased words, punctuation stripped from their edges (",HISTORY" in exported notes is
    "history"); tokens with no letter or digit are left out."""
    out = []
    for token in doc:
        word = token.lower_.strip(_PUNCT)
        if word and any(c.isalnum() for c in word):
            out.append(word)
    return out


def headings(doc: Doc) -> List[str]:
    """Runs of upper-case words (at least one of 3+ letters) followed by a colon."""
    found, run = [], []
    for token in doc:
        word = token.text.strip(_PUNCT)
        if word.isalpha() and word.isupper() or (run and token.text in {"&", "/", "-"}):
            run.append(word.lower())
            if token.text.endswith(":") and len(token.text) > 1:  # "ILLNESS:" in one token
                token_is_colon = True
            else:
                continue
        else:
            token_is_colon = token.text == ":"
        if token_is_colon and any(len(w) >= 3 and w.isalpha() for w in run):
            found.append(" ".join(run))
        run = []
    return found


def _doc_features(model: Model, doc: Doc) -> Tuple[np.ndarray, np.ndarray]:
    n_max = model.attrs["ngram_size"]
    w_body, w_open, w_head = model.attrs["weights"]
    ids = _word_ids(doc)
    parts = [_block(_ngram_keys(model, ids, n_max), w_body, idf=_idf(model) if model.attrs["min_df"] > 0 else None)]
    k = model.attrs["opening_tokens"]
    if k > 0:
        parts.append(_block(_ngram_keys(model, ids[:k], n_max) ^ _OPENING_SALT, w_open))
    if w_head > 0:
        heads = np.array([hash_string(h) for h in set(headings(doc))], dtype="uint64")
        parts.append(_block(heads ^ _HEADING_SALT, w_head, sublinear=False))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _forward(model: Model, docs: List[Doc], is_train: bool):
    keys, vals = zip(*(_doc_features(model, doc) for doc in docs)) if docs else ((), ())
    lengths = model.ops.asarray1i([len(k) for k in keys])
    keys = np.concatenate(keys) if keys else np.zeros(0, dtype="uint64")
    vals = np.concatenate(vals) if vals else np.zeros(0, dtype="float32")
    return (model.ops.asarray(keys, dtype="uint64"), model.ops.asarray(vals, dtype="float32"), lengths), lambda dY: []


def note_ngrams_linear(ngram_size: int = 2, length: int = 262144, opening_tokens: int = 60,
                       opening_weight: float = 0.5, heading_weight: float = 0.5,
                       nO: Optional[int] = None, min_df: int = 0) -> Model[List[Doc], Floats2d]:
    """``note_ngrams`` -> hashed ``SparseLinear`` (logits; resizable like spaCy's ``TextCatBOW``)."""
    length = 2 ** (length - 1).bit_length()  # SparseLinear_v2 wants a power of two
    linear = SparseLinear_v2(nO=nO, length=length)
    resizable_linear = resizable(linear, resize_layer=partial(resize_linear_weighted, fill_defaults={"b": 0, "W": 0}))
    model = chain(note_ngrams(ngram_size, opening_tokens, 1.0, opening_weight, heading_weight, min_df), resizable_linear)
    model = with_cpu(model, model.ops)
    model.set_ref("output_layer", linear)
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_linear)
    if nO is not None:
        model.set_dim("nO", nO)
    return model


def build_note_ngrams_textcat(exclusive_classes: bool, ngram_size: int = 2, length: int = 262144,
                              opening_tokens: int = 60, opening_weight: float = 0.5, heading_weight: float = 0.5,
                              nO: Optional[int] = None, min_df: int = 0) -> Model[List[Doc], Floats2d]:
    """``spacy_medllm.TextCatNoteNgrams.v1``: a linear classifier on ``note_ngrams`` alone, no encoder.
    Classifies tens of thousands of words a second on one core; the fused model's sparse half."""
    linear = note_ngrams_linear(ngram_size, length, opening_tokens, opening_weight, heading_weight, nO, min_df)
    model = chain(linear, softmax_activation() if exclusive_classes else Logistic())
    model.set_ref("output_layer", linear.get_ref("output_layer"))
    model.attrs["multi_label"] = not exclusive_classes

    def resize(model, new_nO):
        linear.attrs["resize_output"](linear, new_nO)
        model.set_ref("output_layer", linear.get_ref("output_layer"))
        model.set_dim("nO", new_nO, force=True)
        return model

    model.attrs["resize_output"] = resize
    if nO is not None:
        model.set_dim("nO", nO)
    return model
