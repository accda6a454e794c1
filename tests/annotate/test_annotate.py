"""`medllm annotate`: inputs, outputs (JSONL, CSV, BRAT), resume, the errors file and bad input."""
import csv
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from spacy_medllm.annotate import NoteReader, annotate
from spacy_medllm.annotate.writers import OutputError
from spacy_medllm.corpora import synthetic_notes

from ..util import ROOT
from .stand_ins import STAND_INS

NOTES = {
    "a.txt": "No chest pain. History of migraine.\n",
    "sub/b.txt": "Possible stroke; MRI ordered. Mother had fever.\n",
    "sub/deeper/c.txt": "Cough for 3 days. Start aspirin if fever.\n",
    "z.txt": "Nothing to find here.\n",
}


def write_notes(folder, notes=NOTES):
    for name, text in notes.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return folder


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def run(nlp, inputs, output, **kwargs):
    kwargs.setdefault("progress", False)
    kwargs.setdefault("log", lambda msg: None)
    return annotate(nlp, inputs, output, **kwargs)


def cli(*args):
    from spacy_medllm.cli.app import load_commands

    return CliRunner().invoke(load_commands(), [str(a) for a in args])


def test_cli_folder_of_synthetic_notes_round_trips(tmp_path):
    """The README command on notes from `medllm make-notes`, as a user runs it (new process)."""
    notes = tmp_path / "notes"
    synthetic_notes.write_notes(notes, 25)
    synthetic_notes.ruler_pipeline().to_disk(tmp_path / "rules")
    out = tmp_path / "out.jsonl"
    result = subprocess.run([sys.executable, "-m", "spacy_medllm.cli", "annotate", str(notes), "--model",
                             str(tmp_path / "rules"), "--output", str(out), "--entity-text", "--summary",
                             str(tmp_path / "summary.json")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    records = read_jsonl(out)
    assert [r["id"] for r in records] == sorted(p.name for p in notes.iterdir())
    n_ents = 0
    for record in records:
        text = (notes / record["id"]).read_text(encoding="utf8")
        assert record["n_chars"] == len(text)
        assert record["entities"], "every synthetic note has entities the rules know"
        for ent in record["entities"]:
            assert text[ent["start"]:ent["end"]] == ent["text"]
            assert ent["label"] in {"PROBLEM", "TEST", "TREATMENT"}
        n_ents += len(record["entities"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["processed"] == 25 and summary["entities"] == n_ents and summary["errors"] == 0
    assert "processed 25 notes" in result.stderr and "words/s" in result.stderr
    assert (tmp_path / "out.errors.jsonl").read_text() == ""
    # the project's checker (`clinical-notes`) agrees, and catches an offset moved by one
    check = [sys.executable, "-m", "benchmarks.check_roundtrip", str(notes), str(out), "--expect", "25",
             "--output", str(tmp_path / "check.json")]
    assert subprocess.run(check, capture_output=True, cwd=ROOT).returncode == 0
    assert json.loads((tmp_path / "check.json").read_text())["entities_checked"] == n_ents
    records[3]["entities"][0]["start"] += 1
    out.write_text("".join(json.dumps(r) + "\n" for r in records + [records[0]]))
    assert subprocess.run(check, capture_output=True, cwd=ROOT).returncode == 1
    report = json.loads((tmp_path / "check.json").read_text())
    assert report["duplicate_ids"] == 1 and report["n_problems"] == 3  # the offset, the count, the duplicate


def test_folder_ids_are_sorted_relative_paths_and_assertions_are_recorded(tmp_path, clinical_nlp):
    write_notes(tmp_path / "notes")
    (tmp_path / "notes" / "readme.md").write_text("not a note")
    (tmp_path / "notes" / ".hidden.txt").write_text("fever")
    summary = run(clinical_nlp, [tmp_path / "notes"], tmp_path / "out.jsonl", entity_text=True)
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in records] == ["a.txt", "sub/b.txt", "sub/deeper/c.txt", "z.txt"]
    assert summary.skipped == {"file name does not match --glob *.txt": 1}
    by_text = {(r["id"], e["text"]): e for r in records for e in r["entities"]}
    assert by_text[("a.txt", "chest pain")]["assertion"] == "absent" and by_text[("a.txt", "chest pain")]["is_negated"]
    assert by_text[("a.txt", "migraine")]["assertion"] == "historical"
    assert by_text[("sub/b.txt", "stroke")]["is_uncertain"] and not by_text[("sub/b.txt", "stroke")]["is_negated"]
    assert by_text[("sub/b.txt", "fever")]["assertion"] == "family"
    assert by_text[("sub/deeper/c.txt", "fever")]["assertion"] == "hypothetical"
    assert by_text[("sub/deeper/c.txt", "Cough")]["assertion"] == "present"
    assert records[0]["cats"] == {"cardiology": 0.9, "neurology": 0.1}
    assert records[0]["translation"].startswith("Traduction")
    assert records[3]["entities"] == []


def test_entity_text_only_when_asked(tmp_path, rule_nlp):
    write_notes(tmp_path / "notes")
    run(rule_nlp, [tmp_path / "notes"], tmp_path / "out.jsonl")
    raw = (tmp_path / "out.jsonl").read_text()
    records = read_jsonl(tmp_path / "out.jsonl")
    assert all("text" not in e for r in records for e in r["entities"])
    assert "chest pain" not in raw and "migraine" not in raw
    assert "assertion" not in raw and "translation" not in raw  # no such components in this pipeline


def test_jsonl_input_custom_fields_and_bad_lines(tmp_path, rule_nlp):
    lines = [
        json.dumps({"note_id": "n1", "body": "Fever and cough."}),
        "",
        json.dumps({"note_id": "n2", "body": None}),
        json.dumps({"note_id": "n3", "body": 42}),
        json.dumps({"note_id": "n4"}),
        '{"note_id": "n5", "body": "unterminated',
        json.dumps(["a", "list"]),
        json.dumps({"note_id": "n1", "body": "Duplicate id with fever."}),
        json.dumps({"note_id": "n8", "body": "   \n  "}),
        json.dumps({"note_id": "n9", "body": ""}),
        json.dumps({"body": "No id here, chest pain."}),
        json.dumps({"note_id": "n11", "body": "Aspirin daily."}),
    ]
    src = tmp_path / "notes.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf8")
    summary = run(rule_nlp, [src], tmp_path / "out.jsonl", reader=NoteReader(text_field="body", id_field="note_id"),
                  entity_text=True)
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in records] == ["n1", "n11"]
    assert records[0]["line"] == 1 and records[1]["line"] == 12
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    got = [(e["id"], e["line"], e["kind"]) for e in errors]
    assert got == [("n2", 3, "missing-text"), ("n3", 4, "not-a-string"), ("n4", 5, "missing-text"),
                   ("notes.jsonl:6", 6, "bad-json"), ("notes.jsonl:7", 7, "bad-json"), ("n1", 8, "duplicate-id"),
                   ("n8", 9, "empty-text"), ("n9", 10, "empty-text"), ("notes.jsonl:11", 11, "bad-id")]
    assert all(e["source"] == str(src) for e in errors)
    raw_errors = (tmp_path / "out.errors.jsonl").read_text()
    assert "Duplicate" not in raw_errors and "chest pain" not in raw_errors and "unterminated" not in raw_errors
    assert summary.skipped == {"blank JSONL line": 1}
    assert summary.errors == 9 and summary.processed == 2


def test_jsonl_default_ids_fall_back_to_file_and_line(tmp_path, rule_nlp):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "fever"}) + "\n" + json.dumps({"id": 7, "text": "cough"}) + "\n")
    run(rule_nlp, [src], tmp_path / "out.jsonl")
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["in.jsonl:1", "7"]


