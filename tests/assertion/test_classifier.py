"""medllm_assertion: learns from gold assertion spans, listens to the shared transformer, saves."""
import random

import pytest
import spacy
from spacy.tokens import DocBin, Span
from spacy.training import Example
from thinc.api import Adam

from spacy_medllm.assertion.scoring import score_assertion
from spacy_medllm.corpora.errors import ConversionStats
from spacy_medllm.corpora.readers import read_docs
from spacy_medllm.corpora.registry import GoldEntitiesCorpus


def examples(nlp, path, n):
    """Reference docs from the sample, with their entities given to the predicted side."""
    out = []
    for ref in list(read_docs(path, "jsonl", nlp, ConversionStats()))[:n]:
        pred = nlp.make_doc(ref.text)
        pred.ents = [pred.char_span(e.start_char, e.end_char, label=e.label_) for e in ref.ents]
        out.append(Example(pred, ref))
    return out


def predicted_scores(nlp, egs):
    return [[e._.assertion_scores for e in nlp(eg.predicted.copy()).ents] for eg in egs]


def test_learns_from_gold_spans_and_roundtrips(tmp_path, sample_dir):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_assertion")
    train = examples(nlp, sample_dir / "train.jsonl", 80)
    dev = examples(nlp, sample_dir / "dev.jsonl", 15)
    optimizer = nlp.initialize(lambda: train)
    before = nlp.evaluate(dev)["assertion_acc"]
    random.Random(0).shuffle(train)
    for _ in range(4):
        for i in range(0, len(train), 8):
            nlp.update(train[i:i + 8], sgd=optimizer)
    scores = nlp.evaluate(dev)
    assert scores["assertion_acc"] > max(0.7, before + 0.2)
    assert set(scores["assertion_per_type"]) >= {"present", "absent"}
    doc = nlp(dev[0].predicted.copy())
    ent = doc.ents[0]
    assert ent._.assertion in nlp.get_pipe("medllm_assertion").labels
    assert ent._.is_negated == (ent._.assertion == "absent")
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert predicted_scores(loaded, dev) == predicted_scores(nlp, dev)
    fresh = spacy.blank("en")
    fresh.add_pipe("medllm_assertion").from_bytes(nlp.get_pipe("medllm_assertion").to_bytes())
    assert predicted_scores(fresh, dev[:3]) == predicted_scores(nlp, dev[:3])


def test_unknown_gold_label_is_an_error(sample_dir):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_assertion", config={"labels": ["present", "absent"]})
    train = examples(nlp, sample_dir / "train.jsonl", 5)
    with pytest.raises(ValueError, match=r"'historical'.*not in the label set"):
        nlp.initialize(lambda: train)


def test_listens_to_the_shared_transformer(tmp_path, tiny_encoder, sample_dir):
    """One encoder pass feeds NER and assertion; both losses reach the transformer."""
    from spacy_medllm.compose import compose_config

    root = sample_dir.parent.parent / "components"
    config = compose_config([root / "transformer.cfg", root / "ner.cfg", root / "assertion.cfg"],
                            overrides={"paths.base_model": str(tiny_encoder)}).interpolate()
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    assert nlp.pipe_names == ["transformer", "ner", "medllm_assertion"]
    tok2vec = nlp.get_pipe("medllm_assertion").model.get_ref("tok2vec")
    assert any(node is listener for node in tok2vec.walk() for listener in nlp.get_pipe("transformer").listeners)
    train = examples(nlp, sample_dir / "train.jsonl", 6)
    nlp.initialize(lambda: train)
    optimizer = Adam(0.001)  # a constant rate: the config's warm-up starts at zero
    weights = next(node.shims[0]._model for node in nlp.get_pipe("transformer").model.walk() if node.shims)
    before = [p.detach().clone() for p in weights.encoder.parameters()]
    losses = {}
    for _ in range(2):
        nlp.update(train, sgd=optimizer, losses=losses)
    assert losses["medllm_assertion"] > 0 and losses["ner"] > 0
    assert any(not p.detach().equal(b) for p, b in zip(weights.encoder.parameters(), before))
    doc = nlp(train[0].reference.text)
    assert all(e._.assertion is not None for e in doc.ents)
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    texts = [eg.reference.text for eg in train[:3]]
    a = [[(e.text, e._.assertion_scores) for e in d.ents] for d in nlp.pipe(texts)]
    b = [[(e.text, e._.assertion_scores) for e in d.ents] for d in loaded.pipe(texts)]
    assert a == b


