"""The ONNX encoder against the torch encoder it was exported from (tiny random BERT).

Tolerances: fp32 ONNX within 1e-4 absolute of torch on every token vector (float32
arithmetic reordered by fusions); int8 (block-wise and dynamic) within cosine >= 0.98 per
token (on a 32-wide random model; the real pipeline's agreement is measured in
benchmarks/speed.py).
"""
import numpy
import pytest
import spacy
from spacy.tokens import Doc

from .conftest import NOTE, token_vectors


def _cosines(a, b):
    a, b = numpy.asarray(a), numpy.asarray(b)
    return (a * b).sum(1) / (numpy.linalg.norm(a, axis=1) * numpy.linalg.norm(b, axis=1) + 1e-12)


def test_optimized_config_and_no_torch_weights(onnx_fp32_pipeline, fp32_pipeline):
    nlp = spacy.load(onnx_fp32_pipeline)
    block = nlp.config["components"]["transformer"]["model"]
    assert block["@architectures"] == "spacy_medllm.OnnxTransformerModel.v1"
    assert block["pad_multiple"] == 0  # ONNX Runtime's fused attention gains nothing from padding
    model = nlp.get_pipe("transformer").model
    assert model.transformer is None and model.shim.ready and model.shim.pad_multiple == 0
    assert model.get_dim("nO") == spacy.load(fp32_pipeline).get_pipe("transformer").model.get_dim("nO")
    assert any(r.startswith("onnxruntime") for r in nlp.meta["requirements"])


def test_fp32_onnx_matches_torch(fp32_pipeline, onnx_fp32_pipeline, texts):
    ref, fast = spacy.load(fp32_pipeline), spacy.load(onnx_fp32_pipeline)
    ref_docs, fast_docs = list(ref.pipe(texts)), list(fast.pipe(texts))
    numpy.testing.assert_allclose(token_vectors(ref, ref_docs), token_vectors(fast, fast_docs), atol=1e-4)
    for a, b in zip(ref_docs, fast_docs):
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
        assert a.cats.keys() == b.cats.keys()
        for k in a.cats:
            assert abs(a.cats[k] - b.cats[k]) < 1e-4


def test_trf_data_has_the_torch_shapes(fp32_pipeline, onnx_fp32_pipeline, texts):
    ref, fast = spacy.load(fp32_pipeline), spacy.load(onnx_fp32_pipeline)
    for a, b in zip(ref.pipe(texts), fast.pipe(texts)):
        ta, tb = a._.trf_data, b._.trf_data
        assert list(ta.model_output.keys()) == list(tb.model_output.keys())
        for key in ta.model_output:
            assert ta.model_output[key].shape == tb.model_output[key].shape
        numpy.testing.assert_array_equal(ta.wordpieces.input_ids, tb.wordpieces.input_ids)
        numpy.testing.assert_array_equal(ta.align.lengths, tb.align.lengths)


@pytest.mark.parametrize("variant,op", [("int8_pipeline", b"MatMulNBits"), ("int8_dynamic_pipeline", b"MatMulInteger")])
def test_int8_close_to_torch(request, fp32_pipeline, texts, variant, op):
    path = request.getfixturevalue(variant)
    ref, fast = spacy.load(fp32_pipeline), spacy.load(path)
    shim = fast.get_pipe("transformer").model.shim
    assert shim.meta["quantize"] == {"int8_pipeline": "int8", "int8_dynamic_pipeline": "int8-dynamic"}[variant]
    # int8 really changed the graph (else the closeness below proves nothing about int8)
    assert op in shim.onnx_bytes
    a, b = token_vectors(ref, list(ref.pipe(texts))), token_vectors(fast, list(fast.pipe(texts)))
    assert a.shape == b.shape and a.shape[0] == sum(len(d) for d in ref.pipe(texts))
    assert _cosines(a, b).min() >= 0.98
    assert numpy.abs(a - b).max() > 1e-6  # not silently the fp32 graph


def test_bucketing_does_not_change_outputs(onnx_fp32_pipeline, texts):
    bucketed = spacy.load(onnx_fp32_pipeline)
    plain = spacy.load(onnx_fp32_pipeline, config={"components": {"transformer": {"model": {"sort_windows": False, "batch_windows": 0}}}})
    assert plain.get_pipe("transformer").model.shim.sort_windows is False
    long_texts = texts + [" ".join([NOTE] * 6)]
    a = token_vectors(bucketed, list(bucketed.pipe(long_texts)))
    b = token_vectors(plain, list(plain.pipe(long_texts)))
    numpy.testing.assert_allclose(a, b, atol=1e-4)


def test_empty_and_20000_word_docs(fp32_pipeline, int8_pipeline):
    ref, fast = spacy.load(fp32_pipeline), spacy.load(int8_pipeline)
    # The transformer and ner take an empty doc; spaCy's TextCatReduce with reduce_max does
    # not (fp32 or not), so the optimized pipeline must fail exactly where fp32 fails.
    with fast.select_pipes(disable=["textcat"]):
        empty = fast("")
        assert len(empty) == 0 and len(empty.ents) == 0
        docs = list(fast.pipe(["", NOTE, ""]))
        assert [len(d) for d in docs][0] == 0 and len(docs[1]) > 0
    errors = []
    for nlp in (ref, fast):
        try:
            nlp("")
            errors.append(None)
        except ValueError as err:
            errors.append(str(err))
    assert errors[0] == errors[1]
    words = (NOTE.split() * 1000)[:20000]
    long_fast = fast(Doc(fast.vocab, words=words))
    long_ref = ref(Doc(ref.vocab, words=words))
    assert len(long_fast) == 20000
    vec_fast = token_vectors(fast, [long_fast])
    vec_ref = token_vectors(ref, [long_ref])
    assert vec_fast.shape == (20000, vec_ref.shape[1])
    assert _cosines(vec_ref, vec_fast).mean() >= 0.99


def test_window_and_stride_override(tmp_path, fp32_pipeline):
    from spacy_medllm.optimize.pipeline import OptimizeError, OptimizeOptions, optimize_pipeline

    out = tmp_path / "w"
    optimize_pipeline(str(fp32_pipeline), out, OptimizeOptions(quantize="none", window=64, stride=64))
    spans = spacy.load(out).config["components"]["transformer"]["model"]["get_spans"]
    assert (spans["window"], spans["stride"]) == (64, 64)
    with pytest.raises(OptimizeError, match="stride"):
        optimize_pipeline(str(fp32_pipeline), tmp_path / "bad", OptimizeOptions(window=64, stride=100))
    assert not (tmp_path / "bad").exists()
