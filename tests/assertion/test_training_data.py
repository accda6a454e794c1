"""The assertion data builder: gold, BioScope-derived and silver (rule-labelled) docs, no NegEx."""
import subprocess
import sys

import spacy
import srsly
from spacy.tokens import DocBin, Span

from spacy_medllm.assertion import training_data as builder

from ..corpora.test_assertion_readers import BIOSCOPE
from ..util import ROOT


def test_builds_gold_derived_and_silver(tmp_path, write):
    data = tmp_path / "data"
    write("data/bioscope/abstracts.xml", BIOSCOPE)
    write("data/bioscope/full_papers.xml", BIOSCOPE)
    write("data/ncbi_disease/conll/train.tsv", "Pulmonary\tB-Disease\nembolism\tI-Disease\n\nasthma\tB-Disease\n")
    notes = [
        "HISTORY: Patient denies pulmonary embolism. She reports asthma.",
        "FAMILY HISTORY:\\nMother with asthma.",
        "If asthma recurs, return to clinic.",
    ]
    write("data/mtsamples/mtsamples.csv",
          "note_id,transcription\n" + "".join(f'{i},"{n}"\n' for i, n in enumerate(notes)))
    maccrobat = write_gold_reports(tmp_path / "maccrobat")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "spacy_medllm.cli", "assertion-data", str(data), str(out),
         "--sample-dir", str(ROOT / "assets" / "sample"), "--silver-max", "50",
         "--maccrobat", str(maccrobat), "--maccrobat-repeat", "2"],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(nlp.vocab))
    labelled = {(s.text.lower(), s.label_) for d in docs for s in d.spans.get("assertion", [])}
    # silver labels come from medllm_context on the notes
    assert ("pulmonary embolism", "absent") in labelled
    assert ("asthma", "hypothetical") in labelled
    # clinical gold: MACCROBAT polarity, one doc per sentence with a mention, train x2, dev x1
    assert ("ct scan", "absent") in labelled and ("fever", "possible") in labelled
    counts = srsly.read_json(out / "stats.json")["counts"]
    assert counts["maccrobat train docs"] == 6 and counts["maccrobat dev docs"] == 3
    dev = list(DocBin().from_disk(out / "dev.spacy").get_docs(nlp.vocab))
    assert ("ct scan", "absent") in {(s.text.lower(), s.label_) for d in dev for s in d.spans["assertion"]}
    # every doc carries entities for the classifier's targets
    assert all(len(d.ents) == len(d.spans["assertion"]) for d in docs)
    assert (out / "dev.spacy").exists() and (out / "stats.json").exists()


def write_gold_reports(folder):
    """A `medllm corpus maccrobat`-shaped folder: entities with gold assertion spans."""
    nlp = spacy.blank("en")
    doc = nlp("A CT scan was not performed. Possible fever. The rash resolved.")
    doc.ents = [Span(doc, 1, 3, "TEST"), Span(doc, 8, 9, "PROBLEM"), Span(doc, 11, 12, "PROBLEM")]
    doc.spans["assertion"] = [Span(doc, 1, 3, "absent"), Span(doc, 8, 9, "possible"), Span(doc, 11, 12, "present")]
    folder.mkdir(parents=True)
    for split in ("train", "dev"):
        DocBin(docs=[doc]).to_disk(folder / f"{split}.spacy")
    return folder


def test_gold_sentence_docs_keep_the_gold_polarity_per_sentence(tmp_path):
    folder = write_gold_reports(tmp_path / "m")
    docs = builder.gold_sentence_docs(folder / "train.spacy", spacy.blank("en").vocab)
    assert [[(s.text, s.label_) for s in d.spans["assertion"]] for d in docs] == [
        [("CT scan", "absent")], [("fever", "possible")], [("rash", "present")]]
    assert [[e.label_ for e in d.ents] for d in docs] == [["TEST"], ["PROBLEM"], ["PROBLEM"]]


def _finding_docs(nlp, pairs):
    """One doc per (text, finding), the finding as its one entity."""
    docs = []
    for text, finding in pairs:
        doc = nlp(text)
        start = text.index(finding)
        doc.ents = [doc.char_span(start, start + len(finding), label="FINDING")]
        docs.append(doc)
    return docs


def test_phrase_variants_follow_the_cue_at_the_edge_convention():
    """A stretched finding is relabelled: a cue inside a long phrase does not negate it, one at
    its edge does."""
    import random
    from collections import Counter

    nlp = spacy.blank("en")
    context = nlp.add_pipe("medllm_context")
    docs = _finding_docs(nlp, (("Oral mucosa is moist with no erythema.", "erythema"),
                               ("Denies chest pain, reports cough.", "chest pain")))
    stats = Counter()
    out = builder.phrase_variants(docs, context, random.Random(0), 10, stats)
    got = {(d.ents[0].text, d.spans["assertion"][0].label_) for d in out}
    assert got == {("Oral mucosa is moist with no erythema", "present"), ("Denies chest pain", "absent")}
    assert stats == Counter({"phrase variants present": 1, "phrase variants absent": 1})


