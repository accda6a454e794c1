"""The trained PHI head (spancat on the shared transformer) and its union with the rules; the data."""
import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.training import Example

from spacy_medllm.compose import compose_config
from spacy_medllm.deid.corpus import presidio_split, to_docbin
from spacy_medllm.deid.synth import generate, generate_general, write_splits

ROOT = Path(__file__).resolve().parents[2]


def test_synthetic_notes_have_exact_gold_offsets_and_are_deterministic():
    records = list(generate(40, seed=5))
    assert records == list(generate(40, seed=5))
    assert any(r["phi_free"] for r in records) and any(r["spans"] for r in records)
    for r in records:
        assert r["phi_free"] == (not r["spans"])
        for s in r["spans"]:
            value = r["text"][s["start"]:s["end"]]
            assert value == value.strip() and value and s["label"] in {"NAME", "DATE", "AGE", "LOCATION", "CONTACT", "ID"}


def test_splits_share_no_note(tmp_path):
    counts = write_splits(tmp_path, n=100, seed=0)
    texts = {split: {json.loads(line)["text"] for line in (tmp_path / f"{split}.jsonl").read_text().splitlines()}
             for split in counts}
    assert counts == {"train": 70, "dev": 15, "test": 15}
    assert not (texts["train"] & texts["test"]) and not (texts["train"] & texts["dev"])


def test_general_records_label_every_value_but_countries_and_are_deterministic():
    records = list(generate_general(80, seed=3))
    assert records == list(generate_general(80, seed=3)) and records != list(generate_general(80, seed=4))
    assert any(r["phi_free"] for r in records) and any(r["spans"] for r in records)
    from faker.providers.address.en import Provider

    countries = set(Provider.countries)
    labels = set()
    for r in records:
        assert r["phi_free"] == (not r["spans"])
        for s in r["spans"]:
            value = r["text"][s["start"]:s["end"]]
            assert value == value.strip() and "\n" not in value and value not in countries
            labels.add(s["label"])
    assert {"NAME", "LOCATION", "CONTACT"} <= labels
    values = [r["text"][s["start"]:s["end"]] for r in records for s in r["spans"]]
    assert any(v.islower() for v in values)  # some names and towns in lower case
    assert any(v != v.lower() for v in values)
    # PHI-free records carry clinical text in capitals, as dictation writes it
    assert any(r["phi_free"] and any(w.isupper() and len(w) > 3 for w in r["text"].split()) for r in records)


def test_general_records_are_the_same_in_every_process():
    """Same seed, same records, whatever Python's hash seed (faker's it_IT city list is a set)."""
    import hashlib
    import os
    import subprocess
    import sys

    code = ("import hashlib, json; from spacy_medllm.deid.synth import generate_general; "
            "print(hashlib.md5(json.dumps(list(generate_general(200, 0))).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed}).stdout.strip()
               for hash_seed in ("1", "2", "3")}
    assert len(digests) == 1 and hashlib.md5().hexdigest() not in digests


def test_records_do_not_depend_on_the_day_they_are_written(monkeypatch):
    """faker draws dates and weekdays from a range ending today unless told otherwise."""
    import datetime as real

    import faker.providers.date_time as faker_dates

    before = (list(generate(40, seed=2)), list(generate_general(60, seed=2)))

    class Later(real.datetime):
        @classmethod
        def now(cls, tz=None):
            return real.datetime(2031, 7, 4, 12, 0, tzinfo=tz)

    class AnyDate(type):
        def __instancecheck__(cls, obj):  # faker checks isinstance(value, date) on real dates
            return isinstance(obj, real.date)

    class LaterDate(real.date, metaclass=AnyDate):
        @classmethod
        def today(cls):
            return real.date(2031, 7, 4)

    monkeypatch.setattr(faker_dates, "datetime", Later)
    monkeypatch.setattr(faker_dates, "dtdate", LaterDate)
    assert faker_dates.datetime.now().year == 2031 and faker_dates.dtdate.today().year == 2031
    assert (list(generate(40, seed=2)), list(generate_general(60, seed=2))) == before


