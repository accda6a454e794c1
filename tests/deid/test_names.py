"""The given-name rule (packaged name lists) and name propagation within a note."""
import pytest
import spacy
from spacy.tokens import DocBin

from spacy_medllm.deid.names import NameLists, build_name_lists, lower_case_words, packaged_name_lists
from spacy_medllm.deid.rules import default_rules


def found(nlp, text):
    doc = nlp(text)
    return {(span.label_, span.text, span.kb_id_) for span in doc.spans["phi"]}


@pytest.fixture(scope="module")
def rules_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    return nlp


def test_packaged_lists_hold_given_names_but_no_common_words():
    lists = packaged_name_lists()
    assert {"olga", "joseph", "sigurlaug", "jindřich"} <= lists.given
    # Words notes write in lower case are no given names, whatever faker lists.
    assert not {"will", "mark", "may", "hope"} & lists.given
    assert {"test", "scale", "disease", "follow", "brown", "green"} <= lists.common
    assert lists.may_be_surname("Green") and lists.may_be_surname("Krylova") and not lists.may_be_surname("Test")


@pytest.mark.parametrize("text,value", [
    ("Olga Krylova called about her results.", "Olga Krylova"),
    ("Seen with Joseph T. Tolbert, her brother.", "Joseph T. Tolbert"),
    ("Patient Sigurlaug Karlsdóttir presented.", "Sigurlaug Karlsdóttir"),
    ("Olga Krylova Called back later.", "Olga Krylova"),  # the shorter match where the longer fails
])
def test_a_given_name_with_a_surname_is_a_name_without_any_cue(text, value):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"propagate_names": False})
    assert ("NAME", value) in {(label, span) for label, span, _ in found(nlp, text)}


@pytest.mark.parametrize("text", [
    "Boston Naming Test was within normal limits.",
    "Will Follow up in two weeks. May Return sooner.",
    "India Ink stain negative. Arnold Chiari malformation ruled out.",
    "Grant Application pending; Mark Swelling noted.",
])
def test_given_name_before_common_words_is_no_name(rules_nlp, text):
    assert not {x for x in found(rules_nlp, text) if x[2].startswith("name_given")}


def known_words_only_nlp():
    """The rules without those for unknown words, which find "Holinka" alone: propagation on its own."""
    nlp = spacy.blank("en")
    deid = nlp.add_pipe("medllm_deid")
    deid.clear_rules()
    deid.add_rules([rule for rule in default_rules() if not rule["name"].startswith("name_unknown")])
    return nlp


def test_a_name_found_once_is_found_again_in_the_same_note(rules_nlp):
    text = "Dr. Jindřich Holinka examined her. Holinka's note is attached; Holinka agreed."
    assert "Holinka" not in rules_nlp(text)._.deidentified
    doc = known_words_only_nlp()(text)
    spans = [(s.label_, s.text, s.kb_id_) for s in doc.spans["phi"]]
    assert spans == [("NAME", "Jindřich Holinka", "name_title"), ("NAME", "Holinka", "propagated"),
                     ("NAME", "Holinka", "propagated")]
    assert "Holinka" not in doc._.deidentified


def test_propagation_skips_clinical_and_common_words_and_can_be_turned_off():
    nlp = spacy.blank("en")
    deid = nlp.add_pipe("medllm_deid")
    # "Parkinson" is a clinical word, "Brown" a common one (brown sputum): neither spreads.
    text = "Seen by Parkinson Brown. History of Parkinson disease; brown sputum. Brown stool."
    assert [s for s in deid.propagate_names(text, [(8, 23, "NAME", "name_verb", 1.0)])] == []
    text = "Seen by Olga Krylova. Copy to Krylova."
    off = known_words_only_nlp()
    off.get_pipe("medllm_deid").cfg["propagate_names"] = False
    assert not any(source == "propagated" for _, _, source in found(off, text))
    assert any(source == "propagated" for _, _, source in found(known_words_only_nlp(), text))


def test_propagation_setting_survives_save_and_load(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"propagate_names": False})
    nlp.to_disk(tmp_path / "p")
    assert spacy.load(tmp_path / "p").get_pipe("medllm_deid").cfg["propagate_names"] is False


def test_lists_are_built_from_faker_less_lower_case_words(tmp_path):
    pytest.importorskip("faker")
    notes = tmp_path / "notes.csv"
    notes.write_text("text,keywords\nwe will review. will call. olga olga,joseph joseph\n", encoding="utf8")
    nlp = spacy.blank("en")
    DocBin(docs=[nlp.make_doc("grant the grant. mark it, mark it.")]).to_disk(tmp_path / "c.spacy")
    words = lower_case_words([notes, tmp_path / "c.spacy"])
    assert words >= {"will", "olga", "grant", "mark", "it"} and "joseph" not in words  # note text only
    lists = build_name_lists([notes, tmp_path / "c.spacy"])
    assert "olga" not in lists["given"]  # written in lower case twice here: a common word
    assert {"joseph", "maria"} <= set(lists["given"])
    assert {"will", "mark", "it"} <= set(lists["common"])
    assert "mark" in lists["surnames"] and "it" not in lists["surnames"]
    assert {"mexico", "united states", "poland"} <= set(lists["countries"]) and "poznań" not in lists["countries"]
    assert NameLists((), (), (), lists["countries"]).is_country("United  States")
    with pytest.raises(ValueError, match="nowhere.txt: not found"):
        lower_case_words([tmp_path / "nowhere.txt"])
    with pytest.raises(ValueError, match="notes.csv: no column 'note'"):
        lower_case_words([notes], text_field="note")


