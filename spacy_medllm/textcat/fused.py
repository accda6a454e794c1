"""``spacy_medllm.TextCatFused.v1/v2``: sparse n-grams + whole-note transformer pooling (+ label co-occurrence).

Why: on whole clinical notes a tuned TF-IDF + linear model beats a transformer head that sees
only the start of the note. This architecture sums two sets of logits:

- sparse: hashed word n-grams of the whole note, the cheap signal that names a document type
  ("DISCHARGE DIAGNOSES"): v1 spaCy's ``TextCatBOW.v3`` counts, v2 ``note_ngrams.v1`` (TF-IDF-like
  weights, opening and heading blocks; ngrams.py);
- dense: the transformer listener's token vectors (every token of every strided window, so the
  end of a long note counts as much as its start), pooled by mean and max, then a linear layer;

then, multi-label only and optional, a label co-occurrence layer ``z + sigmoid(z) @ C`` (``C``
starts at zero, so it learns e.g. "Surgery goes with an organ specialty"), and the output
activation (softmax for exclusive classes, logistic otherwise).
"""
from functools import partial
from typing import List, Optional

from spacy.ml.models.textcat import build_bow_text_classifier_v3
from spacy.tokens import Doc
from thinc.api import (
    LayerNorm, Linear, Logistic, Model, add, chain, concatenate, list2ragged, reduce_max, reduce_mean, resizable,
)
from thinc.layers.resizable import resize_linear_weighted, resize_model
from thinc.layers.softmax_activation import softmax_activation
from thinc.types import Floats2d

from .ngrams import note_ngrams_linear


def label_cooccurrence(nO: Optional[int] = None) -> Model[Floats2d, Floats2d]:
    """Logits ``z`` -> ``z + sigmoid(z) @ C``: each label's logit moves with the other labels'
    probabilities. ``C`` is initialised to zero, so the layer starts as the identity."""
    return Model("label_cooccurrence", _cooc_forward, init=_cooc_init, dims={"nO": nO}, params={"C": None})


def _cooc_init(model, X=None, Y=None):
    if model.has_dim("nO") is not True:
        n = (Y if Y is not None else X).shape[1]
        model.set_dim("nO", n)
    n = model.get_dim("nO")
    model.set_param("C", model.ops.alloc2f(n, n))


def _cooc_forward(model, Z, is_train):
    C = model.get_param("C")
    P = model.ops.sigmoid(Z)
    Y = Z + model.ops.gemm(P, C)

    def backprop(dY):
        model.inc_grad("C", model.ops.gemm(P, dY, trans1=True))
        dP = model.ops.gemm(dY, C, trans2=True)
        return dY + dP * P * (1 - P)

    return Y, backprop


def build_fused_textcat(
    tok2vec: Model[List[Doc], List[Floats2d]],
    exclusive_classes: bool,
    ngram_size: int = 2,
    length: int = 262144,
    label_cooccurrence_layer: bool = True,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """v1: spaCy's ``TextCatBOW.v3`` counts (case-sensitive, every token) as the sparse part."""
    sparse = build_bow_text_classifier_v3(exclusive_classes, ngram_size, True, length, nO)
    return _fuse(tok2vec, sparse, exclusive_classes, label_cooccurrence_layer, nO)


def build_fused_textcat_v2(
    tok2vec: Model[List[Doc], List[Floats2d]],
    exclusive_classes: bool,
    ngram_size: int = 2,
    length: int = 262144,
    opening_tokens: int = 60,
    opening_weight: float = 0.5,
    heading_weight: float = 0.5,
    normalize_dense: bool = False,
    label_cooccurrence_layer: bool = True,
    nO: Optional[int] = None,
    min_df: int = 0,
) -> Model[List[Doc], Floats2d]:
    """v2: the sparse part reads ``note_ngrams.v1`` (sublinear, L2-normalised word n-grams of the
    whole note, of its opening and its section headings; ngrams.py), so its logits do not grow
    with the note's length; ``normalize_dense`` puts a layer norm on the pooled vectors (off: on
    MTSamples dev it let the dense half dominate and lost 0.01 macro-F1); ``min_df`` > 0 weights
    the body n-grams by IDF and drops those of fewer training notes (ngrams.py)."""
    sparse = note_ngrams_linear(ngram_size, length, opening_tokens, opening_weight, heading_weight, nO, min_df)
    return _fuse(tok2vec, sparse, exclusive_classes, label_cooccurrence_layer, nO, normalize_dense)


def _fuse(tok2vec, sparse, exclusive_classes, label_cooccurrence_layer, nO, normalize_dense=False):
    """sparse logits + Linear([LayerNorm] mean | max of every token vector) [-> co-occurrence] -> activation."""
    if exclusive_classes and label_cooccurrence_layer:
        raise ValueError("TextCatFused: label_cooccurrence_layer needs exclusive_classes = false")
    dense_out = resizable(Linear(nO=nO), resize_layer=partial(resize_linear_weighted))
    with Model.define_operators({">>": chain, "|": concatenate}):
        pooled = tok2vec >> list2ragged() >> (reduce_mean() | reduce_max())
        dense = (pooled >> LayerNorm() >> dense_out) if normalize_dense else (pooled >> dense_out)
        logits = add(sparse, dense)
        cooc = label_cooccurrence(nO) if label_cooccurrence_layer else None
        if cooc is not None:
            logits = logits >> cooc
        activation = softmax_activation() if exclusive_classes else Logistic()
        model = logits >> activation
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("dense", dense)
    model.set_ref("sparse", sparse)
    model.set_ref("dense_out", dense_out)
    if cooc is not None:
        model.set_ref("cooccurrence", cooc)
    if nO is not None:
        model.set_dim("nO", nO)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = _resize_fused
    return model


def _resize_fused(model: Model, new_nO: int) -> Model:
    """Label count changes (``add_label``) before the model is initialised set every output dim."""
    sparse = model.get_ref("sparse")
    sparse.attrs["resize_output"](sparse, new_nO)
    model.set_ref("dense_out", resize_model(model.get_ref("dense_out"), new_nO))
    if model.has_ref("cooccurrence"):
        cooc = model.get_ref("cooccurrence")
        if cooc.has_param("C") and cooc.get_param("C") is not None and cooc.get_dim("nO") != new_nO:
            raise ValueError("TextCatFused.v1: cannot add labels to an initialised co-occurrence layer")
        cooc.set_dim("nO", new_nO, force=True)
    model.set_dim("nO", new_nO, force=True)
    return model
