"""Per-label thresholds that travel with the textcat component (spacy_medllm/textcat/thresholds.py)."""
import numpy as np
import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Example

from spacy_medllm.textcat.thresholds import (
    map_exclusive, map_multilabel, pipeline_thresholds, tune_offsets, tune_pipeline,
)

from .util import LABELS, TEXTS, examples


def _raw(nlp, texts, name):
    return np.array([[d._.raw_cats[lab] for lab in LABELS] for d in nlp.pipe(texts)])


def _cats(nlp, texts):
    return np.array([[d.cats[lab] for lab in LABELS] for d in nlp.pipe(texts)])


def test_multilabel_map_sends_each_threshold_to_the_cut_and_keeps_order():
    s = np.array([[0.1, 0.2], [0.3, 0.25], [0.9, 0.21]])
    m = map_multilabel(s, np.array([0.3, 0.5]), 0.5)
    assert m[1, 0] == pytest.approx(0.5)  # the tuned threshold lands on 0.5
    assert m[:, 1] == pytest.approx(s[:, 1])  # a threshold of 0.5 is the identity
    assert list(np.argsort(m[:, 0])) == list(np.argsort(s[:, 0]))  # monotone
    assert ((m >= 0.5) == (s >= np.array([0.3, 0.5]))).all()


def test_exclusive_map_is_identity_untuned_and_reweights_tuned():
    s = np.array([[0.6, 0.4], [0.55, 0.45]])
    assert map_exclusive(s, np.zeros(2)) == pytest.approx(s)
    m = map_exclusive(s, np.array([0.0, np.log(1.3)]))  # 0.45 * 1.3 > 0.55, 0.4 * 1.3 < 0.6
    assert m.sum(axis=1) == pytest.approx([1, 1])
    assert m.argmax(axis=1).tolist() == [0, 1]


def test_tune_offsets_finds_the_known_optimum():
    # "b" notes score b a little below a: no top label is "b" untuned (macro-F1 1/3 over 2 labels).
    s = np.array([[0.8, 0.2], [0.7, 0.3], [0.55, 0.45], [0.52, 0.48], [0.6, 0.4]])
    gold = ["a", "a", "b", "b", "b"]
    b = np.array(tune_offsets(gold, s, ["a", "b"]))
    top = (np.log(s) + b).argmax(axis=1)
    assert top.tolist() == [0, 0, 1, 1, 1]
    # The offset sits between the flip points of note 1 (log .7/.3) and note 4 (log .6/.4).
    gap = b[1] - b[0]
    assert np.log(0.6 / 0.4) < gap < np.log(0.7 / 0.3)
    # Already perfect -> no offsets.
    assert tune_offsets(["a", "b"], np.array([[0.9, 0.1], [0.2, 0.8]]), ["a", "b"]) == [0.0, 0.0]


def test_untuned_component_writes_the_raw_scores(multilabel_nlp, exclusive_nlp):
    for nlp in (multilabel_nlp, exclusive_nlp):
        doc = nlp("chest pain heart")
        assert doc.cats == pytest.approx(doc._.raw_cats)
        assert all(not t["values"] for t in pipeline_thresholds(nlp).values())


def test_multilabel_tuning_reaches_the_known_optimum(multilabel_nlp):
    raw = _raw(multilabel_nlp, TEXTS, "textcat_multilabel")
    # Gold: the 4 highest-scored notes per label; the F1-best threshold separates them exactly.
    top4 = np.argsort(-raw, axis=0)[:4]
    gold = [{lab for j, lab in enumerate(LABELS) if i in top4[:, j]} for i in range(len(TEXTS))]
    egs = examples(multilabel_nlp, gold)
    tuned = tune_pipeline(multilabel_nlp, egs)["textcat_multilabel"]
    for j, lab in enumerate(LABELS):
        col = np.sort(raw[:, j])[::-1]
        assert tuned[lab] == pytest.approx((col[3] + col[4]) / 2)
    pred = _cats(multilabel_nlp, TEXTS) >= 0.5
    truth = np.array([[lab in g for lab in LABELS] for g in gold])
    assert (pred == truth).all()
    assert _raw(multilabel_nlp, TEXTS, "textcat_multilabel") == pytest.approx(raw)  # raw kept
    # spaCy's own scorer, at the pipe's threshold 0.5, sees the tuned decisions.
    scored = multilabel_nlp.evaluate(examples(multilabel_nlp, gold))
    assert scored["cats_micro_f"] == pytest.approx(1.0)


