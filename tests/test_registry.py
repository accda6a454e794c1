"""Every entry point in pyproject.toml resolves to the function registered under its name, in the
registry of its kind; and every function the package registers has an entry point."""
import importlib
import tomllib

import pytest
from spacy.language import Language
from spacy.util import registry

from .util import ROOT

# entry-point group -> the spaCy/thinc registry it feeds
KINDS = {
    "spacy_architectures": registry.architectures,
    "spacy_factories": registry.factories,
    "spacy_scorers": registry.scorers,
    "spacy_loggers": registry.loggers,
    "spacy_readers": registry.readers,
    "thinc_optimizers": registry.optimizers,
    "thinc_layers": registry.layers,
    "spacy_callbacks": registry.callbacks,
    "spacy_misc": registry.misc,
}
ENTRY_POINTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))["project"]["entry-points"]
CASES = [(group, name, target) for group, entries in ENTRY_POINTS.items() for name, target in entries.items()]


def _load(target: str):
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)


def test_every_group_is_a_known_kind():
    assert set(ENTRY_POINTS) <= set(KINDS)


@pytest.mark.parametrize("group,name,target", CASES, ids=[f"{g}:{n}" for g, n, _ in CASES])
def test_entry_point_resolves_to_the_registered_function(group, name, target):
    func = _load(target)
    assert callable(func)
    assert target.split(":")[0].endswith("registry"), "registration happens in the registry.py modules"
    if group == "spacy_factories":
        assert Language.has_factory(name) and Language.get_factory_meta(name).factory == name
    assert KINDS[group].get(name) is func


@pytest.mark.parametrize("group", sorted(KINDS))
def test_every_registered_function_has_an_entry_point(group):
    for target in {t for g, _, t in CASES}:
        _load(target)  # registers everything the package has
    # stand-ins registered by other test modules (tests.annotate.stand_ins, benchmarks) are not ours
    ours = {name for name, func in KINDS[group].get_all().items() if func.__module__.startswith("spacy_medllm.")}
    assert ours == set(ENTRY_POINTS.get(group, {}))
