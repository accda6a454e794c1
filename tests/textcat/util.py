"""Helpers of the classification tests: labels, long notes, small pipelines (fixtures: conftest.py)."""
import spacy

from ..util import ROOT, WORDS

LABELS = ["cardio", "neuro", "onco"]


def long_note(signal: str, n_filler: int = 700) -> str:
    """A note whose first ``n_filler`` words are the same filler and whose last words differ."""
    filler = " ".join(WORDS[i % 40] for i in range(n_filler))
    return f"{filler} . assessment : {signal} {signal} {signal} ."


def hf_nlp(checkpoint, **config):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_hf_textcat", config={"model": str(checkpoint), "max_length": 32, "stride": 8, **config})
    return nlp


def textcat_pipeline(tiny_encoder, fragment: str = "textcat_multilabel"):
    """transformer + a textcat fragment on the tiny encoder, built from the shipped fragments."""
    from spacy_medllm.compose import compose_config

    config = compose_config(
        [ROOT / "components" / "transformer.cfg", ROOT / "components" / f"{fragment}.cfg"],
        overrides={"paths.base_model": str(tiny_encoder)},
    )
    return spacy.util.load_model_from_config(config.interpolate(), auto_fill=True, validate=True)