def test_the_held_out_templates_are_written_into_the_test_split_only(tmp_path):
    from spacy_medllm.deid.synth import HELD_OUT_CUED

    write_splits(tmp_path, n=2000, seed=0)
    texts = {split: (tmp_path / f"{split}.jsonl").read_text() for split in ("train", "dev", "test")}
    headers = ("MEDICAL RECORD #:", "PATIENT NAME:", "Transcribed by:", "Pager ")
    assert all(any(h in t for t in HELD_OUT_CUED) for h in headers)
    assert all(h in texts["test"] for h in headers)
    assert not any(h in texts[split] for h in headers for split in ("train", "dev"))


def test_general_records_are_written_for_training_only_and_leave_the_test_split_as_it_was(tmp_path):
    counts = write_splits(tmp_path / "a", n=100, seed=0, n_general=40)
    write_splits(tmp_path / "b", n=100, seed=0)
    assert counts["general_train"] == 34 and counts["general_dev"] == 6 and "general_test" not in counts
    assert (tmp_path / "a" / "test.jsonl").read_text() == (tmp_path / "b" / "test.jsonl").read_text()


def test_multi_line_gold_becomes_one_span_per_line():
    text = "Send to 12 Oak St\n Apt. 4\n\nSpringfield  now"
    rec = {"text": text, "spans": [{"start": 8, "end": text.index("  now"), "label": "LOCATION"}]}
    doc = list(to_docbin([rec]).get_docs(spacy.blank("en").vocab))[0]
    assert [s.text for s in doc.spans["phi_model"]] == ["12 Oak St", "Apt. 4", "Springfield"]


def test_countries_and_states_alone_are_not_phi_but_cities_are(tmp_path):
    data = [{"full_text": f"{i}: {place}", "spans": [{"entity_type": "GPE", "entity_value": place,
             "start_position": len(f"{i}: "), "end_position": len(f"{i}: {place}")}]}
            for i, place in enumerate(["Norway", "Cyprus (Greek)", "Texas", "Trondheim", "Poznań"] * 4)]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    records = [r for part in presidio_split(path).values() for r in part]
    kept = {r["text"].split(": ")[1] for r in records if r["spans"]}
    ignored = {r["text"].split(": ")[1] for r in records if r["ignore"]}
    assert kept == {"Trondheim", "Poznań"} and ignored == {"Norway", "Cyprus (Greek)", "Texas"}


def test_negatives_are_phi_free_chunks_and_clinical_terms_where_names_stand(tmp_path):
    from spacy_medllm.deid.corpus import negative_records

    nlp = spacy.blank("en")
    db = DocBin()
    for i in range(3):
        doc = nlp.make_doc(f"A 45-year-old man had jaundice {i}. " * 30 + "\n\nShort tail paragraph here.")
        doc.ents = [doc.char_span(22, 30, label="PROBLEM")]
        db.add(doc)
    db.to_disk(tmp_path / "n.spacy")
    records = negative_records(tmp_path / "n.spacy", 20, max_chars=200)
    assert len(records) == 20 and all(not r["spans"] and r["phi_free"] for r in records)
    assert records == negative_records(tmp_path / "n.spacy", 20, max_chars=200)
    prose = [r for r in records if "year-old" in r["text"].lower()]
    terms = [r for r in records if "year-old" not in r["text"].lower()]
    assert len(terms) == 7 and all("JAUNDICE" in r["text"] or "Jaundice" in r["text"] for r in terms)
    assert all(len(r["text"]) <= 200 for r in prose)
    assert any("A 45-YEAR-OLD" in r["text"] or any(w.isupper() and len(w) > 3 for w in r["text"].split()) for r in prose)


