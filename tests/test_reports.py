import json

import pytest
from spacy.util import registry

from spacy_medllm.reports import render_html
from spacy_medllm.training_curves import plot_training_log


def test_training_curve_png(tmp_path):
    log = tmp_path / "log.jsonl"
    rows = [{"epoch": 0, "step": s, "losses": {"ner": 100.0 / (s + 1), "transformer": 50.0 / (s + 1)},
             "scores": {"ents_f": s / 4, "ents_p": s / 3, "ents_r": s / 5}, "score": s / 400}
            for s in (0, 100, 200)]
    log.write_text("\n".join(json.dumps(r) for r in rows))
    out = plot_training_log(log, tmp_path / "curve.png")
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_training_curve_empty_log(tmp_path):
    (tmp_path / "log.jsonl").write_text("")
    with pytest.raises(ValueError, match="no evaluation rows"):
        plot_training_log(tmp_path / "log.jsonl", tmp_path / "c.png")


def test_logger_replaces_an_old_log(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"step": 999}\n')
    make_logger = registry.loggers.get("spacy_medllm.ConsoleLogger.v1")
    setup = make_logger(progress_bar=None, console_output=False, output_file=str(log))
    assert not log.exists()  # spaCy's own logger would refuse to log instead
    assert callable(setup)


def test_html_report_escapes_labels():
    result = {"n_docs": 1, "n_words": 3, "words_per_second": 10.0, "scores": {"ents_f": 0.5},
              "ents_per_type": {"<b>X</b>": {"p": 0.5, "r": 0.5, "f": 0.5}},
              "ner_confusion": {"<b>X</b>": {"<b>X</b>": 2, "O": 1}, "O": {"<b>X</b>": 0, "O": 5}}}
    page = render_html(result, "t")
    assert "&lt;b&gt;X&lt;/b&gt;" in page and "<b>X</b>" not in page
    assert page.count("data:image/png;base64") == 2


def _cats_example(nlp, gold, predicted):
    from spacy.training import Example

    doc = nlp.make_doc("a note")
    doc.cats = predicted
    ref = nlp.make_doc("a note")
    ref.cats = gold
    return Example(doc, ref)


def test_textcat_report_scores_and_pictures(tmp_path):
    import spacy

    from spacy_medllm.reports import write_pngs
    from spacy_medllm.scoring import textcat_report

    nlp = spacy.blank("en")
    def g(lab):
        return {"cardio": float(lab == "cardio"), "neuro": float(lab == "neuro")}

    examples = [
        _cats_example(nlp, g("cardio"), {"cardio": 0.9, "neuro": 0.1}),
        _cats_example(nlp, g("cardio"), {"cardio": 0.2, "neuro": 0.8}),  # wrong
        _cats_example(nlp, g("neuro"), {"cardio": 0.3, "neuro": 0.7}),
        _cats_example(nlp, {}, {"cardio": 0.5, "neuro": 0.5}),  # no gold cats: not scored
    ]
    report = textcat_report(examples)
    assert report["exclusive"] and report["n_docs"] == 3
    assert report["accuracy"] == pytest.approx(2 / 3)
    assert report["per_label"]["cardio"] == pytest.approx({"p": 1.0, "r": 0.5, "f": 2 / 3, "support": 2})
    assert report["confusion"]["matrix"] == [[1, 1], [0, 1]]
    result = {"n_docs": 3, "n_words": 6, "words_per_second": 1.0, "scores": {}, "textcat": report}
    assert "Document classes" in render_html(result, "t")
    written = write_pngs(result, tmp_path)
    assert {p.name for p in written} == {"textcat_confusion.png", "textcat_per_label.png"}
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in written)
    assert textcat_report([_cats_example(nlp, {}, {})]) is None


def test_atomic_writes_get_the_usual_file_mode(tmp_path):
    """Reports and outputs are for sharing: not the 0600 that a bare mkstemp leaves."""
    import os

    from spacy_medllm.files import atomic_write_text

    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "sub" / "report.json", "{}")
    finally:
        os.umask(old)
    assert path.read_text() == "{}"
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]
