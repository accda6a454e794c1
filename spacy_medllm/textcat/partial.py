"""Exclusive text classification for corpora that mix labelled and unlabelled notes.

spaCy's exclusive ``textcat`` reads a doc without ``cats`` as "every label is 0" and
trains towards that. When a pipeline learns entities from a public NER corpus and note
classes from the clinical notes, the NER documents carry no class at all, so this
subclass leaves them out of the classification loss and out of its scores.
"""
from typing import Iterable, List

from spacy.pipeline.textcat import TextCategorizer, textcat_score
from spacy.training import Example


def labelled(examples: Iterable[Example]) -> List[Example]:
    return [eg for eg in examples if eg.reference.cats]


class PartialTextCategorizer(TextCategorizer):
    """A doc whose reference has no ``cats`` adds no loss; a doc with any cats is exclusive
    as usual (labels it does not name are 0)."""

    def _examples_to_truth(self, examples):
        examples = list(examples)
        truths, not_missing = super()._examples_to_truth(examples)
        for i, eg in enumerate(examples):
            if not eg.reference.cats:
                not_missing[i, :] = 0.0
        return truths, not_missing


def score_labelled_cats(examples: Iterable[Example], **kwargs) -> dict:
    """spaCy's exclusive ``cats`` scores over the docs that have a reference class only
    (spaCy's own scorer would count a prediction on an unlabelled doc as a false positive)."""
    return textcat_score(labelled(examples), **kwargs)
