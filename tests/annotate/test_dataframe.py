"""annotate_dataframe: one row per entity or per note; bad rows are reported, never dropped."""
import math

import pytest

from spacy_medllm import annotate_dataframe

pd = pytest.importorskip("pandas")


@pytest.fixture
def frame():
    return pd.DataFrame({
        "note_id": ["a", "b", "c", "d", "e", "f", "g"],
        "text": ["No fever. Chest pain.", None, float("nan"), 17, "", "Possible stroke.", "nothing here"],
    })


def test_entity_level(frame, clinical_nlp):
    out = annotate_dataframe(frame, text_column="text", nlp=clinical_nlp, level="entity", id_column="note_id")
    ents = out[out["error"].isna()]
    assert list(zip(ents["note_id"], ents["text"], ents["label"], ents["assertion"])) == [
        ("a", "fever", "PROBLEM", "absent"), ("a", "Chest pain", "PROBLEM", "present"), ("f", "stroke", "PROBLEM", "possible")]
    texts = dict(zip(frame["note_id"], frame["text"]))
    for _, row in ents.iterrows():
        assert texts[row["note_id"]][row["start"]:row["end"]] == row["text"]
    assert list(ents["is_negated"]) == [True, False, False] and list(ents["is_uncertain"]) == [False, False, True]
    bad = out[out["error"].notna()]
    assert list(bad["note_id"]) == ["b", "c", "d", "e"]
    assert list(bad["error"]) == ["text is missing (null)", "text is missing (NaN)", "text is int, not a string", "text is empty"]
    assert out.attrs["n_notes"] == 7 and out.attrs["n_errors"] == 4
    assert [e["row"] for e in out.attrs["errors"]] == [1, 2, 3, 4]
    assert "g" not in set(out["note_id"])  # no entities, no error: no entity row


def test_note_level(frame, clinical_nlp):
    out = annotate_dataframe(frame, text_column="text", nlp=clinical_nlp, level="note")
    assert len(out) == len(frame) and list(out["id"]) == list(frame.index)
    assert list(out["n_entities"].astype("float").fillna(-1)) == [2, -1, -1, -1, -1, 1, 0]
    assert out.loc[0, "cats"] == {"cardiology": 0.9, "neurology": 0.1}
    assert out.loc[5, "entities"][0]["assertion"] == "possible"
    assert out.loc[0, "translation"].startswith("Traduction")
    assert out["error"].notna().sum() == out.attrs["n_errors"] == 4


def test_plain_pipeline_and_pipeline_failure(rule_nlp):
    rule_nlp.add_pipe("medllm_test_fail")
    df = pd.DataFrame({"t": ["fever", "EXPLODE cough", "cough and fever"]})
    out = annotate_dataframe(df, text_column="t", nlp=rule_nlp, batch_size=2)
    assert list(out["error"].fillna("")) == ["", "the pipeline raised ValueError", "", ""]
    assert list(out["text"].fillna("")) == ["fever", "", "cough", "fever"]
    assert all(v is None or (isinstance(v, float) and math.isnan(v)) for v in out["assertion"])


def test_bad_arguments(rule_nlp):
    df = pd.DataFrame({"t": ["fever"]})
    with pytest.raises(KeyError, match="'x'"):
        annotate_dataframe(df, text_column="x", nlp=rule_nlp)
    with pytest.raises(ValueError, match="level"):
        annotate_dataframe(df, text_column="t", nlp=rule_nlp, level="token")
