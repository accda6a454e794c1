"""`medllm deid` and `medllm annotate --deid`: outputs, bad input, no PHI in messages, kill + --resume."""
import json
import logging
import os
import signal
import time

import pytest
import spacy
from spacy.language import Language
from typer.testing import CliRunner

from spacy_medllm.annotate.runner import annotate
from spacy_medllm.cli.app import load_commands

app = load_commands()

PHI_VALUES = ["John Smith", "12345678", "01/02/2020", "Alice Wong", "(617) 555-0182"]


def note(i: int) -> str:
    return (f"Patient: John Smith MRN: 12345678 seen 01/02/2020 by Dr. Alice Wong, phone (617) 555-0182. "
            f"Visit {i}: chest pain and fever, started aspirin.")


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.jsonl"
    lines = [json.dumps({"id": f"n{i}", "text": note(i)}) for i in range(30)]
    lines.insert(5, json.dumps({"id": "bad", "body": "no text field"}))
    lines.insert(9, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def run(args):
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    return result


def assert_no_phi(text: str):
    for value in PHI_VALUES:
        assert value not in text, value


def test_deid_jsonl_output_has_deidentified_text_and_counts_bad_lines(notes, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run(["deid", str(notes), str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == [f"n{i}" for i in range(30)]
    for r in records:
        assert_no_phi(r["text"])
        assert r["text"].startswith("Patient: [NAME] MRN: [ID] seen [DATE] by Dr. [NAME], phone [CONTACT].")
        for span in r["spans"]["phi"]:
            assert r["text"][span["start"]:span["end"]] == f"[{span['label']}]"
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert sorted((e["line"], e["kind"]) for e in errors) == [(6, "missing-text"), (10, "bad-json")]
    assert "errors 2" in result.output and "150 PHI spans replaced" in result.output
    assert_no_phi(result.output)
    # an existing output without --resume/--overwrite is refused, naming the file
    again = run(["deid", str(notes), str(out), "--no-progress"])
    assert again.exit_code == 1 and "out.jsonl exists" in again.output


def test_deid_brat_writes_deidentified_txt(notes, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDLLM_DEID_SALT", "test-salt")
    out = tmp_path / "brat"
    assert run(["deid", str(notes), str(out), "--no-progress", "--strategy", "hash"]).exit_code == 0
    txt = (out / "n3.txt").read_text()
    assert_no_phi(txt)
    ann = (out / "n3.ann").read_text()
    assert "\tNAME " in ann and "[NAME:" in ann and "John" not in ann


def test_deid_labels_option_and_bad_strategy(notes, tmp_path):
    out = tmp_path / "dates.jsonl"
    assert run(["deid", str(notes), str(out), "--no-progress", "--labels", "DATE"]).exit_code == 0
    first = json.loads(out.read_text().splitlines()[0])
    assert "[DATE]" in first["text"] and "John Smith" in first["text"]
    bad = run(["deid", str(notes), str(tmp_path / "x.jsonl"), "--strategy", "blur"])
    assert bad.exit_code != 0 and "unknown strategy" in bad.output


@Language.component("medllm_test_leaky_failure")
def leaky_failure(doc):
    """Fails on visit 7 with the note text in its message, as a careless component might."""
    if "Visit 7:" in doc.text:
        raise ValueError("cannot handle: " + doc.text)
    return doc


@pytest.mark.parametrize("strategy", ["surrogate", "hash"])
def test_surrogate_and_hash_need_a_salt_and_repeat_across_runs(notes, tmp_path, monkeypatch, strategy):
    monkeypatch.delenv("MEDLLM_DEID_SALT", raising=False)
    refused = run(["deid", str(notes), str(tmp_path / "none.jsonl"), "--no-progress", "--strategy", strategy])
    assert refused.exit_code != 0 and "MEDLLM_DEID_SALT" in refused.output
    assert not (tmp_path / "none.jsonl").exists()
    monkeypatch.setenv("MEDLLM_DEID_SALT", "test-salt")
    texts = []
    for name in ("a.jsonl", "b.jsonl"):  # two runs (two processes' worth of state): the same replacements
        assert run(["deid", str(notes), str(tmp_path / name), "--no-progress", "--strategy", strategy]).exit_code == 0
        texts.append([json.loads(line)["text"] for line in (tmp_path / name).read_text().splitlines()])
    assert texts[0] == texts[1] and len(texts[0]) == 30
    assert_no_phi("\n".join(texts[0]))
    monkeypatch.setenv("MEDLLM_DEID_SALT", "another-salt")
    assert run(["deid", str(notes), str(tmp_path / "c.jsonl"), "--no-progress", "--strategy", strategy]).exit_code == 0
    other = [json.loads(line)["text"] for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert other != texts[0]


def test_no_phi_in_logs_errors_or_summary(notes, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_test_leaky_failure")
    nlp.add_pipe("medllm_deid", config={"strategy": "surrogate"})
    messages = []
    summary = annotate(nlp, [notes], tmp_path / "o.jsonl", deid=True, progress=True, batch_size=4, log=messages.append)
    captured = capsys.readouterr()
    errors_text = (tmp_path / "o.errors.jsonl").read_text()
    assert summary.errors == 3 and "pipeline-error" in errors_text
    everything = "\n".join(messages) + captured.out + captured.err + caplog.text + errors_text + json.dumps(summary.to_dict())
    assert "the pipeline raised ValueError" in everything
    assert_no_phi(everything)
    assert_no_phi((tmp_path / "o.jsonl").read_text())


def test_annotate_deid_maps_entities_onto_deidentified_text(notes, tmp_path):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PROBLEM", "pattern": "chest pain"}, {"label": "PROBLEM", "pattern": "fever"},
                        {"label": "TREATMENT", "pattern": "aspirin"}, {"label": "PERSON", "pattern": "Alice Wong"}])
    model = tmp_path / "model"
    nlp.to_disk(model)
    out = tmp_path / "ann.jsonl"
    result = run(["annotate", str(notes), "-m", str(model), "-o", str(out), "--deid", "--entity-text", "--no-progress"])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text().splitlines()[0])
    texts = {(e["label"], e["text"]) for e in record["entities"]}
    assert {("PROBLEM", "chest pain"), ("PROBLEM", "fever"), ("TREATMENT", "aspirin"), ("PERSON", "[NAME]")} <= texts
    for ent in record["entities"]:
        assert record["text"][ent["start"]:ent["end"]] == ent["text"]
    assert_no_phi(out.read_text())


@Language.component("medllm_test_slow")
def slow(doc):
    time.sleep(0.02)
    return doc


def test_deid_resume_after_kill_loses_and_doubles_nothing(notes, tmp_path):
    reference = tmp_path / "ref.jsonl"
    assert run(["deid", str(notes), str(reference), "--no-progress"]).exit_code == 0
    out = tmp_path / "killed.jsonl"
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_test_slow")
    nlp.add_pipe("medllm_deid")
    pid = os.fork()
    if pid == 0:  # the child de-identifies until it is killed
        try:
            annotate(nlp, [notes], out, deid=True, progress=False, batch_size=2, log=lambda m: None)
        finally:
            os._exit(0)
    deadline = time.time() + 30
    while time.time() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 6):
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    done_before = out.read_bytes().count(b"\n")
    assert 0 < done_before < 30
    with open(out, "ab") as f:  # as if the kill had landed in the middle of a write
        f.write(b'{"id": "n99", "text": "Patient: [NA')
    result = run(["deid", str(notes), str(out), "--resume", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "resuming" in result.output and "partial last line" in result.output
    got = [json.loads(line) for line in out.read_text().splitlines()]
    want = [json.loads(line) for line in reference.read_text().splitlines()]
    assert len({r["id"] for r in got}) == len(got) == 30
    assert sorted(got, key=lambda r: r["id"]) == sorted(want, key=lambda r: r["id"])


def test_deid_names_writes_the_lists_and_names_a_bad_input(tmp_path):
    pytest.importorskip("faker")
    notes = tmp_path / "notes.csv"
    notes.write_text("id,transcription\n1,the patient will follow up. we will see. maria maria\n", encoding="utf8")
    out = tmp_path / "names.json"
    result = run(["deid-names", str(out), str(notes), "--text-field", "note,transcription"])
    assert result.exit_code == 0, result.output
    lists = json.loads(out.read_text(encoding="utf8"))
    assert "will" in lists["common"] and "maria" not in lists["given"] and "joseph" in lists["given"]
    assert "mexico" in lists["countries"] and "countries ->" in result.output
    result = run(["deid-names", str(tmp_path / "other.json"), str(notes), "--text-field", "body"])
    message = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code != 0 and "notes.csv: no column 'body'" in message
    assert not (tmp_path / "other.json").exists()
