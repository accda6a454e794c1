import json

import pytest

from spacy_medllm.corpora import ConversionStats, CorpusFormatError, read_docs


def read(path, fmt, nlp, **options):
    stats = ConversionStats()
    docs = list(read_docs(path, fmt, nlp, stats, **options))
    return docs, stats


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


# --- CoNLL / IOB ---------------------------------------------------------------------------

CONLL = "Familial\tO\nbreast\tB-Disease\ncancer\tI-Disease\n.\tO\n\nNo\tO\naspirin\tB-Chemical\n\n"


def test_conll_sentences_and_entities(write, nlp):
    docs, stats = read(write("a.tsv", CONLL), "conll", nlp)
    assert len(docs) == 2
    assert ents(docs[0]) == [("breast cancer", "Disease")]
    assert ents(docs[1]) == [("aspirin", "Chemical")]
    assert (stats.docs, stats.entities) == (2, 2)


def test_conll_groups_sentences_and_docstart(write, nlp):
    text = "-DOCSTART-\tO\n\n" + CONLL + "-DOCSTART-\tO\n\nfever\tB-Disease\n"
    docs, _ = read(write("b.tsv", text), "conll", nlp, n_sents=10)
    assert [len(list(d.sents)) for d in docs] == [2, 1]
    assert ents(docs[1]) == [("fever", "Disease")]


def test_conll_i_without_b_is_repaired_and_counted(write, nlp):
    docs, stats = read(write("c.tsv", "a\tO\nheart\tI-Disease\nattack\tI-Disease\n"), "conll", nlp)
    assert ents(docs[0]) == [("heart attack", "Disease")]
    assert sum(stats.repaired.values()) == 1


@pytest.mark.parametrize(
    "text,line,problem",
    [
        ("ok\tO\nbroken\n", 2, "column"),
        ("ok\tO\nx\tB_Disease\n", 2, "invalid tag"),
        ("ok\tO\n\nfine\tO\nbad\tQ-X\n", 4, "invalid tag"),
    ],
)
def test_conll_malformed_names_file_and_line(write, nlp, text, line, problem):
    path = write("bad.tsv", text)
    with pytest.raises(CorpusFormatError) as err:
        read(path, "conll", nlp)
    assert err.value.line == line
    assert str(path) in str(err.value) and f":{line}:" in str(err.value)
    assert problem in str(err.value)


# --- PubTator --------------------------------------------------------------------------------

PUBTATOR = (
    "101|t|Aspirin induced asthma.\n"
    "101|a|Patients with asthma were studied.\n"
    "101\t0\t7\tAspirin\tChemical\tD001241\n"
    "101\t16\t22\tasthma\tDisease\tD001249\n"
    "101\t38\t44\tasthma\tDisease\tD001249\n"
    "101\tCID\tD001241\tD001249\n"
    "\n"
    "102|t|Renal failure.\n"
    "102|a|\n"
    "102\t0\t13\tRenal failure\tSpecificDisease\tD051437\n"
)


def test_pubtator_offsets_and_label_map(write, nlp):
    docs, stats = read(write("p.txt", PUBTATOR), "pubtator", nlp, label_map={"SpecificDisease": "Disease"})
    assert [d.user_data["id"] for d in docs] == ["101", "102"]
    assert ents(docs[0]) == [("Aspirin", "Chemical"), ("asthma", "Disease"), ("asthma", "Disease")]
    assert ents(docs[1]) == [("Renal failure", "Disease")]
    assert stats.skipped["relation line (not an entity)"] == 1


def test_pubtator_mention_mismatch(write, nlp):
    path = write("p.txt", "7|t|Mild fever.\n7|a|None.\n7\t0\t4\tSevere\tDisease\tX\n")
    with pytest.raises(CorpusFormatError) as err:
        read(path, "pubtator", nlp)
    assert err.value.line == 3 and "do not match" in str(err.value)
    assert "Severe" not in str(err.value)  # never echo annotated text


