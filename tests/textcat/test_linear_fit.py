"""The svm solver: the design matrices match the thinc layers exactly, and the fitted head is an
ordinary component (thresholds tuned on dev, saved, applied by spacy.load)."""
import numpy as np
import pytest
import spacy
from thinc.api import SparseLinear_v2

from spacy_medllm.textcat.head_training import train_textcat_head
from spacy_medllm.textcat.linear_fit import hashed_columns, sparse_design
from spacy_medllm.textcat.ngrams import build_note_ngrams_textcat

from .test_head_training import GOLD, corpus  # noqa: F401 -- the corpus fixture
from .util import LABELS, TEXTS


def test_hashed_columns_are_the_sparse_linear_layers_own():
    length = 2 ** 12
    layer = SparseLinear_v2(nO=1, length=length)
    layer.initialize()
    layer.set_param("W", np.arange(length, dtype="f"))
    keys = np.array([3, 12345, 2 ** 63 + 17, 987654321987, 12345], dtype="uint64")
    col1, col2 = hashed_columns(keys, length)
    for key, c1, c2 in zip(keys, col1, col2):
        score = layer.predict((np.array([key], dtype="uint64"), np.ones(1, dtype="f"), np.array([1], dtype="i")))
        assert score[0, 0] == c1 + c2
    assert col1[1] == col1[4] and col2[1] == col2[4]


def test_sparse_design_reproduces_the_logits_of_the_note_ngrams_head():
    nlp = spacy.blank("en")
    docs = [nlp.make_doc(t + " HISTORY: " + t) for t in TEXTS]
    model = build_note_ngrams_textcat(exclusive_classes=False, length=2 ** 10, nO=len(LABELS))
    model.initialize()
    linear = model.get_ref("output_layer")
    rng = np.random.default_rng(0)
    linear.set_param("W", rng.normal(size=linear.get_param("W").shape).astype("f"))
    linear.set_param("b", rng.normal(size=len(LABELS)).astype("f"))
    ngrams = next(n for n in model.walk() if n.name == "note_ngrams")
    S = sparse_design(ngrams, linear, docs)
    W = linear.get_param("W").reshape(len(LABELS), -1)
    logits = S @ W.T + linear.get_param("b")
    probs = model.predict(docs)
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), probs, rtol=1e-4, atol=1e-5)


