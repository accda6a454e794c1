"""Factories for the pretrained-checkpoint classifier and the exclusive textcat that skips unlabelled docs (spacy_factories entry points)."""
from typing import Callable, Dict, Optional

import spacy.pipeline.textcat  # noqa: F401 -- registers "textcat", whose defaults medllm_textcat reuses
import spacy.pipeline.textcat_multilabel  # noqa: F401 -- likewise for medllm_textcat_multilabel
from spacy.language import Language
from spacy.scorer import Scorer
from spacy.util import registry
from thinc.api import Model

from .hf import HFTextCategorizer
from .partial import score_labelled_cats
from .thresholds import TunedMultiLabelTextCategorizer, TunedTextCategorizer


def _score_cats(examples, **kwargs):
    return Scorer.score_cats(examples, "cats", **kwargs)


@registry.scorers("spacy_medllm.hf_textcat_scorer.v1")
def make_hf_textcat_scorer() -> Callable:
    """spaCy's ``Scorer.score_cats`` on ``doc.cats``; the component passes labels,
    multi_label and threshold."""
    return _score_cats

# ``model`` has no default: it names the checkpoint (hub name or local directory).
DEFAULT_HF_TEXTCAT_CONFIG = {
    "label_map": {},
    "multi_label": None,
    "threshold": 0.5,
    "max_length": 512,
    "stride": 128,
    "aggregate": "mean",
    "batch_size": 8,
    "local_files_only": True,
    "scorer": {"@scorers": "spacy_medllm.hf_textcat_scorer.v1"},
}


@Language.factory(
    "medllm_hf_textcat",
    assigns=["doc.cats"],
    default_config=DEFAULT_HF_TEXTCAT_CONFIG,
    default_score_weights={"cats_score": 1.0, "cats_macro_f": None, "cats_micro_f": None},
)
def make_hf_textcat(
    nlp: Language,
    name: str,
    model: str,
    label_map: Dict[str, str],
    multi_label: Optional[bool],
    threshold: float,
    max_length: int,
    stride: int,
    aggregate: str,
    batch_size: int,
    local_files_only: bool,
    scorer: Optional[Callable],
) -> HFTextCategorizer:
    """``model`` is a checkpoint name or directory; ``label_map`` renames its id2label labels;
    ``multi_label=None`` follows the checkpoint's ``problem_type``."""
    return HFTextCategorizer(
        nlp, name, model=model, label_map=label_map, multi_label=multi_label, threshold=threshold,
        max_length=max_length, stride=stride, aggregate=aggregate, batch_size=batch_size,
        local_files_only=local_files_only, scorer=scorer,
    )


@registry.scorers("spacy_medllm.textcat_scorer.v1")
def make_labelled_textcat_scorer() -> Callable:
    """``spacy.textcat_scorer.v2`` restricted to docs that have a reference class."""
    return score_labelled_cats


# spaCy's own textcat defaults (model, threshold, score weights); only the scorer differs.
_TEXTCAT_META = Language.get_factory_meta("textcat")
DEFAULT_PARTIAL_TEXTCAT_CONFIG = {
    **{k: v for k, v in _TEXTCAT_META.default_config.items() if k in ("threshold", "model")},
    "scorer": {"@scorers": "spacy_medllm.textcat_scorer.v1"},
}


@Language.factory(
    "medllm_textcat",
    assigns=["doc.cats"],
    default_config=DEFAULT_PARTIAL_TEXTCAT_CONFIG,
    default_score_weights=dict(_TEXTCAT_META.default_score_weights),
)
def make_partial_textcat(
    nlp: Language, name: str, model: Model, threshold: float, scorer: Optional[Callable]
) -> TunedTextCategorizer:
    """Exclusive ``textcat`` that skips notes without a class, for training on a mix of
    classified notes and entity-only corpora in one pipeline; per-label offsets once tuned
    (spacy_medllm/textcat/thresholds.py)."""
    return TunedTextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)


_MULTILABEL_META = Language.get_factory_meta("textcat_multilabel")


@Language.factory(
    "medllm_textcat_multilabel",
    assigns=["doc.cats"],
    default_config=dict(_MULTILABEL_META.default_config),
    default_score_weights=dict(_MULTILABEL_META.default_score_weights),
)
def make_tuned_multilabel_textcat(
    nlp: Language, name: str, model: Model, threshold: float, scorer: Optional[Callable]
) -> TunedMultiLabelTextCategorizer:
    """spaCy's ``textcat_multilabel`` whose per-label thresholds, once tuned, are saved with it
    and applied to ``doc.cats`` (spacy_medllm/textcat/thresholds.py)."""
    return TunedMultiLabelTextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)
