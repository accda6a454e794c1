"""Per-label decision thresholds that travel with a textcat component.

A tuned component still writes scores to ``doc.cats``, but each label's score is mapped
monotonically so that its tuned threshold lands on the component's ``threshold`` (0.5 by
default). Every consumer that cuts at the pipe's threshold (spaCy's scorer, ``medllm
annotate``, Spark) then makes the tuned decisions with no extra step, ranking within a label is
unchanged, and an untuned component is the identity (behaves as spaCy's). The raw scores stay
on ``doc._.raw_cats``.

- multi-label: threshold ``t`` per label; a score ``s`` maps piecewise-linearly
  ``[0, t] -> [0, tau]`` and ``[t, 1] -> [tau, 1]`` (``tau`` = the pipe's threshold).
- exclusive: offset ``b`` per label in log space; scores become ``s * exp(b)`` renormalised,
  so the top label is ``argmax(log s + b)`` and untuned scores are unchanged.

Thresholds live in ``component.cfg`` ("thresholds" / "offsets"), which spaCy serialises with the
component (``to_disk``/``to_bytes``), so ``spacy.load`` restores them.
"""
from typing import Dict, Iterable, List, Optional, Sequence, Set

import numpy as np
from spacy.tokens import Doc
from spacy.training import Example

from spacy.pipeline.textcat_multilabel import MultiLabel_TextCategorizer

from .metrics import tune_thresholds
from .ngrams import fit_note_idf
from .partial import PartialTextCategorizer

if not Doc.has_extension("raw_cats"):
    Doc.set_extension("raw_cats", default=None)

_EPS = 1e-6


def map_multilabel(scores: np.ndarray, cuts: np.ndarray, tau: float) -> np.ndarray:
    """Monotone per-label map sending each ``cuts[j]`` to ``tau``; identity where ``cut == tau``."""
    s = np.asarray(scores, dtype="float64")
    t = np.clip(np.asarray(cuts, dtype="float64"), _EPS, 1 - _EPS)
    low = s * (tau / t)
    high = tau + (s - t) * ((1 - tau) / (1 - t))
    return np.clip(np.where(s <= t, low, high), 0.0, 1.0)