def test_csv_input_and_csv_output_one_row_per_entity(tmp_path, clinical_nlp):
    src = tmp_path / "notes.csv"
    with open(src, "w", newline="", encoding="utf8") as f:
        w = csv.writer(f)
        w.writerow(["pid", "note", "other"])
        w.writerow(["p1", "No fever, no cough.", "x"])
        w.writerow(["p2", 'Quoted "MRI", and a\nline break before chest pain.', "y"])
        w.writerow(["p3", "", "z"])
        w.writerow(["p4", "Nothing here.", "z"])
        w.writerow(["p5"])
    reader = NoteReader(text_field="note", id_field="pid")
    summary = run(clinical_nlp, [src], tmp_path / "out.csv", reader=reader, entity_text=True)
    with open(tmp_path / "out.csv", newline="", encoding="utf8") as f:
        rows = list(csv.DictReader(f))
    texts = {"p1": "No fever, no cough.", "p2": 'Quoted "MRI", and a\nline break before chest pain.'}
    ent_rows = [r for r in rows if r["label"]]
    assert [(r["id"], r["label"], r["text"]) for r in ent_rows] == [
        ("p1", "PROBLEM", "fever"), ("p1", "PROBLEM", "cough"), ("p2", "TEST", "MRI"), ("p2", "PROBLEM", "chest pain")]
    for r in ent_rows:
        assert texts[r["id"]][int(r["start"]):int(r["end"])] == r["text"]
        assert r["n_entities"] == "2"
    assert [r["assertion"] for r in ent_rows] == ["absent", "absent", "present", "present"]
    assert ent_rows[0]["is_negated"] == "True" and json.loads(ent_rows[0]["cats"])["cardiology"] == 0.2
    assert [r for r in rows if r["id"] == "p4"][0]["n_entities"] == "0"  # a note without entities keeps a row
    assert rows[2]["line"] == "3"  # physical line where p2 starts
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [(e["id"], e["row"], e["kind"]) for e in errors] == [("p3", 3, "empty-text"), ("p5", 5, "missing-text")]
    assert summary.processed == 3


