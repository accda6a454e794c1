"""Fixtures of the classification tests: a tiny random sequence-classification checkpoint, offline,
and tiny transformer + textcat pipelines built from the shipped fragments."""
import shutil
from pathlib import Path

import pytest

from ..util import WORDS
from .util import LABELS, build_pipeline, examples


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


@pytest.fixture
def multilabel_nlp(tiny_encoder):
    nlp = build_pipeline(tiny_encoder, ["textcat_multilabel"])
    nlp.initialize(lambda: examples(nlp, [{lab} for lab in LABELS]))
    return nlp


@pytest.fixture
def exclusive_nlp(tiny_encoder):
    nlp = build_pipeline(tiny_encoder, ["textcat"])
    nlp.initialize(lambda: examples(nlp, [{lab} for lab in LABELS]))
    return nlp
