"""Assertion data readers: NegEx TSV, BioScope XML, i2b2 2010 .ast; errors name file and line."""
import json
import subprocess
import sys

import pytest

from spacy_medllm.corpora.errors import ConversionStats, CorpusFormatError
from spacy_medllm.corpora.readers import read_docs

HEADER = "line number\tCondition\tsentence\tnegation_status\ttemporality\texperiencer\n"
NEGEX = HEADER + (
    "1\tpneumonia\tThere is no PNEUMONIA today.\tNegated\tRecent\tPatient\n"
    "2\tasthma\tHistory of ASTHMA.\tAffirmed\tHistorical\tPatient\n"
    "3\tchest pain\tCall for any CHEST PAIN.\tAffirmed\tNot particular\tPatient\n"
    "4\tcolon cancer\tHer mother had COLON CANCER.\tAffirmed\tHistorical\tOther\n"
    "5\tstroke\tThis sentence does not mention it.\tAffirmed\tRecent\tPatient\n"
)


def test_negex_rows_become_one_entity_each(nlp, write):
    stats = ConversionStats()
    docs = list(read_docs(write("n.tsv", NEGEX), "negex", nlp, stats))
    assert [d.ents[0].text for d in docs] == ["PNEUMONIA", "ASTHMA", "CHEST PAIN", "COLON CANCER"]
    assert [d.spans["assertion"][0].label_ for d in docs] == ["absent", "historical", "hypothetical", "family"]
    assert docs[3].user_data["negex"]["historical"] and docs[3].user_data["negex"]["family"]
    assert stats.skipped == {"condition not found in its sentence": 1}
    assert all(sum(t.is_sent_start for t in d) == 1 for d in docs)  # a row is one sentence


@pytest.mark.parametrize("bad,problem", [
    ("7\tfever\tNo fever.\tNegated\tRecent\n", r"n\.tsv:3: expected 6 tab-separated columns, found 5"),
    ("7\tfever\tNo fever.\tMaybe\tRecent\tPatient\n", r"n\.tsv:3: column 4 \(negation status\) has unknown value 'Maybe'"),
])
def test_negex_malformed_rows(nlp, write, bad, problem):
    path = write("n.tsv", HEADER + "1\tfever\tNo FEVER.\tNegated\tRecent\tPatient\n" + bad)
    with pytest.raises(CorpusFormatError, match=problem) as err:
        list(read_docs(path, "negex", nlp))
    assert "No fever" not in str(err.value)  # never echo the note text


def test_negex_without_header(nlp, write):
    with pytest.raises(CorpusFormatError, match=r"n\.tsv:1: expected a header"):
        list(read_docs(write("n.tsv", "1\tfever\tNo fever.\tNegated\tRecent\tPatient\n"), "negex", nlp))


BIOSCOPE = """<?xml version="1.0" encoding="UTF-8"?>
<Annotation><DocumentSet><Document><DocumentPart>
<sentence id="S1">The scan showed <xcope id="X1"><cue type="negation" ref="X1">no</cue> pulmonary embolism</xcope> in either lung.</sentence>
<sentence id="S2">These findings <xcope id="X2"><cue type="speculation" ref="X2">suggest</cue> bacterial pneumonia</xcope>.</sentence>
<sentence id="S3">Aspirin reduced platelet aggregation markedly.</sentence>
</DocumentPart></Document></DocumentSet></Annotation>
"""


def test_bioscope_scopes_become_entity_labels(nlp, write):
    docs = list(read_docs(write("b.xml", BIOSCOPE), "bioscope", nlp, ConversionStats()))
    labels = [{s.text: s.label_ for s in d.spans["assertion"]} for d in docs]
    assert labels[0]["pulmonary embolism"] == "absent"
    assert labels[1]["bacterial pneumonia"] == "possible"
    assert set(labels[2].values()) == {"present"}
    assert "pulmonary embolism" not in [k for k, v in labels[0].items() if v == "present"]


def test_bioscope_malformed_xml_names_line(nlp, write):
    path = write("b.xml", BIOSCOPE.replace("</sentence>\n<sentence id=\"S3\">", "\n<sentence id=\"S3\">", 1))
    with pytest.raises(CorpusFormatError, match=r"b\.xml:\d+: not well-formed XML"):
        list(read_docs(path, "bioscope", nlp))


TXT = "Patient denies chest pain .\nMother had breast cancer .\nRule out pneumonia .\n"
CON = ('c="chest pain" 1:2 1:3||t="problem"\n'
       'c="breast cancer" 2:2 2:3||t="problem"\n')
AST = ('c="chest pain" 1:2 1:3||t="problem"||a="absent"\n'
       'c="breast cancer" 2:2 2:3||t="problem"||a="associated_with_someone_else"\n'
       'c="pneumonia" 3:2 3:2||t="problem"||a="possible"\n')


def test_i2b2_assertions_attach_to_concepts(nlp, write):
    write("n1.txt", TXT)
    write("n1.con", CON)
    path = write("n1.ast", AST)
    (doc,) = read_docs(path.with_suffix(".con"), "i2b2", nlp)
    assert {s.text: s.label_ for s in doc.spans["assertion"]} == {
        "chest pain": "absent", "breast cancer": "family", "pneumonia": "possible"}
    assert [e.text for e in doc.ents] == ["chest pain", "breast cancer", "pneumonia"]


def test_i2b2_unknown_assertion_names_file_and_line(nlp, write):
    write("n1.txt", TXT)
    write("n1.con", CON)
    write("n1.ast", AST.replace('a="possible"', 'a="maybe"'))
    with pytest.raises(CorpusFormatError, match=r"n1\.ast:3: unknown assertion 'maybe'"):
        list(read_docs(write("n1.con", CON), "i2b2", nlp))


def test_evaluate_assertion_cli(write, tmp_path):
    out = tmp_path / "scores.json"
    result = subprocess.run(
        [sys.executable, "-m", "spacy_medllm.cli", "evaluate-assertion", "rules", str(write("n.tsv", NEGEX)),
         "--output", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    scores = json.loads(out.read_text())
    assert scores["rows"] == 4 and scores["skipped"] == {"condition not found in its sentence": 1}
    assert scores["negated"] == {"p": 1.0, "r": 1.0, "f": 1.0, "support": 1}
    assert scores["hypothetical"]["f"] == 1.0 and scores["family"]["f"] == 1.0
    assert "negated" in result.stdout and "PNEUMONIA" not in result.stdout + result.stderr
