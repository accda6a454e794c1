"""`medllm assertion-train-head` on a pipeline without an assertion head: one is added on its frozen encoder."""
import numpy
import spacy

from spacy_medllm.assertion.head_training import train_assertion_head

TEXT = "No chest pain or fever. She started aspirin for headache after a normal ECG."


def test_head_added_to_a_pipeline_without_one_leaves_the_encoder_and_other_pipes_alone(fp32_pipeline, sample_corpus, tmp_path):
    before = spacy.load(fp32_pipeline)
    assert "medllm_assertion" not in before.pipe_names
    doc_before = before(TEXT)
    best = train_assertion_head(fp32_pipeline, sample_corpus / "train.spacy", sample_corpus / "dev.spacy",
                                tmp_path / "out", epochs=2, batch_size=8)
    assert 0.0 <= best <= 1.0
    nlp = spacy.load(tmp_path / "out" / "model-last")
    assert nlp.pipe_names == before.pipe_names + ["medllm_assertion"]
    head = nlp.get_pipe("medllm_assertion")
    assert nlp.config["components"]["medllm_assertion"]["model"]["tok2vec"]["grad_factor"] == 0.0
    doc = nlp(TEXT)
    # the shared encoder is frozen: its output, the entities and the classes are what they were
    numpy.testing.assert_allclose(doc._.trf_data.tensors[0], doc_before._.trf_data.tensors[0], atol=1e-6)
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(e.start, e.end, e.label_) for e in doc_before.ents]
    assert doc.cats == doc_before.cats
    given = nlp.make_doc(TEXT)
    given.ents = [given.char_span(3, 13, label="PROBLEM"), given.char_span(17, 22, label="PROBLEM")]
    given = head(nlp.get_pipe("transformer")(given))
    assert [e._.assertion in head.labels for e in given.ents] == [True, True]
