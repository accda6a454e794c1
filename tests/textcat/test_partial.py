"""medllm_textcat: exclusive classes, but a doc without cats is unlabelled, not "all labels 0"."""
import numpy
import pytest
import spacy
from spacy.training import Example

LABELS = ("CARDIO", "NEURO")


def _nlp(factory):
    nlp = spacy.blank("en")
    nlp.add_pipe(factory, name="textcat")
    return nlp


def _examples(nlp):
    texts = [("chest pain and palpitations", "CARDIO"), ("seizure and headache", "NEURO")]
    labelled = [
        Example.from_dict(nlp.make_doc(t), {"cats": {lab: float(lab == y) for lab in LABELS}}) for t, y in texts
    ]
    unlabelled = [Example(nlp.make_doc("aspirin for fever"), nlp.make_doc("aspirin for fever"))]
    return labelled, unlabelled


@pytest.mark.parametrize("factory,masked", [("medllm_textcat", True), ("textcat", False)])
def test_unlabelled_doc_has_no_gradient(factory, masked):
    nlp = _nlp(factory)
    labelled, unlabelled = _examples(nlp)
    nlp.initialize(lambda: labelled)
    pipe = nlp.get_pipe("textcat")
    examples = labelled + unlabelled
    scores = pipe.model.predict([eg.predicted for eg in examples])
    _, d_scores = pipe.get_loss(examples, scores)
    d_scores = numpy.asarray(d_scores)
    assert numpy.abs(d_scores[:2]).sum() > 0  # labelled docs train as usual
    assert bool(numpy.abs(d_scores[2]).sum() == 0) == masked  # spaCy's textcat pushes every label to 0


def test_training_on_a_mix_learns_the_labelled_docs():
    nlp = _nlp("medllm_textcat")
    labelled, unlabelled = _examples(nlp)
    nlp.initialize(lambda: labelled)
    optimizer = nlp.create_optimizer()
    for _ in range(30):
        nlp.update(labelled + unlabelled * 5, sgd=optimizer)
    cats = nlp("chest pain and palpitations").cats
    assert cats["CARDIO"] > cats["NEURO"]
    assert sum(cats.values()) == pytest.approx(1.0, abs=1e-4)  # still exclusive


def test_scorer_ignores_unlabelled_docs():
    nlp = _nlp("medllm_textcat")
    labelled, unlabelled = _examples(nlp)
    nlp.initialize(lambda: labelled)
    for eg in labelled:
        eg.predicted.cats = dict(eg.reference.cats)  # perfect on the labelled docs
    unlabelled[0].predicted.cats = {"CARDIO": 0.9, "NEURO": 0.1}
    ours = nlp.get_pipe("textcat").score(labelled + unlabelled)
    assert ours["cats_score"] == pytest.approx(1.0)
    spacy_scorer = spacy.registry.scorers.get("spacy.textcat_scorer.v2")()
    theirs = spacy_scorer(labelled + unlabelled, labels=LABELS)
    assert theirs["cats_score"] < 1.0  # the prediction on the unlabelled doc counted as a false positive


def test_save_load_keeps_factory_and_predictions(tmp_path):
    nlp = _nlp("medllm_textcat")
    labelled, _ = _examples(nlp)
    nlp.initialize(lambda: labelled)
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.get_pipe_meta("textcat").factory == "medllm_textcat"
    text = "seizure and headache"
    assert loaded(text).cats == pytest.approx(nlp(text).cats)
