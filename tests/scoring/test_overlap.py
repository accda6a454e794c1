"""Exact and overlap span matching, and the per-entity-label assertion scores."""
import pytest
import spacy
from spacy.tokens import Span
from spacy.training import Example

from spacy_medllm.assertion.schema import register_extensions
from spacy_medllm.scoring.overlap import assertion_match_scores, match_spans, ner_match_scores

TEXT = "severe chest pain and fever ; CT scan was normal ; aspirin given"


def doc_with(nlp, ents):
    doc = nlp.make_doc(TEXT)
    doc.ents = [doc.char_span(TEXT.index(t), TEXT.index(t) + len(t), label=lab) for t, lab in ents]
    return doc


def test_match_spans_exact_and_one_to_one_overlap():
    gold = [(0, 17, "PROBLEM"), (22, 27, "PROBLEM")]
    pred = [(7, 17, "PROBLEM"), (0, 6, "PROBLEM"), (22, 27, "TEST")]
    assert match_spans(gold, pred, "exact") == []
    # "chest pain" and "severe" both overlap "severe chest pain": only the larger overlap counts
    assert match_spans(gold, pred, "overlap") == [(0, 0)]
    # a label mismatch is not a match unless asked
    assert match_spans(gold, pred, "overlap", same_label=False) == [(0, 0), (1, 2)]
    with pytest.raises(ValueError):
        match_spans(gold, pred, "fuzzy")


def test_ner_match_scores_per_label():
    nlp = spacy.blank("en")
    gold = doc_with(nlp, [("severe chest pain", "PROBLEM"), ("fever", "PROBLEM"), ("CT scan", "TEST"),
                          ("aspirin", "TREATMENT")])
    pred = doc_with(nlp, [("chest pain", "PROBLEM"), ("fever", "PROBLEM"), ("CT", "TEST"), ("given", "TREATMENT")])
    scores = ner_match_scores([Example(pred, gold)])
    exact, overlap = scores["exact"]["per_type"], scores["overlap"]["per_type"]
    assert exact["PROBLEM"]["f"] == pytest.approx(0.5)
    assert overlap["PROBLEM"]["f"] == pytest.approx(1.0)
    assert exact["TEST"]["f"] == 0.0 and overlap["TEST"]["f"] == 1.0
    assert exact["TREATMENT"]["f"] == 0.0 and overlap["TREATMENT"]["f"] == 0.0
    assert scores["overlap"]["p"] == pytest.approx(3 / 4) and scores["exact"]["r"] == pytest.approx(1 / 4)
    assert overlap["PROBLEM"]["support"] == 2


def test_assertion_scores_per_entity_label():
    register_extensions()
    nlp = spacy.blank("en")
    gold = doc_with(nlp, [("severe chest pain", "PROBLEM"), ("fever", "PROBLEM"), ("aspirin", "TREATMENT")])
    gold.spans["assertion"] = [Span(gold, e.start, e.end, label=lab) for e, lab in zip(gold.ents, ["absent", "present", "absent"])]
    pred = doc_with(nlp, [("chest pain", "PROBLEM"), ("fever", "PROBLEM"), ("aspirin", "TREATMENT")])
    for ent, lab in zip(pred.ents, ["absent", "absent", "present"]):
        ent._.assertion = lab
    scores = assertion_match_scores([Example(pred, gold)])
    # exact: "chest pain" does not match "severe chest pain", so the negated gold PROBLEM is missed
    assert scores["exact"]["PROBLEM"]["absent"]["f"] == 0.0
    # overlap: it matches; one true negation, one false alarm (fever)
    assert scores["overlap"]["PROBLEM"]["absent"]["p"] == pytest.approx(0.5)
    assert scores["overlap"]["PROBLEM"]["absent"]["r"] == pytest.approx(1.0)
    assert scores["overlap"]["TREATMENT"]["absent"] == {"p": 0.0, "r": 0.0, "f": 0.0, "support": 1}


def test_exact_mode_agrees_with_spacy_scorer():
    from spacy.scorer import Scorer

    nlp = spacy.blank("en")
    gold = doc_with(nlp, [("severe chest pain", "PROBLEM"), ("fever", "PROBLEM"), ("CT scan", "TEST"), ("aspirin", "TREATMENT")])
    pred = doc_with(nlp, [("chest pain", "PROBLEM"), ("fever", "PROBLEM"), ("CT scan", "TEST"), ("given", "TREATMENT")])
    examples = [Example(pred, gold)]
    ours = ner_match_scores(examples)["exact"]
    theirs = Scorer.score_spans(examples, "ents")
    assert ours["f"] == pytest.approx(theirs["ents_f"])
    for label, s in theirs["ents_per_type"].items():
        assert ours["per_type"][label]["f"] == pytest.approx(s["f"])