def map_exclusive(scores: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``s * exp(b)`` renormalised per row; the identity on probabilities when ``b == 0``."""
    s = np.maximum(np.asarray(scores, dtype="float64"), 0.0) * np.exp(np.asarray(offsets, dtype="float64"))
    total = s.sum(axis=1, keepdims=True)
    return np.divide(s, total, out=np.zeros_like(s), where=total > 0)


def _macro_f1(top: np.ndarray, truth_idx: np.ndarray, n_labels: int, present: np.ndarray) -> float:
    fs = []
    for j in np.flatnonzero(present):
        tp = int(((top == j) & (truth_idx == j)).sum())
        denom = int((top == j).sum()) + int((truth_idx == j).sum())
        fs.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(fs)) if fs else 0.0


def tune_offsets(gold: Sequence[str], scores: np.ndarray, labels: List[str], rounds: int = 3) -> List[float]:
    """Log-space offsets per label for an exclusive classifier, maximising macro-F1 of the top label
    on a tuning split by coordinate ascent. Each candidate offset is a midpoint between the points
    where one more note's top label flips, so the optimum does not hug the tuning notes."""
    logp = np.log(np.clip(np.asarray(scores, dtype="float64"), 1e-12, None))
    n, n_labels = logp.shape
    index = {lab: j for j, lab in enumerate(labels)}
    truth_idx = np.array([index.get(g, -1) for g in gold])
    present = np.bincount(truth_idx[truth_idx >= 0], minlength=n_labels) > 0
    b = np.zeros(n_labels)
    best = _macro_f1((logp + b).argmax(axis=1), truth_idx, n_labels, present) if n else 0.0
    for _ in range(rounds):
        improved = False
        for j in range(n_labels):
            others = np.delete(logp + b, j, axis=1).max(axis=1) if n_labels > 1 else np.full(n, -np.inf)
            flips = np.unique(others - logp[:, j])  # b_j above flip_i makes j the top label of note i
            cands = np.concatenate([[flips[0] - 1.0], (flips[:-1] + flips[1:]) / 2, [flips[-1] + 1.0]])
            for c in cands:
                trial = b.copy()
                trial[j] = c
                f = _macro_f1((logp + trial).argmax(axis=1), truth_idx, n_labels, present)
                # Strictly better, or as good and closer to untuned (prefer small offsets).
                gain = f > best + 1e-12
                if gain or (abs(f - best) <= 1e-12 and abs(c) < abs(b[j]) - 1e-12):
                    best, b, improved = max(f, best), trial, improved or gain
        if not improved:
            break
    return [float(x) for x in b]


LOSSES = ("mse", "cross_entropy")


class ThresholdsMixin:
    """Adds tuned per-label thresholds (multi-label) or offsets (exclusive) to a spaCy textcat,
    and a choice of training loss.

    ``predict`` and the training loss use the model's raw scores; ``set_annotations`` writes
    the mapped scores to ``doc.cats`` and the raw ones to ``doc._.raw_cats``.

    ``loss``: spaCy's textcat trains on the squared error of the probabilities ("mse"), whose
    gradient vanishes on a confident mistake (``(p - y) p (1 - p)`` at the logits) and which
    learns rare labels slowly; "cross_entropy" gives the gradient ``p - y`` at the logits
    (logistic regression per label, or softmax regression), through the model's own output layer.
    """

    loss_kind = "mse"

    def initialize(self, get_examples, *, nlp=None, labels=None, **kwargs):
        """spaCy's initialize, then the n-grams' IDF table from every training note: the model's
        own initialize sees only a 10-example sample (``min_df`` > 0, ngrams.py)."""
        super().initialize(get_examples, nlp=nlp, labels=labels, **kwargs)
        fit_note_idf(self.model, lambda: [eg.predicted for eg in get_examples()])

    def set_loss(self, loss: str) -> None:
        if loss not in LOSSES:
            raise ValueError(f"{self.name}: loss must be one of {', '.join(LOSSES)}, not {loss!r}")
        self.loss_kind = loss

    def get_loss(self, examples: Iterable[Example], scores):
        if self.loss_kind == "mse":
            return super().get_loss(examples, scores)
        examples = list(examples)
        truths, not_missing = self._examples_to_truth(examples)
        ops = self.model.ops
        not_missing = ops.asarray(not_missing)
        truths = ops.asarray(truths)
        p = ops.xp.clip(scores, _EPS, 1 - _EPS)
        if self.is_exclusive:
            # d(-sum y log p)/dp; the softmax's backprop turns it into p - y at the logits
            d_scores = -truths / p
            loss = -(truths * ops.xp.log(p) * not_missing).sum()
        else:
            # d(BCE)/dp; the sigmoid's backprop multiplies by p (1 - p), leaving p - y
            d_scores = (p - truths) / (p * (1 - p))
            loss = -((truths * ops.xp.log(p) + (1 - truths) * ops.xp.log(1 - p)) * not_missing).sum()
        d_scores *= not_missing
        n = max(int((not_missing.sum(axis=1) > 0).sum()), 1)
        return float(loss) / n, d_scores

    @property
    def is_exclusive(self) -> bool:
        return not isinstance(self, MultiLabel_TextCategorizer)

    @property
    def tuned(self) -> Dict[str, float]:
        """Per-label thresholds (multi-label) or log offsets (exclusive); empty when untuned."""
        return dict(self.cfg.get("offsets" if self.is_exclusive else "thresholds") or {})

    def set_tuned(self, values: Optional[Dict[str, float]]) -> None:
        unknown = set(values or {}) - set(self.labels)
        if unknown:
            raise ValueError(f"{self.name}: thresholds for unknown labels {sorted(unknown)}")
        self.cfg["offsets" if self.is_exclusive else "thresholds"] = {k: float(v) for k, v in (values or {}).items()}

    def calibrate(self, scores) -> np.ndarray:
        """Raw model scores -> the scores written to ``doc.cats``."""
        scores = np.asarray(self.model.ops.to_numpy(self.model.ops.asarray(scores)), dtype="float64")
        tuned = self.tuned
        if not tuned or not scores.size:
            return scores
        if self.is_exclusive:
            return map_exclusive(scores, np.array([tuned.get(lab, 0.0) for lab in self.labels]))
        tau = float(self.cfg.get("threshold", 0.5))
        return map_multilabel(scores, np.array([tuned.get(lab, tau) for lab in self.labels]), tau)

    def set_annotations(self, docs: Iterable[Doc], scores) -> None:
        docs = list(docs)
        raw = np.asarray(self.model.ops.to_numpy(self.model.ops.asarray(scores)), dtype="float64")
        mapped = self.calibrate(raw)
        for i, doc in enumerate(docs):
            doc._.raw_cats = {**(doc._.raw_cats or {}), **{lab: float(raw[i, j]) for j, lab in enumerate(self.labels)}}
            for j, lab in enumerate(self.labels):
                doc.cats[lab] = float(mapped[i, j])

    def raw_scores(self, docs: Iterable[Doc], batch_size: int = 16) -> np.ndarray:
        """Raw model scores (n_docs, n_labels) of docs that earlier pipes have processed."""
        rows = []
        docs = list(docs)
        for start in range(0, len(docs), batch_size):
            batch = docs[start:start + batch_size]
            rows.append(np.asarray(self.model.ops.to_numpy(self.model.ops.asarray(self.predict(batch))), dtype="float64"))
        return np.concatenate(rows) if rows else np.zeros((0, len(self.labels)))

    def tune(self, examples: Iterable[Example], batch_size: int = 16) -> Dict[str, float]:
        """Fit the thresholds/offsets on labelled examples whose ``predicted`` docs have been run
        through the pipes before this one; docs without gold cats are left out. Returns them."""
        examples = [eg for eg in examples if eg.reference.cats]
        if not examples:
            raise ValueError(f"{self.name}: no example with gold cats to tune thresholds on")
        labels = list(self.labels)
        scores = self.raw_scores([eg.predicted for eg in examples], batch_size)
        gold: List[Set[str]] = [{lab for lab, v in eg.reference.cats.items() if v >= 0.5} for eg in examples]
        if self.is_exclusive:
            tops = [max(eg.reference.cats, key=eg.reference.cats.get) for eg in examples]
            values = tune_offsets(tops, scores, labels)
        else:
            values = tune_thresholds(gold, scores, labels, float(self.cfg.get("threshold", 0.5)))
        self.set_tuned(dict(zip(labels, values)))
        return self.tuned


class TunedTextCategorizer(ThresholdsMixin, PartialTextCategorizer):
    """``medllm_textcat``: exclusive, skips notes without a class, per-label offsets."""


class TunedMultiLabelTextCategorizer(ThresholdsMixin, MultiLabel_TextCategorizer):
    """``medllm_textcat_multilabel``: spaCy's ``textcat_multilabel`` with per-label thresholds."""


def thresholded_pipes(nlp) -> List[str]:
    return [name for name, pipe in nlp.pipeline if isinstance(pipe, ThresholdsMixin)]


def tune_pipeline(nlp, examples: Iterable[Example], components: Optional[List[str]] = None,
                  batch_size: int = 16) -> Dict[str, Dict[str, float]]:
    """Tune every thresholded textcat of ``nlp`` (or those named) on labelled examples.

    The docs go through the pipes before each component once (no pipe after it runs)."""
    names = components or thresholded_pipes(nlp)
    if not names:
        raise ValueError("the pipeline has no medllm_textcat / medllm_textcat_multilabel component to tune")
    for name in names:
        if not isinstance(nlp.get_pipe(name), ThresholdsMixin):
            raise ValueError(f"{name}: not a medllm_textcat / medllm_textcat_multilabel component")
    examples = list(examples)
    last = max(nlp.pipe_names.index(n) for n in names)
    before = [n for n in nlp.pipe_names[:last] if n not in names]
    docs = [eg.predicted for eg in examples]
    # Each tuned pipe reads only the earlier pipes' output (e.g. the shared transformer).
    with nlp.select_pipes(enable=before):
        docs = list(nlp.pipe(docs, batch_size=batch_size))
    tuned_examples = [Example(doc, eg.reference) for doc, eg in zip(docs, examples)]
    return {name: nlp.get_pipe(name).tune(tuned_examples, batch_size) for name in names}


def pipeline_thresholds(nlp) -> Dict[str, Dict]:
    """For reports: each thresholded textcat's tuned values (empty ``values`` = untuned, 0.5 / argmax)."""
    out = {}
    for name in thresholded_pipes(nlp):
        pipe = nlp.get_pipe(name)
        out[name] = {"kind": "offset" if pipe.is_exclusive else "threshold", "values": pipe.tuned,
                     "cut": None if pipe.is_exclusive else float(pipe.cfg.get("threshold", 0.5))}
    return out
