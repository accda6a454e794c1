"""Helpers of the classification tests: labels, long notes, small pipelines (fixtures: conftest.py)."""
import spacy
from spacy.training import Example

from ..util import ROOT, WORDS

LABELS = ["cardio", "neuro", "onco"]
TEXTS = [
    "chest pain heart blood", "headache mri gene", "cancer tumour cell", "chest pain cancer tumour",
    "heart lung fever", "mri ct headache nausea", "tumour gene mutation", "blood aspirin daily",
    "cough fever lung", "cell protein deficiency", "insulin metformin mg", "syndrome disease history",
]


def long_note(signal: str, n_filler: int = 700) -> str:
    """A note whose first ``n_filler`` words are the same filler and whose last words differ."""
    filler = " ".join(WORDS[i % 40] for i in range(n_filler))
    return f"{filler} . assessment : {signal} {signal} {signal} ."


def hf_nlp(checkpoint, **config):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_hf_textcat", config={"model": str(checkpoint), "max_length": 32, "stride": 8, **config})
    return nlp


def build_pipeline(tiny_encoder, fragments, overrides=None, architectures=None):
    """transformer + textcat fragments on the tiny encoder, built from the shipped fragments;
    ``architectures`` swaps a component's model architecture ({component: name}), keeping the
    settings it takes."""
    from spacy_medllm.compose import compose_config

    config = compose_config(
        [ROOT / "components" / "transformer.cfg"] + [ROOT / "components" / f"{f}.cfg" for f in fragments],
        overrides={"paths.base_model": str(tiny_encoder), **(overrides or {})},
    )
    for component, name in (architectures or {}).items():
        import inspect

        model = config["components"][component]["model"]
        accepted = inspect.signature(spacy.registry.architectures.get(name)).parameters
        for key in [k for k in model if not k.startswith("@") and k not in accepted]:
            del model[key]  # settings of the other version
        model["@architectures"] = name
    return spacy.util.load_model_from_config(config.interpolate(), auto_fill=True, validate=True)


def textcat_pipeline(tiny_encoder, fragment: str = "textcat_multilabel"):
    return build_pipeline(tiny_encoder, [fragment])


def examples(nlp, gold):
    """Examples of TEXTS (cycled) with the given gold label sets."""
    return [
        Example.from_dict(nlp.make_doc(TEXTS[i % len(TEXTS)]), {"cats": {lab: float(lab in g) for lab in LABELS}})
        for i, g in enumerate(gold)
    ]