def test_exclusive_tuning_changes_the_top_label(exclusive_nlp):
    raw = _raw(exclusive_nlp, TEXTS, "textcat")
    untuned_top = raw.argmax(axis=1)
    # Gold: every note's second-best label -> only offsets can change the top label.
    second = np.argsort(-raw, axis=1)[:, 1]
    gold = [{LABELS[k]} for k in second]
    tuned = tune_pipeline(exclusive_nlp, examples(exclusive_nlp, gold))["textcat"]
    assert set(tuned) == set(LABELS) and any(abs(v) > 0 for v in tuned.values())
    cats = _cats(exclusive_nlp, TEXTS)
    b = np.array([tuned[lab] for lab in LABELS])
    assert cats.argmax(axis=1).tolist() == (np.log(raw) + b).argmax(axis=1).tolist()
    assert cats.sum(axis=1) == pytest.approx(np.ones(len(TEXTS)))
    tuned_hits = (cats.argmax(axis=1) == second).sum()
    assert tuned_hits > (untuned_top == second).sum()


@pytest.mark.parametrize("kind", ["multilabel", "exclusive"])
def test_thresholds_survive_to_disk_and_to_bytes_and_change_decisions_after_load(
    kind, multilabel_nlp, exclusive_nlp, tmp_path
):
    nlp = multilabel_nlp if kind == "multilabel" else exclusive_nlp
    name = nlp.pipe_names[-1]
    raw = _raw(nlp, TEXTS, name)
    untuned = _cats(nlp, TEXTS)
    # Thresholds that flip decisions: multi-label, the per-label median; exclusive, favour label 2.
    if kind == "multilabel":
        values = dict(zip(LABELS, np.median(raw, axis=0).tolist()))
    else:
        values = {LABELS[0]: 0.0, LABELS[1]: 0.0, LABELS[2]: 5.0}
    nlp.get_pipe(name).set_tuned(values)
    tuned = _cats(nlp, TEXTS)
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe(name).tuned == pytest.approx(values)
    after_load = _cats(loaded, TEXTS)
    assert after_load == pytest.approx(tuned, abs=1e-6)
    assert _raw(loaded, TEXTS, name) == pytest.approx(raw, abs=1e-6)
    if kind == "multilabel":
        assert ((after_load >= 0.5) != (untuned >= 0.5)).any()
    else:
        assert (after_load.argmax(axis=1) != untuned.argmax(axis=1)).any()
    # to_bytes / from_bytes on a pipeline built from the same config.
    fresh = spacy.util.load_model_from_config(nlp.config, auto_fill=True)
    fresh.from_bytes(nlp.to_bytes())
    assert fresh.get_pipe(name).tuned == pytest.approx(values)
    assert _cats(fresh, TEXTS) == pytest.approx(tuned, abs=1e-6)


def test_unknown_label_is_refused(multilabel_nlp):
    with pytest.raises(ValueError, match="unknown labels"):
        multilabel_nlp.get_pipe("textcat_multilabel").set_tuned({"derm": 0.3})


def _dev_file(nlp, gold, path):
    db = DocBin()
    for eg in examples(nlp, gold):
        db.add(eg.reference)
    db.to_disk(path)
    return path


