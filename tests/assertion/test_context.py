"""medllm_context: the rule cases users complain about, and rules that survive saving."""
import json

import pytest
import spacy
from spacy.tokens import Span


def annotate(nlp, text, *phrases, key=None):
    """Mark each phrase (first occurrence) as an entity, run the pipeline, return {phrase: label}."""
    doc = nlp.make_doc(text)
    spans = []
    for phrase in phrases:
        start = text.index(phrase)
        spans.append(doc.char_span(start, start + len(phrase), label="PROBLEM"))
    if key:
        doc.spans[key] = spans
    else:
        doc.ents = spans
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    found = doc.spans[key] if key else doc.ents
    return {span.text: span._.assertion for span in found}


@pytest.fixture
def context_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_context")
    return nlp


def test_negation_and_control(context_nlp):
    assert annotate(context_nlp, "The patient denies chest pain.", "chest pain") == {"chest pain": "absent"}
    assert annotate(context_nlp, "The patient reports chest pain.", "chest pain") == {"chest pain": "present"}


def test_cue_inside_entity_span(context_nlp):
    # NER often tags the cue with the finding; a cue at the entity's edge still counts...
    assert annotate(context_nlp, "no headache today.", "no headache") == {"no headache": "absent"}
    assert annotate(context_nlp, "Patient is in no acute distress.", "acute distress") == {"acute distress": "absent"}
    # ...but a cue in the middle of a long finding does not negate the whole finding.
    text = "The oral mucosa is moist with no erythema."
    assert annotate(context_nlp, text, "oral mucosa is moist with no erythema") == {
        "oral mucosa is moist with no erythema": "present"
    }


def test_pseudo_negations(context_nlp):
    assert annotate(context_nlp, "There was no increase in abdominal pain.", "abdominal pain")["abdominal pain"] == "present"
    assert annotate(context_nlp, "Pneumonia is not ruled out.", "Pneumonia")["Pneumonia"] == "possible"
    assert annotate(context_nlp, "She walks without difficulty and has knee pain.", "knee pain")["knee pain"] == "present"
    assert annotate(context_nlp, "She walks without knee pain.", "knee pain")["knee pain"] == "absent"
    assert annotate(context_nlp, "CT of the chest without contrast showed a pleural effusion.",
                    "pleural effusion")["pleural effusion"] == "present"


def test_scope_terminators(context_nlp):
    assert annotate(context_nlp, "Denies fever but reports cough.", "fever", "cough") == {"fever": "absent", "cough": "present"}
    assert annotate(context_nlp, "No chest pain, however dyspnea persists.", "chest pain", "dyspnea") == {
        "chest pain": "absent", "dyspnea": "present"}


def test_wrapped_whitespace_inside_cue(context_nlp):
    assert annotate(context_nlp, "Doppler of the legs negative   for DVT.", "DVT") == {"DVT": "absent"}


def test_sections(context_nlp):
    text = "Family history:\nDiabetes mellitus.\n\nPast medical history:\nAsthma.\n\nHPI:\nCough for two days."
    assert annotate(context_nlp, text, "Diabetes mellitus", "Asthma", "Cough") == {
        "Diabetes mellitus": "family", "Asthma": "historical", "Cough": "present"}
    # Negation wins over the section: "no family history of" means absent.
    text = "Family history:\nNo family history of colon cancer."
    assert annotate(context_nlp, text, "colon cancer") == {"colon cancer": "absent"}


def test_sections_can_be_switched_off():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_context", config={"use_sections": False})
    assert annotate(nlp, "Family history:\nDiabetes mellitus.", "Diabetes mellitus") == {"Diabetes mellitus": "present"}


def test_family_historical_hypothetical_in_sentence(context_nlp):
    assert annotate(context_nlp, "Her mother had breast cancer.", "breast cancer") == {"breast cancer": "family"}
    assert annotate(context_nlp, "History of stroke in 2010.", "stroke") == {"stroke": "historical"}
    assert annotate(context_nlp, "Return to the clinic if fever develops.", "fever") == {"fever": "hypothetical"}
    assert annotate(context_nlp, "Call for any chest pain.", "chest pain") == {"chest pain": "hypothetical"}
    # Radiology "clinical history" is the indication, not the past.
    assert annotate(context_nlp, "CLINICAL HISTORY: dizziness.", "dizziness") == {"dizziness": "present"}


