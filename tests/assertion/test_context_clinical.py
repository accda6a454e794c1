"""ConText behaviours added for clinical narrative (MACCROBAT), each with positive and negative cases."""
import pytest
import spacy

from spacy_medllm.assertion.schema import register_extensions


@pytest.fixture(scope="module")
def nlp():
    register_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_context")
    return nlp


def assert_of(nlp, text, ents):
    """Run medllm_context on ``text`` with the given (substring, label) entities; {substring: category}."""
    doc = nlp.make_doc(text)
    spans = []
    for sub, label in ents:
        start = text.index(sub)
        spans.append(doc.char_span(start, start + len(sub), label=label))
    doc.ents = spans
    doc = nlp(doc)
    return {e.text: e._.assertion for e in doc.ents}


def test_backward_scope_over_coordinated_list(nlp):
    out = assert_of(nlp, "Calcification and an expanded bile duct were not observed.",
                    [("Calcification", "PROBLEM"), ("expanded bile duct", "PROBLEM")])
    assert out == {"Calcification": "absent", "expanded bile duct": "absent"}
    # the cue's scope ends at the sentence: the next sentence's finding stays present
    out = assert_of(nlp, "Ascites was noted. Calcification was not observed.",
                    [("Ascites", "PROBLEM"), ("Calcification", "PROBLEM")])
    assert out == {"Ascites": "present", "Calcification": "absent"}


def test_ruled_out_and_excluded(nlp):
    out = assert_of(nlp, "Sarcoidosis and lymphoma were excluded.", [("Sarcoidosis", "PROBLEM"), ("lymphoma", "PROBLEM")])
    assert out == {"Sarcoidosis": "absent", "lymphoma": "absent"}
    assert assert_of(nlp, "A biopsy which excluded malignancy was done.", [("malignancy", "PROBLEM")]) == {"malignancy": "absent"}
    # asking the question is not the answer: "to exclude" / "rule out" are possible
    assert assert_of(nlp, "A biopsy was taken to exclude myocarditis.", [("myocarditis", "PROBLEM")]) == {"myocarditis": "possible"}
    assert assert_of(nlp, "Pneumonia was ruled out.", [("Pneumonia", "PROBLEM")]) == {"Pneumonia": "absent"}
    assert assert_of(nlp, "Malignancy could not be excluded.", [("Malignancy", "PROBLEM")]) == {"Malignancy": "possible"}


def test_negation_cue_near_a_test_negates_the_finding_not_the_test(nlp):
    out = assert_of(nlp, "No edema was seen on CT.", [("edema", "PROBLEM"), ("CT", "TEST")])
    assert out == {"edema": "absent", "CT": "present"}
    out = assert_of(nlp, "The cells were negative for CD3.", [("CD3", "TEST")])
    assert out == {"CD3": "present"}
    # ... unless the test was not done
    out = assert_of(nlp, "A tuberculin skin test was not performed.", [("tuberculin skin test", "TEST")])
    assert out == {"tuberculin skin test": "absent"}
    # "not performed" does not negate a problem
    out = assert_of(nlp, "Fever was present; surgery was not performed.", [("Fever", "PROBLEM"), ("surgery", "TREATMENT")])
    assert out == {"Fever": "present", "surgery": "absent"}


def test_treatment_stopped_or_refused(nlp):
    assert assert_of(nlp, "She refused chemotherapy.", [("chemotherapy", "TREATMENT")]) == {"chemotherapy": "absent"}
    assert assert_of(nlp, "Apatinib was stopped.", [("Apatinib", "TREATMENT")]) == {"Apatinib": "absent"}
    # "stopped" is about treatments only: a symptom that stopped is not read through this rule
    assert assert_of(nlp, "The bleeding stopped after surgery.", [("surgery", "TREATMENT")]) == {"surgery": "present"}
    # a response that did not come is not a treatment that was not given
    out = assert_of(nlp, "There was no response to chemotherapy.", [("chemotherapy", "TREATMENT")])
    assert out == {"chemotherapy": "present"}
    out = assert_of(nlp, "He did not tolerate metformin.", [("metformin", "TREATMENT")])
    assert out == {"metformin": "present"}