def test_presidio_split_is_seeded_disjoint_and_maps_labels(tmp_path):
    data = [{"full_text": f"Call Ann Lee{i} at 555-0101 on 2020", "spans": [
        {"entity_type": "PERSON", "entity_value": f"Ann Lee{i}", "start_position": 5, "end_position": 12 + len(str(i))},
        {"entity_type": "DATE_TIME", "entity_value": "2020", "start_position": 31 + len(str(i)), "end_position": 35 + len(str(i))}]}
        for i in range(20)]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    split = presidio_split(path, seed=0)
    assert split == presidio_split(path, seed=0) and split != presidio_split(path, seed=1)
    ids = [{r["id"] for r in split[k]} for k in ("train", "dev", "test")]
    assert sum(map(len, ids)) == 20 and not (ids[0] & ids[2])
    rec = split["test"][0]
    assert [s["label"] for s in rec["spans"]] == ["NAME"] and [s["type"] for s in rec["ignore"]] == ["DATE_TIME"]
    doc = list(to_docbin([rec]).get_docs(spacy.blank("en").vocab))[0]
    assert [(s.label_, s.text) for s in doc.spans["phi_model"]] == [("NAME", rec["text"][5:rec["spans"][0]["end"]])]


def test_head_spans_join_the_rules_above_the_threshold():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_test_fake_head")
    nlp.add_pipe("medllm_deid", config={"model_spans_key": "phi_model", "threshold": 0.5})
    doc = nlp("Thorn and Flint came with Dr. Alice Wong on 01/02/2020.")
    assert doc._.deidentified == "[NAME] and Flint came with Dr. [NAME] on [DATE]."
    sources = {s.text: s.kb_id_ for s in doc.spans["phi"]}
    assert sources["Thorn"] == "model" and sources["Alice Wong"] == "name_title"
    assert doc.spans["phi"].attrs["scores"][0] == 0.9
    # the head's span on a clinical word is dropped, whatever its score
    assert nlp("Thorn had a positive Babinski sign.")._.deidentified == "[NAME] had a positive Babinski sign."


def test_composed_head_trains_on_the_tiny_encoder_and_feeds_medllm_deid(tiny_encoder, tmp_path):
    config = compose_config([ROOT / "components" / "transformer.cfg", ROOT / "components" / "deid_head.cfg",
                             ROOT / "components" / "deid.cfg"],
                            overrides={"paths.base_model": str(tiny_encoder),
                                       "components.medllm_deid.model_spans_key": "phi_model"}).interpolate()
    nlp = spacy.blank("en").from_config(config, auto_fill=True)
    records = [r for r in generate(12, seed=3) if r["spans"]]
    docs = list(to_docbin(records).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(d.text), d) for d in docs]
    nlp.initialize(lambda: examples)
    assert set(nlp.get_pipe("deid_spancat").labels) <= {"NAME", "DATE", "AGE", "LOCATION", "CONTACT", "ID"}
    losses = {}
    for _ in range(2):
        nlp.update(examples, losses=losses)
    assert losses["deid_spancat"] > 0
    doc = nlp(records[0]["text"])
    assert "phi_model" in doc.spans and doc._.deidentified is not None
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe("medllm_deid").cfg["model_spans_key"] == "phi_model"
    assert loaded(records[0]["text"])._.deidentified == doc._.deidentified