def test_csv_missing_text_column_is_a_file_error(tmp_path, rule_nlp):
    src = tmp_path / "n.csv"
    src.write_text("id,body\n1,fever\n")
    summary = run(rule_nlp, [src], tmp_path / "out.jsonl")
    assert summary.processed == 0 and summary.errors_by_kind == {"bad-file": 1}
    assert "no column 'text'" in read_jsonl(tmp_path / "out.errors.jsonl")[0]["reason"]


def test_brat_output_folder(tmp_path, clinical_nlp):
    from spacy_medllm.convert import convert

    write_notes(tmp_path / "notes")
    summary = run(clinical_nlp, [tmp_path / "notes"], tmp_path / "brat", fmt="brat")
    out = tmp_path / "brat"
    assert (out / "sub" / "deeper" / "c.txt").read_bytes() == NOTES["sub/deeper/c.txt"].encode()
    ann = (out / "a.ann").read_text().splitlines()
    assert ann[0] == "T1\tPROBLEM 3 13\tchest pain"
    assert "A1\tAssertion T1 absent" in ann and "A2\tNegated T1" in ann
    index = read_jsonl(out / "index.jsonl")
    assert [e["id"] for e in index] == list(NOTES) and index[0]["translation"].startswith("Traduction")
    assert summary.processed == 4
    stats = convert(out, tmp_path / "back.spacy", "brat", progress=False)  # our own BRAT reader reads it back
    assert stats.entities == summary.entities


def test_existing_output_needs_resume_or_overwrite(tmp_path, rule_nlp):
    write_notes(tmp_path / "notes")
    run(rule_nlp, [tmp_path / "notes"], tmp_path / "out.jsonl")
    with pytest.raises(OutputError, match="--resume"):
        run(rule_nlp, [tmp_path / "notes"], tmp_path / "out.jsonl")
    summary = run(rule_nlp, [tmp_path / "notes"], tmp_path / "out.jsonl", overwrite=True)
    assert summary.processed == 4 and len(read_jsonl(tmp_path / "out.jsonl")) == 4


@pytest.mark.parametrize("fmt,suffix", [("jsonl", ".jsonl"), ("csv", ".csv")])
def test_resume_drops_a_truncated_tail_and_loses_nothing(tmp_path, clinical_nlp, fmt, suffix):
    notes = write_notes(tmp_path / "notes", {f"n{i:02d}.txt": f"Note {i}: no fever, cough {'x ' * i}\n" for i in range(12)})
    ref, out = tmp_path / f"ref{suffix}", tmp_path / f"out{suffix}"
    run(clinical_nlp, [notes], ref, batch_size=4)
    data = ref.read_bytes()
    cut = data.index(b"n05")  # mid-way through the 6th note: a partial line after 5 complete notes
    out.write_bytes(data[:cut + 7])
    (tmp_path / "out.errors.jsonl").write_text("")
    summary = run(clinical_nlp, [notes], out, resume=True, batch_size=4)
    assert out.read_bytes() == data
    assert summary.processed == 7 and summary.skipped == {"already in the output (resume)": 5}
    assert "dropped" in summary.repaired