def test_scorer_per_label_and_coverage(nlp):
    from spacy_medllm.assertion.schema import register_extensions

    register_extensions()

    def pair(labels_pred, labels_gold):
        ref = nlp.make_doc("fever cough rash")
        ref.spans["assertion"] = [Span(ref, i, i + 1, label=g) for i, g in enumerate(labels_gold)]
        pred = nlp.make_doc("fever cough rash")
        pred.ents = [Span(pred, i, i + 1, label="P") for i, p in enumerate(labels_pred) if p]
        for ent, p in zip(pred.ents, [p for p in labels_pred if p]):
            ent._.assertion = p
        return Example(pred, ref)

    scores = score_assertion([pair(["absent", "present", None], ["absent", "absent", "present"])])
    assert scores["assertion_coverage"] == pytest.approx(2 / 3)
    assert scores["assertion_acc"] == pytest.approx(0.5)
    assert scores["assertion_per_type"]["absent"] == {"p": 1.0, "r": 0.5, "f": pytest.approx(2 / 3)}
    assert scores["assertion_per_type"]["present"]["p"] == 0.0


def test_gold_entities_corpus_gives_entities(tmp_path, sample_corpus):
    nlp = spacy.blank("en")
    egs = list(GoldEntitiesCorpus(sample_corpus / "dev.spacy")(nlp))
    assert egs and all(
        [(e.start_char, e.end_char) for e in eg.predicted.ents] == [(e.start_char, e.end_char) for e in eg.reference.ents]
        for eg in egs)


def test_gold_entities_corpus_gives_the_references_sentences(tmp_path):
    """A reference that is one unit stays one unit for the classifier (as a NegEx row does); one
    without sentence boundaries is left for the component's own splitter."""
    nlp = spacy.blank("en")
    one = nlp.make_doc("Denies chest pain. Reports cough.")
    for token in one:
        token.is_sent_start = token.i == 0
    one.ents = [Span(one, 1, 3, label="F"), Span(one, 5, 6, label="F")]
    plain = nlp.make_doc("Denies chest pain. Reports cough.")
    plain.ents = [Span(plain, 1, 3, label="F")]
    DocBin(docs=[one, plain]).to_disk(tmp_path / "c.spacy")
    first, second = list(GoldEntitiesCorpus(tmp_path / "c.spacy")(nlp))
    assert len(list(first.predicted.sents)) == 1
    assert not second.predicted.has_annotation("SENT_START")


def test_v2_features_say_where_the_cue_is():
    """AssertionModel.v2 pools the entity's edge tokens and the tokens right beside it, clipped to
    the context, on top of v1's entity, context, left and right means."""
    from thinc.api import Model

    from spacy_medllm.assertion.model import build_assertion_model_v2

    d_vecs = []

    def position_vectors(model, docs, is_train):
        return [model.ops.asarray2f([[float(i), -float(i)] for i in range(len(d))]) for d in docs], d_vecs.append

    model = build_assertion_model_v2(Model("positions", position_vectors), hidden_width=4, near_window=2, nO=2)
    features = model.layers[0]
    doc = spacy.blank("en")("mucosa is moist with no erythema noted today")
    # entity "moist with no" (2-5) in a context of the whole doc (0-8), and "mucosa" at the doc's start
    X, backprop = features(([doc], [[(2, 5, 0, 8), (0, 1, 0, 3)]]), is_train=True)
    means = X[:, 0::2]
    #          entity context left right first last near-left near-right
    assert means[0].tolist() == [3.0, 3.5, 0.5, 6.0, 2.0, 4.0, 0.5, 5.5]
    assert means[1].tolist() == [0.0, 1.0, 0.0, 1.5, 0.0, 0.0, 0.0, 1.5]  # nothing on the left: zeros
    assert (X[:, 1::2] == -means).all()
    features(([doc], [[(2, 5, 0, 8)]]), is_train=True)[1](model.ops.alloc2f(1, 16) + 1)
    # each non-empty segment hands back a total gradient of 1 per dimension
    assert d_vecs[0][0].sum(axis=0).tolist() == pytest.approx([8.0, 8.0])
    with pytest.raises(ValueError, match="near_window must be at least 1"):
        build_assertion_model_v2(Model("positions", position_vectors), near_window=0)
