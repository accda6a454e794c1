"""annotate_spark and `medllm spark-annotate` on one local[2] session with tiny pipelines."""
import json

import pandas as pd
import pytest
import spacy
from typer.testing import CliRunner

from spacy_medllm.annotate import annotate, annotate_dataframe
from spacy_medllm.cli.app import load_commands
from spacy_medllm.corpora import synthetic_notes
from spacy_medllm.spark import annotate_spark, entity_schema, note_schema
from spacy_medllm.spark.compare import compare, from_annotate, from_spark
from tests.annotate import stand_ins  # the stand-in factories, as the workers import them with code=

from .conftest import SUPPORT

remove_extensions = stand_ins.remove_extensions

NOTES = [
    ("n1", "Patient denies chest pain. Possible fever."),
    ("n2", None),
    ("n3", ""),
    ("n4", "   \n"),
    ("n5", "MRI ordered; " * 20),  # over max_chars below
    ("n6", "History of stroke. EXPLODE here."),  # the stand-in component raises
    ("n7", "Mother had migraine; start aspirin."),
    ("n8", "Nothing to see."),
]
MAX_CHARS = 200


def cli(*args):
    return CliRunner().invoke(load_commands(), [str(a) for a in args])


def notes_df(spark, rows=NOTES):
    return spark.createDataFrame(rows, "id string, text string")


def in_process(model_dir, level, **kwargs):
    """annotate_dataframe with the same pipeline in this process: what Spark must reproduce."""
    try:
        nlp = spacy.load(model_dir)
        pdf = pd.DataFrame(NOTES, columns=["id", "text"], dtype=object)  # keep None a None, not NaN
        return annotate_dataframe(pdf, "text", nlp, level=level, id_column="id", max_chars=MAX_CHARS,
                                  entity_text=False, **kwargs)
    finally:
        remove_extensions()


def test_note_level_rows_schema_and_bad_rows(spark, clinical_model_dir):
    out = annotate_spark(notes_df(spark), str(clinical_model_dir), code=SUPPORT, max_chars=MAX_CHARS, batch_size=3)
    assert out.schema == note_schema("id")
    rows = {r["id"]: r.asDict(recursive=True) for r in out.collect()}
    assert sorted(rows) == [i for i, _ in NOTES]
    kinds = {i: r["error"]["kind"] for i, r in rows.items() if r["error"]}
    assert kinds == {"n2": "missing-text", "n3": "empty-text", "n4": "empty-text", "n5": "too-long", "n6": "pipeline-error"}
    for i, r in rows.items():
        if r["error"]:
            assert r["entities"] is None and "MRI" not in r["error"]["reason"] and "EXPLODE" not in r["error"]["reason"]
    n1 = rows["n1"]
    assert [(e["start"], e["end"], e["label"], e["assertion"], e["is_negated"]) for e in n1["entities"]] == [
        (15, 25, "PROBLEM", "absent", True), (36, 41, "PROBLEM", "possible", False)]
    assert n1["cats"] == {"cardiology": 0.9, "neurology": 0.1} and n1["n_words"] == 6 and n1["n_entities"] == 2
    assert rows["n8"]["entities"] == [] and rows["n8"]["translation"].startswith("Traduction")
    # the same answers as annotate_dataframe in this process
    expected = in_process(clinical_model_dir, "note")
    for row in expected.astype(object).where(expected.notna(), None).to_dict("records"):
        got = rows[row["id"]]
        assert (got["error"] or {}).get("reason") == row["error"]
        if row["error"] is None:
            assert got["entities"] == [dict(e) for e in row["entities"]] and got["cats"] == row["cats"]
            assert got["translation"] == row["translation"]


