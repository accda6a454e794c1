import subprocess
import sys

import pytest
from thinc.api import Config

from spacy_medllm.compose import compose_config, fill_and_validate

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMPONENTS = ROOT / "components"


def test_fragments_compose_in_order():
    config = compose_config([COMPONENTS / "transformer.cfg", COMPONENTS / "ner.cfg"])
    assert config["nlp"]["pipeline"] == ["transformer", "ner"]
    assert config["components"]["ner"]["model"]["tok2vec"]["upstream"] == "transformer"
    # Variables stay for spacy train to fill.
    assert "${paths.base_model}" in config.to_str()


def test_bare_names_are_looked_up_in_components(monkeypatch):
    monkeypatch.chdir(ROOT)
    config = compose_config(["transformer", "ner"])
    assert config["nlp"]["pipeline"] == ["transformer", "ner"]


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
    with pytest.raises(FileNotFoundError, match="nope"):
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
