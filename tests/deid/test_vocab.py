"""The clinical vocabulary: words clinical text writes in lower case; head spans made only of them go."""
import pytest
import spacy
from spacy.tokens import DocBin

from spacy_medllm.deid.vocab import build_clinical_vocab, only_common_words


def corpus(tmp_path, texts):
    nlp = spacy.blank("en")
    DocBin(docs=[nlp.make_doc(t) for t in texts]).to_disk(tmp_path / "notes.spacy")
    return tmp_path / "notes.spacy"


def test_vocab_holds_words_written_in_lower_case_often_enough(tmp_path):
    path = corpus(tmp_path, ["Small pleural effusions. Zed was awake.", "No pleural effusions; awake and alert. Zed."])
    vocab = build_clinical_vocab([path])
    assert {"pleural", "effusions", "awake", "and", "alert"} - {"alert", "and"} <= set(vocab)
    assert "alert" not in vocab and "zed" not in vocab and "no" not in vocab  # once; capitalised only; too short
    assert "alert" in build_clinical_vocab([path], min_count=1)


def test_missing_corpus_is_named(tmp_path):
    with pytest.raises(ValueError, match="nowhere.spacy: not found"):
        build_clinical_vocab([tmp_path / "nowhere.spacy"])


@pytest.mark.parametrize("text,common", [
    ("PERICARDIAL OR  PLEURAL EFFUSIONS", True),  # stop words count neither way
    ("ORIENTED X 1", True),  # nor do digits and single letters
    ("Awake", True),
    ("Zed Awake", False),  # one word that is not a common word keeps the span
    ("OR AT", False),  # stop words alone are not clinical
])
def test_only_common_words(text, common):
    assert only_common_words(text, {"pericardial", "pleural", "effusions", "oriented", "awake"}) is common
    assert only_common_words(text, set()) is False  # no vocabulary: nothing dropped


def test_head_spans_of_common_words_are_dropped_and_the_vocab_is_saved(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_test_fake_head")  # conftest.py: marks "Thorn" and "Flint"
    deid = nlp.add_pipe("medllm_deid", config={"model_spans_key": "phi_model", "threshold": 0.1})
    assert nlp("Thorn met Flint.")._.deidentified == "[NAME] met [NAME]."
    deid.set_clinical_vocab(["flint"])
    assert nlp("Thorn met Flint.")._.deidentified == "[NAME] met Flint."
    nlp.to_disk(tmp_path / "p")
    assert spacy.load(tmp_path / "p")("Thorn met Flint.")._.deidentified == "[NAME] met Flint."
    copy = spacy.blank("en")
    copy.add_pipe("medllm_test_fake_head")
    copy.add_pipe("medllm_deid", config={"model_spans_key": "phi_model", "threshold": 0.1}).from_bytes(deid.to_bytes())
    assert copy("Thorn met Flint.")._.deidentified == "[NAME] met Flint."
    # rules do not read the vocabulary: a cued name stays PHI
    assert nlp("Seen by Dr. Flint today.")._.deidentified == "Seen by Dr. [NAME] today."


def test_pipelines_saved_without_a_vocab_still_load(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    nlp.to_disk(tmp_path / "p")
    (tmp_path / "p" / "medllm_deid" / "clinical_vocab.json").unlink()
    assert spacy.load(tmp_path / "p").get_pipe("medllm_deid").clinical_vocab == set()


def test_initialize_learns_the_vocab_from_a_corpus(tmp_path):
    path = corpus(tmp_path, ["pleural effusions", "pleural effusions"])
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    nlp.config["initialize"]["components"]["medllm_deid"] = {"clinical_vocab_from": [str(path)]}
    nlp.initialize()
    deid = nlp.get_pipe("medllm_deid")
    assert deid.clinical_vocab == {"pleural", "effusions"} and deid.rules  # default rules kept


@spacy.Language.component("medllm_test_caps_head")
def caps_head(doc):
    """Stands in for a head that takes every word in capitals for a name."""
    from spacy.tokens import Span

    doc.spans["phi_model"] = [Span(doc, i, i + 1, label="NAME") for i, t in enumerate(doc) if t.is_upper and len(t) > 2]
    doc.spans["phi_model"].attrs["scores"] = [0.9] * len(doc.spans["phi_model"])
    return doc


def test_head_spans_in_capitals_of_words_notes_write_in_lower_case_are_dropped():
    from spacy_medllm.deid.names import packaged_name_lists

    lists = packaged_name_lists()
    assert lists.common_in_capitals("NONTENDER") and lists.common_in_capitals("MALIGNANT THYMOMA")
    assert not lists.common_in_capitals("Nontender")  # only capitals hide the case
    assert not lists.common_in_capitals("KOWALCZYK") and not lists.common_in_capitals("JOHN BROWN")
    assert not lists.common_in_capitals("GREEN")  # a common word that is also a surname stays a name
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_test_caps_head")
    nlp.add_pipe("medllm_deid", config={"model_spans_key": "phi_model", "threshold": 0.1})
    doc = nlp("Abdomen was SOFT and NONTENDER; able to AMBULATE. Family: KOWALCZYK.")
    assert [(s.text, s.kb_id_) for s in doc.spans["phi"]] == [("KOWALCZYK", "model")]