def test_cue_variants_swap_the_cue_and_relabel_by_the_rules():
    """A cue beside a finding is swapped for another rule cue of its direction; the finding's text
    survives, its label is what the rules say of the new sentence, and findings with no cue near
    them give nothing."""
    import random
    from collections import Counter

    nlp = spacy.blank("en")
    context = nlp.add_pipe("medllm_context")
    docs = _finding_docs(nlp, (("Patient denies chest pain today.", "chest pain"),
                               ("Pneumonia was ruled out.", "Pneumonia"),
                               ("She reports a cough at night.", "cough")) * 20)
    stats = Counter()
    out = builder.cue_variants(docs, context, random.Random(0), 100, stats)
    assert len(out) == 40  # the cough sentences have no cue to swap
    pool = builder._cue_pool(context.engine)
    forward = {c.lower() for cs in pool["FORWARD"].values() for c in cs}
    backward = {c.lower() for cs in pool["BACKWARD"].values() for c in cs}
    for doc in out:
        (ent,) = doc.ents
        assert ent.text.lower() in ("chest pain", "pneumonia")
        if ent.text == "chest pain":
            cue = doc.text[len("Patient "):doc.text.index(" chest pain")]
            assert cue.lower() in forward and cue != "denies"
        else:
            cue = doc.text[len("Pneumonia "):-1]
            assert cue.lower() in backward and cue != "was ruled out"
        fresh = nlp(doc.text)
        fresh.ents = [fresh.char_span(ent.start_char, ent.end_char, label="FINDING")]
        context(fresh)
        assert doc.spans["assertion"][0].label_ == fresh.ents[0]._.assertion
    labels = {d.spans["assertion"][0].label_ for d in out}
    assert "absent" in labels and len(labels) >= 3  # categories other than negation are drawn
    assert sum(stats.values()) == 40


def test_sentence_runs_join_sentences_and_keep_the_rules_labels_from_true_boundaries():
    """A run is one unit (one sentence) whose findings keep the labels the rules gave with the real
    boundaries: "denies" in the first sentence does not reach "cough" in the second. Runs with no
    present finding beside a non-present one in another sentence are not made."""

    from spacy_medllm.assertion.sentences import ensure_sentences

    nlp = spacy.blank("en")
    context = nlp.add_pipe("medllm_context")
    text = "The patient denies chest pain. She reports a cough at night. No rash. No fever."
    doc = nlp.make_doc(text)
    ensure_sentences(doc)
    doc.ents = [doc.char_span(text.index(w), text.index(w) + len(w), label="FINDING")
                for w in ("chest pain", "cough", "rash", "fever")]
    context(doc)
    runs = builder.sentence_runs(doc, list(doc.ents))
    assert runs
    for run in runs:
        assert len(list(run.sents)) == 1 and run.text.strip() in text
        labels = {s.text: s.label_ for s in run.spans["assertion"]}
        assert [e.text for e in run.ents] == list(labels)
        assert "cough" in labels and labels["cough"] == "present"
        assert all(labels[w] == "absent" for w in ("chest pain", "rash", "fever") if w in labels)
    # "No rash. No fever." has no present finding: never a run on its own
    assert all("cough" in run.text for run in runs)


def test_silver_findings_from_a_ner_pipeline_keep_only_the_named_labels(tmp_path, write):
    """--ner-model finds the silver findings with a pipeline's own "ner" (here a rule-based one
    under that name; its other components are not run) and --ner-labels keeps the named labels."""
    data = tmp_path / "data"
    write("data/bioscope/abstracts.xml", BIOSCOPE)
    write("data/bioscope/full_papers.xml", BIOSCOPE)
    write("data/ncbi_disease/conll/train.tsv", "asthma\tB-Disease\n")
    write("data/mtsamples/mtsamples.csv",
          'note_id,transcription\n0,"Patient denies pneumonia. She takes aspirin for asthma."\n')
    ner = spacy.blank("en")
    ruler = ner.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PROBLEM", "pattern": "pneumonia"}, {"label": "TREATMENT", "pattern": "aspirin"}])
    ner.add_pipe("medllm_context")  # would label the entities if it ran; the builder leaves it out
    ner.to_disk(tmp_path / "ner")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "spacy_medllm.cli", "assertion-data", str(data), str(out),
         "--sample-dir", str(ROOT / "assets" / "sample"), "--silver-max", "50", "--phrase-max", "0",
         "--ner-model", str(tmp_path / "ner"), "--ner-labels", "PROBLEM"],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    import srsly

    counts = srsly.read_json(out / "stats.json")["counts"]
    # one finding: pneumonia (absent); aspirin is a TREATMENT, asthma is only in the term list
    assert counts["silver findings absent"] == 1 and "silver findings present" not in counts
    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab))
    note = {"Patient denies pneumonia.", "She takes aspirin for asthma."}
    silver = {(s.text, s.label_) for d in docs if d.text.strip() in note for s in d.spans["assertion"]}
    assert silver == {("pneumonia", "absent")}
