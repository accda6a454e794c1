"""``medllm_assertion``: a trained assertion classifier over entities, swappable with the rules.

It listens to the shared transformer (one encoder pass for NER, assertion and classification)
and writes the same attributes as ``medllm_context``. Gold labels come from the reference doc's
``spans["assertion"]`` (labels = categories); at prediction time it labels ``doc.ents`` or a
configured span group, so it follows whatever NER runs before it.
"""
from itertools import islice
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Config, Model, Optimizer
from thinc.types import Floats2d

from .schema import LABELS, register_extensions, set_assertion
from .scoring import GOLD_KEY
from .sentences import ensure_sentences

DEFAULT_MODEL_CONFIG = """
[model]
@architectures = "spacy_medllm.AssertionModel.v2"
hidden_width = 128
near_window = 4
dropout = 0.1
nO = null

[model.tok2vec]
@architectures = "spacy.HashEmbedCNN.v2"
pretrained_vectors = null
width = 96
depth = 2
embed_size = 2000
window_size = 1
maxout_pieces = 3
subword_features = true
"""
DEFAULT_MODEL = Config().from_str(DEFAULT_MODEL_CONFIG)["model"]


class AssertionClassifier(TrainablePipe):
    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "medllm_assertion",
        *,
        labels: Sequence[str] = LABELS,
        spans_key: Optional[str] = None,
        gold_key: str = GOLD_KEY,
        context_window: int = 32,
        scorer: Optional[Callable] = None,
    ):
        register_extensions()
        if not Span.has_extension("assertion_scores"):
            Span.set_extension("assertion_scores", default=None)
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {
            "labels": list(labels),
            "spans_key": spans_key,
            "gold_key": gold_key,
            "context_window": context_window,
        }
        self.scorer = scorer

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def label_data(self) -> List[str]:
        return list(self.labels)

    def add_label(self, label: str) -> int:
        if label in self.labels:
            return 0
        self._allow_extra_label()
        self.cfg["labels"].append(label)
        return 1

    def _targets(self, doc: Doc) -> List[Span]:
        key = self.cfg["spans_key"]
        if key:
            return list(doc.spans[key]) if key in doc.spans else []
        return list(doc.ents)

    def _windows(self, doc: Doc, spans: Iterable[Span]) -> List[Tuple[int, int, int, int]]:
        """(start, end, context start, context end): the sentence, clipped to ``context_window``."""
        ensure_sentences(doc)
        window = self.cfg["context_window"]
        out = []
        for span in spans:
            sent = doc[span.start].sent
            lo = max(sent.start, span.start - window) if window else sent.start
            hi = min(max(sent.end, span.end), span.end + window) if window else max(sent.end, span.end)
            out.append((span.start, span.end, lo, hi))
        return out

    def predict(self, docs: Iterable[Doc]) -> Floats2d:
        docs = list(docs)
        spans = [self._windows(doc, self._targets(doc)) for doc in docs]
        if not any(spans):
            return self.model.ops.alloc2f(0, len(self.labels))
        return self.model.predict((docs, spans))

    def set_annotations(self, docs: Iterable[Doc], scores: Floats2d) -> None:
        scores = self.model.ops.to_numpy(scores)
        k = 0
        for doc in docs:
            for span in self._targets(doc):
                row = scores[k]
                k += 1
                label = self.labels[int(row.argmax())]
                set_assertion(span, label)
                span._.assertion_scores = {name: float(p) for name, p in zip(self.labels, row)}

    def _gold(self, examples: Iterable[Example]):
        """Gold spans mapped onto the predicted docs (same text, possibly other tokens)."""
        docs, spans, truths = [], [], []
        for eg in examples:
            pred = eg.predicted
            found = []
            for gold in eg.reference.spans.get(self.cfg["gold_key"], []):
                span = pred.char_span(gold.start_char, gold.end_char, alignment_mode="expand")
                if span is None or gold.label_ not in self.labels:
                    continue
                found.append(span)
                truths.append(self.labels.index(gold.label_))
            docs.append(pred)
            spans.append(self._windows(pred, found))
        return docs, spans, truths

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optional[Optimizer] = None,
        losses: Optional[Dict[str, float]] = None,
    ) -> Dict[str, float]:
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        docs, spans, truths = self._gold(list(examples))
        if not truths:
            return losses
        scores, backprop = self.model.begin_update((docs, spans))
        loss, d_scores = self._loss(scores, truths)
        backprop(d_scores)
        if sgd not in (None, False):
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def _loss(self, scores: Floats2d, truths: List[int]):
        target = self.model.ops.alloc2f(*scores.shape)
        target[numpy.arange(len(truths)), truths] = 1.0
        d_scores = (scores - target) / scores.shape[0]
        loss = float(-(target * self.model.ops.xp.log(scores + 1e-9)).sum() / scores.shape[0])
        return loss, d_scores

    def get_loss(self, examples: Iterable[Example], scores: Floats2d):
        _, _, truths = self._gold(examples)
        return self._loss(scores, truths)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        labels: Optional[Sequence[str]] = None,
    ) -> None:
        validate_get_examples(get_examples, "AssertionClassifier.initialize")
        if labels is not None:
            self.cfg["labels"] = list(labels)
        unknown = set()
        for eg in get_examples():
            for span in eg.reference.spans.get(self.cfg["gold_key"], []):
                if span.label_ not in self.labels:
                    unknown.add(span.label_)
        if unknown:
            raise ValueError(
                f"[{self.name}] gold assertion label(s) {sorted(unknown)} are not in the label set "
                f"{list(self.labels)}: add them to `labels` or map them in the reader."
            )
        self.model.get_ref("output_layer").set_dim("nO", len(self.labels))
        sample = list(islice(get_examples(), 10))
        docs, spans, truths = self._gold(sample)
        if truths:
            self.model.initialize(X=(docs, spans))
        else:
            self.model.initialize()

    def score(self, examples: Iterable[Example], **kwargs) -> Dict[str, object]:
        if self.scorer is None:
            return {}
        return self.scorer(examples, spans_key=self.cfg["spans_key"], gold_key=self.cfg["gold_key"],
                           labels=self.labels, **kwargs)
