"""spacy_medllm.note_ngrams.v1 and TextCatNoteNgrams.v1: TF-IDF-like n-grams of the whole note, its opening and headings."""
import numpy as np
import pytest
import spacy
from spacy.training import Example

from spacy_medllm.textcat.ngrams import headings, note_ngrams, words

from .util import LABELS, TEXTS, examples

NOTE = ("CHIEF COMPLAINT: , Chest pain.,HISTORY OF PRESENT ILLNESS: , The patient is a 56-year-old man. "
        "BP: 120/80. Plan: aspirin.,DISCHARGE DIAGNOSES:, Angina.")


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def features(model, doc):
    (keys, vals, lengths), _ = model([doc], is_train=False)
    return keys, vals, lengths


def test_words_strip_the_punctuation_of_exported_notes(nlp):
    got = words(nlp(NOTE))
    assert got[:4] == ["chief", "complaint", "chest", "pain"]
    assert "history" in got and ",history" not in got and "," not in got
    assert "56" in got


def test_headings_are_upper_case_runs_before_a_colon(nlp):
    # "BP" is too short to be a heading word, "Plan:" is not upper case.
    assert headings(nlp(NOTE)) == ["chief complaint", "history of present illness", "discharge diagnoses"]
    assert headings(nlp("IMPRESSION: stable. PLAN:")) == ["impression", "plan"]


def test_each_block_is_l2_normalised_and_weighted(nlp):
    doc = nlp(NOTE)
    _, vals, lengths = features(note_ngrams(opening_tokens=0, heading_weight=0.0), doc)
    assert float((vals ** 2).sum()) == pytest.approx(1.0, rel=1e-5)
    _, vals_all, lengths_all = features(note_ngrams(opening_tokens=8, opening_weight=0.5, heading_weight=0.5), doc)
    assert float((vals_all ** 2).sum()) == pytest.approx(1.0 + 0.25 + 0.25, rel=1e-5)
    assert lengths_all[0] > lengths[0] and lengths_all[0] == len(vals_all)


def test_the_blocks_do_not_share_keys(nlp):
    doc = nlp("chest pain chest pain")
    body, _, _ = features(note_ngrams(opening_tokens=0, heading_weight=0.0), doc)
    both, _, _ = features(note_ngrams(opening_tokens=4, heading_weight=0.0), doc)
    assert len(both) == 2 * len(body)  # the opening's n-grams are the same words under other keys
    assert set(body.tolist()) < set(both.tolist())


def test_a_longer_note_does_not_get_bigger_features(nlp):
    model = note_ngrams(opening_tokens=0, heading_weight=0.0)
    short_keys, short_vals, _ = features(model, nlp(NOTE))
    long_keys, long_vals, _ = features(model, nlp(" ".join([NOTE] * 20)))
    assert set(long_keys.tolist()) >= set(short_keys.tolist())
    assert float(np.linalg.norm(long_vals)) == pytest.approx(float(np.linalg.norm(short_vals)), rel=1e-5)
    assert long_vals.max() < 1.0


def test_empty_and_punctuation_only_docs_give_no_features(nlp):
    _, vals, lengths = features(note_ngrams(), nlp(""))
    assert lengths.tolist() == [0] and len(vals) == 0
    _, vals, lengths = features(note_ngrams(), nlp(", . :"))
    assert lengths.tolist() == [0]


def note_ngrams_nlp(exclusive: bool):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_textcat" if exclusive else "medllm_textcat_multilabel", config={
        "model": {"@architectures": "spacy_medllm.TextCatNoteNgrams.v1", "exclusive_classes": exclusive, "ngram_size": 2}})
    return nlp


@pytest.mark.parametrize("exclusive", [False, True])
def test_note_ngrams_classifier_learns_saves_and_loads_without_an_encoder(exclusive, tmp_path):
    nlp = note_ngrams_nlp(exclusive)
    gold = [{LABELS[i % 3]} for i in range(len(TEXTS))]
    egs = examples(nlp, gold)
    optimizer = nlp.initialize(lambda: egs)
    assert sorted(nlp.get_pipe(nlp.pipe_names[0]).labels) == sorted(LABELS)  # resized to the labels seen
    optimizer.learn_rate = 0.05
    losses = [nlp.update(egs, sgd=optimizer, drop=0.0)[nlp.pipe_names[0]] for _ in range(30)]
    assert losses[-1] < losses[0] / 4
    for eg, g in zip(egs, gold):
        cats = nlp(eg.reference.text).cats
        assert max(cats, key=cats.get) in g
    if exclusive:
        assert sum(nlp(TEXTS[0]).cats.values()) == pytest.approx(1.0)
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded(TEXTS[1]).cats == pytest.approx(nlp(TEXTS[1]).cats)


