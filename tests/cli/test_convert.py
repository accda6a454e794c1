import json
import subprocess
import sys

from spacy.tokens import DocBin
import spacy


def run(*args):
    return subprocess.run([sys.executable, "-m", "spacy_medllm.cli", "convert", *map(str, args)],
                          capture_output=True, text=True)


def test_convert_writes_docbin_and_stats(write, tmp_path):
    src = write("in.jsonl", json.dumps({"text": "No fever.", "spans": [[3, 8, "PROBLEM"]], "cats": {"a": 1.0}}) + "\n")
    out = tmp_path / "out" / "train.spacy"
    result = run(src, out, "--format", "jsonl", "--stats", tmp_path / "stats.json")
    assert result.returncode == 0, result.stderr
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [(e.text, e.label_) for e in docs[0].ents] == [("fever", "PROBLEM")]
    assert docs[0].cats == {"a": 1.0}
    assert json.loads((tmp_path / "stats.json").read_text())["entities"] == 1
    assert "1 docs, 1 entities" in result.stderr


def test_convert_malformed_input_writes_nothing(write, tmp_path):
    src = write("bad.tsv", "fine\tO\nbroken\n")
    out = tmp_path / "bad.spacy"
    result = run(src, out, "--format", "conll")
    assert result.returncode == 1
    assert f"{src}:2" in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_convert_reports_and_limits_skipped(write, tmp_path):
    src = write("p.txt", "8|t|EGFRvIII mutations\n8|a|in fever\n8\t0\t4\tEGFR\tGene\tX\n8\t22\t27\tfever\tDisease\tX\n")
    result = run(src, tmp_path / "p.spacy", "--format", "pubtator")
    assert result.returncode == 0
    assert "skipped 1 spans (1 not aligned to token boundaries)" in result.stderr
    result = run(src, tmp_path / "p.spacy", "--format", "pubtator", "--max-skipped", "0.1")
    assert result.returncode == 1 and "above --max-skipped" in result.stderr
