"""Fixtures of the de-identification tests: a blank pipeline with medllm_deid, a note full of PHI."""
import pytest
import spacy

# Every PHI value in NOTE, by label: tests assert each is found and none survives de-identification.
PHI = {
    "NAME": ["John A. Smith", "Alice Wong", "Smith"],
    "DATE": ["03/14/1947", "January 5, 2020", "2020-01-19"],
    "AGE": ["94"],
    "LOCATION": ["Massachusetts General Hospital", "123 Main Street, Boston, MA 02114"],  # one address, grown whole
    "CONTACT": ["(617) 555-0182", "jsmith@example.com", "10.0.0.12"],
    "ID": ["12345678", "123-45-6789"],
}
NOTE = (
    "Patient: John A. Smith  MRN: 12345678  DOB: 03/14/1947\n"
    "Seen by Dr. Alice Wong at Massachusetts General Hospital on January 5, 2020 and again on 2020-01-19. "
    "Phone (617) 555-0182, email jsmith@example.com.\n"
    "He lives at 123 Main Street, Boston, MA 02114. SSN 123-45-6789. Portal login from IP 10.0.0.12. "
    "He is a 94 year old man. Mr. Smith agrees with the plan.\n"
)


@pytest.fixture
def deid_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    return nlp


@pytest.fixture
def salt(monkeypatch):
    monkeypatch.setenv("MEDLLM_DEID_SALT", "test-salt-not-secret")
    return "test-salt-not-secret"


@spacy.Language.component("medllm_test_fake_head")
def fake_head(doc):
    """Stands in for a trained head: 'Thorn' and 'Flint' as NAME with scores 0.9 and 0.2; 'Babinski', a
    clinical word, as NAME with 0.95."""
    spans = [doc.char_span(m, m + len(w), label="NAME") for w in ("Thorn", "Flint", "Babinski") for m in [doc.text.find(w)] if m >= 0]
    doc.spans["phi_model"] = [s for s in spans if s is not None]
    doc.spans["phi_model"].attrs["scores"] = [{"Thorn": 0.9, "Flint": 0.2}.get(s.text, 0.95) for s in doc.spans["phi_model"]]
    return doc