def test_flags_follow_medspacy_names(context_nlp):
    doc = context_nlp.make_doc("No fever.")
    doc.ents = [Span(doc, 1, 2, label="PROBLEM")]
    doc = context_nlp(doc)
    ent = doc.ents[0]
    assert ent._.is_negated and not ent._.is_uncertain and not ent._.is_family


def test_span_group_targets():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_context", config={"spans_key": "sc"})
    assert annotate(nlp, "Denies cough.", "cough", key="sc") == {"cough": "absent"}


def test_sentence_fallback_bounds_scope(context_nlp):
    # Without a sentencizer the component splits sentences itself: "No" stops at the period.
    assert annotate(context_nlp, "No fever. Cough is present.", "fever", "Cough") == {"fever": "absent", "Cough": "present"}


def test_user_rules_roundtrip_to_disk_and_bytes(tmp_path, write):
    rules = write("rules.json", json.dumps({"context_rules": [
        {"literal": "zorbified", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}]}))
    nlp = spacy.blank("en")
    context = nlp.add_pipe("medllm_context")
    assert annotate(nlp, "Zorbified pneumonia.", "pneumonia") == {"pneumonia": "present"}
    context.initialize(rules_file=rules)
    assert annotate(nlp, "Zorbified pneumonia.", "pneumonia") == {"pneumonia": "absent"}
    assert annotate(nlp, "Denies cough.", "cough") == {"cough": "absent"}  # defaults kept
    nlp.to_disk(tmp_path / "pipeline")
    rules.unlink()  # the saved pipeline must not need the original file
    loaded = spacy.load(tmp_path / "pipeline")
    assert annotate(loaded, "Zorbified pneumonia.", "pneumonia") == {"pneumonia": "absent"}
    saved = json.loads((tmp_path / "pipeline" / "medllm_context" / "rules.json").read_text())
    assert any(r["literal"] == "zorbified" for r in saved["context_rules"])
    fresh = spacy.blank("en")
    fresh.add_pipe("medllm_context").from_bytes(context.to_bytes())
    assert annotate(fresh, "Zorbified pneumonia.", "pneumonia") == {"pneumonia": "absent"}


def test_rules_from_the_training_config(tmp_path, write):
    rules = write("rules.jsonl", json.dumps({"literal": "zorbified", "category": "NEGATED_EXISTENCE",
                                              "direction": "FORWARD"}) + "\n")
    config = spacy.blank("en").config
    config["nlp"]["pipeline"] = ["medllm_context"]
    config["components"]["medllm_context"] = {"factory": "medllm_context"}
    config["initialize"]["components"] = {"medllm_context": {"rules_file": str(rules)}}
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    nlp.initialize()
    assert annotate(nlp, "Zorbified pneumonia.", "pneumonia") == {"pneumonia": "absent"}


def test_bad_rule_files_name_file_and_place(write):
    from spacy_medllm.assertion.context import read_rules

    with pytest.raises(ValueError, match=r"bad\.json:2: not valid JSON"):
        read_rules(write("bad.json", '{"context_rules": [\n  {"literal": }\n]}'))
    with pytest.raises(ValueError, match=r"missing\.json: rule 1: field 'category' is missing"):
        read_rules(write("missing.json", json.dumps({"context_rules": [
            {"literal": "no", "category": "NEGATED_EXISTENCE"}, {"literal": "nope"}]})))
    with pytest.raises(ValueError, match=r"lines\.jsonl:2: field 'direction' has unknown value"):
        read_rules(write("lines.jsonl", '{"literal": "no", "category": "X"}\n{"literal": "a", "category": "X", "direction": "UP"}\n'))
    with pytest.raises(ValueError, match="not found"):
        read_rules(write("x.txt", "").with_name("nothing.json"))
