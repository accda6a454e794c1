"""Per-component learning rates.

spaCy trains every component with one optimizer and one learning rate. A freshly initialised
output layer (textcat, the assertion head) needs a rate ten or more times higher than an encoder
being fine-tuned: Adam moves each weight by about the learning rate per step, whatever the
gradient's size, so at an encoder-safe 1e-4 a classifier's output weights travel at most 0.04 in
400 steps and the classes never separate. The `learn_rate_scales` callback tags each weight of the
named pipes after initialisation; the optimizer multiplies its rate by the tag.
"""
from typing import Dict, Tuple, Union

from spacy.language import Language
from thinc.api import Optimizer
from thinc.types import Generator

FloatOrSeq = Union[float, list, Generator]

# (node or shim id, parameter name) -> learning-rate multiplier, filled by `learn_rate_scales`.
# These are the optimizer's own keys; ids alone would collide, since thinc numbers models and shims
# with separate counters.
_SCALES: Dict[Tuple[int, str], float] = {}


class ScaledAdam(Optimizer):
    """thinc's Adam, with the rate multiplied per parameter by the scale tagged on its node."""

    def __call__(self, key, weights, gradient, *, lr_scale: float = 1.0):
        return super().__call__(key, weights, gradient, lr_scale=lr_scale * _SCALES.get(tuple(key), 1.0))


def make_scaled_adam(
    learn_rate: FloatOrSeq = 0.001,
    *,
    L2: FloatOrSeq = 0.0,
    beta1: FloatOrSeq = 0.9,
    beta2: FloatOrSeq = 0.999,
    eps: FloatOrSeq = 1e-08,
    grad_clip: FloatOrSeq = 1.0,
    L2_is_weight_decay: bool = True,
    use_averages: bool = True,
) -> Optimizer:
    return ScaledAdam(learn_rate, L2=L2, beta1=beta1, beta2=beta2, eps=eps, grad_clip=grad_clip,
                      L2_is_weight_decay=L2_is_weight_decay, use_averages=use_averages)


def tag_learn_rates(nlp: Language, scales: Dict[str, float]) -> Dict[str, int]:
    """Tag the weights of each named pipe; returns how many parameters each got. Listeners hold no
    weights, so a scale on a pipe never reaches the shared transformer it listens to."""
    tagged = {}
    # component_names, not pipe_names: spaCy initializes with sourced (resumed) and frozen pipes
    # disabled, and a resumed pipe still needs its scale.
    for name, scale in scales.items():
        if name not in nlp.component_names:
            raise ValueError(f"learn_rate_scales: no pipe named {name!r} (pipeline: {nlp.component_names})")
        if not isinstance(scale, (int, float)) or scale <= 0:
            raise ValueError(f"learn_rate_scales: scale for {name!r} must be a positive number, got {scale!r}")
        model = getattr(nlp.get_pipe(name), "model", None)
        if model is None:
            raise ValueError(f"learn_rate_scales: pipe {name!r} has no model to train")
        count = 0
        for node in model.walk():
            for param in node.param_names:
                _SCALES[(node.id, param)] = float(scale)
                count += 1
            for shim in node.shims:  # a wrapped torch model: the keys PyTorchShim.finish_update uses
                torch_model = getattr(shim, "_model", None)
                for param, _ in getattr(torch_model, "named_parameters", lambda: [])():
                    _SCALES[(shim.id, param)] = float(scale)
                    count += 1
        tagged[name] = count
    return tagged


def make_learn_rate_scales(scales: Dict[str, float]):
    """``[initialize.after_init]`` callback; pair it with ``spacy_medllm.Adam.v1``."""

    def after_init(nlp: Language) -> Language:
        tag_learn_rates(nlp, scales)
        return nlp

    return after_init
