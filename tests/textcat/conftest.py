"""Fixtures for tests/textcat: tiny transformer + textcat pipelines built from the shipped fragments."""
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

ROOT = Path(__file__).resolve().parents[2]
LABELS = ["cardio", "neuro", "onco"]
TEXTS = [
    "chest pain heart blood", "headache mri gene", "cancer tumour cell", "chest pain cancer tumour",
    "heart lung fever", "mri ct headache nausea", "tumour gene mutation", "blood aspirin daily",
    "cough fever lung", "cell protein deficiency", "insulin metformin mg", "syndrome disease history",
]


def build_pipeline(tiny_encoder, fragments, overrides=None):
    from spacy_medllm.compose import compose_config

    config = compose_config(
        [ROOT / "components" / "transformer.cfg"] + [ROOT / "components" / f"{f}.cfg" for f in fragments],
        overrides={"paths.base_model": str(tiny_encoder), **(overrides or {})},
    )
    return spacy.util.load_model_from_config(config.interpolate(), auto_fill=True, validate=True)


def examples(nlp, gold):
    """Examples of TEXTS (cycled) with the given gold label sets."""
    return [
        Example.from_dict(nlp.make_doc(TEXTS[i % len(TEXTS)]), {"cats": {lab: float(lab in g) for lab in LABELS}})
        for i, g in enumerate(gold)
    ]


@pytest.fixture
def multilabel_nlp(tiny_encoder):
    nlp = build_pipeline(tiny_encoder, ["textcat_multilabel"])
    nlp.initialize(lambda: examples(nlp, [{lab} for lab in LABELS]))
    return nlp


@pytest.fixture
def exclusive_nlp(tiny_encoder):
    nlp = build_pipeline(tiny_encoder, ["textcat"])
    nlp.initialize(lambda: examples(nlp, [{lab} for lab in LABELS]))
    return nlp