def test_resume_csv_note_cut_between_its_rows(tmp_path, rule_nlp):
    notes = write_notes(tmp_path / "notes", {"a.txt": "fever cough stroke", "b.txt": "fever cough MRI aspirin", "c.txt": "fever"})
    ref, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    run(rule_nlp, [notes], ref)
    lines = ref.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:6]))  # header + 3 rows of a + 2 of b's 4 rows, each line complete
    summary = run(rule_nlp, [notes], out, resume=True)
    assert out.read_bytes() == ref.read_bytes()
    assert summary.processed == 2


def test_resume_brat_with_partial_index_line(tmp_path, rule_nlp):
    notes = write_notes(tmp_path / "notes")
    out = tmp_path / "brat"
    run(rule_nlp, [notes], out, fmt="brat")
    index = (out / "index.jsonl").read_bytes().splitlines(keepends=True)
    (out / "index.jsonl").write_bytes(b"".join(index[:2]) + index[2][:10])
    summary = run(rule_nlp, [notes], out, fmt="brat", resume=True)
    assert [e["id"] for e in read_jsonl(out / "index.jsonl")] == list(NOTES)
    assert summary.processed == 2 and sorted(p.name for p in out.glob("*.ann")) == ["a.ann", "z.ann"]


def test_resume_does_not_repeat_errors(tmp_path, rule_nlp):
    notes = write_notes(tmp_path / "notes", {"a.txt": "fever", "b.txt": "", "c.txt": "cough"})
    run(rule_nlp, [notes], tmp_path / "out.jsonl")
    lines = (tmp_path / "out.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "out.jsonl").write_text(lines[0])
    summary = run(rule_nlp, [notes], tmp_path / "out.jsonl", resume=True)
    assert summary.errors == 1 and summary.errors_written == 0
    assert len(read_jsonl(tmp_path / "out.errors.jsonl")) == 1
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["a.txt", "c.txt"]


@pytest.mark.parametrize("n_process", [1, 2])
def test_a_note_that_breaks_the_pipeline_is_recorded_and_the_run_goes_on(tmp_path, rule_nlp, n_process):
    rule_nlp.add_pipe("medllm_test_fail")
    texts = {f"n{i:02d}.txt": ("EXPLODE fever" if i == 5 else f"fever {i}") for i in range(20)}
    notes = write_notes(tmp_path / "notes", texts)
    summary = run(rule_nlp, [notes], tmp_path / "out.jsonl", batch_size=4, n_process=n_process)
    ids = [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")]
    assert ids == [n for n in texts if n != "n05.txt"]
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [(e["id"], e["kind"]) for e in errors] == [("n05.txt", "pipeline-error")]
    assert "ValueError" in errors[0]["reason"] and "EXPLODE" not in json.dumps(errors)
    assert summary.processed == 19


def test_n_process_2_writes_the_same_records(tmp_path, clinical_nlp):
    notes = write_notes(tmp_path / "notes", {f"n{i:02d}.txt": f"No fever. History of stroke {i}." for i in range(30)})
    run(clinical_nlp, [notes], tmp_path / "one.jsonl", batch_size=4)
    run(clinical_nlp, [notes], tmp_path / "two.jsonl", batch_size=4, n_process=2)
    assert read_jsonl(tmp_path / "one.jsonl") == read_jsonl(tmp_path / "two.jsonl")


BAD_FILES = {
    "empty": (b"", "empty-text"),
    "whitespace": (b" \r\n\t \n", "empty-text"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "binary"),
    "bad-utf16": (b"\xff\xfe\x00\xd8", "undecodable"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_text_files_are_errors_and_the_batch_goes_on(tmp_path, rule_nlp, name):
    data, kind = BAD_FILES[name]
    notes = write_notes(tmp_path / "notes", {"a.txt": "fever", "c.txt": "cough"})
    (notes / "b.txt").write_bytes(data)
    summary = run(rule_nlp, [notes], tmp_path / "out.jsonl")
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["a.txt", "c.txt"]
    assert [(e["id"], e["kind"]) for e in read_jsonl(tmp_path / "out.errors.jsonl")] == [("b.txt", kind)]
    assert summary.errors == 1


def test_undecodable_bytes_with_fallback_off_are_an_error(tmp_path, rule_nlp):
    notes = write_notes(tmp_path / "notes", {"a.txt": "fever"})
    (notes / "b.txt").write_bytes("Café au lait, fever".encode("cp1252"))
    run(rule_nlp, [notes], tmp_path / "out.jsonl", reader=NoteReader(fallback_encoding=None))
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert errors[0]["kind"] == "undecodable" and "not valid UTF-8 (byte 0xe9 at offset 3)" in errors[0]["reason"]


def test_mixed_encodings_are_decoded_and_flagged(tmp_path, rule_nlp):
    notes = tmp_path / "notes"
    notes.mkdir()
    texts = {"cp1252.txt": ("Café: fever – “cough”", "cp1252"), "bom.txt": ("Fièvre, fever", "utf-8-sig"),
             "utf16.txt": ("Ωmega fever", "utf-16"), "utf8.txt": ("Naïve fever", "utf-8")}
    for name, (text, encoding) in texts.items():
        (notes / name).write_bytes(text.encode(encoding))
    summary = run(rule_nlp, [notes], tmp_path / "out.jsonl", entity_text=True)
    records = {r["id"]: r for r in read_jsonl(tmp_path / "out.jsonl")}
    for name, (text, encoding) in texts.items():
        record = records[name]
        assert record["encoding"] == encoding and record["n_chars"] == len(text)
        for ent in record["entities"]:
            assert text[ent["start"]:ent["end"]] == ent["text"]
        assert {e["text"] for e in record["entities"]} >= {"fever"}
    assert records["cp1252.txt"]["warnings"] == ["not valid UTF-8: decoded as cp1252"]
    assert summary.fallback_decoded == 1


def test_crlf_and_control_characters_keep_offsets_on_the_original_text(tmp_path, rule_nlp):
    text = "No chest\r\npain.\r\nFever\x0c and\x1b cough\x00.\rMRI\x7f done\u2028aspirin"
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x", "text": text}) + "\n", encoding="utf8")
    run(rule_nlp, [src], tmp_path / "out.jsonl", entity_text=True)
    record = read_jsonl(tmp_path / "out.jsonl")[0]
    assert record["n_chars"] == len(text)
    assert [(text[e["start"]:e["end"]], e["text"]) for e in record["entities"]] == [
        (e["text"], e["text"]) for e in record["entities"]]
    assert [e["text"] for e in record["entities"]] == ["Fever", "cough", "MRI", "aspirin"]
    assert len(record["warnings"]) == 2


def test_crlf_text_file_entity_across_a_line_break(tmp_path, rule_nlp):
    notes = write_notes(tmp_path / "notes", {"a.txt": "History:\r\nchest\r\npain and fever\r\n"})
    run(rule_nlp, [notes], tmp_path / "out.jsonl", entity_text=True)
    run(rule_nlp, [notes], tmp_path / "brat", fmt="brat")
    text = (notes / "a.txt").read_bytes().decode()
    record = read_jsonl(tmp_path / "out.jsonl")[0]
    assert [e["text"] for e in record["entities"]] == ["fever"] == [text[e["start"]:e["end"]] for e in record["entities"]]
    with open(tmp_path / "brat" / "a.txt", encoding="utf8", newline="") as f:
        assert f.read() == text  # BRAT text kept byte for byte, offsets count the \r


def test_surrogates_in_json_input_still_give_valid_output(tmp_path, rule_nlp):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "s", "text": "fever \\ud800 cough"}\n', encoding="utf8")
    run(rule_nlp, [src], tmp_path / "out.jsonl", entity_text=True)
    raw = (tmp_path / "out.jsonl").read_bytes()
    raw.decode("utf-8")  # valid UTF-8
    assert [e["text"] for e in json.loads(raw)["entities"]] == ["fever", "cough"]


def test_a_1mb_note_is_an_error_by_default_and_annotated_when_allowed(tmp_path, rule_nlp):
    big = ("patient stable. " * 65536)[: 1_048_000] + " fever\n"
    notes = write_notes(tmp_path / "notes", {"big.txt": big, "small.txt": "cough"})
    summary = run(rule_nlp, [notes], tmp_path / "out.jsonl")
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["small.txt"]
    error = read_jsonl(tmp_path / "out.errors.jsonl")[0]
    assert error["kind"] == "too-long" and "--max-chars 100,000" in error["reason"]
    assert summary.errors == 1
    run(rule_nlp, [notes], tmp_path / "big.jsonl", reader=NoteReader(max_chars=2_000_000))
    record = read_jsonl(tmp_path / "big.jsonl")[0]
    assert record["n_chars"] == len(big)
    assert [big[e["start"]:e["end"]] for e in record["entities"]] == ["fever"]


def test_jsonl_bad_text_values(tmp_path, rule_nlp):
    values = [None, 3.5, ["fever"], {"t": 1}, "", "   ", True]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"v{i}", "text": v}) + "\n" for i, v in enumerate(values)))
    summary = run(rule_nlp, [src], tmp_path / "out.jsonl")
    kinds = [e["kind"] for e in read_jsonl(tmp_path / "out.errors.jsonl")]
    assert kinds == ["missing-text", "not-a-string", "not-a-string", "not-a-string", "empty-text", "empty-text", "not-a-string"]
    assert summary.processed == 0 and (tmp_path / "out.jsonl").read_text() == ""


