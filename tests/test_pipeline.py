import json
import shutil
import subprocess
import sys

import pytest
import spacy

from spacy_medllm.compose import compose_config

from .util import ROOT
NOTE = "History of chest pain. He denies fever and cough. Started aspirin 81 mg daily; obtain chest x ray."


def ents(doc):
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def test_trained_pipeline_learned_labels(trained_tiny_pipeline):
    nlp = spacy.load(trained_tiny_pipeline)
    assert nlp.pipe_names == ["transformer", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PROBLEM", "TEST", "TREATMENT"}


def test_saved_then_loaded_pipeline_gives_identical_entities(trained_tiny_pipeline, tmp_path, sample_dir):
    nlp = spacy.load(trained_tiny_pipeline)
    texts = [json.loads(l)["text"] for l in (sample_dir / "dev.jsonl").read_text().splitlines()[:8]] + [NOTE]
    before = [ents(d) for d in nlp.pipe(texts)]
    tensors_before = [d._.trf_data.tensors[0].copy() for d in nlp.pipe(texts[:2])]
    nlp.to_disk(tmp_path / "saved")
    # A fresh process-like load from disk, and a bytes round trip.
    for loaded in (spacy.load(tmp_path / "saved"), spacy.blank("en").from_config(nlp.config).from_bytes(nlp.to_bytes())):
        assert [ents(d) for d in loaded.pipe(texts)] == before
        tensors_after = [d._.trf_data.tensors[0] for d in loaded.pipe(texts[:2])]
        for a, b in zip(tensors_before, tensors_after):
            assert a.shape == b.shape and abs(a - b).max() < 1e-5


def test_saved_pipeline_loads_without_its_base_model(tiny_encoder, tmp_path):
    """The weights travel inside the pipeline: deleting the base model directory must not matter."""
    base = tmp_path / "base"
    shutil.copytree(tiny_encoder, base)
    config = compose_config(
        [ROOT / "components" / "transformer.cfg", ROOT / "components" / "ner.cfg"],
        overrides={"paths.base_model": str(base)},
    ).interpolate()
    nlp = spacy.blank("en").from_config(config, auto_fill=True)
    nlp.get_pipe("ner").add_label("PROBLEM")
    nlp.initialize()
    before = nlp(NOTE)._.trf_data.tensors[0].copy()
    nlp.to_disk(tmp_path / "pipe")
    shutil.rmtree(base)
    loaded = spacy.load(tmp_path / "pipe")
    after = loaded(NOTE)._.trf_data.tensors[0]
    assert abs(before - after).max() < 1e-5


def test_initialize_with_unresolvable_base_model_names_it(tmp_path):
    config = compose_config(
        [ROOT / "components" / "transformer.cfg"],
        overrides={"paths.base_model": "no-such-model-here", "components.transformer.model.allow_hub": False},
    ).interpolate()
    nlp = spacy.blank("en").from_config(config, auto_fill=True)  # building needs no weights
    with pytest.raises(ValueError, match="no-such-model-here"):
        nlp.initialize()


def test_long_note_goes_through_strided_windows(trained_tiny_pipeline):
    nlp = spacy.load(trained_tiny_pipeline)
    doc = nlp(" ".join([NOTE] * 40))  # far beyond one 128-piece window
    assert doc._.trf_data.tensors[0].shape[0] > 1
    assert len(doc) > 600


def test_evaluate_cli_writes_json_and_html(trained_tiny_pipeline, sample_corpus, tmp_path):
    out = tmp_path / "m" / "dev.json"
    result = subprocess.run(
        [sys.executable, "-m", "spacy_medllm.cli", "evaluate", str(trained_tiny_pipeline),
         str(sample_corpus / "dev.spacy"), "--output", str(out), "--html", str(tmp_path / "m" / "dev.html")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads(out.read_text())
    assert set(metrics["ents_per_type"]) <= {"PROBLEM", "TEST", "TREATMENT"}
    for label, s in metrics["ents_per_type"].items():
        assert 0 <= s["p"] <= 1 and 0 <= s["r"] <= 1
    assert 0 <= metrics["scores"]["ents_f"] <= 1
    # The confusion matrix counts every gold token once, and agrees with the entity scores:
    # predicted entity tokens appear in its columns exactly when the scorer saw predictions.
    confusion = metrics["ner_confusion"]
    assert sum(sum(row.values()) for row in confusion.values()) == metrics["n_words"]
    predicted_entity_tokens = sum(n for row in confusion.values() for p, n in row.items() if p != "O")
    assert (predicted_entity_tokens > 0) == (metrics["scores"]["ents_p"] > 0)
    html = (tmp_path / "m" / "dev.html").read_text()
    assert "Entities per label" in html and "data:image/png;base64" in html


def test_evaluate_cli_missing_data(trained_tiny_pipeline, tmp_path):
    args = [sys.executable, "-m", "spacy_medllm.cli", "evaluate", str(trained_tiny_pipeline),
            str(tmp_path / "none.spacy"), "--output", str(tmp_path / "x.json")]
    assert subprocess.run(args, capture_output=True).returncode == 1
    assert subprocess.run(args + ["--missing-ok"], capture_output=True).returncode == 0
    assert not (tmp_path / "x.json").exists()
