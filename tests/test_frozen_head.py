"""fit_head: the Adam loop of the frozen heads, with and without averaged weights."""
import numpy as np
import spacy
from spacy.training import Example
from thinc.api import fix_random_seed

from spacy_medllm import frozen_head


def _textcat_and_examples():
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat")
    texts = [("chest pain and dyspnea", "cardio"), ("cough and wheeze", "pulm"), ("palpitations at rest", "cardio"),
             ("sputum and fever", "pulm")] * 4
    examples = [Example.from_dict(nlp.make_doc(t), {"cats": {"cardio": float(c == "cardio"), "pulm": float(c == "pulm")}})
                for t, c in texts]
    nlp.initialize(lambda: examples)
    return textcat, examples


def _params(model):
    return {(node.name, i, p): node.get_param(p).copy() for i, node in enumerate(model.walk())
            for p in node.param_names if node.has_param(p)}


def test_averages_score_save_and_keep_the_averaged_weights(monkeypatch):
    import thinc.api

    optimizers, real_adam = [], thinc.api.Adam

    def adam(*args, **kwargs):
        optimizers.append(real_adam(*args, **kwargs))
        return optimizers[-1]

    monkeypatch.setattr(frozen_head, "Adam", adam)
    fix_random_seed(0)
    textcat, examples = _textcat_and_examples()
    saved = []
    best, log = frozen_head.fit_head(textcat, examples, examples, score_key="cats_score", epochs=3, batch_size=4,
                                     on_best=lambda: saved.append(_params(textcat.model)), averages=True)
    averages = optimizers[-1].averages
    assert averages and len(log) == 3 and saved
    keys = 0
    for node in textcat.model.walk():
        for p in node.param_names:
            if (node.id, p) in averages:
                keys += 1
                assert np.allclose(node.get_param(p), averages[(node.id, p)])
    assert keys
    final = _params(textcat.model)

    # the same start and batches without averages end on the last step's weights, not the averages
    fix_random_seed(0)
    textcat2, examples2 = _textcat_and_examples()
    frozen_head.fit_head(textcat2, examples2, examples2, score_key="cats_score", epochs=3, batch_size=4)
    assert not optimizers[-1].averages  # no averages kept
    last = _params(textcat2.model)
    assert final.keys() == last.keys()
    assert any(not np.allclose(final[k], last[k]) for k in final)


def test_averages_with_a_custom_fit_is_refused_not_dropped(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="averages applies to the Adam loop"):
        frozen_head.train_frozen_head(tmp_path / "no-pipeline", lambda nlp: [], lambda nlp: [], tmp_path / "out",
                                      name="textcat", fragment="textcat", score_key="cats_score",
                                      fit=lambda *a, **k: (0.0, []), averages=True)