def test_corpus_cli_writes_docbins_and_keeps_dev_small(tmp_path):
    from typer.testing import CliRunner

    from spacy_medllm.cli.app import load_commands

    app = load_commands()

    data = [{"full_text": f"Mr. Lee{i} called", "spans": [{"entity_type": "PERSON", "entity_value": f"Lee{i}",
             "start_position": 4, "end_position": 7 + len(str(i))}]} for i in range(40)]
    presidio = tmp_path / "p.json"
    presidio.write_text(json.dumps(data))
    runner = CliRunner()
    assert runner.invoke(app, ["deid-synth", str(tmp_path / "s"), "--n", "60"]).exit_code == 0
    result = runner.invoke(app, ["deid-corpus", str(tmp_path / "s"), str(presidio), str(tmp_path / "c"), "--dev-max", "10"])
    assert result.exit_code == 0, result.output
    vocab = spacy.blank("en").vocab
    train = list(DocBin().from_disk(tmp_path / "c" / "train.spacy").get_docs(vocab))
    dev = list(DocBin().from_disk(tmp_path / "c" / "dev.spacy").get_docs(vocab))
    assert len(train) == 42 + 24 and len(dev) == 10
    assert any(s.label_ == "NAME" for d in train for s in d.spans["phi_model"])
    missing = runner.invoke(app, ["deid-corpus", str(tmp_path / "nope"), str(presidio), str(tmp_path / "c2")])
    assert missing.exit_code == 1 and "not found" in missing.output
    # general records join train and dev (dev shared evenly), negatives join train only
    assert runner.invoke(app, ["deid-synth", str(tmp_path / "g"), "--n", "60", "--n-general", "20"]).exit_code == 0
    negatives = DocBin()
    negatives.add(spacy.blank("en").make_doc("No fever. Lungs clear. " * 40))
    negatives.to_disk(tmp_path / "neg.spacy")
    result = runner.invoke(app, ["deid-corpus", str(tmp_path / "g"), str(presidio), str(tmp_path / "c3"), "--dev-max", "9",
                                 "--negatives", str(tmp_path / "neg.spacy"), "--negatives-max", "2"])
    assert result.exit_code == 0, result.output
    train = list(DocBin().from_disk(tmp_path / "c3" / "train.spacy").get_docs(vocab))
    dev = list(DocBin().from_disk(tmp_path / "c3" / "dev.spacy").get_docs(vocab))
    assert len(train) == 42 + 24 + 17 + 2 and len(dev) == 9
    assert sum("Lungs clear." in d.text and not d.spans["phi_model"] for d in train) == 2


def test_frozen_head_on_an_existing_pipeline_shares_its_encoder_and_feeds_medllm_deid(fp32_pipeline, tmp_path):
    from spacy_medllm.deid.head_training import train_deid_head

    records = [r for r in generate(24, seed=4) if r["spans"]]
    for split, part in (("train", records[:16]), ("dev", records[16:])):
        to_docbin(part).to_disk(tmp_path / f"{split}.spacy")
    before = spacy.load(fp32_pipeline)
    text = records[-1]["text"]
    doc_before = before(text)
    best = train_deid_head(fp32_pipeline, tmp_path / "train.spacy", tmp_path / "dev.spacy", tmp_path / "out",
                           epochs=2, batch_size=4, threshold=0.0, clinical_vocab_from=[tmp_path / "train.spacy"])
    assert 0.0 <= best <= 1.0
    nlp = spacy.load(tmp_path / "out" / "model-last")
    assert nlp.pipe_names == before.pipe_names + ["deid_spancat", "medllm_deid"]
    assert nlp.config["components"]["deid_spancat"]["model"]["tok2vec"]["main"]["grad_factor"] == 0.0
    doc = nlp(text)
    # frozen encoder: the other pipes' answers are unchanged; the head's spans reach medllm_deid
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(e.start, e.end, e.label_) for e in doc_before.ents]
    assert doc.cats == doc_before.cats
    assert len(doc.spans["phi_model"]) > 0
    assert "model" in {s.kb_id_ for s in doc.spans["phi"]}  # threshold 0: every head span joins
    # learned from the notes (words of 3+ letters in lower case twice or more) and saved
    from spacy_medllm.deid.vocab import build_clinical_vocab

    expected = set(build_clinical_vocab([tmp_path / "train.spacy"]))
    assert "and" in expected and nlp.get_pipe("medllm_deid").clinical_vocab == expected


def test_deid_train_head_on_a_pipeline_without_a_transformer_names_the_problem(tmp_path):
    from typer.testing import CliRunner

    from spacy_medllm.cli.app import load_commands

    spacy.blank("en").to_disk(tmp_path / "blank")
    records = [r for r in generate(6, seed=4) if r["spans"]]
    to_docbin(records).to_disk(tmp_path / "train.spacy")
    result = CliRunner().invoke(load_commands(), ["deid-train-head", str(tmp_path / "blank"), str(tmp_path / "train.spacy"),
                                                  str(tmp_path / "train.spacy"), str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no 'transformer' component to listen to" in result.output and "blank" in result.output
