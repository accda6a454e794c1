"""One local[2] SparkSession for every Spark test (start-up costs seconds), and tiny saved pipelines.

The workers import tests/annotate/stand_ins.py (`code=`) for the stand-in components, as a user
ships custom components with `--code`.
"""
import pytest

from tests.annotate.stand_ins import STAND_INS, remove_extensions, rule_pipeline

pytest.importorskip("pyspark")
SUPPORT = str(STAND_INS)


@pytest.fixture(scope="session")
def spark():
    from spacy_medllm.spark.session import find_java, get_session

    if find_java() is None:
        pytest.skip("no Java runtime: the Spark tests need one (see docs/spark.md)")
    session = get_session("local[2]", {"spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "2"},
                          app_name="medllm-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def clinical_model_dir(tmp_path_factory):
    """Rules + the stand-in assertion/cats/translation component + a component that raises on 'EXPLODE'."""
    nlp = rule_pipeline()
    nlp.add_pipe("medllm_test_assertion")
    nlp.add_pipe("medllm_test_fail")
    path = tmp_path_factory.mktemp("spark-clinical") / "model"
    nlp.to_disk(path)
    remove_extensions()
    return path


@pytest.fixture(scope="session")
def tiny_translator_dir(tmp_path_factory):
    """Rules + medllm_translator on a 1-layer, 16-wide random Marian (as tests/test_translation.py builds one)."""
    import torch

    from spacy_medllm.translation.training import build_model, train_tokenizer

    lines = ["The patient denies chest pain.", "Le patient nie une douleur thoracique.", "No fever, no cough.",
             "Pas de fièvre, pas de toux."]
    marian = tmp_path_factory.mktemp("spark-marian")
    tokenizer = train_tokenizer(lines * 3, vocab_size=120)
    torch.manual_seed(0)
    model = build_model(tokenizer, d_model=16, layers=1, heads=2, ffn=32, dropout=0.0)
    model.config.max_position_embeddings = 64
    model.save_pretrained(marian)
    tokenizer.save_pretrained(marian)
    nlp = rule_pipeline()
    nlp.add_pipe("medllm_translator", config={"model_name": str(marian), "max_length": 10})
    path = tmp_path_factory.mktemp("spark-translator") / "model"
    nlp.to_disk(path)
    return path
