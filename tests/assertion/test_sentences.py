"""The sentence fallback medllm_context and medllm_assertion use when nothing upstream set sentences."""
import spacy

from spacy_medllm.assertion.sentences import ensure_sentences


def _sents(doc):
    return [s.text.strip() for s in doc.sents]


def test_splits_at_final_punctuation_line_items_and_paragraphs():
    nlp = spacy.blank("en")
    text = ("Seen by Dr. Smith today. Denies fever; reports cough\nMedications:\naspirin daily\n"
            "- metformin\n2 tablets at night\n\nplan follow up")
    doc = nlp.make_doc(text)
    ensure_sentences(doc)
    assert _sents(doc) == ["Seen by Dr. Smith today.", "Denies fever;", "reports cough",
                           "Medications:", "aspirin daily", "- metformin", "2 tablets at night", "plan follow up"]
    assert doc[0].is_sent_start and all(t.is_sent_start is not None for t in doc)  # every token decided


def test_keeps_boundaries_set_upstream_and_takes_an_empty_doc():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": ["!"]})
    doc = nlp("No split here. Nor here! Split above.")
    ensure_sentences(doc)
    assert _sents(doc) == ["No split here. Nor here!", "Split above."]
    empty = nlp.make_doc("")
    ensure_sentences(empty)
    assert len(empty) == 0
