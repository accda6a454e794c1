import os
import subprocess
import sys

import pytest
from thinc.api import Config

from spacy_medllm.compose import compose_config, fill_and_validate, find_fragment

from .util import ROOT

COMPONENTS = ROOT / "components"


def test_fragments_compose_in_order():
    config = compose_config([COMPONENTS / "transformer.cfg", COMPONENTS / "ner.cfg"])
    assert config["nlp"]["pipeline"] == ["transformer", "ner"]
    assert config["components"]["ner"]["model"]["tok2vec"]["upstream"] == "transformer"
    # Variables stay for spacy train to fill.
    assert "${paths.base_model}" in config.to_str()


def test_bare_names_are_the_packaged_fragments_from_any_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    config = compose_config(["transformer", "ner"])
    assert config["nlp"]["pipeline"] == ["transformer", "ner"]
    # one copy: the packaged fragment is the top-level components/ file
    assert find_fragment("ner").read_text(encoding="utf8") == (COMPONENTS / "ner.cfg").read_text(encoding="utf8")


def test_fragment_dir_is_searched_before_the_packaged_fragments(write, tmp_path):
    write("mine/ner.cfg", "[components.ner]\nfactory = \"ner\"\n\n[training]\nmax_steps = 5\n")
    config = compose_config(["ner"], search_dir=tmp_path / "mine")
    assert config["training"]["max_steps"] == 5
    assert compose_config(["transformer"], search_dir=tmp_path / "mine")["nlp"]["pipeline"] == ["transformer"]


def test_user_fragment_and_overrides(write):
    user = write(
        "my_textcat.cfg",
        "[components.textcat]\nfactory = \"textcat\"\n\n[training]\nmax_steps = 17\n",
    )
    config = compose_config(
        [COMPONENTS / "transformer.cfg", COMPONENTS / "ner.cfg", user],
        overrides={"paths.base_model": "/models/x", "training.eval_frequency": 5},
    )
    assert config["nlp"]["pipeline"] == ["transformer", "ner", "textcat"]
    assert config["training"]["max_steps"] == 17
    assert config["training"]["eval_frequency"] == 5
    assert config["paths"]["base_model"] == "/models/x"
    filled = fill_and_validate(config)
    assert filled["components"]["textcat"]["model"]["@architectures"].startswith("spacy.")


def test_duplicate_component_rejected():
    with pytest.raises(ValueError, match="already in the pipeline"):
        compose_config([COMPONENTS / "ner.cfg", COMPONENTS / "ner.cfg"])


def test_empty_fragment_rejected(write):
    with pytest.raises(ValueError, match="empty fragment"):
        compose_config([write("empty.cfg", "# nothing here\n")])


def test_fragment_may_set_only_other_sections(write):
    config = compose_config([COMPONENTS / "ner.cfg", write("steps.cfg", "[training]\nmax_steps = 3\n")])
    assert config["training"]["max_steps"] == 3 and config["nlp"]["pipeline"] == ["ner"]


def test_missing_fragment():
    with pytest.raises(FileNotFoundError, match="nope.*packaged fragments: assertion, context"):
        compose_config(["nope"])


def test_cli_writes_a_valid_config(tmp_path):
    out = tmp_path / "configs" / "ner.cfg"
    result = subprocess.run(
        [sys.executable, "-m", "spacy_medllm.cli", "config", "transformer", "ner", "--output", str(out),
         "--training.max_steps", "9"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    config = Config().from_disk(out, interpolate=False)
    assert config["nlp"]["pipeline"] == ["transformer", "ner"]
    assert config["training"]["max_steps"] == 9
    assert config["components"]["transformer"]["model"]["@architectures"] == "spacy_medllm.TransformerModel.v1"
    assert not list(out.parent.glob(".*.tmp"))


@pytest.mark.slow
def test_wheel_ships_the_fragments_and_composes_outside_the_repo(tmp_path):
    """A non-editable install: the wheel holds components/*.cfg as spacy_medllm/components, and
    `medllm config transformer ner` run from elsewhere with only the wheel's files finds them."""
    import shutil
    import zipfile

    # Built from a copy: a build leaves build/ and *.egg-info (stale entry points) where it runs.
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("spacy_medllm", "components"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"),
         str(src)], capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next((tmp_path / "dist").glob("spacy_medllm-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    fragments = sorted(p.name for p in COMPONENTS.glob("*.cfg"))
    assert sorted(n.split("/")[-1] for n in names if n.startswith("spacy_medllm/components/") and n.endswith(".cfg")) == fragments
    assert "spacy_medllm/configs/base.cfg" in names
    assert not any(n.startswith(("components/", "tests/", "benchmarks/", "scripts/")) for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", "import spacy_medllm, sys; sys.argv = ['medllm', 'config', 'transformer', 'ner', "
         "'--output', 'x.cfg']; print(spacy_medllm.__file__, file=sys.stderr); "
         "from spacy_medllm.cli import main; main()"],
        cwd=work, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(site) in result.stderr  # the wheel's copy ran, not the repository's
    config = Config().from_disk(work / "x.cfg", interpolate=False)
    assert config["nlp"]["pipeline"] == ["transformer", "ner"]
