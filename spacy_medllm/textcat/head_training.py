"""Train a whole-note classifier (``spacy_medllm.TextCatFused``) on a frozen encoder's cached outputs.

Fine-tuning the encoder on whole notes sends every window of every note forward and backward on
every step (project.yml ``mtsamples-finetune``); ``--pipeline ... --replace`` then swaps the head
it was tuned with for this one. Here the encoder runs once over every window of every whole note
(``spacy_medllm.frozen_head``), and only the classifier learns: its sparse n-grams of the whole
note, its pooled dense layer and its label co-occurrence layer. After every epoch the per-label
thresholds (multi-label) or offsets (exclusive) are tuned on dev, and the epoch with the best
tuned dev macro-F1 is kept with its thresholds, so ``spacy.load`` of model-best makes the tuned
decisions. The encoder is the pipeline's own (the classifier joins its pass) or, for a
classification-only pipeline, the pretrained base model.

Usage: medllm textcat-train-head TRAIN.spacy DEV.spacy OUTPUT (--pipeline DIR | --base-model NAME)
"""
from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Optional, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Corpus

from ..compose import compose_config
from ..frozen_head import train_frozen_head
from .linear_fit import C_GRID, DENSE_WEIGHTS, check_head, fit_linear_head
from .thresholds import ThresholdsMixin

SOLVERS = ("adam", "svm")

FRAGMENTS = {True: ("textcat_multilabel_fused", "textcat_multilabel"), False: ("textcat_fused", "textcat")}


def encoder_pipeline(base_model: str) -> Language:
    """A pipeline with only the shared ``transformer`` (components/transformer.cfg) on ``base_model``."""
    config = compose_config(["transformer"], overrides={"paths.base_model": base_model})
    nlp = spacy.util.load_model_from_config(config.interpolate(), auto_fill=True, validate=True)
    nlp.initialize()
    return nlp


def is_multi_label(path: Path) -> bool:
    """A corpus is multi-label when some doc has other than exactly one positive class; one with
    no labelled doc is an error naming the file."""
    nlp = spacy.blank("en")
    labelled, multi = False, False
    for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
        if doc.cats:
            labelled = True
            multi = multi or sum(v >= 0.5 for v in doc.cats.values()) != 1
    if not labelled:
        raise ValueError(f"{path}: no doc has classes (doc.cats); nothing to train or tune on")
    return multi


def tune_on_dev(head, dev) -> None:
    if isinstance(head, ThresholdsMixin):
        head.tune(dev)


def train_textcat_head(train: Path, dev: Path, output: Path, *, pipeline: Optional[Path] = None,
                       base_model: Optional[str] = None, multi_label: Optional[bool] = None,
                       fragment: Optional[str] = None, name: Optional[str] = None, epochs: int = 8,
                       batch_size: int = 16, learn_rate: float = 0.01, seed: int = 0, solver: str = "svm",
                       c_grid: Sequence[float] = C_GRID, dense_weights: Sequence[float] = DENSE_WEIGHTS,
                       replace: bool = False, min_df: Optional[int] = None) -> float:
    """Train the classifier; save model-best (tuned on dev), model-last and head_log.jsonl under
    ``output``; return the best tuned dev macro-F1. ``multi_label`` None: read from ``train``.
    ``solver``: "svm" (the linear weights fitted by LinearSVC for each C in ``c_grid`` and dense
    weight, the best by tuned dev macro-F1; linear_fit.py: dev's choice on MTSamples and abstracts)
    or "adam" (epochs of Adam on the component's loss: 8 epochs, 0.01, batches of 16; any
    classifier architecture). ``replace``: a component ``name`` already in ``pipeline`` is removed
    and a new head built from the fragment (e.g. the classifier that fine-tuned the encoder,
    project.yml ``mtsamples-finetune``); otherwise it is kept and trained. ``min_df``: set on the
    new head's n-gram layer (IDF from every training note, ngrams.py); None keeps the fragment's."""
    if solver not in SOLVERS:
        raise ValueError(f"solver {solver!r}: use one of {', '.join(SOLVERS)}")
    if (pipeline is None) == (base_model is None):
        raise ValueError("give a pipeline or a base model (not both)")
    data_multi_label = is_multi_label(train)
    is_multi_label(dev)  # refuses a dev split with nothing to tune on
    if multi_label is None:
        multi_label = data_multi_label
    default_fragment, default_name = FRAGMENTS[multi_label]
    nlp = spacy.load(pipeline) if pipeline is not None else encoder_pipeline(base_model)
    name = name or default_name
    if replace:
        if name not in nlp.pipe_names:
            raise ValueError(f"replace: the pipeline has no {name!r} component (pipes: {', '.join(nlp.pipe_names)})")
        nlp.remove_pipe(name)
    if min_df is not None and name in nlp.pipe_names:
        raise ValueError(f"min_df applies to a new head; the pipeline's {name!r} is kept (use --replace)")
    return train_frozen_head(
        nlp, lambda nlp: list(Corpus(train)(nlp)), lambda nlp: list(Corpus(dev)(nlp)), output,
        name=name, fragment=fragment or default_fragment, score_key="cats_macro_f",
        head_model={"min_df": min_df} if min_df is not None else None,
        epochs=epochs, batch_size=batch_size, learn_rate=learn_rate, seed=seed, before_score=tune_on_dev,
        fit=partial(fit_linear_head, c_grid=c_grid, dense_weights=dense_weights, seed=seed) if solver == "svm" else None,
        check=check_head if solver == "svm" else None)
