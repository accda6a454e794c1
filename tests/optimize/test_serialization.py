"""Round trips, packaging, the missing-extra error, the CLI, and the unchanged annotate path."""
import json
import subprocess
import sys

import numpy
import pytest
import spacy
from typer.testing import CliRunner

from .conftest import NOTE, token_vectors


def test_to_bytes_and_to_disk_round_trip(tmp_path, int8_pipeline, texts):
    nlp = spacy.load(int8_pipeline)
    before = token_vectors(nlp, list(nlp.pipe(texts)))
    data = nlp.to_bytes()
    again = spacy.util.load_model_from_config(nlp.config, auto_fill=False).from_bytes(data)
    nlp.to_disk(tmp_path / "copy")
    from_disk = spacy.load(tmp_path / "copy")
    graph = nlp.get_pipe("transformer").model.shim.onnx_bytes
    for other in (again, from_disk):
        assert other.get_pipe("transformer").model.shim.onnx_bytes == graph
        numpy.testing.assert_array_equal(before, token_vectors(other, list(other.pipe(texts))))
    # the component's bytes alone round-trip too
    pipe_bytes = nlp.get_pipe("transformer").to_bytes()
    assert len(pipe_bytes) > len(graph)


def test_missing_onnxruntime_names_the_extra(monkeypatch, int8_pipeline):
    from spacy_medllm.optimize.runtime import FastPathUnavailable

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    with pytest.raises(FastPathUnavailable, match=r"spacy-medllm\[fast\]"):
        spacy.load(int8_pipeline)


def test_annotate_cli_reports_missing_extra(monkeypatch, int8_pipeline, tmp_path):
    from spacy_medllm.cli._util import load_pipeline
    import typer

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(typer.Exit):
        load_pipeline(str(int8_pipeline))


def test_training_an_optimized_pipeline_fails_clearly(int8_pipeline):
    from spacy.training import Example

    from spacy_medllm.optimize.model import InferenceOnly

    nlp = spacy.load(int8_pipeline)
    doc = nlp.make_doc("No fever .")
    with pytest.raises(InferenceOnly, match="inference only"):
        nlp.update([Example.from_dict(doc, {"entities": [(3, 8, "PROBLEM")]})])


def test_optimize_cli(tmp_path, fp32_pipeline, int8_pipeline):
    from spacy_medllm.cli.app import load_commands

    app = load_commands()

    runner = CliRunner()
    out = tmp_path / "cli"
    res = runner.invoke(app, ["optimize", str(fp32_pipeline), str(out), "--quantize", "none", "--threads", "1"])
    assert res.exit_code == 0, res.output
    nlp = spacy.load(out)
    assert nlp.config["components"]["transformer"]["model"]["threads"] == 1
    assert nlp.get_pipe("transformer").model.shim.meta["quantize"] == "none"
    again = runner.invoke(app, ["optimize", str(fp32_pipeline), str(out)])
    assert again.exit_code == 1 and "exists" in " ".join(again.output.split())
    twice = runner.invoke(app, ["optimize", str(int8_pipeline), str(tmp_path / "twice")])
    assert twice.exit_code == 1 and "already optimized" in " ".join(twice.output.split())
    bad = runner.invoke(app, ["optimize", str(fp32_pipeline), str(tmp_path / "q"), "--quantize", "int4"])
    assert bad.exit_code == 1 and "--quantize" in " ".join(bad.output.split())
    onnx_compiled = runner.invoke(app, ["optimize", str(fp32_pipeline), str(tmp_path / "c"), "--quantize", "none", "--compile"])
    assert onnx_compiled.exit_code == 1 and "--compile is for the bf16 encoder" in " ".join(onnx_compiled.output.split())


def test_annotate_and_dataframe_run_the_optimized_pipeline(tmp_path, int8_pipeline):
    pandas = pytest.importorskip("pandas")
    from spacy_medllm import annotate_dataframe

    notes = tmp_path / "notes.jsonl"
    notes.write_text("\n".join(json.dumps({"id": f"n{i}", "text": t}) for i, t in enumerate([NOTE, "No fever ."])) + "\n")
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "spacy_medllm.cli", "annotate", str(notes), "--model", str(int8_pipeline),
           "--output", str(out), "--no-progress"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["n0", "n1"]
    nlp = spacy.load(int8_pipeline)
    frame = annotate_dataframe(pandas.DataFrame({"text": [NOTE, ""]}), "text", nlp, level="note")
    assert len(frame) == 2


@pytest.mark.slow
def test_packaged_optimized_pipeline_loads_by_name_in_new_process(tmp_path, int8_pipeline):
    pytest.importorskip("build")
    pkg = tmp_path / "packages"
    pkg.mkdir()
    res = subprocess.run([sys.executable, "-m", "spacy", "package", str(int8_pipeline), str(pkg), "--name", "medllm_fasttest",
                          "--version", "0.0.1", "--build", "wheel", "--force"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    wheels = list(pkg.glob("*/dist/*.whl"))
    assert len(wheels) == 1
    target = tmp_path / "site"
    res = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheels[0])],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    script = ("import sys, spacy; nlp = spacy.load('en_medllm_fasttest'); doc = nlp('Patient denies fever .'); "
              "m = nlp.get_pipe('transformer').model; "
              "print(m.__class__.__name__, m.shim.meta['quantize'], doc._.trf_data.model_output['last_hidden_state'].shape[-1])")
    env = {**__import__("os").environ, "PYTHONPATH": str(target)}
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["OnnxTransformerModel", "int8", "32"]
