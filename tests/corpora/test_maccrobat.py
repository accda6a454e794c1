"""MACCROBAT conversion on small BRAT files written by the tests."""
from pathlib import Path

import pytest
import spacy

from spacy_medllm.corpora.errors import CorpusFormatError
from spacy_medllm.corpora.maccrobat import (
    MaccrobatStats, normalize_spaces, parse_brat, read_maccrobat, split_ids,
)

# "A 40-year-old man had no fever, chest pain or cough. CT scan of the chest showed a mass."
TEXT = "He had no fever, severe chest pain or cough. A CT\u2005scan showed a mass; aspirin was given.\n"


def offsets(text, sub, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return start, start + len(sub)


def t_line(tid, label, text, sub, nth=0):
    s, e = offsets(text, sub, nth)
    return f"{tid}\t{label} {s} {e}\t{text[s:e]}"


@pytest.fixture
def report(tmp_path) -> Path:
    t = TEXT
    fever, cough = offsets(t, "fever"), offsets(t, "cough")
    lines = [
        t_line("T1", "Sign_symptom", t, "fever"),
        t_line("T2", "Sign_symptom", t, "severe chest pain"),
        t_line("T3", "Sign_symptom", t, "chest pain"),  # nested in T2: dropped from ents
        t_line("T4", "Sign_symptom", t, "cough"),
        t_line("T5", "Diagnostic_procedure", t, "CT\u2005scan"),  # Unicode space inside
        t_line("T6", "Disease_disorder", t, "mass"),
        t_line("T7", "Medication", t, "aspirin"),
        # discontinuous: "fever ... cough"
        f"T8\tSign_symptom {fever[0]} {fever[1]};{cough[0]} {cough[1]}\tfever cough",
        t_line("T9", "History", t, "no fever, severe chest pain or cough"),
        t_line("T10", "Lab_value", t, "mass"),
        t_line("T11", "Sign_symptom", t, "mass"),  # same tokens as T6, no polarity: one entity, still possible
        "E1\tSign_symptom:T1 ",
        "E2\tSign_symptom:T2 ",
        "E3\tSign_symptom:T4 ",
        "E4\tDisease_disorder:T6 ",
        "A1\tPOLARITY E1 NEG",
        "A2\tPOLARITY E2 NEG",
        "A3\tPOLARITY E3 NEG",
        "A4\tPOLARITY E4 UNCERTAIN",
        "A5\tPOLARITY T7 MAYBE_NEG",
        "R1\tMODIFY Arg1:T10 Arg2:E4\t",
        "#1\tAnnotatorNotes T1\tnote",
    ]
    (tmp_path / "r1.txt").write_text(t, encoding="utf8")
    (tmp_path / "r1.ann").write_text("\n".join(lines) + "\n", encoding="utf8")
    return tmp_path


def test_labels_assertions_and_counts(report):
    nlp = spacy.blank("en")
    stats = MaccrobatStats()
    (doc,) = list(read_maccrobat(report, nlp, stats))
    ents = [(e.text, e.label_) for e in doc.ents]
    assert ents == [("fever", "PROBLEM"), ("severe chest pain", "PROBLEM"), ("cough", "PROBLEM"),
                    ("CT scan", "TEST"), ("mass", "PROBLEM"), ("aspirin", "TREATMENT")]
    assertions = {s.text: s.label_ for s in doc.spans["assertion"]}
    assert assertions == {"fever": "absent", "severe chest pain": "absent", "cough": "absent",
                          "CT scan": "present", "mass": "possible", "aspirin": "possible"}
    # the nested mention stays in the span group
    assert "chest pain" in [s.text for s in doc.spans["sc"]]
    d = stats.to_dict()
    assert d["skipped"]["discontinuous span (PROBLEM)"] == 1
    assert d["skipped"]["overlapping or nested, not the longest (PROBLEM; kept in doc.spans['sc'])"] == 1
    assert d["skipped"]["type not mapped (History)"] == 1
    assert d["skipped"]["type not mapped (Lab_value)"] == 1
    assert d["skipped"]["same tokens as another mention (PROBLEM; kept in doc.spans['sc'])"] == 1
    assert d["unicode_spaces_replaced"] == 1
    assert d["kept_inside_wrapper"] == {"PROBLEM": 3}
    assert d["entities_per_label"] == {"PROBLEM": 4, "TEST": 1, "TREATMENT": 1}
    assert d["assertions_per_label"]["PROBLEM"] == {"absent": 3, "possible": 1}
    assert d["mapped_source_types"]["Sign_symptom"] == 6


def test_unicode_space_becomes_token_boundary():
    text, n = normalize_spaces("CT\u2005scan\u200awas")
    assert (text, n) == ("CT scan was", 2)
    assert normalize_spaces("plain text") == ("plain text", 0)


def test_mismatched_text_names_file_and_line(tmp_path):
    (tmp_path / "r.txt").write_text("no fever here", encoding="utf8")
    (tmp_path / "r.ann").write_text("T1\tSign_symptom 3 8\tfever\nT2\tSign_symptom 0 2\tXY\n", encoding="utf8")
    with pytest.raises(CorpusFormatError) as err:
        parse_brat(tmp_path / "r.txt")
    assert err.value.line == 2 and err.value.path.endswith("r.ann")
    assert "fever" not in str(err.value)  # no note text in errors


def test_attribute_on_unknown_event_is_an_error(tmp_path):
    (tmp_path / "r.txt").write_text("no fever", encoding="utf8")
    (tmp_path / "r.ann").write_text("T1\tSign_symptom 3 8\tfever\nA1\tPOLARITY E9 NEG\n", encoding="utf8")
    with pytest.raises(CorpusFormatError, match=r"r.ann:2"):
        parse_brat(tmp_path / "r.txt")


def test_split_is_deterministic_and_by_document():
    ids = [f"doc{i}" for i in range(140)]
    train, dev = split_ids(ids, 30, seed=0)
    assert len(train) == 110 and len(dev) == 30
    assert not set(train) & set(dev) and set(train) | set(dev) == set(ids)
    # same split whatever the input order; another seed gives another split
    assert split_ids(list(reversed(ids)), 30, seed=0) == (train, dev)
    assert split_ids(ids, 30, seed=1)[1] != dev
    # adding a report does not move the others between splits more than one place
    train2, dev2 = split_ids(ids + ["doc999"], 30, seed=0)
    assert len(set(dev) & set(dev2)) >= 29
    with pytest.raises(ValueError):
        split_ids(ids, 141)