def test_tune_thresholds_command_saves_a_tuned_pipeline(multilabel_nlp, tmp_path):
    from typer.testing import CliRunner

    from spacy_medllm.cli.app import load_commands

    raw = _raw(multilabel_nlp, TEXTS, "textcat_multilabel")
    top4 = np.argsort(-raw, axis=0)[:4]
    gold = [{lab for j, lab in enumerate(LABELS) if i in top4[:, j]} for i in range(len(TEXTS))]
    dev = _dev_file(multilabel_nlp, gold, tmp_path / "dev.spacy")
    multilabel_nlp.to_disk(tmp_path / "model")
    out = tmp_path / "tuned"
    result = CliRunner().invoke(load_commands(), ["tune-thresholds", str(tmp_path / "model"), str(dev), str(out)])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and not list(tmp_path.glob("*.tmp-thresholds"))
    loaded = spacy.load(out)
    assert ((_cats(loaded, TEXTS) >= 0.5) == np.array([[lab in g for lab in LABELS] for g in gold])).all()
    # The evaluation report names the thresholds it scored with.
    from spacy_medllm.reports import render_html
    from spacy_medllm.scoring import evaluate_pipeline

    egs = [Example(loaded.make_doc(r.text), r) for r in DocBin().from_disk(dev).get_docs(loaded.vocab)]
    report = evaluate_pipeline(loaded, egs)
    shown = report["textcat"]["thresholds"]["textcat_multilabel"]
    assert shown["kind"] == "threshold" and set(shown["values"]) == set(LABELS)
    assert "tuned per-label thresholds" in render_html(report, "t")
    # A missing split is a clear error naming the file.
    bad = CliRunner().invoke(load_commands(), ["tune-thresholds", str(out), str(tmp_path / "nope.spacy"), str(out)])
    assert bad.exit_code == 1 and "nope.spacy" in bad.output


def test_before_to_disk_callback_tunes_the_saved_pipeline(exclusive_nlp, tmp_path):
    from spacy_medllm.textcat.registry import make_tune_thresholds_callback

    raw = _raw(exclusive_nlp, TEXTS, "textcat")
    second = np.argsort(-raw, axis=1)[:, 1]
    dev = _dev_file(exclusive_nlp, [{LABELS[k]} for k in second], tmp_path / "dev.spacy")
    callback = make_tune_thresholds_callback(dev)
    assert callback(exclusive_nlp) is exclusive_nlp
    assert any(abs(v) > 0 for v in exclusive_nlp.get_pipe("textcat").tuned.values())


@pytest.mark.parametrize("exclusive", [False, True])
def test_cross_entropy_loss_gives_p_minus_y_at_the_logits(exclusive):
    """Through the model's own sigmoid/softmax backprop, the cross-entropy gradient is p - y at the
    logits (spaCy's squared error gives (p - y) p (1 - p)); docs without cats add nothing."""
    from thinc.api import Logistic
    from thinc.layers.softmax_activation import softmax_activation

    nlp = spacy.blank("en")
    factory = "medllm_textcat" if exclusive else "medllm_textcat_multilabel"
    model = {"@architectures": "spacy_medllm.TextCatNoteNgrams.v1", "exclusive_classes": exclusive}
    pipe = nlp.add_pipe(factory, config={"model": model, "loss": "cross_entropy"})
    egs = examples(nlp, [{"cardio"}, {"onco"}, {"neuro"}])
    pipe.initialize(lambda: egs, nlp=nlp)
    logits = np.array([[2.0, -1.0, 0.5], [-3.0, 4.0, 0.0], [0.1, 0.2, 0.3]], dtype="f")
    activation = softmax_activation() if exclusive else Logistic()
    probs, backprop = activation(logits, is_train=True)
    unlabelled = Example(nlp.make_doc("no class"), nlp.make_doc("no class"))
    batch = egs[:2] + [unlabelled] if exclusive else egs
    probs = probs if not exclusive else probs.copy()
    loss, d_probs = pipe.get_loss(batch, probs)
    truth = np.array([[float(lab in eg.reference.cats and eg.reference.cats[lab] >= 0.5) for lab in pipe.labels]
                      for eg in batch], dtype="f")
    d_logits = backprop(d_probs)
    expected = probs - truth
    if exclusive:
        expected[2] = 0.0  # the doc without cats
    assert np.allclose(d_logits, expected, atol=1e-4)
    assert loss > 0
    mse = nlp.add_pipe(factory, name="mse", config={"model": model})
    mse.initialize(lambda: egs, nlp=nlp)
    assert mse.loss_kind == "mse"  # spaCy's loss unless asked


def test_unknown_loss_is_refused():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="loss must be one of mse, cross_entropy"):
        nlp.add_pipe("medllm_textcat_multilabel", config={"loss": "hinge"})