def test_pubtator_misaligned_span_counted_not_dropped_silently(write, nlp):
    # "EGFRvIII" is one spaCy token: "EGFR" inside it cannot align.
    text = "8|t|EGFRvIII mutations\n8|a|x\n8\t0\t4\tEGFR\tGene\tX\n"
    docs, stats = read(write("p.txt", text), "pubtator", nlp)
    assert len(docs[0].ents) == 0
    assert stats.skipped["not aligned to token boundaries"] == 1
    docs, stats = read(write("p.txt", text), "pubtator", nlp, alignment_mode="expand")
    assert len(docs[0].ents) == 1 and sum(stats.repaired.values()) == 1


def test_pubtator_bad_columns(write, nlp):
    with pytest.raises(CorpusFormatError) as err:
        read(write("p.txt", "9|t|Cough.\n9\t0\t5\n"), "pubtator", nlp)
    assert err.value.line == 2


# --- BRAT ------------------------------------------------------------------------------------


def test_brat_entities_discontinuous_and_other_kinds(write, nlp):
    text = "Pt denies chest pain. Started aspirin today."
    write("notes/n1.txt", text)
    ann = write(
        "notes/n1.ann",
        "T1\tPROBLEM 10 20\tchest pain\n"
        "T2\tTREATMENT 30 37\taspirin\n"
        "T3\tPROBLEM 0 2;10 15\tPt chest\n"
        "A1\tNegated T1\n"
        "#1\tAnnotatorNotes T1\tcomment\n",
    )
    docs, stats = read(ann.parent, "brat", nlp)
    assert ents(docs[0]) == [("chest pain", "PROBLEM"), ("aspirin", "TREATMENT")]
    assert docs[0].user_data["id"] == "n1"
    assert stats.skipped["discontinuous span"] == 1
    assert stats.skipped["attribute annotation (not an entity)"] == 1
    assert stats.skipped["note annotation (not an entity)"] == 1


@pytest.mark.parametrize(
    "ann,problem",
    [
        ("T1\tPROBLEM 10 20\twrong text\n", "does not match"),
        ("T1\tPROBLEM ten 20\tchest pain\n", "malformed"),
        ("T1\tPROBLEM 10 999\tchest pain\n", "outside the text"),
        ("Q1\tfoo\n", "unknown annotation kind"),
        ("T1 PROBLEM 10 20 chest pain\n", "tab-separated"),
    ],
)
def test_brat_malformed(write, nlp, ann, problem):
    write("n2.txt", "Pt denies chest pain.")
    path = write("n2.ann", "\n" + ann)
    with pytest.raises(CorpusFormatError) as err:
        read(path, "brat", nlp)
    assert err.value.line == 2 and problem in str(err.value) and "n2.ann" in str(err.value)


def test_brat_missing_ann(write, nlp):
    path = write("lonely.txt", "text")
    with pytest.raises(CorpusFormatError, match="annotation file not found"):
        read(path, "brat", nlp)


# --- i2b2 2010 -------------------------------------------------------------------------------


def test_i2b2_concepts(write, nlp):
    write("txt/r1.txt", "Admission Date :\nHe has chest pain and was given aspirin .\n")
    con = write(
        "concept/r1.con",
        'c="chest pain" 2:2 2:3||t="problem"\nc="aspirin" 2:7 2:7||t="treatment"\n',
    )
    docs, _ = read(con, "i2b2", nlp)
    assert ents(docs[0]) == [("chest pain", "problem"), ("aspirin", "treatment")]


@pytest.mark.parametrize(
    "con,problem",
    [
        ('c="chest pain" 2:2 2:3 t="problem"\n', "expected"),
        ('c="chest pain" 5:2 5:3||t="problem"\n', "outside"),
        ('c="back pain" 2:2 2:3||t="problem"\n', "does not match"),
        ('c="chest pain" 2:3 2:2||t="problem"\n', "not a valid range"),
    ],
)
def test_i2b2_malformed(write, nlp, con, problem):
    write("r2.txt", "Admission Date :\nHe has chest pain and was given aspirin .\n")
    path = write("r2.con", 'c="aspirin" 2:7 2:7||t="treatment"\n' + con)
    with pytest.raises(CorpusFormatError) as err:
        read(path, "i2b2", nlp)
    assert err.value.line == 2 and problem in str(err.value)


# --- JSONL -----------------------------------------------------------------------------------


