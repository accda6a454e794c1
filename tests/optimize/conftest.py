"""Optimized copies of the tiny fp32 pipeline (``fp32_pipeline`` and ``int8_pipeline`` are in
tests/conftest.py, shared with the Spark tests). Random weights are enough: agreement is about
the encoder swap."""
from pathlib import Path

import pytest

from ..util import optimized_copy

NOTE = (
    "Patient presents with chest pain and fever . No cough . Denies nausea . History of heart disease "
    "in the mother . Start aspirin 81 mg daily . Possible lung cancer , rule out tumour ."
)


@pytest.fixture(scope="session")
def onnx_fp32_pipeline(tmp_path_factory, fp32_pipeline) -> Path:
    return optimized_copy(tmp_path_factory, fp32_pipeline, "onnx-fp32", quantize="none")


@pytest.fixture(scope="session")
def int8_dynamic_pipeline(tmp_path_factory, fp32_pipeline) -> Path:
    return optimized_copy(tmp_path_factory, fp32_pipeline, "onnx-int8-dynamic", quantize="int8-dynamic")


@pytest.fixture(scope="session")
def texts():
    return [NOTE, "No fever .", NOTE + " " + NOTE + " " + NOTE, "Mother had cancer ."]


def token_vectors(nlp, docs):
    """What ner reads: one row per spaCy token of all docs (pooled over word pieces and windows)."""
    import numpy

    out = nlp.get_pipe("ner").model.get_ref("tok2vec").predict(docs)
    return numpy.vstack(out) if isinstance(out, list) else numpy.asarray(out)