def test_resolved_after_the_finding_and_never(nlp):
    out = assert_of(nlp, "The rash resolved after zinc supplementation.", [("rash", "PROBLEM"), ("zinc supplementation", "TREATMENT")])
    assert out == {"rash": "absent", "zinc supplementation": "present"}
    assert assert_of(nlp, "Her pleural effusion disappeared.", [("pleural effusion", "PROBLEM")]) == {"pleural effusion": "absent"}
    assert assert_of(nlp, "She had never experienced chest pain.", [("chest pain", "PROBLEM")]) == {"chest pain": "absent"}
    assert assert_of(nlp, "She had chest pain.", [("chest pain", "PROBLEM")]) == {"chest pain": "present"}


def test_presents_with_ends_a_negation(nlp):
    text = "A man with no past medical history presents with hemiparesis."
    out = assert_of(nlp, text, [("hemiparesis", "PROBLEM")])
    assert out == {"hemiparesis": "present"}
    out = assert_of(nlp, "A man with no hemiparesis.", [("hemiparesis", "PROBLEM")])
    assert out == {"hemiparesis": "absent"}


def test_cue_about_the_purpose_of_a_treatment_does_not_negate_it(nlp):
    out = assert_of(nlp, "She received enoxaparin as DVT prophylaxis.", [("enoxaparin", "TREATMENT"), ("DVT", "PROBLEM")])
    assert out == {"enoxaparin": "present", "DVT": "absent"}


def test_response_to_a_treatment_ends_the_negation(nlp):
    out = assert_of(nlp, "CML with no hematological response to chemotherapy.",
                    [("hematological response", "PROBLEM"), ("chemotherapy", "TREATMENT")])
    assert out == {"hematological response": "absent", "chemotherapy": "present"}
    assert assert_of(nlp, "There was no response to chemotherapy.", [("chemotherapy", "TREATMENT")]) == {"chemotherapy": "present"}
    # without "response to" the treatment is negated as before
    assert assert_of(nlp, "There was no chemotherapy.", [("chemotherapy", "TREATMENT")]) == {"chemotherapy": "absent"}


def test_scope_stops_at_during_and_short_free(nlp):
    out = assert_of(nlp, "She had no fever during chemotherapy.", [("fever", "PROBLEM"), ("chemotherapy", "TREATMENT")])
    assert out == {"fever": "absent", "chemotherapy": "present"}
    out = assert_of(nlp, "Steroids were weaned over six weeks and he remained seizure free.",
                    [("Steroids", "TREATMENT"), ("seizure", "PROBLEM")])
    assert out == {"Steroids": "present", "seizure": "absent"}


def test_noun_decline_and_data_not_shown_are_not_negations(nlp):
    out = assert_of(nlp, "Transfusion was followed by a rapid decline of platelets.", [("Transfusion", "TREATMENT")])
    assert out == {"Transfusion": "present"}
    out = assert_of(nlp, "A patient (not shown) treated with erlotinib.", [("erlotinib", "TREATMENT")])
    assert out == {"erlotinib": "present"}
    assert assert_of(nlp, "Erlotinib was not given.", [("Erlotinib", "TREATMENT")]) == {"Erlotinib": "absent"}


def test_not_consistent_with_negates(nlp):
    out = assert_of(nlp, "Symptoms were not consistent with aortic dissection.", [("aortic dissection", "PROBLEM")])
    assert out == {"aortic dissection": "absent"}
    out = assert_of(nlp, "The findings were consistent with aortic dissection.", [("aortic dissection", "PROBLEM")])
    assert out == {"aortic dissection": "present"}


def test_resolved_as_a_list_status_keeps_the_history(nlp):
    # "history of X, resolved" (a problem-list status) stays historical; "X resolved" (narrative) is absent
    out = assert_of(nlp, "Remote history of hypertension, resolved.", [("hypertension", "PROBLEM")])
    assert out == {"hypertension": "historical"}
    assert assert_of(nlp, "Her hypertension resolved.", [("hypertension", "PROBLEM")]) == {"hypertension": "absent"}