def test_jsonl_spans_assertions_cats_meta(write, nlp):
    rows = [
        {"id": "a", "text": "No fever. Takes metformin.", "cats": {"endo": 1.0},
         "spans": [{"start": 3, "end": 8, "label": "PROBLEM", "assertion": "absent"},
                   {"start": 16, "end": 25, "label": "TREATMENT"}],
         "meta": {"translations": [{"start": 0, "end": 9, "fr": "Pas de fièvre."}]}},
        {"text": "Cough.", "entities": [[0, 5, "PROBLEM"]]},
    ]
    path = write("x.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n")
    docs, stats = read(path, "jsonl", nlp)
    assert ents(docs[0]) == [("fever", "PROBLEM"), ("metformin", "TREATMENT")]
    assert [(s.text, s.label_) for s in docs[0].spans["assertion"]] == [("fever", "absent")]
    assert docs[0].cats == {"endo": 1.0}
    assert docs[0].user_data["translations"][0]["fr"] == "Pas de fièvre."
    assert ents(docs[1]) == [("Cough", "PROBLEM")]
    assert (stats.docs, stats.entities) == (2, 3)


def test_jsonl_overlaps_kept_in_span_group(write, nlp):
    row = {"text": "left lung cancer", "spans": [[0, 16, "PROBLEM"], [5, 9, "ANATOMY"]]}
    docs, stats = read(write("o.jsonl", json.dumps(row)), "jsonl", nlp)
    assert ents(docs[0]) == [("left lung cancer", "PROBLEM")]
    assert len(docs[0].spans["sc"]) == 2
    assert stats.n_skipped == 1


@pytest.mark.parametrize(
    "line,problem",
    [
        ('{"text": "a"', "invalid JSON"),
        ('["text"]', "JSON object"),
        ('{"txt": "a"}', "'text' missing"),
        ('{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "X"}]}', "outside the text"),
        ('{"text": "abc", "spans": [{"start": "0", "end": 2, "label": "X"}]}', "integers"),
        ('{"text": "abc", "spans": {"a": 1}}', "must be a list"),
        ('{"text": "abc", "cats": {"a": "yes"}}', "cats"),
    ],
)
def test_jsonl_malformed(write, nlp, line, problem):
    path = write("bad.jsonl", '{"text": "fine"}\n' + line + "\n")
    with pytest.raises(CorpusFormatError) as err:
        read(path, "jsonl", nlp)
    assert err.value.line == 2 and problem in str(err.value)


def test_unknown_format_and_missing_path(tmp_path, nlp):
    with pytest.raises(ValueError, match="Unknown corpus format"):
        read(tmp_path, "xml", nlp)
    with pytest.raises(CorpusFormatError, match="not found"):
        read(tmp_path / "nope.tsv", "conll", nlp)


def test_shipped_sample_converts_without_loss(sample_dir, nlp):
    for split in ("train", "dev", "test"):
        path = sample_dir / f"{split}.jsonl"
        n_spans = sum(len(json.loads(l)["spans"]) for l in path.read_text(encoding="utf8").splitlines())
        docs, stats = read(path, "jsonl", nlp)
        assert stats.n_skipped == 0
        assert stats.entities == n_spans
        assert all("assertion" in d.spans for d in docs)


# --- registered spaCy readers ----------------------------------------------------------------


def test_registered_readers_yield_examples_and_log_skips(write, nlp, caplog):
    from spacy.util import registry

    path = write("r.jsonl", json.dumps({"text": "EGFRvIII and fever", "spans": [[0, 4, "GENE"], [13, 18, "PROBLEM"]]}))
    corpus = registry.resolve({"c": {"@readers": "spacy_medllm.JsonlReader.v1", "path": str(path)}})["c"]
    with caplog.at_level("WARNING", logger="spacy_medllm"):
        examples = list(corpus(nlp))
    assert [(e.text, e.label_) for e in examples[0].reference.ents] == [("fever", "PROBLEM")]
    assert "1 not aligned to token boundaries" in caplog.text
    assert "EGFRvIII" not in caplog.text  # counts, never note text
    conll = registry.resolve({"c": {"@readers": "spacy_medllm.ConllReader.v1",
                                    "path": str(write("a.tsv", CONLL)), "n_sents": 2}})["c"]
    (eg,) = list(conll(nlp))
    assert [(e.text, e.label_) for e in eg.reference.ents] == [("breast cancer", "Disease"), ("aspirin", "Chemical")]
