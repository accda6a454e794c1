"""medllm_hf_textcat: a pretrained sequence-classification checkpoint as a pipeline component."""
import shutil
import subprocess
import sys

import numpy as np
import pytest
import spacy
from spacy.training import Example

from .util import LABELS, hf_nlp, long_note


def cats(nlp, texts):
    return [dict(doc.cats) for doc in nlp.pipe(texts)]


def test_labels_from_checkpoint_and_remapped(tiny_classifier):
    nlp = hf_nlp(tiny_classifier)
    doc = nlp("patient presents chest pain")
    assert list(doc.cats) == LABELS
    assert sum(doc.cats.values()) == pytest.approx(1.0, abs=1e-5)  # single-label: softmax
    remapped = hf_nlp(tiny_classifier, label_map={"cardio": "Cardiology"})
    assert list(remapped("patient presents chest pain").cats) == ["Cardiology", "neuro", "onco"]
    assert remapped("patient presents chest pain").cats["Cardiology"] == pytest.approx(doc.cats["cardio"])


def test_unknown_label_in_label_map_is_an_error(tiny_classifier):
    nlp = hf_nlp(tiny_classifier, label_map={"derm": "Dermatology"})
    with pytest.raises(ValueError, match="derm"):
        nlp.initialize()


def test_adding_the_pipe_loads_nothing(tmp_path):
    """spaCy's component linking probes `model` with hasattr, in an order that changes with the
    hash seed: reading `model` must never load, or add_pipe fails on a bad checkpoint."""
    from spacy import ty

    nlp = hf_nlp(tmp_path / "nowhere")
    pipe = nlp.get_pipe("medllm_hf_textcat")
    assert pipe.model is None
    assert not isinstance(pipe, ty.ListenedToComponent)
    assert pipe.model is None


def test_missing_checkpoint_names_the_path_and_stays_offline(tmp_path):
    nlp = hf_nlp(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="nowhere.*local_files_only=True"):
        nlp("chest pain")


def test_long_note_is_read_to_its_end(tiny_classifier):
    """Two notes share their first ~700 words and differ only at the end: windows see the end."""
    import torch

    nlp = hf_nlp(tiny_classifier)
    pipe = nlp.get_pipe("medllm_hf_textcat")
    a, b = long_note("cancer tumour"), long_note("fever cough")
    # What a truncating classifier would see: the same first window for both notes.
    first = pipe.tokenizer([a, b], truncation=True, max_length=32)["input_ids"]
    assert first[0] == first[1]
    n_windows = len(pipe.tokenizer(a, truncation=True, max_length=32, stride=8, return_overflowing_tokens=True)["input_ids"])
    assert n_windows > 20
    with torch.no_grad():
        enc = pipe.tokenizer([a, b], truncation=True, max_length=32, return_tensors="pt")
        truncated = pipe.model(**enc).logits
    assert torch.allclose(truncated[0], truncated[1])
    ca, cb = cats(nlp, [a, b])
    log_a, log_b = np.log(list(ca.values())), np.log(list(cb.values()))
    assert np.abs(log_a - log_b).max() > 1e-3


def test_batched_equals_one_by_one(tiny_classifier):
    nlp = hf_nlp(tiny_classifier, batch_size=3)
    texts = ["chest pain", long_note("cancer", 120), "fever and cough", long_note("mri", 60)]
    batched = cats(nlp, texts)
    single = [dict(nlp(t).cats) for t in texts]
    for x, y in zip(batched, single):
        assert list(x.values()) == pytest.approx(list(y.values()), abs=1e-5)


def test_max_aggregate_differs_from_mean(tiny_classifier):
    text = long_note("cancer", 200)
    mean = hf_nlp(tiny_classifier)(text).cats
    top = hf_nlp(tiny_classifier, aggregate="max")(text).cats
    assert not np.allclose(list(mean.values()), list(top.values()))
    with pytest.raises(ValueError, match="aggregate"):
        hf_nlp(tiny_classifier, aggregate="median")


def test_multi_label_sigmoid_and_threshold_in_score(tiny_classifier):
    nlp = hf_nlp(tiny_classifier, multi_label=True, threshold=0.5)
    doc = nlp("chest pain and fever")
    probs = list(doc.cats.values())
    assert all(0 < p < 1 for p in probs) and sum(probs) != pytest.approx(1.0)
    # Gold: the labels scored above a cut between the lowest and the middle score.
    low, mid, _ = sorted(probs)
    cut = (low + mid) / 2
    gold = {lab: float(p > cut) for lab, p in doc.cats.items()}
    eg = Example.from_dict(nlp.make_doc(doc.text), {"cats": gold})
    eg.predicted.cats = dict(doc.cats)
    pipe = nlp.get_pipe("medllm_hf_textcat")
    at_cut = pipe.score([eg], threshold=cut)
    above_all = pipe.score([eg], threshold=max(probs) + 1e-3)
    assert at_cut["cats_micro_f"] == pytest.approx(1.0)
    assert above_all["cats_micro_f"] == pytest.approx(0.0)
    assert nlp.evaluate([eg])["cats_score"] is not None


def test_initialize_checks_gold_labels(tiny_classifier):
    nlp = hf_nlp(tiny_classifier)
    good = [Example.from_dict(nlp.make_doc("chest pain"), {"cats": {"cardio": 1.0, "neuro": 0.0, "onco": 0.0}})]
    nlp.initialize(lambda: good)
    bad = [Example.from_dict(nlp.make_doc("rash"), {"cats": {"derm": 1.0}})]
    with pytest.raises(ValueError, match="derm.*label_map"):
        nlp.initialize(lambda: bad)


def test_save_load_without_the_original_checkpoint(classifier_copy, tmp_path):
    nlp = hf_nlp(classifier_copy, label_map={"onco": "Oncology"})
    texts = ["chest pain", long_note("cancer", 150)]
    before = cats(nlp, texts)
    nlp.to_disk(tmp_path / "pipeline")
    shutil.rmtree(classifier_copy)
    loaded = spacy.load(tmp_path / "pipeline")
    after = cats(loaded, texts)
    assert [list(c) for c in after] == [list(c) for c in before]
    for x, y in zip(before, after):
        assert list(x.values()) == pytest.approx(list(y.values()), abs=1e-6)
    # A fresh process that never imports spacy_medllm finds the factory by its entry point.
    code = (
        "import sys, json, spacy; nlp = spacy.load(sys.argv[1]); "
        "print(json.dumps(nlp('chest pain').cats))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pipeline")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    assert json.loads(out.stdout.strip().splitlines()[-1]) == pytest.approx(before[0], abs=1e-6)


def test_to_bytes_from_bytes(tiny_classifier):
    nlp = hf_nlp(tiny_classifier, multi_label=True)
    text = long_note("fever", 90)
    before = dict(nlp(text).cats)
    data = nlp.to_bytes()
    other = spacy.blank("en")
    other.add_pipe("medllm_hf_textcat", config={"model": "not-a-real-checkpoint"})
    other.from_bytes(data)
    pipe = other.get_pipe("medllm_hf_textcat")
    assert pipe.multi_label and pipe.cfg["model"] == str(tiny_classifier)
    assert list(other(text).cats.values()) == pytest.approx(list(before.values()), abs=1e-6)
