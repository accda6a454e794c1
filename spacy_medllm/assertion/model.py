"""Entity-in-context features for assertion: the entity, its sentence, and the text on each side.

Mean-pooling the entity's own tokens is not enough (the cue "no" sits outside "headache"), and
pooling the whole sentence blurs which entity is meant; the left and right context means keep the
side a cue is on, which is what separates "no fever" from "fever ruled out" from "fever, but no cough".

v2 adds where a cue sits, not only which side: the entity's first and last token (a cue at the
edge of a span, "no headache" tagged whole, negates it; one in the middle of a long phrase, "mucosa
is moist with no erythema", does not) and the few tokens next to the entity on each side (a cue
beside the entity is in scope far more often than one 25 tokens away in a long sentence).
"""
from typing import List, Optional, Sequence, Tuple

from spacy.tokens import Doc
from thinc.api import Model, Relu, Softmax, chain
from thinc.types import Floats2d

# Per doc: (start, end, context_start, context_end) token offsets for each entity.
SpanBatch = Tuple[List[Doc], List[List[Tuple[int, int, int, int]]]]


def build_assertion_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    hidden_width: int = 256,
    dropout: float = 0.1,
    nO: Optional[int] = None,
) -> Model[SpanBatch, Floats2d]:
    features = Model(
        "assertion_features", _features_forward, init=_features_init, layers=[tok2vec], refs={"tok2vec": tok2vec}
    )
    output = Softmax(nO=nO)
    model = chain(features, Relu(nO=hidden_width, dropout=dropout), output)
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output)
    return model


def build_assertion_model_v2(
    tok2vec: Model[List[Doc], List[Floats2d]],
    hidden_width: int = 256,
    dropout: float = 0.1,
    near_window: int = 4,
    nO: Optional[int] = None,
) -> Model[SpanBatch, Floats2d]:
    if near_window < 1:
        raise ValueError(f"AssertionModel.v2: near_window must be at least 1, got {near_window}")
    features = Model(
        "assertion_features_v2", _features_forward, init=_features_init, layers=[tok2vec],
        refs={"tok2vec": tok2vec}, attrs={"near_window": near_window},
    )
    output = Softmax(nO=nO)
    model = chain(features, Relu(nO=hidden_width, dropout=dropout), output)
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output)
    return model


def _segments(span: Tuple[int, int, int, int]) -> Sequence[Tuple[int, int]]:
    start, end, ctx_start, ctx_end = span
    return ((start, end), (ctx_start, ctx_end), (ctx_start, start), (end, ctx_end))


def _segments_v2(span: Tuple[int, int, int, int], near: int) -> Sequence[Tuple[int, int]]:
    start, end, ctx_start, ctx_end = span
    return _segments(span) + (
        (start, start + 1), (end - 1, end),
        (max(ctx_start, start - near), start), (end, min(ctx_end, end + near)),
    )


def _features_init(model: Model, X: Optional[SpanBatch] = None, Y=None) -> None:
    model.layers[0].initialize(X=X[0] if X is not None else None)


def _features_forward(model: Model, inputs: SpanBatch, is_train: bool):
    docs, spans = inputs
    vecs, bp_vecs = model.layers[0](docs, is_train)
    ops = model.ops
    near = model.attrs.get("near_window")
    segments = _segments if near is None else (lambda span: _segments_v2(span, near))
    n_segments = len(segments((0, 1, 0, 1)))
    width = vecs[0].shape[1] if len(vecs) else 0
    n_spans = sum(len(s) for s in spans)
    output = ops.alloc2f(n_spans, n_segments * width)
    k = 0
    for doc_vecs, doc_spans in zip(vecs, spans):
        for span in doc_spans:
            for j, (a, b) in enumerate(segments(span)):
                if b > a:
                    output[k, j * width:(j + 1) * width] = doc_vecs[a:b].mean(axis=0)
            k += 1

    def backprop(d_output: Floats2d):
        d_vecs = [ops.alloc2f(*v.shape) for v in vecs]
        k = 0
        for i, doc_spans in enumerate(spans):
            for span in doc_spans:
                for j, (a, b) in enumerate(segments(span)):
                    if b > a:
                        d_vecs[i][a:b] += d_output[k, j * width:(j + 1) * width] / (b - a)
                k += 1
        bp_vecs(d_vecs)
        return inputs

    return output, backprop
