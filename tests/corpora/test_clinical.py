"""`medllm corpus clinical`: public corpora mapped onto the clinical labels, mixed with the sample."""
import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from spacy_medllm.cli.app import load_commands
from tests.util import write_sample

BC5CDR = "Cisplatin\tB-Chemical\ninduced\tO\nnephrotoxicity\tB-Disease\n.\tO\n\nMRI\tO\nwas\tO\nnormal\tO\n\n"
NCBI = "BRCA1\tO\nmutations\tO\ncause\tO\nbreast\tB-Disease\ncancer\tI-Disease\n.\tO\n\n"


def _layout(tmp_path, ncbi=NCBI):
    data = tmp_path / "data"
    for rel, text in [("bc5cdr/BC5CDR-IOB/train.tsv", BC5CDR), ("bc5cdr/BC5CDR-IOB/devel.tsv", BC5CDR),
                      ("ncbi_disease/conll/train.tsv", ncbi), ("ncbi_disease/conll/test.tsv", NCBI)]:
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(text, encoding="utf8")
    return write_sample(tmp_path / "sample"), data



def _run(sample, data, out, *args):
    return CliRunner().invoke(
        load_commands(), ["corpus", "clinical", str(data), str(out), "--sample-dir", str(sample), "--sents-per-doc", "1", *args]
    )


def _docs(path):
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def test_labels_mapped_and_only_sample_notes_have_a_class(tmp_path):
    sample, data = _layout(tmp_path)
    out = tmp_path / "out"
    assert _run(sample, data, out, "--sample-repeat", "2").exit_code == 0
    train = _docs(out / "train.spacy")
    assert len(train) == 2 + 2 + 1  # sample x2, two BC5CDR sentences, one NCBI sentence
    ents = {(e.text, e.label_) for d in train for e in d.ents}
    assert {("Cisplatin", "TREATMENT"), ("nephrotoxicity", "PROBLEM"), ("breast cancer", "PROBLEM"),
            ("chest pain", "PROBLEM")} == ents
    assert sum(bool(d.cats) for d in train) == 2
    brca = next(d for d in train if d[0].text == "BRCA1")
    assert brca[0].ent_iob_ == "O"  # default: outside tokens are negatives
    ncbi_test = _docs(out / "eval" / "ncbi_test.spacy")
    assert [(e.text, e.label_) for d in ncbi_test for e in d.ents] == [("breast cancer", "PROBLEM")]


def test_missing_marks_outside_tokens_as_unannotated(tmp_path):
    sample, data = _layout(tmp_path)
    out = tmp_path / "out"
    assert _run(sample, data, out, "--missing", "ncbi").exit_code == 0
    train = _docs(out / "train.spacy")
    brca = next(d for d in train if d[0].text == "BRCA1")
    assert brca[0].ent_iob_ == ""  # missing: neither entity nor O
    assert [e.text for e in brca.ents] == ["breast cancer"]
    mri = next(d for d in train if d[0].text == "MRI")
    assert mri[0].ent_iob_ == "O"  # BC5CDR keeps O


@pytest.mark.parametrize("args,message", [(["--missing", "i2b2"], "unknown corpus i2b2"),
                                          (["--sources", "bc5cdr,mimic"], "unknown corpus mimic")])
def test_unknown_corpus_is_an_error(tmp_path, args, message):
    sample, data = _layout(tmp_path)
    result = _run(sample, data, tmp_path / "out", *args)
    assert result.exit_code == 1 and message in result.stderr
    assert not (tmp_path / "out" / "train.spacy").exists()


def test_unmapped_label_names_the_problem(tmp_path):
    sample, data = _layout(tmp_path, ncbi="BRCA1\tB-Gene\nmutations\tO\n\n")
    result = _run(sample, data, tmp_path / "out")
    assert result.exit_code == 1
    assert "ncbi_disease/conll/train.tsv: document 1: entity label 'Gene' has no mapping" in result.stderr
    assert not (tmp_path / "out" / "train.spacy").exists()


def test_public_corpus_by_name_converts_the_splits_there(tmp_path):
    _, data = _layout(tmp_path)
    result = _run_public("ncbi", data, tmp_path / "ncbi")
    assert result.exit_code == 0, result.stderr
    assert "dev: " in result.stdout and "not found, skipped" in result.stdout  # NCBI dev is not in this layout
    assert [e.text for d in _docs(tmp_path / "ncbi" / "train.spacy") for e in d.ents] == ["breast cancer"]
    assert not (tmp_path / "ncbi" / "dev.spacy").exists()
    missing = _run_public("bc5cdr_chem", data, tmp_path / "chem")
    assert missing.exit_code == 1 and "BC5CDR-chem-IOB/train.tsv: not found" in missing.stderr
    unknown = _run_public("i2b2", data, tmp_path / "x")
    assert unknown.exit_code == 1 and "Unknown corpus 'i2b2'" in unknown.stderr


def _run_public(name, data, out):
    return CliRunner().invoke(load_commands(), ["corpus", name, str(data), str(out)])
