"""The bf16 encoder (`medllm optimize --quantize bf16`) against the fp32 torch encoder (tiny random BERT).

Tolerance: cosine >= 0.99 per token vector (bf16 keeps 8 bits of mantissa in the matrix
products; softmax, layer norms and outputs stay fp32 under autocast). The real pipeline's
agreement is measured in benchmarks/speed.py. The CPU check is patched where a test needs one
answer: CI machines may or may not have native bf16.
"""
import logging
import shutil
import subprocess
import sys
from unittest import mock

import numpy
import pytest
import spacy
from spacy.tokens import Doc

from ..util import optimized_copy
from .conftest import NOTE, token_vectors

SUPPORTED = "spacy_medllm.optimize.bf16.bf16_supported"


def _cosines(a, b):
    return (a * b).sum(1) / (numpy.linalg.norm(a, axis=1) * numpy.linalg.norm(b, axis=1) + 1e-12)


@pytest.fixture(scope="module")
def bf16_pipeline(tmp_path_factory, fp32_pipeline):
    with mock.patch(SUPPORTED, return_value=True):
        return optimized_copy(tmp_path_factory, fp32_pipeline, "bf16", quantize="bf16")


def load(path, supported=True, **model):
    with mock.patch(SUPPORTED, return_value=supported):
        return spacy.load(path, config={"components": {"transformer": {"model": model}}} if model else {})


def test_bf16_config_needs_no_onnxruntime(bf16_pipeline):
    nlp = load(bf16_pipeline)
    block = nlp.config["components"]["transformer"]["model"]
    assert block["@architectures"] == "spacy_medllm.Bf16TransformerModel.v1" and block["fp32_fallback"] is False
    assert block["batch_windows"] == 16  # the bf16 default: lower peak memory than 32
    assert block["pad_multiple"] == 16  # the bf16 default: torch's attention kernel is faster on such lengths
    assert not any(r.startswith("onnxruntime") for r in nlp.meta["requirements"])
    model = nlp.get_pipe("transformer").model
    assert model.transformer is None and model.shim.ready and model.shim.meta["quantize"] == "bf16"


def test_bf16_close_to_fp32_and_really_bf16(fp32_pipeline, bf16_pipeline, texts):
    ref, fast = spacy.load(fp32_pipeline), load(bf16_pipeline)
    a, b = token_vectors(ref, list(ref.pipe(texts))), token_vectors(fast, list(fast.pipe(texts)))
    assert a.shape == b.shape
    assert _cosines(a, b).min() >= 0.99
    assert numpy.abs(a - b).max() > 1e-5  # bf16 products, not the fp32 path


def test_bf16_round_trips_bytes_and_disk(bf16_pipeline, tmp_path, texts):
    nlp = load(bf16_pipeline)
    want = token_vectors(nlp, list(nlp.pipe(texts)))
    with mock.patch(SUPPORTED, return_value=True):
        other = spacy.load(bf16_pipeline).from_bytes(nlp.to_bytes())
        nlp.to_disk(tmp_path / "again")
        again = spacy.load(tmp_path / "again")
    for copy in (other, again):
        numpy.testing.assert_array_equal(token_vectors(copy, list(copy.pipe(texts))), want)


def test_padding_to_a_multiple_feeds_padded_lengths_and_keeps_the_answers(bf16_pipeline, texts):
    padded, exact = load(bf16_pipeline), load(bf16_pipeline, pad_multiple=0)
    shims = [nlp.get_pipe("transformer").model.shim for nlp in (padded, exact)]
    assert [shim.pad_multiple for shim in shims] == [16, 0]
    lengths = {16: [], 0: []}
    for shim in shims:
        encode = shim.encode
        shim.encode = lambda feeds, _e=encode, _s=shim: lengths[_s.pad_multiple].append(feeds["input_ids"].shape[1]) or _e(feeds)
    long_texts = texts + [" ".join([NOTE] * 6)]
    a = token_vectors(padded, list(padded.pipe(long_texts)))
    b = token_vectors(exact, list(exact.pipe(long_texts)))
    assert lengths[16] and all(n % 16 == 0 for n in lengths[16])
    assert a.shape == b.shape
    assert _cosines(a, b).min() >= 0.999  # masked padding: only the kernels' summation order differs


def test_a_config_without_pad_multiple_is_not_padded(bf16_pipeline, tmp_path):
    """Pipelines optimized before the setting existed load as they were written: unpadded."""
    from spacy.util import load_config

    config = load_config(bf16_pipeline / "config.cfg", interpolate=False)
    del config["components"]["transformer"]["model"]["pad_multiple"]
    copy = tmp_path / "old"
    shutil.copytree(bf16_pipeline, copy)
    config.to_disk(copy / "config.cfg")
    assert load(copy).get_pipe("transformer").model.shim.pad_multiple == 0


def test_negative_pad_multiple_is_refused(tmp_path, fp32_pipeline):
    from spacy_medllm.optimize.bf16 import Bf16Shim
    from spacy_medllm.optimize.pipeline import OptimizeError, OptimizeOptions, optimize_pipeline

    with pytest.raises(ValueError, match="pad_multiple must be 0"):
        Bf16Shim(pad_multiple=-1)
    with mock.patch(SUPPORTED, return_value=True), pytest.raises(OptimizeError, match="--pad-multiple"):
        optimize_pipeline(str(fp32_pipeline), tmp_path / "out", OptimizeOptions(quantize="bf16", pad_multiple=-16))
    assert not (tmp_path / "out").exists()


