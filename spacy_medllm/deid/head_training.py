"""Train the PHI head (``deid_spancat``, components/deid_head.cfg) on a pipeline's frozen encoder.

The head listens to the pipeline's own transformer (grad_factor 0), so on the clinical pipeline
it shares the pass NER, assertion and classification already make; it is trained on cached
encoder outputs (``spacy_medllm.frozen_head``), the dev split's span F picking the epoch.
``medllm_deid`` is added after it (or pointed at it) with ``model_spans_key`` set, so the saved
pipeline joins the head's spans to the rules' at its ``threshold``.

Usage: medllm deid-train-head PIPELINE TRAIN.spacy DEV.spacy OUTPUT [--epochs N] [--clinical-vocab CORPUS.spacy]
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence

from spacy.training import Corpus

from ..frozen_head import train_frozen_head
from .vocab import build_clinical_vocab

HEAD = "deid_spancat"
SPANS_KEY = "phi_model"


def join_rules(nlp, threshold: float = 0.5, clinical_vocab: Optional[List[str]] = None) -> None:
    """medllm_deid after the head, reading its spans; the head keeps every span medllm_deid might.
    ``clinical_vocab`` (``vocab.build_clinical_vocab``) replaces medllm_deid's when given."""
    head = nlp.get_pipe(HEAD)
    head.cfg["threshold"] = min(head.cfg.get("threshold", 0.5), threshold)
    names = [name for name, pipe in nlp.pipeline if pipe.__class__.__name__ == "Deidentifier"]
    if not names:
        nlp.add_pipe("medllm_deid", config={"model_spans_key": SPANS_KEY, "threshold": threshold})
        names = [nlp.pipe_names[-1]]
    if nlp.pipe_names.index(names[0]) < nlp.pipe_names.index(HEAD):
        raise ValueError(f"{names[0]} runs before {HEAD}: it could not read the head's spans")
    deid = nlp.get_pipe(names[0])
    deid.cfg["model_spans_key"] = SPANS_KEY
    deid.cfg["threshold"] = threshold
    if clinical_vocab is not None:
        deid.set_clinical_vocab(clinical_vocab)


def train_deid_head(pipeline: Path, train: Path, dev: Path, output: Path, *, epochs: int = 20, batch_size: int = 16,
                    learn_rate: float = 0.001, seed: int = 0, threshold: float = 0.5,
                    clinical_vocab_from: Sequence[Path] = (), averages: bool = False) -> float:
    """Train the head; save model-best/model-last (with medllm_deid joined, its clinical vocabulary
    learned from ``clinical_vocab_from``) under ``output``; return the best dev span F."""
    vocab = build_clinical_vocab(clinical_vocab_from) if clinical_vocab_from else None
    return train_frozen_head(
        pipeline, lambda nlp: list(Corpus(train)(nlp)), lambda nlp: list(Corpus(dev)(nlp)), output, name=HEAD,
        fragment="deid_head", score_key=f"spans_{SPANS_KEY}_f", epochs=epochs, batch_size=batch_size,
        learn_rate=learn_rate, seed=seed, finish=lambda nlp: join_rules(nlp, threshold, vocab), averages=averages)
