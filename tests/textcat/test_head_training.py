"""`medllm textcat-train-head`: a whole-note classifier trained on a frozen encoder, thresholds tuned on dev and saved."""
import numpy as np
import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from spacy_medllm.cli.app import load_commands
from spacy_medllm.textcat.head_training import is_multi_label, train_textcat_head

from .util import LABELS, TEXTS

GOLD = [{"cardio"}, {"neuro"}, {"onco"}, {"cardio", "onco"}, {"cardio"}, {"neuro"}, {"onco"}, {"cardio"},
        {"cardio"}, {"onco"}, {"cardio"}, {"neuro"}]


def write_corpus(path, gold, texts=TEXTS):
    nlp = spacy.blank("en")
    docs = []
    for text, g in zip(texts, gold):
        doc = nlp.make_doc(text)
        doc.cats = {lab: float(lab in g) for lab in LABELS}
        docs.append(doc)
    DocBin(docs=docs).to_disk(path)
    return path


@pytest.fixture
def corpus(tmp_path):
    return (write_corpus(tmp_path / "train.spacy", GOLD), write_corpus(tmp_path / "dev.spacy", GOLD[::-1], TEXTS[::-1]))


def test_multi_label_is_read_from_the_corpus(tmp_path, corpus):
    assert is_multi_label(corpus[0])
    assert not is_multi_label(write_corpus(tmp_path / "one.spacy", [{LABELS[i % 3]} for i in range(len(TEXTS))]))


def test_base_model_head_saves_tuned_thresholds_that_spacy_load_applies(tiny_encoder, corpus, tmp_path):
    best = train_textcat_head(*corpus, tmp_path / "out", base_model=str(tiny_encoder), epochs=3, learn_rate=0.01,
                              solver="adam")
    assert 0.0 < best <= 1.0
    nlp = spacy.load(tmp_path / "out" / "model-best")
    assert nlp.pipe_names == ["transformer", "textcat_multilabel"]
    model_cfg = nlp.config["components"]["textcat_multilabel"]["model"]
    assert model_cfg["tok2vec"]["grad_factor"] == 0.0  # the encoder stayed frozen
    pipe = nlp.get_pipe("textcat_multilabel")
    assert set(pipe.tuned) == set(LABELS)
    cuts = np.array([pipe.tuned[lab] for lab in LABELS])
    assert not np.allclose(cuts, 0.5)  # tuned, not the default
    doc = nlp(TEXTS[0])
    raw = np.array([doc._.raw_cats[lab] for lab in LABELS])
    cats = np.array([doc.cats[lab] for lab in LABELS])
    # a raw score passes its tuned cut exactly when the saved score passes the pipe's 0.5
    assert ((raw >= cuts) == (cats >= 0.5)).all()
    log = (tmp_path / "out" / "head_log.jsonl").read_text().splitlines()
    assert len(log) == 3 and "cats_macro_f" in log[0]


def test_exclusive_head_on_an_existing_pipeline_leaves_its_other_answers(fp32_pipeline, tmp_path):
    gold = [{LABELS[i % 3]} for i in range(len(TEXTS))]
    train = write_corpus(tmp_path / "train.spacy", gold)
    before = spacy.load(fp32_pipeline)
    doc_before = before(TEXTS[2])
    train_textcat_head(train, train, tmp_path / "out", pipeline=fp32_pipeline, fragment="textcat_fused",
                       name="note_class", epochs=2, solver="adam")
    nlp = spacy.load(tmp_path / "out" / "model-last")
    assert nlp.pipe_names == before.pipe_names + ["note_class"]
    doc = nlp(TEXTS[2])
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(e.start, e.end, e.label_) for e in doc_before.ents]
    assert sum(doc.cats[lab] for lab in LABELS) == pytest.approx(1.0)  # exclusive: softmax over the new labels
    assert set(nlp.get_pipe("note_class").tuned) == set(LABELS)  # per-label offsets


def test_a_corpus_without_classes_is_refused_naming_the_file(tmp_path, corpus):
    nlp = spacy.blank("en")
    DocBin(docs=[nlp.make_doc(t) for t in TEXTS]).to_disk(tmp_path / "nocats.spacy")
    result = CliRunner().invoke(load_commands(), ["textcat-train-head", str(corpus[0]), str(tmp_path / "nocats.spacy"),
                                                  str(tmp_path / "o"), "--base-model", "x"])
    assert result.exit_code == 1 and "nocats.spacy: no doc has classes" in result.output


def test_cli_needs_exactly_one_encoder_source(corpus, tmp_path):
    runner = CliRunner()
    result = runner.invoke(load_commands(), ["textcat-train-head", str(corpus[0]), str(corpus[1]), str(tmp_path / "o")])
    assert result.exit_code == 1 and "--pipeline or --base-model" in result.output
    result = runner.invoke(load_commands(), ["textcat-train-head", str(tmp_path / "missing.spacy"), str(corpus[1]),
                                             str(tmp_path / "o"), "--base-model", "x"])
    assert result.exit_code == 1 and "missing.spacy: not found" in result.output


def test_replace_swaps_the_fine_tuning_classifier_for_a_fused_head(tiny_encoder, corpus, tmp_path):
    from spacy.training import Corpus

    from spacy_medllm.frozen_head import add_frozen_head
    from spacy_medllm.textcat.head_training import encoder_pipeline

    # stage one of project.yml's mtsamples-finetune: transformer + a dense-only classifier
    nlp = encoder_pipeline(str(tiny_encoder))
    add_frozen_head(nlp, "textcat_multilabel", "textcat_multilabel", lambda: list(Corpus(corpus[0])(nlp)))
    nlp.to_disk(tmp_path / "tuned")
    assert nlp.config["components"]["textcat_multilabel"]["model"]["@architectures"] == "spacy.TextCatReduce.v1"
    with pytest.raises(ValueError, match="svm solver needs a note_ngrams classifier"):  # kept: not one it can fit
        train_textcat_head(*corpus, tmp_path / "kept", pipeline=tmp_path / "tuned", solver="svm", c_grid=[1.0],
                           dense_weights=[1.0])
    train_textcat_head(*corpus, tmp_path / "out", pipeline=tmp_path / "tuned", solver="svm", c_grid=[1.0],
                       dense_weights=[1.0], replace=True)
    out = spacy.load(tmp_path / "out" / "model-best")
    assert out.pipe_names == ["transformer", "textcat_multilabel"]
    assert out.config["components"]["textcat_multilabel"]["model"]["@architectures"] == "spacy_medllm.TextCatFused.v2"
    assert set(out.get_pipe("textcat_multilabel").tuned) == set(LABELS)
    assert set(out(TEXTS[0]).cats) == set(LABELS)
    with pytest.raises(ValueError, match="no 'note_class' component"):
        train_textcat_head(*corpus, tmp_path / "o2", pipeline=tmp_path / "tuned", name="note_class", replace=True)


def test_cli_replace_needs_a_pipeline(corpus, tmp_path):
    result = CliRunner().invoke(load_commands(), ["textcat-train-head", str(corpus[0]), str(corpus[1]), str(tmp_path / "o"),
                                                  "--base-model", "x", "--replace"])
    assert result.exit_code == 1 and "--replace needs --pipeline" in result.output
