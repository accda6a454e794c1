"""The rules, labels and clinical words travel with the pipeline; the salt never does."""
import pickle

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