def test_missing_input_is_an_error_not_a_crash(tmp_path, rule_nlp):
    notes = write_notes(tmp_path / "notes", {"a.txt": "fever"})
    summary = run(rule_nlp, [tmp_path / "nope", notes], tmp_path / "out.jsonl")
    assert summary.processed == 1 and summary.errors_by_kind == {"missing-file": 1}


def test_cli_never_prints_note_text(tmp_path, clinical_model):
    notes = write_notes(tmp_path / "notes", {"a.txt": "Zebrafinch chest pain", "b.txt": "", "c.txt": "Quokka fever"})
    result = cli("annotate", notes, "--model", clinical_model, "--output", tmp_path / "o.csv", "--no-progress",
                 "--code", STAND_INS, "--summary", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    assert "Zebrafinch" not in result.output and "Quokka" not in result.output
    assert "processed 2 notes" in result.output and "errors 1 (1 empty-text)" in result.output
    assert json.loads((tmp_path / "s.json").read_text())["errors_by_kind"] == {"empty-text": 1}
    again = cli("annotate", notes, "--model", clinical_model, "--output", tmp_path / "o.csv", "--no-progress")
    assert again.exit_code == 1 and "--resume" in again.output


def test_tiny_transformer_pipeline_round_trips(tmp_path, trained_tiny_pipeline):
    import spacy

    nlp = spacy.load(trained_tiny_pipeline)
    src = ROOT / "assets" / "sample" / "dev.jsonl"
    lines = src.read_text(encoding="utf8").splitlines()[:8]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf8")
    summary = run(nlp, [tmp_path / "in.jsonl"], tmp_path / "out.jsonl", entity_text=True, batch_size=4)
    texts = {json.loads(line)["id"]: json.loads(line)["text"] for line in lines}
    records = read_jsonl(tmp_path / "out.jsonl")
    assert summary.processed == 8 and [r["id"] for r in records] == list(texts)
    for record in records:
        for ent in record["entities"]:
            assert texts[record["id"]][ent["start"]:ent["end"]] == ent["text"]


def test_csv_rows_in_mixed_encodings_blank_lines_and_crlf(tmp_path, rule_nlp):
    src = tmp_path / "mixed.csv"
    src.write_bytes(b"\xef\xbb\xbfid,text\r\n" + "u1,Naïve fever\r\n".encode("utf-8") + b"\r\n"
                    + "w1,Café cough\r\n".encode("cp1252") + b'q1,"two\r\nlines, fever"\r\n')
    summary = run(rule_nlp, [src], tmp_path / "out.jsonl", entity_text=True, reader=NoteReader(fallback_encoding="cp1252"))
    records = {r["id"]: r for r in read_jsonl(tmp_path / "out.jsonl")}
    assert [records[i]["encoding"] for i in ("u1", "w1", "q1")] == ["utf-8", "cp1252", "utf-8"]
    assert [e["text"] for e in records["w1"]["entities"]] == ["cough"] and records["w1"]["row"] == 2
    assert records["q1"]["n_chars"] == len("two\r\nlines, fever") and records["q1"]["line"] == 5
    assert summary.skipped == {"blank CSV line": 1} and summary.fallback_decoded == 1
    run(rule_nlp, [src], tmp_path / "strict.jsonl", reader=NoteReader(fallback_encoding=None))
    errors = read_jsonl(tmp_path / "strict.errors.jsonl")
    assert [(e["id"], e["kind"], e["line"]) for e in errors] == [("mixed.csv:row2", "undecodable", 4)]
