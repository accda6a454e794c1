"""Fixtures for the classification tests (imported by tests/test_textcat_*.py): a tiny random
sequence-classification checkpoint and a tiny transformer+textcat pipeline, all offline."""
import shutil
from pathlib import Path

import pytest
import spacy

from conftest import ROOT, WORDS

LABELS = ["cardio", "neuro", "onco"]


def long_note(signal: str, n_filler: int = 700) -> str:
    """A note whose first ``n_filler`` words are the same filler and whose last words differ."""
    filler = " ".join(WORDS[i % 40] for i in range(n_filler))
    return f"{filler} . assessment : {signal} {signal} {signal} ."


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BertForSequenceClassification (random weights, 3 labels) and its
    WordPiece tokenizer, saved to disk; position embeddings stop at 64 pieces."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    path = tmp_path_factory.mktemp("tiny-bert-cls")
    chars = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list("0123456789.,;:()-/'%")
    vocab = list(dict.fromkeys(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + chars + ["##" + c for c in chars]))
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf8")
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=True, model_max_length=64)
    tokenizer.save_pretrained(path)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=37, max_position_embeddings=64, initializer_range=0.2,
        id2label=dict(enumerate(LABELS)), label2id={lab: i for i, lab in enumerate(LABELS)},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    with torch.no_grad():  # confident enough that one window's words move a note's scores
        model.classifier.weight.mul_(4)
    model.save_pretrained(path)
    return path


@pytest.fixture
def classifier_copy(tiny_classifier, tmp_path) -> Path:
    """A throwaway copy, for tests that delete the checkpoint after saving a pipeline."""
    return Path(shutil.copytree(tiny_classifier, tmp_path / "ckpt"))


def hf_nlp(checkpoint, **config):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_hf_textcat", config={"model": str(checkpoint), "max_length": 32, "stride": 8, **config})
    return nlp


def textcat_pipeline(tiny_encoder, fragment: str = "textcat_multilabel"):
    """transformer + a textcat fragment on the tiny encoder, built from the shipped fragments."""
    from spacy_medllm.compose import compose_config

    config = compose_config(
        [ROOT / "components" / "transformer.cfg", ROOT / "components" / f"{fragment}.cfg"],
        overrides={"paths.base_model": str(tiny_encoder)},
    )
    return spacy.util.load_model_from_config(config.interpolate(), auto_fill=True, validate=True)