def test_svm_solver_fits_the_fused_head_and_saves_tuned_thresholds(tiny_encoder, corpus, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    best = train_textcat_head(*corpus, out, base_model=str(tiny_encoder), solver="svm", c_grid=[0.3, 3.0],
                              dense_weights=[1.0])
    assert 0.0 < best <= 1.0
    log = (out / "head_log.jsonl").read_text().splitlines()
    assert len(log) == 2 and '"C": 0.3' in log[0]  # one row per C
    nlp = spacy.load(out / "model-best")
    pipe = nlp.get_pipe("textcat_multilabel")
    assert set(pipe.tuned) == set(LABELS)
    # the solver's weights are in the model: the sparse layer is no longer all zeros, and the
    # tuned decisions on the training notes (separable, C >= 0.3) recover most gold labels
    assert np.abs(pipe.model.get_ref("sparse").get_ref("output_layer").get_param("W")).sum() > 0
    hits = sum({lab for lab, v in nlp(text).cats.items() if v >= 0.5} == gold for text, gold in zip(TEXTS, GOLD))
    assert hits >= len(TEXTS) - 2


def test_svm_solver_exclusive_and_refusals(tiny_encoder, tmp_path, monkeypatch):
    from .test_head_training import write_corpus

    gold = [{LABELS[i % 3]} for i in range(len(TEXTS))]
    train = write_corpus(tmp_path / "train.spacy", gold)
    train_textcat_head(train, train, tmp_path / "ex", base_model=str(tiny_encoder), solver="svm", c_grid=[1.0],
                       dense_weights=[0.5])
    nlp = spacy.load(tmp_path / "ex" / "model-best")
    doc = nlp(TEXTS[1])
    assert sum(doc.cats.values()) == pytest.approx(1.0) and max(doc.cats, key=doc.cats.get) == LABELS[1]
    with pytest.raises(ValueError, match="solver 'sgd'"):
        train_textcat_head(train, train, tmp_path / "x", base_model=str(tiny_encoder), solver="sgd")
    import spacy_medllm.frozen_head as frozen_head

    def no_encoding(*args, **kwargs):
        raise AssertionError("the head should be refused before the encoder pass")

    monkeypatch.setattr(frozen_head, "encode", no_encoding)
    with pytest.raises(ValueError, match="note_ngrams classifier"):
        train_textcat_head(train, train, tmp_path / "y", base_model=str(tiny_encoder), solver="svm",
                           fragment="textcat", multi_label=False)


def test_cli_refuses_a_bad_solver_or_grid(corpus, tmp_path):  # noqa: F811
    from typer.testing import CliRunner

    from spacy_medllm.cli.app import load_commands

    base = ["textcat-train-head", str(corpus[0]), str(corpus[1]), str(tmp_path / "o"), "--base-model", "x"]
    for extra, message in ((["--solver", "sgd"], "use adam or svm"), (["--solver", "svm", "--c-grid", "a,b"], "comma-separated"),
                           (["--solver", "svm", "--dense-weights", "0"], "positive number"),
                           (["--min-df", "-1"], "--min-df must be 0")):
        result = CliRunner().invoke(load_commands(), base + extra)
        assert result.exit_code == 1 and message in result.output, result.output


def test_fused_head_logits_are_the_solvers_decision_values(tiny_encoder, corpus):  # noqa: F811
    """Sparse columns, the standardised dense block and its folding into the dense layer: the
    component's logits equal a LinearSVC fitted by hand on the same design."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC
    from spacy.training import Corpus

    from spacy_medllm.frozen_head import add_frozen_head, encode
    from spacy_medllm.textcat.head_training import encoder_pipeline
    from spacy_medllm.textcat.linear_fit import _parts, dense_design, fit_linear_head

    nlp = encoder_pipeline(str(tiny_encoder))
    train = list(Corpus(corpus[0])(nlp))
    head = add_frozen_head(nlp, "textcat_multilabel_fused", "textcat_multilabel", lambda: train)
    train = encode(nlp, train, "encode")
    fit_linear_head(head, train, train, c_grid=[1.0], dense_weights=[0.5], seed=0)
    docs = [eg.predicted for eg in train]
    ngrams, linear, dense_layers, _, _ = _parts(head.model)
    D = dense_design(dense_layers, docs)
    scale = D.std(0) * np.sqrt(D.shape[1])
    scale[scale == 0] = 1.0
    X = hstack([sparse_design(ngrams, linear, docs), csr_matrix(0.5 * (D - D.mean(0)) / scale)]).tocsr()
    y = np.array([[lab in g for lab in head.labels] for g in GOLD], dtype=int)
    expected = OneVsRestClassifier(LinearSVC(C=1.0, random_state=0, max_iter=5000)).fit(X, y).decision_function(X)
    probs = np.clip(np.asarray(head.model.predict(docs)), 1e-7, 1 - 1e-7)
    np.testing.assert_allclose(np.log(probs / (1 - probs)), expected, atol=2e-3, rtol=1e-3)


def test_svm_solver_learns_the_idf_table_from_every_training_note(tiny_encoder, corpus, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    train_textcat_head(*corpus, out, base_model=str(tiny_encoder), solver="svm", c_grid=[3.0], dense_weights=[1.0],
                       min_df=2)
    nlp = spacy.load(out / "model-best")
    assert nlp.config["components"]["textcat_multilabel"]["model"]["min_df"] == 2
    with pytest.raises(ValueError, match="min_df applies to a new head"):  # a kept head is not rebuilt
        train_textcat_head(*corpus, tmp_path / "again", pipeline=out / "model-best", min_df=2)
    ngrams = next(n for n in nlp.get_pipe("textcat_multilabel").model.walk() if n.name == "note_ngrams")
    assert ngrams.attrs["min_df"] == 2
    # the table is the one of the whole training file: every n-gram of two or more of its notes
    from spacy.tokens import DocBin

    from spacy_medllm.textcat.ngrams import fit_idf, note_ngrams

    docs = list(DocBin().from_disk(corpus[0]).get_docs(nlp.vocab))
    ref = note_ngrams(min_df=2)
    fit_idf(ref, docs)
    np.testing.assert_array_equal(ngrams.attrs["idf_keys"], ref.attrs["idf_keys"])
    hits = sum({lab for lab, v in nlp(text).cats.items() if v >= 0.5} == gold for text, gold in zip(TEXTS, GOLD))
    assert hits >= len(TEXTS) - 2


def test_adam_solver_learns_the_idf_table_from_every_training_note(tiny_encoder, tmp_path):  # noqa: F811
    from spacy.tokens import DocBin

    from spacy_medllm.textcat.ngrams import fit_idf, note_ngrams

    from .test_head_training import write_corpus

    # past the first 500 notes: "insulin" is in the last two only
    texts = TEXTS * 43 + ["insulin glucose", "insulin history"]
    gold = GOLD * 43 + [{"cardio"}, {"onco"}]
    train = write_corpus(tmp_path / "train.spacy", gold, texts)
    dev = write_corpus(tmp_path / "dev.spacy", GOLD, TEXTS)
    train_textcat_head(train, dev, tmp_path / "out", base_model=str(tiny_encoder), solver="adam", epochs=1, min_df=2)
    nlp = spacy.load(tmp_path / "out" / "model-last")
    ngrams = next(n for n in nlp.get_pipe("textcat_multilabel").model.walk() if n.name == "note_ngrams")
    ref = note_ngrams(min_df=2)
    fit_idf(ref, list(DocBin().from_disk(train).get_docs(nlp.vocab)))
    np.testing.assert_array_equal(ngrams.attrs["idf_keys"], ref.attrs["idf_keys"])
    np.testing.assert_allclose(ngrams.attrs["idf_values"], ref.attrs["idf_values"])
    assert int(nlp.vocab.strings["insulin"]) in set(ngrams.attrs["idf_keys"].tolist())
