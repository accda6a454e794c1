"""`medllm corpus clinical --maccrobat`: case reports added to train, their dev becomes the dev split."""
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from spacy_medllm.cli.app import load_commands
from spacy_medllm.corpora.maccrobat import build_corpus

from tests.util import write_sample


def _layout(tmp_path):
    """A one-note sample corpus; no public corpora (--sources "")."""
    return write_sample(tmp_path / "sample"), tmp_path / "no-public-data"


def _run(sample, data, out, *args):
    result = CliRunner().invoke(load_commands(), ["corpus", "clinical", str(data), str(out), "--sample-dir", str(sample), *args])
    assert result.exit_code == 0, result.output


def _docs(path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def _reports(folder, n):
    folder.mkdir()
    for i in range(n):
        text = f"Report {i}: no fever; CT was normal.\n"
        (folder / f"r{i}.txt").write_text(text, encoding="utf8")
        (folder / f"r{i}.ann").write_text(
            "T1\tSign_symptom 13 18\tfever\nT2\tDiagnostic_procedure 20 22\tCT\nE1\tSign_symptom:T1 \nA1\tPOLARITY E1 NEG\n",
            encoding="utf8")


def test_maccrobat_reports_join_train_and_replace_dev(tmp_path):
    sample, data = _layout(tmp_path)
    _reports(tmp_path / "brat", 5)
    result = build_corpus(tmp_path / "brat", tmp_path / "mac", n_dev=2, seed=0)
    assert result["train"]["docs"] == 3 and result["dev"]["docs"] == 2
    out = tmp_path / "out"
    _run(sample, data, out, "--sources", "", "--sample-repeat", "1", "--maccrobat", str(tmp_path / "mac"),
         "--maccrobat-repeat", "2")
    train, dev = _docs(out / "train.spacy"), _docs(out / "dev.spacy")
    assert len(train) == 1 + 3 * 2  # the sample note, MACCROBAT train twice
    assert sorted(d.user_data["id"] for d in dev) == result["dev_ids"]  # selection on MACCROBAT dev only
    assert {(e.text, e.label_) for d in dev for e in d.ents} == {("fever", "PROBLEM"), ("CT", "TEST")}
    assert [s.label_ for s in dev[0].spans["assertion"]] == ["absent", "present"]
    assert len(_docs(out / "eval" / "maccrobat_dev.spacy")) == 2
    # no MACCROBAT report is in both splits
    assert not {d.user_data["id"] for d in train if "id" in d.user_data} & set(result["dev_ids"])


def test_without_maccrobat_the_dev_split_is_unchanged(tmp_path):
    sample, data = _layout(tmp_path)
    out = tmp_path / "out"
    _run(sample, data, out, "--sources", "", "--maccrobat", "")  # project.yml passes "" when off
    assert len(_docs(out / "dev.spacy")) == 1
    assert not (out / "eval" / "maccrobat_dev.spacy").exists()
