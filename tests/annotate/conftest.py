"""Fixtures of the annotate tests: rule pipelines with the stand-in clinical components."""
import pytest

from .stand_ins import register_extensions, remove_extensions, rule_pipeline


@pytest.fixture
def rule_nlp():
    return rule_pipeline()


@pytest.fixture
def clinical_extensions():
    """Simulates the assertion/translation components' extensions; removed after the test."""
    register_extensions()
    yield
    remove_extensions()


@pytest.fixture
def clinical_nlp(clinical_extensions):
    nlp = rule_pipeline()
    nlp.add_pipe("medllm_test_assertion")
    return nlp


@pytest.fixture
def clinical_model(tmp_path, clinical_nlp):
    path = tmp_path / "clinical-model"
    clinical_nlp.to_disk(path)
    return path