def test_entity_level_one_row_per_entity(spark, clinical_model_dir):
    out = annotate_spark(notes_df(spark), str(clinical_model_dir), level="entity", code=SUPPORT, max_chars=MAX_CHARS)
    assert out.schema == entity_schema("id")
    got = sorted((r.asDict(recursive=True) for r in out.collect()), key=lambda r: (r["id"], r["start"] or 0))
    expected = in_process(clinical_model_dir, "entity").drop(columns=["layer"])
    expected = expected.astype(object).where(expected.notna(), None).to_dict("records")
    expected = sorted(expected, key=lambda r: (r["id"], r["start"] or 0))
    assert [r["id"] for r in got] == [r["id"] for r in expected] == ["n1", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n7"]
    for g, e in zip(got, expected):
        assert (g["error"] or {}).get("reason") == e["error"]
        assert {k: g[k] for k in ("start", "end", "label", "assertion", "is_family")} == \
            {k: e[k] for k in ("start", "end", "label", "assertion", "is_family")}
    assert [g["label"] for g in got if g["id"] == "n7"] == ["PROBLEM", "TREATMENT"]


def test_text_column_that_is_not_a_string_gives_error_rows(spark, clinical_model_dir):
    df = spark.createDataFrame([(1, 5), (2, None)], "id int, text int")
    rows = sorted(annotate_spark(df, str(clinical_model_dir), code=SUPPORT).collect(), key=lambda r: r["id"])
    assert [r["id"] for r in rows] == ["1", "2"]  # ids become strings
    assert [r["error"]["kind"] for r in rows] == ["not-a-string", "missing-text"]
    no_id = annotate_spark(notes_df(spark, [(None, "chest pain")]), str(clinical_model_dir), code=SUPPORT).collect()
    assert [(r["id"], r["error"]["kind"], r["entities"]) for r in no_id] == [(None, "bad-id", None)]
    with pytest.raises(KeyError, match="no text column 'body'"):
        annotate_spark(df, str(clinical_model_dir), text_col="body")


def test_pipeline_loaded_once_per_python_worker(spark, tmp_path):
    log = tmp_path / "loads.txt"
    code = tmp_path / "counting.py"
    code.write_text(
        "import os\nfrom spacy.language import Language\n"
        "@Language.factory('spark_test_count_loads', default_config={'log': ''})\n"
        "def make(nlp, name, log):\n"
        "    with open(log, 'a') as f:\n"
        "        f.write(str(os.getpid()) + '\\n')\n"
        "    return lambda doc: doc\n", encoding="utf8")
    from spacy.util import import_file

    import_file("medllm_user_code", code)
    nlp = spacy.blank("en")
    nlp.add_pipe("spark_test_count_loads", config={"log": str(log)})
    nlp.to_disk(tmp_path / "model")
    log.unlink()
    df = spark.createDataFrame([(str(i), "chest pain") for i in range(64)], "id string, text string").repartition(16)
    assert annotate_spark(df, str(tmp_path / "model"), code=str(code)).count() == 64
    pids = log.read_text().split()
    assert 1 <= len(pids) <= 2 and len(set(pids)) == len(pids)  # 16 tasks, at most one load per worker


def test_pipeline_with_translator(spark, tiny_translator_dir):
    from spacy.tokens import Doc, Span

    had = Doc.has_extension("translation")
    out = annotate_spark(notes_df(spark, [("a", "The patient denies chest pain."), ("b", "No fever.")]),
                         str(tiny_translator_dir))
    rows = {r["id"]: r for r in out.collect()}
    nlp = spacy.load(tiny_translator_dir)
    try:
        for note_id, text in (("a", "The patient denies chest pain."), ("b", "No fever.")):
            doc = nlp(text)
            assert rows[note_id]["error"] is None and isinstance(rows[note_id]["translation"], str)
            assert rows[note_id]["translation"] == doc._.translation
            assert [(e["start"], e["label"]) for e in rows[note_id]["entities"]] == [(e.start_char, e.label_) for e in doc.ents]
    finally:
        if not had:
            for cls, names in ((Doc, ("translation", "translation_alignments")), (Span, ("translation", "translation_span"))):
                for name in names:
                    if cls.has_extension(name):
                        cls.remove_extension(name)


def test_optimized_pipeline_runs_on_spark(spark, int8_pipeline):
    """A `medllm optimize` pipeline (ONNX Runtime encoder) loads on the workers and gives the
    records annotate_dataframe gives in this process."""
    pytest.importorskip("onnxruntime")
    notes = [("a", "Patient presents with chest pain and fever . No cough ."), ("b", "Start aspirin 81 mg daily .")]
    rows = {r["id"]: r.asDict(recursive=True) for r in annotate_spark(notes_df(spark, notes), str(int8_pipeline)).collect()}
    expected = annotate_dataframe(pd.DataFrame(notes, columns=["id", "text"]), "text", spacy.load(int8_pipeline), level="note",
                                  id_column="id", entity_text=False)
    for _, row in expected.iterrows():
        got = rows[row["id"]]
        assert got["error"] is None
        assert [(e["start"], e["end"], e["label"]) for e in got["entities"]] == [
            (e["start"], e["end"], e["label"]) for e in row["entities"]]
        assert set(got["cats"]) == set(row["cats"]) == {"Cardiology", "Oncology", "General"}
        assert all(abs(got["cats"][k] - v) < 1e-5 for k, v in row["cats"].items())


def test_cli_text_folder_same_records_as_medllm_annotate(spark, clinical_model_dir, tmp_path):
    """The issue's 'same answers' check at test scale: a folder of .txt notes with bad ones."""
    notes = tmp_path / "notes"
    synthetic_notes.write_notes(notes, 40, bad=6)
    (notes / "note-00003.txt").write_text("EXPLODE with chest pain", encoding="utf8")
    try:
        annotate(spacy.load(clinical_model_dir), [notes], tmp_path / "ref.jsonl", progress=False, log=lambda m: None)
    finally:
        remove_extensions()
    result = cli("spark-annotate", notes, tmp_path / "out", "--model", clinical_model_dir, "--input-format", "text",
                 "--code", SUPPORT, "--summary", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (tmp_path / "ref.jsonl").read_text().splitlines()]
    errors = [json.loads(x) for x in (tmp_path / "ref.errors.jsonl").read_text().splitlines()]
    rows = [r.asDict(recursive=True) for r in spark.read.parquet(str(tmp_path / "out")).collect()]
    check = compare(from_annotate(records, errors), from_spark(rows), got_rows=len(rows))
    assert check["same"], check
    assert check["errors_by_kind"] == {"empty-text": 4, "binary": 2, "pipeline-error": 1}
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["notes"] == 46 and summary["errors"] == 7 and summary["errors_by_kind"]["binary"] == 2
    assert summary["words"] == sum(r["n_words"] for r in records) and summary["output_ids"] == 46
    assert "chest pain" not in result.output and "EXPLODE" not in result.output


def test_cli_resume_annotates_only_new_ids(spark, clinical_model_dir, tmp_path):
    first = pd.DataFrame({"note_id": [f"id{i}" for i in range(12)], "body": ["No chest pain."] * 12})
    first.to_parquet(tmp_path / "first.parquet")
    pd.DataFrame({"note_id": [f"id{i}" for i in range(20)], "body": ["Possible fever."] * 20}).to_parquet(tmp_path / "all.parquet")
    common = ["--model", clinical_model_dir, "--code", SUPPORT, "--id-column", "note_id", "--text-column", "body"]
    out = tmp_path / "out"
    assert cli("spark-annotate", tmp_path / "first.parquet", out, *common).exit_code == 0
    again = cli("spark-annotate", tmp_path / "all.parquet", out, *common)
    assert again.exit_code == 1 and "--resume" in again.output
    resumed = cli("spark-annotate", tmp_path / "all.parquet", out, *common, "--resume", "--chunks", "3",
                  "--summary", tmp_path / "s.json")
    assert resumed.exit_code == 0, resumed.output
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["already_done"] == 12 and summary["notes"] == 8 and summary["output_ids"] == 20
    rows = spark.read.parquet(str(out)).collect()
    assert sorted(r["note_id"] for r in rows) == sorted(f"id{i}" for i in range(20))  # each id once
    negated = {r["note_id"] for r in rows if r["entities"] and r["entities"][0]["is_negated"]}
    assert negated == {f"id{i}" for i in range(12)}  # the first run's rows were kept, not redone
    nothing = cli("spark-annotate", tmp_path / "all.parquet", out, *common, "--resume", "--summary", tmp_path / "s2.json")
    assert nothing.exit_code == 0 and json.loads((tmp_path / "s2.json").read_text())["notes"] == 0


def test_cli_errors_name_the_problem(spark, clinical_model_dir, tmp_path):
    pd.DataFrame({"id": ["a", "a"], "text": ["x", "y"]}).to_parquet(tmp_path / "dup.parquet")
    pd.DataFrame({"id": ["a"], "note": ["x"]}).to_parquet(tmp_path / "cols.parquet")
    common = ["--model", clinical_model_dir, "--code", SUPPORT]
    result = cli("spark-annotate", tmp_path / "missing.parquet", tmp_path / "o1", *common)
    assert result.exit_code == 1 and "missing.parquet: no such file" in result.output
    result = cli("spark-annotate", tmp_path / "cols.parquet", tmp_path / "o2", *common)
    assert result.exit_code == 1 and "no column 'text'" in result.output and "note" in result.output
    result = cli("spark-annotate", tmp_path / "dup.parquet", tmp_path / "o3", *common)
    assert result.exit_code == 1 and "1 ids occur more than once" in result.output


def test_missing_java_says_what_to_install(monkeypatch, tmp_path):
    from spacy_medllm.spark import session

    monkeypatch.setattr(session, "find_java", lambda: None)
    result = cli("spark-annotate", tmp_path / "in.parquet", tmp_path / "out", "--model", "x")
    assert result.exit_code == 1
    assert "Java runtime" in result.output and "openjdk-17" in result.output and "JAVA_HOME" in result.output