def test_note_ngrams_classifier_scores_with_spacy_scorer():
    nlp = note_ngrams_nlp(False)
    egs = examples(nlp, [{lab} for lab in LABELS] * 3)
    optimizer = nlp.initialize(lambda: egs)
    optimizer.learn_rate = 0.05
    for _ in range(30):
        nlp.update(egs, sgd=optimizer, drop=0.0)
    scores = nlp.evaluate([Example(nlp.make_doc(eg.reference.text), eg.reference) for eg in egs])
    assert scores["cats_macro_f"] == pytest.approx(1.0)


def test_idf_keeps_ngrams_of_min_df_notes_weighted_like_sklearn(nlp):
    from spacy_medllm.textcat.ngrams import fit_idf

    train = [nlp(t) for t in ("fever cough", "fever rash", "rash", "fever")]
    model = note_ngrams(ngram_size=1, opening_tokens=0, heading_weight=0.0, min_df=2)
    assert fit_idf(model, train) == 2  # "fever" (3 notes) and "rash" (2); "cough" (1) is dropped
    want = {"fever": np.log(5 / 4) + 1, "rash": np.log(5 / 3) + 1}  # ln((1 + n) / (1 + df)) + 1
    keys, vals, _ = features(model, nlp("fever rash cough cough"))
    assert len(keys) == 2 and float((vals ** 2).sum()) == pytest.approx(1.0, rel=1e-5)  # still L2-normalised
    by_key = dict(zip(keys.tolist(), vals.tolist()))
    fever, rash = (by_key[int(nlp.vocab.strings[w])] for w in ("fever", "rash"))
    assert fever / rash == pytest.approx(want["fever"] / want["rash"], rel=1e-5)
    # an unseen or rare n-gram alone gives no features; min_df = 0 is the no-IDF layer as before
    assert features(model, nlp("cough"))[2].tolist() == [0]
    plain = note_ngrams(ngram_size=1, opening_tokens=0, heading_weight=0.0)
    assert fit_idf(plain, train) == 0 and len(features(plain, nlp("fever rash cough"))[0]) == 3


def test_idf_needs_a_table_and_travels_with_the_model(nlp):
    from spacy_medllm.textcat.ngrams import build_note_ngrams_textcat

    with pytest.raises(ValueError, match="no IDF table: initialize"):
        features(note_ngrams(min_df=1), nlp("fever"))
    with pytest.raises(ValueError, match="min_df"):
        note_ngrams(min_df=-1)
    from spacy_medllm.textcat.ngrams import fit_idf

    with pytest.raises(ValueError, match="no n-gram is in 3 or more of the 2 training notes"):
        fit_idf(note_ngrams(min_df=3), [nlp("fever"), nlp("fever cough")])
    docs = [nlp(t) for t in TEXTS]
    model = build_note_ngrams_textcat(exclusive_classes=False, length=2 ** 10, nO=len(LABELS), min_df=2)
    model.initialize(X=docs)  # the layer's own init learns the table from the docs it is given
    ngrams = next(n for n in model.walk() if n.name == "note_ngrams")
    assert len(ngrams.attrs["idf_keys"]) > 0
    copy = build_note_ngrams_textcat(exclusive_classes=False, length=2 ** 10, nO=len(LABELS), min_df=2)
    copy.from_bytes(model.to_bytes())
    np.testing.assert_array_equal(next(n for n in copy.walk() if n.name == "note_ngrams").attrs["idf_keys"],
                                  ngrams.attrs["idf_keys"])
    np.testing.assert_allclose(copy.predict(docs), model.predict(docs))


def test_the_component_learns_the_idf_table_from_every_training_note():
    from spacy_medllm.textcat.ngrams import fit_idf

    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_textcat_multilabel", config={"model": {
        "@architectures": "spacy_medllm.TextCatNoteNgrams.v1", "exclusive_classes": False, "ngram_size": 1, "min_df": 2}})
    texts = TEXTS + ["insulin glucose", "insulin history"]  # "insulin" is in notes 11 and 14 only
    egs = [Example.from_dict(nlp.make_doc(t), {"cats": {lab: float(i % 3 == j) for j, lab in enumerate(LABELS)}})
           for i, t in enumerate(texts)]
    nlp.initialize(lambda: egs)  # spaCy's model initialize sees 10 of them; the component reads all
    ngrams = next(n for n in nlp.get_pipe("medllm_textcat_multilabel").model.walk() if n.name == "note_ngrams")
    ref = note_ngrams(ngram_size=1, min_df=2)
    fit_idf(ref, [eg.predicted for eg in egs])
    np.testing.assert_array_equal(ngrams.attrs["idf_keys"], ref.attrs["idf_keys"])
    assert int(nlp.vocab.strings["insulin"]) in set(ngrams.attrs["idf_keys"].tolist())
