"""Train medllm_assertion's head on cached outputs of a frozen encoder (``spacy_medllm.frozen_head``).

components/assertion.cfg fine-tunes the encoder through the head (``spacy train``); this trains
the head alone, entities given, the dev split's macro F1 picking the epoch. A PIPELINE without
``medllm_assertion`` (the clinical pipeline: transformer + ner + ...) gets one from the packaged
``assertion`` fragment on its own transformer: that pipeline plus assertion on the same pass.

Usage: medllm assertion-train-head PIPELINE TRAIN.spacy DEV.spacy OUTPUT [--epochs N]
"""
from pathlib import Path

from ..corpora.registry import GoldEntitiesCorpus
from ..frozen_head import train_frozen_head


def train_assertion_head(pipeline: Path, train: Path, dev: Path, output: Path, *, epochs: int = 20,
                         batch_size: int = 32, learn_rate: float = 0.001, seed: int = 0) -> float:
    """Train the head on cached encoder outputs; save model-best/model-last under ``output``; return the best dev macro F1."""
    return train_frozen_head(
        pipeline, lambda nlp: list(GoldEntitiesCorpus(train)(nlp)), lambda nlp: list(GoldEntitiesCorpus(dev)(nlp)),
        output, name="medllm_assertion", fragment="assertion", score_key="assertion_macro_f", epochs=epochs,
        batch_size=batch_size, learn_rate=learn_rate, seed=seed)
