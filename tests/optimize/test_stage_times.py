"""benchmarks/speed.py's stage timer (`--components-only`): where a pipeline's time goes, with the
encoder's calls counted inside the transformer, for the torch pipeline and an optimized one."""
import spacy

from benchmarks.speed import component_times, report, summarize_stages
from .conftest import NOTE


def _check(nlp, texts):
    times = component_times(nlp, texts, batch_size=2)
    assert list(times["stages"]) == ["tokenizer"] + nlp.pipe_names
    assert times["words"] == sum(len(nlp.make_doc(t)) for t in texts)
    assert times["encoder_calls"] >= 1  # the wrapper saw the encoder run
    assert 0 < times["encoder"] < times["stages"]["transformer"]  # inside the component, not all of it
    assert abs(times["total"] - sum(times["stages"].values())) < 1e-9
    return times


def test_stage_times_count_the_torch_encoder_and_the_optimized_one(fp32_pipeline, onnx_fp32_pipeline):
    texts = [NOTE, "No fever .", " ".join([NOTE] * 8), "Mother had cancer ."]
    for path in (fp32_pipeline, onnx_fp32_pipeline):
        nlp = spacy.load(path)
        _check(nlp, texts)
        docs = list(nlp.pipe(texts))  # the wrapped encoder still gives the same annotations
        assert [d.cats for d in docs] == [d.cats for d in spacy.load(path).pipe(texts)]


def test_stage_summary_takes_medians_and_the_ceiling_is_fp32_total_over_a_variant_encoder():
    def run(tok, trf, enc):
        return {"stages": {"tokenizer": tok, "transformer": trf}, "encoder": enc, "total": tok + trf, "words": 100}

    runs = {"fp32": [run(1.0, 9.0, 8.0), run(1.0, 99.0, 98.0), run(1.0, 8.0, 7.0)],
            "fast": [run(1.0, 2.0, 1.5), run(0.5, 3.0, 2.5), run(9.0, 1.5, 1.0)]}
    summary = summarize_stages(runs, notes=2)  # each column's own median over the rounds
    fp32, fast = summary["fp32"], summary["fast"]
    assert fp32["stages"] == {"tokenizer": 1.0, "transformer": 9.0} and fp32["total"] == 10.0 and fp32["encoder"] == 8.0
    assert fast["stages"] == {"tokenizer": 1.0, "transformer": 2.0} and fast["total"] == 3.5 and fast["encoder"] == 1.5
    assert fast["x_fp32"] == 10.0 / 3.5 and fast["encoder_x_fp32_encoder"] == 8.0 / 1.5
    assert fast["ceiling_x_fp32"] == 10.0 / 1.5  # were everything but the encoder free
    assert fp32["x_fp32"] == 1.0 and fp32["ceiling_x_fp32"] == 10.0 / 8.0
    assert "| fast | 1.00 | 2.00 | 1.50 | 3.50 | 2.86 | 5.33 | 6.67 |" in report({"components": summary})
