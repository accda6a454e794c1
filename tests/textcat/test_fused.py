"""spacy_medllm.TextCatFused.v1/v2: sparse n-grams + whole-note transformer pooling + label co-occurrence."""
import numpy as np
import pytest
import spacy

from .util import LABELS, TEXTS, build_pipeline, examples

FILLER = "the patient presents with chest pain and fever history of heart disease".split()


def long_note(ending: str, n_filler: int = 700) -> str:
    """Identical long notes (far beyond 512 word pieces) that differ in their last words only."""
    return " ".join(FILLER[i % len(FILLER)] for i in range(n_filler)) + f" . assessment : {ending} ."


ARCHITECTURES = ["spacy_medllm.TextCatFused.v1", "spacy_medllm.TextCatFused.v2"]


@pytest.fixture(params=ARCHITECTURES)
def fused_nlp(tiny_encoder, request):
    nlp = build_pipeline(tiny_encoder, ["textcat_multilabel_fused"],
                         architectures={"textcat_multilabel": request.param})
    gold = [{"cardio"}, {"neuro"}, {"onco"}, {"cardio", "onco"}]
    egs = examples(nlp, gold)
    optimizer = nlp.initialize(lambda: egs)
    return nlp, egs, optimizer


def test_fused_forward_and_backward_train_every_part(fused_nlp):
    nlp, egs, optimizer = fused_nlp
    model = nlp.get_pipe("textcat_multilabel").model
    parts = {
        "sparse": model.get_ref("sparse").get_ref("output_layer"),
        "dense": model.get_ref("dense_out").layers[0],
        "cooccurrence": model.get_ref("cooccurrence"),
    }
    before = {k: {p: layer.get_param(p).copy() for p in layer.param_names} for k, layer in parts.items()}
    assert not before["cooccurrence"]["C"].any()  # starts as the identity
    scores = model.predict([eg.predicted for eg in egs])
    assert scores.shape == (len(egs), len(LABELS)) and ((scores > 0) & (scores < 1)).all()
    optimizer.learn_rate = 0.01
    first = None
    for _ in range(25):
        losses = nlp.update(egs, sgd=optimizer, drop=0.0)
        first = first if first is not None else losses["textcat_multilabel"]
    assert losses["textcat_multilabel"] < first / 2
    for k, layer in parts.items():
        assert any(not np.allclose(layer.get_param(p), before[k][p]) for p in layer.param_names), k
    assert nlp.evaluate(egs)["cats_micro_f"] == pytest.approx(1.0)


def test_whole_note_pooling_sees_the_end_of_a_long_note(fused_nlp):
    nlp, _, _ = fused_nlp
    a, b = nlp(long_note("cancer tumour")), nlp(long_note("headache mri"))
    assert a._.trf_data.wordpieces.input_ids.size > 512
    dense = nlp.get_pipe("textcat_multilabel").model.get_ref("dense")
    # The transformer branch alone (not the n-grams) tells the two endings apart...
    out = dense.predict([a, b])
    assert np.abs(out[0] - out[1]).max() > 1e-6
    # ...and gives the same result for the same note.
    again = dense.predict([nlp(long_note("cancer tumour"))])
    assert again[0] == pytest.approx(out[0], abs=1e-6)
    assert list(a.cats.values()) != pytest.approx(list(b.cats.values()))


def test_fused_pipeline_save_load(fused_nlp, tmp_path):
    nlp, _, _ = fused_nlp
    before = [list(d.cats.values()) for d in nlp.pipe(TEXTS[:4])]
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    after = [list(d.cats.values()) for d in loaded.pipe(TEXTS[:4])]
    assert np.allclose(before, after, atol=1e-6)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_exclusive_fused(tiny_encoder, architecture):
    nlp = build_pipeline(tiny_encoder, ["textcat_fused"], architectures={"textcat": architecture})
    nlp.initialize(lambda: examples(nlp, [{lab} for lab in LABELS]))
    cats = np.array([list(d.cats.values()) for d in nlp.pipe(TEXTS)])
    assert cats.sum(axis=1) == pytest.approx(np.ones(len(TEXTS)))
    from spacy_medllm.textcat.fused import build_fused_textcat, build_fused_textcat_v2
    from thinc.api import noop

    for build in (build_fused_textcat, build_fused_textcat_v2):
        with pytest.raises(ValueError, match="exclusive"):
            build(noop(), exclusive_classes=True, label_cooccurrence_layer=True)


def test_v2_sparse_part_reads_headings_and_the_opening(tiny_encoder):
    """Two notes with the same words, one with them as a heading: only v2's sparse part tells them apart."""
    nlp = build_pipeline(tiny_encoder, ["textcat_multilabel_fused"],
                         architectures={"textcat_multilabel": "spacy_medllm.TextCatFused.v2"})
    egs = examples(nlp, [{lab} for lab in LABELS])
    nlp.initialize(lambda: egs)
    sparse = nlp.get_pipe("textcat_multilabel").model.get_ref("sparse")
    linear = sparse.get_ref("output_layer")
    linear.set_param("W", np.random.default_rng(0).normal(size=linear.get_param("W").shape).astype("f"))
    a, b = nlp.make_doc("chest pain : fever"), nlp.make_doc("CHEST PAIN: fever")
    out = sparse.predict([a, b])
    assert np.abs(out[0] - out[1]).max() > 1e-4
