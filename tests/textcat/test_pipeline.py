"""The textcat fragments on the shared transformer: whole-note pooling, thresholds, save/load."""
import numpy as np
import pytest
import spacy
from spacy.training import Example

from .util import LABELS, long_note, textcat_pipeline
from spacy_medllm.textcat.metrics import classification_scores, decide, tune_thresholds


def _examples(nlp, multi_label=True):
    data = [
        ("chest pain heart blood", {"cardio"}),
        ("headache mri gene", {"neuro"}),
        ("cancer tumour cell", {"onco"}),
        ("chest pain cancer tumour", {"cardio", "onco"} if multi_label else {"onco"}),
    ]
    return [
        Example.from_dict(nlp.make_doc(t), {"cats": {lab: float(lab in gold) for lab in LABELS}})
        for t, gold in data
    ]


@pytest.fixture(scope="module", params=["textcat_multilabel", "textcat_multilabel_ensemble"])
def multilabel_nlp(tiny_encoder, request):
    nlp = textcat_pipeline(tiny_encoder, request.param)
    nlp.initialize(lambda: _examples(nlp))
    return nlp


def test_one_listener_on_the_shared_transformer(multilabel_nlp):
    assert multilabel_nlp.pipe_names == ["transformer", "textcat_multilabel"]
    listeners = multilabel_nlp.get_pipe("transformer").listeners
    assert len(listeners) == 1
    assert list(multilabel_nlp("chest pain").cats) == LABELS


def test_whole_note_is_pooled_not_only_the_first_windows(multilabel_nlp):
    """Two ~700-word notes identical up to their last words (far beyond 512 word pieces)."""
    a, b = long_note("cancer tumour"), long_note("headache mri")
    doc_a, doc_b = multilabel_nlp(a), multilabel_nlp(b)
    spans = multilabel_nlp.get_pipe("transformer").model.attrs["get_spans"]([doc_a])[0]
    assert len(spans) > 5 and spans[-1].end == len(doc_a)
    assert doc_a._.trf_data.wordpieces.input_ids.size > 512
    ca, cb = np.array(list(doc_a.cats.values())), np.array(list(doc_b.cats.values()))
    assert np.abs(ca - cb).max() > 1e-6
    # ...while the same ending gives the same result.
    assert list(multilabel_nlp(long_note("cancer tumour")).cats.values()) == pytest.approx(list(ca))


def test_textcat_learns_on_the_shared_encoder(tiny_encoder):
    nlp = textcat_pipeline(tiny_encoder, "textcat")
    examples = _examples(nlp, multi_label=False)
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = 0.005
    first = None
    for _ in range(30):
        losses = nlp.update(examples, sgd=optimizer, drop=0.0)
        first = first if first is not None else losses["textcat"]
    assert losses["textcat"] < first / 2
    scores = nlp.evaluate(examples)
    assert scores["cats_macro_f"] > 0.9


def test_multilabel_threshold_decides_how_many_labels(multilabel_nlp):
    pipe = multilabel_nlp.get_pipe("textcat_multilabel")
    assert pipe.cfg["threshold"] == 0.5
    doc = multilabel_nlp("chest pain cancer")
    probs = sorted(doc.cats.values())
    eg = Example.from_dict(multilabel_nlp.make_doc(doc.text), {"cats": {lab: 1.0 for lab in LABELS}})
    eg.predicted = doc
    low = pipe.score([eg], threshold=probs[0] - 1e-6)["cats_micro_f"]
    high = pipe.score([eg], threshold=probs[-1] + 1e-6)["cats_micro_f"]
    assert low == pytest.approx(1.0) and high == pytest.approx(0.0)


def test_decision_rule_and_scores():
    scores = np.array([[0.9, 0.6, 0.1], [0.2, 0.3, 0.4], [0.1, 0.8, 0.7]])
    assert decide(scores, None).sum(axis=1).tolist() == [1, 1, 1]
    assert decide(scores, 0.5).tolist() == [[True, True, False], [False, False, True], [False, True, True]]
    gold = [{"a", "b"}, {"a"}, {"c"}]
    r = classification_scores(gold, scores, ["a", "b", "c"], 0.5)
    assert r["accuracy"] == pytest.approx(1 / 3)  # doc 0 top "a" is gold; docs 1 and 2 miss
    assert r["per_label"]["a"] == {"p": 1.0, "r": 0.5, "f": pytest.approx(2 / 3), "support": 2}
    assert r["per_label"]["b"]["p"] == 0.5 and r["per_label"]["c"]["r"] == 1.0
    assert r["macro_f1"] == pytest.approx(np.mean([2 / 3, 2 / 3, 2 / 3]))
    # Confusion rows: the gold label matched, or the best-scored gold label.
    assert r["confusion"]["matrix"] == [[1, 0, 1], [0, 0, 0], [0, 1, 0]]


def test_per_label_thresholds_tuned_on_a_split():
    # Label "rare" never reaches 0.5 but ranks its notes first: one global cut misses it.
    scores = np.array([[0.9, 0.30], [0.8, 0.25], [0.7, 0.05], [0.2, 0.02]])
    gold = [{"common", "rare"}, {"common", "rare"}, {"common"}, set()]
    labels = ["common", "rare"]
    cuts = tune_thresholds(gold, scores, labels, default=0.5)
    assert 0.2 < cuts[0] <= 0.7  # accepts the three "common" notes, not the fourth
    assert 0.05 < cuts[1] <= 0.25  # halfway between the lowest accepted and the next score
    assert cuts[1] == pytest.approx((0.25 + 0.05) / 2)
    fixed = classification_scores(gold, scores, labels, 0.5)["per_label"]["rare"]["f"]
    tuned = classification_scores(gold, scores, labels, cuts)["per_label"]["rare"]["f"]
    assert fixed == 0.0 and tuned == 1.0
    # A label with no positive note on the tuning split keeps the default.
    assert tune_thresholds([set()] * 4, scores, labels, default=0.5) == [0.5, 0.5]


def test_save_load_identity(multilabel_nlp, tmp_path):
    texts = ["chest pain", long_note("cancer", 300)]
    before = [dict(d.cats) for d in multilabel_nlp.pipe(texts)]
    multilabel_nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    after = [dict(d.cats) for d in loaded.pipe(texts)]
    for x, y in zip(before, after):
        assert list(x) == list(y)
        assert list(x.values()) == pytest.approx(list(y.values()), abs=1e-6)


def test_baseline_runs_under_the_same_decision_rule():
    pytest.importorskip("sklearn")
    from benchmarks.textcat import fit_baseline

    train = ["chest pain heart", "heart blood chest", "headache mri", "mri headache gene"] * 3
    gold = [{"cardio"}, {"cardio"}, {"neuro"}, {"neuro"}] * 3
    test = ["chest heart pain", "gene headache"]
    s = fit_baseline(train, gold, ["cardio", "neuro"], multi_label=True, seed=0)(test)
    r = classification_scores([{"cardio"}, {"neuro"}], s, ["cardio", "neuro"], 0.0)
    assert r["accuracy"] == 1.0 and r["macro_f1"] == 1.0