def test_cpu_without_bf16_fails_at_load_unless_fp32_fallback(fp32_pipeline, bf16_pipeline, texts, caplog):
    from spacy_medllm.optimize.runtime import FastPathUnavailable

    with pytest.raises(FastPathUnavailable, match="no native bf16.*--quantize int8.*fp32_fallback"):
        load(bf16_pipeline, supported=False)
    with caplog.at_level(logging.WARNING, logger="spacy_medllm"):
        nlp = load(bf16_pipeline, supported=False, fp32_fallback=True)
    assert "running the encoder in fp32" in caplog.text
    ref = spacy.load(fp32_pipeline)
    numpy.testing.assert_allclose(token_vectors(nlp, list(nlp.pipe(texts))),
                                  token_vectors(ref, list(ref.pipe(texts))), atol=1e-4)


def test_auto_picks_bf16_only_where_the_cpu_has_it(tmp_path, fp32_pipeline):
    from spacy_medllm.optimize.pipeline import OptimizeOptions, optimize_pipeline

    for supported, arch in ((True, "spacy_medllm.Bf16TransformerModel.v1"), (False, "spacy_medllm.OnnxTransformerModel.v1")):
        out = tmp_path / str(supported)
        with mock.patch("spacy_medllm.optimize.pipeline.bf16_supported", return_value=supported), \
                mock.patch(SUPPORTED, return_value=supported):
            optimize_pipeline(str(fp32_pipeline), out, OptimizeOptions())
            assert spacy.load(out).config["components"]["transformer"]["model"]["@architectures"] == arch


def test_empty_and_20000_word_docs(bf16_pipeline):
    fast = load(bf16_pipeline)
    with fast.select_pipes(disable=["textcat"]):
        assert len(fast("")) == 0
        words = (NOTE.split() * 1000)[:20000]
        doc = fast(Doc(fast.vocab, words=words))
    assert len(doc) == 20000
    assert token_vectors(fast, [doc]).shape[0] == 20000


def test_loads_in_a_new_process(bf16_pipeline):
    script = (f"import spacy; from unittest import mock\n"
              f"with mock.patch({SUPPORTED!r}, return_value=True):\n"
              f"    nlp = spacy.load({str(bf16_pipeline)!r})\n"
              f"doc = nlp('Patient denies fever .'); m = nlp.get_pipe('transformer').model\n"
              f"print(m.__class__.__name__, doc._.trf_data.model_output['last_hidden_state'].shape[-1])")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["Bf16TransformerModel", "32"]


@pytest.fixture(scope="module")
def compiled_pipeline(tmp_path_factory, fp32_pipeline):
    with mock.patch(SUPPORTED, return_value=True):
        return optimized_copy(tmp_path_factory, fp32_pipeline, "bf16-compile", quantize="bf16", compile=True)


def test_compiled_bf16_is_compiled_and_gives_the_uncompiled_answers(bf16_pipeline, compiled_pipeline, texts):
    nlp = load(compiled_pipeline)
    assert nlp.config["components"]["transformer"]["model"]["compile"] is True
    shim = nlp.get_pipe("transformer").model.shim
    assert shim._run is not shim._model  # the compiled module runs, not the eager one
    plain = load(bf16_pipeline)
    a, b = token_vectors(plain, list(plain.pipe(texts))), token_vectors(nlp, list(nlp.pipe(texts)))
    assert a.shape == b.shape
    assert _cosines(a, b).min() >= 0.999  # same bf16 products; fused kernels round a little differently
    # shapes never seen at load (other batch sizes and lengths) run without a new failure mode
    one = nlp("No fever .")
    assert one._.trf_data.model_output["last_hidden_state"].shape[-1] == 32


def test_compile_failure_names_the_setting_at_load(compiled_pipeline):
    from spacy_medllm.optimize.runtime import FastPathUnavailable

    def broken(*args, **kwargs):
        def run(*a, **k):
            raise RuntimeError("InvalidCxxCompiler: no working C++ compiler found")
        return run

    with mock.patch("torch.compile", broken), \
            pytest.raises(FastPathUnavailable, match=r"C\+\+ compiler.*compile = false") as err:
        load(compiled_pipeline)
    assert "RuntimeError" in str(err.value)
    nlp = load(compiled_pipeline, compile=False)  # the way out the message names
    assert nlp.get_pipe("transformer").model.shim._run is nlp.get_pipe("transformer").model.shim._model


def test_compile_is_refused_for_onnx_encoders(tmp_path, fp32_pipeline):
    from spacy_medllm.optimize.pipeline import OptimizeError, OptimizeOptions, optimize_pipeline

    with pytest.raises(OptimizeError, match="--compile is for the bf16 encoder"):
        optimize_pipeline(str(fp32_pipeline), tmp_path / "out", OptimizeOptions(quantize="int8", compile=True))
    assert not (tmp_path / "out").exists()
