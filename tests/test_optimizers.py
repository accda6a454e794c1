"""Per-pipe learning-rate scales: the tagged pipe's weights move `scale` times as far."""
import numpy
import pytest
import spacy
from spacy.training import Example
from spacy.util import registry

from spacy_medllm.optimizers import tag_learn_rates


def _nlp():
    nlp = spacy.blank("en")
    for name in ("textcat", "other"):
        pipe = nlp.add_pipe("textcat", name=name)
        for label in ("A", "B"):
            pipe.add_label(label)
    examples = [Example.from_dict(nlp.make_doc("chest pain"), {"cats": {"A": 1.0, "B": 0.0}}),
                Example.from_dict(nlp.make_doc("headache"), {"cats": {"A": 0.0, "B": 1.0}})]
    nlp.initialize(lambda: examples)
    return nlp, examples


def _step(scales):
    """One update from the same seeded start; returns each pipe's parameter change."""
    from thinc.api import fix_random_seed

    fix_random_seed(0)
    nlp, examples = _nlp()
    before = {name: [p.copy() for p in _params(nlp.get_pipe(name).model)] for name in nlp.pipe_names}
    if scales:
        tag_learn_rates(nlp, scales)
    optimizer = registry.resolve({"o": {"@optimizers": "spacy_medllm.Adam.v1", "learn_rate": 0.001,
                                        "use_averages": False}})["o"]
    nlp.update(examples, sgd=optimizer)
    return {name: sum(float(numpy.abs(a - b).sum()) for a, b in zip(_params(nlp.get_pipe(name).model), before[name]))
            for name in nlp.pipe_names}


def _params(model):
    return [node.get_param(n) for node in model.walk() for n in node.param_names if node.has_param(n)]


def test_scaled_pipe_moves_scale_times_as_far_and_others_are_untouched():
    plain = _step(None)
    scaled = _step({"textcat": 10.0})
    # Adam's step is the rate times a normalised gradient: ten times the rate, ten times the move
    assert scaled["textcat"] == pytest.approx(10 * plain["textcat"], rel=0.05)
    assert plain["other"] > 0
    assert scaled["other"] == pytest.approx(plain["other"], rel=1e-6)


def test_unknown_pipe_or_bad_scale_is_an_error():
    nlp, _ = _nlp()
    with pytest.raises(ValueError, match="no pipe named 'textcatt'"):
        tag_learn_rates(nlp, {"textcatt": 10.0})
    with pytest.raises(ValueError, match="positive number"):
        tag_learn_rates(nlp, {"textcat": 0})


def test_disabled_pipe_is_tagged():
    """spaCy initializes with sourced and frozen pipes disabled; a resumed pipe still gets its scale."""
    nlp, _ = _nlp()
    nlp.disable_pipe("textcat")
    assert tag_learn_rates(nlp, {"textcat": 10.0})["textcat"] > 0


def test_registered_by_entry_points():
    from importlib.metadata import entry_points

    assert "spacy_medllm.Adam.v1" in {ep.name for ep in entry_points(group="thinc_optimizers")}
    assert "spacy_medllm.learn_rate_scales.v1" in {ep.name for ep in entry_points(group="spacy_callbacks")}


def test_torch_parameters_of_a_scaled_pipe_are_tagged_by_their_shim_keys():
    """Keys are (id, parameter name): thinc numbers models and shims separately, so an id alone
    could give a shim another pipe's scale."""
    torch = pytest.importorskip("torch")
    from thinc.api import PyTorchWrapper

    from spacy_medllm import optimizers

    nlp = spacy.blank("en")
    nlp.add_pipe("textcat")  # any pipe; its model is swapped for a wrapped torch layer
    wrapped = PyTorchWrapper(torch.nn.Linear(2, 2))
    nlp.get_pipe("textcat").model = wrapped
    counts = tag_learn_rates(nlp, {"textcat": 3.0})
    shim = wrapped.shims[0]
    assert counts == {"textcat": 2}
    assert optimizers._SCALES[(shim.id, "weight")] == 3.0 and optimizers._SCALES[(shim.id, "bias")] == 3.0
    assert (shim.id, "W") not in optimizers._SCALES
