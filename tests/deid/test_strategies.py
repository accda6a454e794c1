"""Surrogates (consistent, date intervals kept), hashes, masks, and the offset map both ways."""
import datetime
import re

import pytest
import spacy

from spacy_medllm.deid.offsets import OffsetMap
from spacy_medllm.deid.surrogate import parse_date

from .conftest import NOTE, PHI


def surrogate_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"strategy": "surrogate"})
    return nlp


def test_mask_removes_every_phi_value(deid_nlp):
    text = deid_nlp(NOTE)._.deidentified
    for values in PHI.values():
        for value in values:
            assert value not in text
    assert "[NAME]" in text and "[DATE]" in text and "[ID]" in text


def test_surrogates_replace_phi_consistently_within_a_note(salt):
    nlp = surrogate_nlp()
    doc = nlp(NOTE)
    text = doc._.deidentified
    for value in ("John A. Smith", "Alice Wong", "12345678", "jsmith@example.com", "123-45-6789"):
        assert value not in text
    full = re.search(r"Patient: (\S+) A\. (\S+) ", text)
    assert full, text
    assert f"Mr. {full.group(2)} agrees" in text  # the same last name for "John A. Smith" and "Mr. Smith"
    assert nlp(NOTE)._.deidentified == text  # deterministic


def test_same_patient_key_same_surrogates_and_date_shift_across_notes(salt):
    nlp = surrogate_nlp()
    notes = ["Seen by Dr. Alice Wong on 01/05/2020.", "Dr. Alice Wong called on 2020-01-19."]
    docs = []
    for text in notes:
        doc = nlp.make_doc(text)
        doc._.patient_key = "patient-17"
        docs.append(nlp(doc))
    name0 = re.search(r"Dr\. (\w+ \w+)", docs[0]._.deidentified).group(1)
    name1 = re.search(r"Dr\. (\w+ \w+)", docs[1]._.deidentified).group(1)
    assert name0 == name1 != "Alice Wong"
    d0 = datetime.datetime.strptime(re.search(r"\d\d/\d\d/\d{4}", docs[0]._.deidentified).group(0), "%m/%d/%Y").date()
    d1 = datetime.date.fromisoformat(re.search(r"\d{4}-\d\d-\d\d", docs[1]._.deidentified).group(0))
    assert (d1 - d0).days == 14 and d0 != datetime.date(2020, 1, 5)  # shifted, interval kept
    other = nlp.make_doc(notes[0])
    other._.patient_key = "patient-18"
    assert nlp(other)._.deidentified != docs[0]._.deidentified


def test_another_salt_gives_other_surrogates(monkeypatch):
    texts = []
    for value in ("salt-one", "salt-two"):
        monkeypatch.setenv("MEDLLM_DEID_SALT", value)
        texts.append(surrogate_nlp()(NOTE)._.deidentified)
    assert texts[0] != texts[1]


def test_hash_is_keyed_and_stable(deid_nlp):
    deid = deid_nlp.get_pipe("medllm_deid")
    deid.set_strategy("hash", salt="k1")
    first = deid_nlp(NOTE)._.deidentified
    assert re.search(r"\[NAME:[0-9a-f]{10}\]", first) and "Smith" not in first
    assert deid_nlp(NOTE)._.deidentified == first
    deid.set_strategy("hash", salt="k2")
    assert deid_nlp(NOTE)._.deidentified != first


@pytest.mark.parametrize("text,expected", [
    ("03/14/1947", datetime.date(1947, 3, 14)), ("2020-01-19", datetime.date(2020, 1, 19)),
    ("January 5, 2020", datetime.date(2020, 1, 5)), ("5th of March 2018", datetime.date(2018, 3, 5)),
    ("12-01-19", datetime.date(2019, 12, 1)),
])
def test_parse_date_round_trips_its_format(text, expected):
    date, fmt = parse_date(text)
    assert date == expected and fmt(date).replace("5th of", "5") in (text, text.replace("5th of", "5"))


def test_offset_map_round_trip_and_entities_on_deidentified_text(deid_nlp):
    doc = deid_nlp(NOTE)
    mapping = doc._.deid_map
    new = doc._.deidentified
    # text outside PHI maps both ways, character for character
    for word in ("Seen by Dr.", "email", "agrees with the plan"):
        start = NOTE.index(word)
        s, e = mapping.span_to_new(start, start + len(word))
        assert new[s:e] == word
        assert mapping.span_to_old(s, e) == (start, start + len(word))
    # each PHI span maps onto its placeholder
    for span in doc.spans["phi"]:
        s, e = mapping.span_to_new(span.start_char, span.end_char)
        assert new[s:e] == f"[{span.label_}]"
    # an entity overlapping PHI covers the whole placeholder
    start = NOTE.index("Main Street")
    s, e = mapping.span_to_new(start, start + len("Main Street"))
    assert new[s:e] == "[LOCATION]"


def test_offset_map_apply_refuses_overlaps():
    with pytest.raises(ValueError):
        OffsetMap.apply("abcdef", [(0, 3, "X"), (2, 4, "Y")])
    text, mapping = OffsetMap.apply("abcdef", [(1, 3, "XYZW")])
    assert text == "aXYZWdef" and mapping.to_new(3) == 5 and mapping.to_old(5) == 3 and mapping.to_new(0) == 0


def test_stable_faker_gives_the_same_values_whatever_the_hash_seed():
    # faker's it_IT cities come from a set: unsorted, their order follows PYTHONHASHSEED
    import os
    import subprocess
    import sys

    code = ("from spacy_medllm.deid.surrogate import stable_faker\n"
            "f = stable_faker('it_IT'); f.seed_instance(3); print([f.city() for _ in range(20)])")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(runs) == 1 and runs.pop().startswith("['")
