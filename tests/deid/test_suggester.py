"""The PHI head's candidate spans: n-grams that could be PHI."""
import spacy
from spacy.util import registry

from spacy_medllm.deid.suggester import phi_ngram_suggester


def texts(doc, ragged):
    return {doc[s:e].text for s, e in ragged.dataXd.tolist()}


def test_candidates_keep_phi_shapes_and_drop_line_and_punctuation_edges():
    nlp = spacy.blank("en")
    doc = nlp("Call (617) 555-0199, then\n\nJohn Smith.")
    found = texts(doc, phi_ngram_suggester([doc], 1, 6))
    assert {"(617) 555-0199", "John Smith", "John", "555-0199"} <= found
    assert not any("\n" in t for t in found)  # nothing crosses the line break
    assert not any(t.startswith((",", ".")) or t.endswith((",", ".")) for t in found)
    assert "Smith." not in found and ", then" not in found


def test_candidates_per_doc_and_empty_docs():
    nlp = spacy.blank("en")
    docs = [nlp("a b c"), nlp(""), nlp("x")]
    ragged = phi_ngram_suggester(docs, 1, 2)
    assert ragged.lengths.tolist() == [5, 0, 1]
    assert phi_ngram_suggester([nlp("")], 1, 8).dataXd.shape[0] == 0


def test_registered_and_fewer_than_plain_ngrams_on_a_note():
    nlp = spacy.blank("en")
    doc = nlp("HPI: 67 yo man, BP 130/80.\nPlan:\n- aspirin 81 mg, daily.\n- follow up in 2 weeks.\n")
    ours = registry.misc.get("spacy_medllm.phi_ngram_suggester.v1")(min_size=1, max_size=8)([doc])
    plain = registry.misc.get("spacy.ngram_range_suggester.v1")(min_size=1, max_size=8)([doc])
    assert ours.dataXd.shape[0] < 0.7 * plain.dataXd.shape[0]
    assert {tuple(r) for r in ours.dataXd.tolist()} <= {tuple(r) for r in plain.dataXd.tolist()}


def test_plain_word_ngrams_are_dropped_and_phi_shapes_kept():
    nlp = spacy.blank("en")
    doc = nlp("the patient was given aspirin for chest pain by olga krylova on monday, MRN 123 at 4 pm")
    v1 = texts(doc, phi_ngram_suggester([doc], 1, 4))
    v2 = texts(doc, phi_ngram_suggester([doc], 1, 4, skip_plain_words=True))
    assert v2 < v1
    assert not {"chest pain", "was given", "the patient", "aspirin for"} & v2  # only plain words
    assert {"olga krylova", "monday", "MRN 123", "4 pm", "pain by olga"} <= v2  # a name, a weekday, a digit
    assert {"chest pain", "was given"} <= v1


def test_v2_is_registered_and_the_head_config_uses_it():
    from spacy_medllm.compose import find_fragment

    nlp = spacy.blank("en")
    doc = nlp("Seen for chest pain and shortness of breath. Seen by Dr. Kowalczyk.")
    v2 = registry.misc.get("spacy_medllm.phi_ngram_suggester.v2")(min_size=1, max_size=8)([doc])
    off = registry.misc.get("spacy_medllm.phi_ngram_suggester.v2")(min_size=1, max_size=8, skip_plain_words=False)([doc])
    v1 = registry.misc.get("spacy_medllm.phi_ngram_suggester.v1")(min_size=1, max_size=8)([doc])
    assert off.dataXd.tolist() == v1.dataXd.tolist()
    assert v2.dataXd.shape[0] < 0.6 * v1.dataXd.shape[0]
    assert "phi_ngram_suggester.v2" in find_fragment("deid_head").read_text(encoding="utf8")