def test_name_lists_checks_ignore_case():
    lists = NameLists(["Olga"], ["Test"])
    assert lists.is_given("OLGA") and lists.is_common("test") and not lists.is_given("Test")


def test_known_words_are_english_and_the_notes_own_words_but_no_names(tmp_path):
    pytest.importorskip("faker")
    notes = tmp_path / "notes.txt"
    notes.write_text("the pouch was closed. Lipitor given; Lipitor again. Olga said Olga. Xanadu once.\n"
                     "Chaddock's sign. Chaddock reflex. Ileal pouch.", encoding="utf8")
    lists = build_name_lists([notes], english=["zebra", "olga", "smith", "pouch"])
    known = set(lists["known"])
    assert "zebra" in known  # English, no name
    assert not {"olga", "smith"} & known  # English words that faker lists as given names or surnames
    assert {"lipitor", "chaddock"} <= known  # capitalized twice in the notes and no given name
    assert not {"xanadu", "olga"} & known  # capitalized once; a given name however often
    assert {"said", "given", "once", "again"} <= known  # written in lower case, even once
    assert "pouch" not in known and "pouch" in lists["common"]  # common words stay in their own list
    notes.write_text("Pearson said so. Pearson again. English class. English again.", encoding="utf8")
    lists = build_name_lists([notes], english=["english"])
    assert "pearson" in lists["capitalized_surnames"]  # a surname the notes capitalize, no English word
    assert "english" not in lists["capitalized_surnames"] and "english" in lists["known"]
    assert NameLists((), (), capitalized_surnames=["Pearson"]).is_capitalized_surname("PEARSON")
    packaged = packaged_name_lists()
    assert packaged.is_known("catheter") and packaged.is_known("PEDESTRIAN") and not packaged.is_known("Vsevolod")
    assert not packaged.is_known("Szczepańska") and not packaged.is_known("olga")


@pytest.mark.parametrize("text,names", [
    # the other names of a list in which a cue or a name list found one
    ("Her parents Bud and Sue Mizel live in town.", {"Bud", "Sue Mizel"}),
    ("Seen with Dr. Kowalczyk and Abernathy today.", {"Kowalczyk", "Abernathy"}),
    # after a plural title every name of the list is one, common words too ("Drs" itself is none)
    ("Seen by Drs. Okafor and Brown today.", {"Okafor", "Brown"}),
    ("Seen by Drs. Okafor and Summer today.", {"Okafor", "Summer"}),
    ("Seen by Dr. Okafor and Summer today.", {"Okafor"}),  # a common word joins only after a plural title ...
    ("Seen by Dr. Okafor and Brown today.", {"Okafor", "Brown"}),  # ... a surname after any found name
    ("Seen by Dr. Okafor and Nursing today.", {"Okafor"}),
    # a word taken for being unknown anchors unknown words and surnames, not known words
    ("Usamov and Bowers were engineers.", {"Usamov", "Bowers"}),
    ("Our founders: Torres, Muslija and Brown.", {"Torres", "Muslija", "Brown"}),
    # ... and surnames that notes write only capitalized, before or after it
    ("Kowalczyk and Morales were engineers.", {"Kowalczyk", "Morales"}),
    ("Our founders: Pearson, Muslija and Vasquez.", {"Pearson", "Muslija", "Vasquez"}),
    # a middle initial between two found names, a generation after a name
    ("Song by Delvis J Carvajal.", {"Delvis J Carvajal"}),
    ("Grandfather was called Kevin Veitonen II, a farmer.", {"Kevin Veitonen II"}),
])
def test_names_completed_by_initials_generations_and_lists(rules_nlp, text, names):
    assert {value for label, value, _ in found(rules_nlp, text) if label == "NAME"} == names


@pytest.mark.parametrize("text,names", [
    # an unknown word (taken as a name on its own) anchors no list of known or clinical words
    ("Dilated using Hank and Hegar dilators.", {"Hank"}),
    ("ALLERGIES: Compazine and Allegra.", {"Allegra"}),
    ("Placed by Usamov and Foley yesterday.", {"Usamov"}),  # an eponym: a surname, but a clinical word
    ("Seen by Dr. Smith and Cardiology today.", {"Smith"}),  # a clinical word is no name
    ("Seen by Drs. Smith and Cardiology today.", {"Smith"}),
])
def test_lists_take_no_clinical_or_unanchored_words(rules_nlp, text, names):
    assert {value for label, value, _ in found(rules_nlp, text) if label == "NAME"} == names


def test_a_generation_is_no_clinical_iv(rules_nlp):
    spans = found(rules_nlp, "Seen by Dr. Jones IV fluids were started. Named after Henry Tudor IV.")
    assert ("NAME", "Jones", "name_title") in spans
    assert "Henry Tudor IV" in {value for _, value, _ in spans}
