"""CSV/JSONL classification readers: labels, multi-label, and errors that name file, row, column."""
import json

import pytest
import spacy
from spacy.util import registry

from spacy_medllm.corpora.errors import ConversionStats, CorpusFormatError
from spacy_medllm.corpora.textcat import read_textcat_docs

SECRET = "Patient Zebediah Quux has chest pain"


def docs(path, fmt, **options):
    stats = ConversionStats()
    return list(read_textcat_docs(path, spacy.blank("en"), stats, fmt=fmt, **options)), stats


def test_csv_single_label_with_labels_from_the_file(write):
    path = write("notes.csv", 'id,note,specialty\n1,"chest pain, dyspnea",Cardio\n2,headache,Neuro\n')
    out, stats = docs(path, "csv", text_column="note", label_columns=["specialty"])
    assert [d.text for d in out] == ["chest pain, dyspnea", "headache"]
    assert out[0].cats == {"Cardio": 1.0, "Neuro": 0.0}
    assert out[1].user_data["row"] == 3 and stats.docs == 2


def test_csv_multi_label_by_columns_and_separator(write):
    path = write("notes.csv", "text,l1,l2\nchest pain,Surgery|Cardio,\nknee,Ortho,Surgery\n")
    out, _ = docs(path, "csv", label_columns=["l1", "l2"], multi_label=True, label_separator="|")
    assert out[0].cats == {"Cardio": 1.0, "Ortho": 0.0, "Surgery": 1.0}
    assert out[1].cats == {"Cardio": 0.0, "Ortho": 1.0, "Surgery": 1.0}


def test_jsonl_list_labels_and_fixed_label_set(write):
    path = write("notes.jsonl", json.dumps({"body": "rash", "tags": ["Derm", "Peds"]}) + "\n\n")
    out, _ = docs(path, "jsonl", text_column="body", label_columns="tags", multi_label=True, labels=["Derm", "Peds", "Onco"])
    assert out[0].cats == {"Derm": 1.0, "Peds": 1.0, "Onco": 0.0}


@pytest.mark.parametrize(
    "fmt,content,options,where,problem",
    [
        ("csv", f"note,label\n{SECRET},A\n", {"label_columns": ["specialty"]}, ":1", "'text', 'specialty' not in the header"),
        ("csv", f"text,label\n{SECRET},A\n  ,B\n", {}, ":3", "column 'text': empty text"),
        ("csv", f"text,label\n{SECRET},A\n{SECRET},Z\n", {"labels": ["A", "B"]}, ":3", "column 'label': unknown label 'Z'"),
        ("csv", f'text,label\n"{SECRET}\nsecond line",A\n{SECRET},\n', {}, ":4", "no label"),
        ("csv", f"text,label\n{SECRET},A|B\n", {"label_separator": "|"}, ":2", "2 labels in an exclusive task"),
        ("csv", f"text,label\n{SECRET},A,extra\n", {}, ":2", "3 cells but 2 columns"),
        ("jsonl", json.dumps({"text": SECRET}) + "\n", {}, ":1", "column(s) 'label' missing"),
        ("jsonl", json.dumps({"text": SECRET, "label": "A"}) + "\n{oops\n", {}, ":2", "invalid JSON"),
        ("jsonl", json.dumps({"text": 3, "label": "A"}) + "\n", {}, ":1", "column 'text': text must be a string"),
        ("jsonl", json.dumps({"text": SECRET, "label": {"x": 1}}) + "\n", {}, ":1", "column 'label': a label must be"),
    ],
)
def test_malformed_rows_name_file_row_column_never_text(write, fmt, content, options, where, problem):
    path = write(f"bad.{fmt}", content)
    with pytest.raises(CorpusFormatError) as err:
        docs(path, fmt, **options)
    message = str(err.value)
    assert message.startswith(f"{path}{where}: ")
    assert problem in message
    assert "Zebediah" not in message and "chest" not in message


def test_skip_invalid_counts_rows_by_reason(write):
    path = write("notes.csv", "text,label\nchest pain,A\n,A\nknee,Z\nfever,\nrash,B\n")
    out, stats = docs(path, "csv", labels=["A", "B"], skip_invalid=True)
    assert [d.text for d in out] == ["chest pain", "rash"]
    assert dict(stats.skipped) == {"empty text": 1, "unknown label": 1, "no label": 1}
    assert stats.docs == 2


def test_missing_file(tmp_path):
    with pytest.raises(CorpusFormatError, match="file not found"):
        docs(tmp_path / "nope.csv", "csv")


def test_registered_readers_yield_examples(write, caplog):
    path = write("notes.csv", "text,label\nchest pain,A\n,A\nknee,B\n")
    reader = registry.resolve({"r": {"@readers": "spacy_medllm.TextcatCsvReader.v1", "path": str(path), "skip_invalid": True}})["r"]
    examples = list(reader(spacy.blank("en")))
    assert [eg.reference.cats for eg in examples] == [{"A": 1.0, "B": 0.0}, {"A": 0.0, "B": 1.0}]
    assert examples[0].predicted.text == "chest pain" and not examples[0].predicted.cats
    assert reader.last_stats.skipped == {"empty text": 1}
    assert "skipped 1 rows (1 empty text)" in caplog.text
    jpath = write("notes.jsonl", json.dumps({"t": "x", "y": ["A", "B"]}) + "\n")
    jreader = registry.resolve({"r": {"@readers": "spacy_medllm.TextcatJsonlReader.v1", "path": str(jpath),
                                      "text_column": "t", "label_columns": ["y"], "multi_label": True}})["r"]
    assert [eg.reference.cats for eg in jreader(spacy.blank("en"))] == [{"A": 1.0, "B": 1.0}]


def test_medllm_convert_textcat_csv(write, tmp_path):
    from typer.testing import CliRunner

    from spacy.tokens import DocBin
    from spacy_medllm.cli.app import load_commands

    app = load_commands()

    src = write("notes.csv", f"note,s1,s2\nchest pain,Surgery,Cardio\n{SECRET},,\nknee,Ortho,\n")
    out = tmp_path / "notes.spacy"
    args = ["convert", str(src), str(out), "--format", "textcat-csv", "--text-column", "note",
            "--label-column", "s1", "--label-column", "s2", "--multi-label"]
    failed = CliRunner().invoke(app, args)
    assert failed.exit_code == 1 and f"{src}:3: column(s) 's1', 's2': no label" in failed.output
    assert "Zebediah" not in failed.output and not out.exists()
    ok = CliRunner().invoke(app, args + ["--skip-invalid"])
    assert ok.exit_code == 0, ok.output
    assert "2 docs; skipped 1 rows (1 no label)" in ok.output
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [d.cats for d in docs] == [
        {"Cardio": 1.0, "Ortho": 0.0, "Surgery": 1.0}, {"Cardio": 0.0, "Ortho": 1.0, "Surgery": 0.0},
    ]
