"""The PHI head's token features: encoder vectors beside a cased word-shape tok2vec."""
import numpy
import spacy
from spacy.util import registry


def tok2vec(width, attrs):
    embed = registry.architectures.get("spacy.MultiHashEmbed.v2")(
        width=width, attrs=attrs, rows=[500] * len(attrs), include_static_vectors=False)
    encode = registry.architectures.get("spacy.MaxoutWindowEncoder.v2")(width=width, window_size=1, maxout_pieces=2, depth=1)
    return registry.architectures.get("spacy.Tok2Vec.v2")(embed, encode)


def test_concat_puts_both_vectors_side_by_side_and_trains_both():
    build = registry.architectures.get("spacy_medllm.ConcatTok2Vec.v1")
    nlp = spacy.blank("en")
    docs = [nlp("Seen by Hauta-aho in TRONDHEIM"), nlp("seen by hauta-aho in trondheim")]
    # the main part sees lower-cased words only, as the uncased encoder does; the features see shape
    model = build(tok2vec(8, ["NORM"]), tok2vec(6, ["NORM", "SHAPE"]))
    model.initialize(X=docs)
    out, backprop = model.begin_update(docs)
    assert [o.shape for o in out] == [(len(d), 14) for d in docs]
    numpy.testing.assert_allclose(out[0][:, :8], out[1][:, :8], rtol=1e-5)  # same lower-cased words
    assert not numpy.allclose(out[0][:, 8:], out[1][:, 8:])  # different shapes
    backprop([numpy.ones_like(o) for o in out])
    grads = [node.get_grad(name) for node in model.walk() for name in node.param_names if node.has_grad(name)]
    assert grads and all(numpy.isfinite(g).all() for g in grads) and any(numpy.abs(g).sum() > 0 for g in grads)
    for part in model.layers:  # the gradient reaches both parts
        assert any(numpy.abs(node.get_grad(name)).sum() > 0 for node in part.walk()
                   for name in node.param_names if node.has_grad(name))


def test_width_projects_the_joined_vectors():
    build = registry.architectures.get("spacy_medllm.ConcatTok2Vec.v1")
    nlp = spacy.blank("en")
    docs = [nlp("Seen by Hauta-aho"), nlp("")]
    model = build(tok2vec(8, ["NORM"]), tok2vec(6, ["SHAPE"]), width=5)
    model.initialize(X=docs)
    assert [o.shape for o in model.predict(docs)] == [(5, 5), (0, 5)]
