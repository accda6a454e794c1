"""The rules, labels and clinical words travel with the pipeline; the salt never does."""
import pickle

import pytest
import spacy

from .conftest import NOTE

CUSTOM = {"name": "ward_code", "label": "ID", "pattern": r"Ward code (?P<phi>ZX-\d+)"}


def configured():
    nlp = spacy.blank("en")
    deid = nlp.add_pipe("medllm_deid", config={"labels": ["NAME", "ID"], "strategy": "hash"})
    deid.add_rules([CUSTOM])
    deid.set_strategy("hash", salt="never-saved-salt")
    return nlp


def test_to_disk_from_disk_keeps_rules_and_settings(tmp_path, salt):
    nlp = configured()
    nlp.to_disk(tmp_path / "p")
    assert "never-saved-salt" not in "".join(p.read_text(errors="ignore") for p in (tmp_path / "p").rglob("*") if p.is_file())
    loaded = spacy.load(tmp_path / "p")
    deid = loaded.get_pipe("medllm_deid")
    assert deid.cfg["labels"] == ["NAME", "ID"] and deid.cfg["strategy"] == "hash"
    assert CUSTOM in deid.rules
    doc = loaded(NOTE + " Ward code ZX-99812.")
    assert {s.label_ for s in doc.spans["phi"]} == {"NAME", "ID"}
    assert "ZX-99812" not in doc._.deidentified


def test_to_bytes_from_bytes_and_pickle(salt):
    nlp = configured()
    other = spacy.blank("en")
    other.add_pipe("medllm_deid", config={"use_default_rules": False})
    other.get_pipe("medllm_deid").from_bytes(nlp.get_pipe("medllm_deid").to_bytes())
    assert other.get_pipe("medllm_deid").rules == nlp.get_pipe("medllm_deid").rules
    doc = pickle.loads(pickle.dumps(other("Ward code ZX-99812.")))
    assert doc._.deid_map.to_list() == [[10, 18, 10, 25]] and doc._.deidentified.startswith("Ward code [ID:")


def test_rules_file_at_initialize(tmp_path):
    import json

    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"phi_rules": [CUSTOM]}), encoding="utf8")
    nlp = spacy.blank("en")
    deid = nlp.add_pipe("medllm_deid")
    deid.initialize(rules_file=path, use_default_rules=False)
    assert deid.rules == [CUSTOM]
    doc = nlp("Dr. Alice Wong, Ward code ZX-99812.")
    assert [s.text for s in doc.spans["phi"]] == ["ZX-99812"]


def test_composed_config_builds_the_component(tmp_path):
    from spacy_medllm.compose import compose_config, fill_and_validate

    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    config = compose_config(["deid"], search_dir=root / "components")
    assert "medllm_deid" in config["nlp"]["pipeline"]
    filled = fill_and_validate(config)
    assert filled["components"]["medllm_deid"]["strategy"] == "mask"


@pytest.mark.slow
def test_spacy_package_wheel_holds_the_rules_and_loads(tmp_path, salt):
    """`spacy package` builds a wheel whose pipeline de-identifies as the original did."""
    import subprocess
    import sys
    import zipfile

    nlp = configured()
    nlp.to_disk(tmp_path / "p")
    out = tmp_path / "pkg"
    out.mkdir()
    result = subprocess.run([sys.executable, "-m", "spacy", "package", str(tmp_path / "p"), str(out), "--name", "deid_test",
                             "--version", "0.0.1", "--build", "wheel", "--force"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(out.rglob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert any(n.endswith("medllm_deid/rules.json") for n in names)
        zf.extractall(tmp_path / "unpacked")
    data_dir = next((tmp_path / "unpacked").rglob("medllm_deid")).parent
    loaded = spacy.load(data_dir)
    text = NOTE + " Ward code ZX-99812."
    assert loaded(text)._.deidentified != nlp(text)._.deidentified  # the salt did not travel in the wheel
    loaded.get_pipe("medllm_deid").set_strategy("hash", salt="never-saved-salt")
    assert loaded(text)._.deidentified == nlp(text)._.deidentified
