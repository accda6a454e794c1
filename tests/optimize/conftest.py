"""An initialized (not trained) transformer + ner + textcat pipeline on the tiny random BERT,
and its optimized copies. Random weights are enough: agreement is about the encoder swap."""
from pathlib import Path

import pytest
import spacy

ROOT = Path(__file__).resolve().parents[2]
NOTE = (
    "Patient presents with chest pain and fever . No cough . Denies nausea . History of heart disease "
    "in the mother . Start aspirin 81 mg daily . Possible lung cancer , rule out tumour ."
)


@pytest.fixture(scope="session")
def fp32_pipeline(tmp_path_factory, tiny_encoder) -> Path:
    from spacy_medllm.compose import compose_config

    config = compose_config(
        [ROOT / "components" / "transformer.cfg", ROOT / "components" / "ner.cfg", ROOT / "components" / "textcat.cfg"],
        overrides={"paths.base_model": str(tiny_encoder)},
    )
    nlp = spacy.util.load_model_from_config(config.interpolate(), auto_fill=True)
    for label in ("PROBLEM", "TREATMENT", "TEST"):
        nlp.get_pipe("ner").add_label(label)
    for label in ("Cardiology", "Oncology", "General"):
        nlp.get_pipe("textcat").add_label(label)
    nlp.initialize()
    path = tmp_path_factory.mktemp("fp32") / "pipeline"
    nlp.to_disk(path)
    return path


def _optimize(tmp_path_factory, source: Path, name: str, **options) -> Path:
    from spacy_medllm.optimize.pipeline import OptimizeOptions, optimize_pipeline

    out = tmp_path_factory.mktemp(name) / "pipeline"
    optimize_pipeline(str(source), out, OptimizeOptions(**options))
    return out


@pytest.fixture(scope="session")
def onnx_fp32_pipeline(tmp_path_factory, fp32_pipeline) -> Path:
    return _optimize(tmp_path_factory, fp32_pipeline, "onnx-fp32", quantize="none")


@pytest.fixture(scope="session")
def int8_pipeline(tmp_path_factory, fp32_pipeline) -> Path:
    return _optimize(tmp_path_factory, fp32_pipeline, "onnx-int8", quantize="int8")


@pytest.fixture(scope="session")
def int8_dynamic_pipeline(tmp_path_factory, fp32_pipeline) -> Path:
    return _optimize(tmp_path_factory, fp32_pipeline, "onnx-int8-dynamic", quantize="int8-dynamic")


@pytest.fixture(scope="session")
def texts():
    return [NOTE, "No fever .", NOTE + " " + NOTE + " " + NOTE, "Mother had cancer ."]


def token_vectors(nlp, docs):
    """What ner reads: one row per spaCy token of all docs (pooled over word pieces and windows)."""
    import numpy

    out = nlp.get_pipe("ner").model.get_ref("tok2vec").predict(docs)
    return numpy.vstack(out) if isinstance(out, list) else numpy.asarray(out)
