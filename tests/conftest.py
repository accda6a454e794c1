"""Fixtures only: tiny offline models and small hand-written corpora."""
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from .util import ROOT, WORDS, optimized_copy


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BERT with random weights and a small WordPiece vocab, saved to disk."""
    from transformers import BertConfig, BertModel, BertTokenizerFast

    path = tmp_path_factory.mktemp("tiny-bert")
    chars = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list("0123456789.,;:()-/'%")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + chars + ["##" + c for c in chars]
    vocab = list(dict.fromkeys(vocab))
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf8")
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=True, model_max_length=1024)
    tokenizer.save_pretrained(path)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=37, max_position_embeddings=1024,
    )
    import torch

    torch.manual_seed(0)
    BertModel(config).save_pretrained(path)
    return path


@pytest.fixture
def nlp():
    return spacy.blank("en")


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return ROOT / "assets" / "sample"


@pytest.fixture
def write(tmp_path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf8")
        return path

    return _write


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory, sample_dir) -> Path:
    """The first notes of the shipped sample as small .spacy train/dev files."""
    from spacy_medllm.convert import convert

    out = tmp_path_factory.mktemp("sample-corpus")
    for split, n in (("train", 24), ("dev", 6)):
        lines = (sample_dir / f"{split}.jsonl").read_text(encoding="utf8").splitlines()[:n]
        src = out / f"{split}.jsonl"
        src.write_text("\n".join(lines) + "\n", encoding="utf8")
        convert(src, out / f"{split}.spacy", "jsonl", progress=False)
    return out


@pytest.fixture(scope="session")
def trained_tiny_pipeline(tmp_path_factory, tiny_encoder, sample_corpus) -> Path:
    """A transformer+ner pipeline on the tiny encoder, trained for a few steps with plain `spacy train`."""
    from spacy_medllm.compose import compose_config, write_config

    work = tmp_path_factory.mktemp("tiny-train")
    config = compose_config(
        [ROOT / "components" / "transformer.cfg", ROOT / "components" / "ner.cfg"],
        overrides={"paths.base_model": str(tiny_encoder)},
    )
    write_config(config, work / "config.cfg")
    cmd = [
        sys.executable, "-m", "spacy", "train", str(work / "config.cfg"), "--output", str(work / "out"),
        "--paths.train", str(sample_corpus / "train.spacy"), "--paths.dev", str(sample_corpus / "dev.spacy"),
        "--training.max_steps", "40", "--training.eval_frequency", "20",
        "--training.optimizer.learn_rate.warmup_steps", "5",
        "--training.optimizer.learn_rate.initial_rate", "0.001",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return work / "out" / "model-last"


# An initialized (not trained) transformer + ner + textcat pipeline on the tiny random BERT, and
# its `medllm optimize` copy: the optimize and Spark tests run both.
@pytest.fixture(scope="session")
def fp32_pipeline(tmp_path_factory, tiny_encoder) -> Path:
    from spacy_medllm.compose import compose_config

    config = compose_config(
        [ROOT / "components" / "transformer.cfg", ROOT / "components" / "ner.cfg", ROOT / "components" / "textcat.cfg"],
        overrides={"paths.base_model": str(tiny_encoder)},
    )
    nlp = spacy.util.load_model_from_config(config.interpolate(), auto_fill=True)
    for label in ("PROBLEM", "TREATMENT", "TEST"):
        nlp.get_pipe("ner").add_label(label)
    for label in ("Cardiology", "Oncology", "General"):
        nlp.get_pipe("textcat").add_label(label)
    nlp.initialize()
    path = tmp_path_factory.mktemp("fp32") / "pipeline"
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="session")
def int8_pipeline(tmp_path_factory, fp32_pipeline) -> Path:
    return optimized_copy(tmp_path_factory, fp32_pipeline, "onnx-int8", quantize="int8")
