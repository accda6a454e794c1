"""Everything the assertion subpackage registers with spaCy: the ``medllm_context`` and
``medllm_assertion`` factories, their scorer and the classifier's architectures. The
``pyproject.toml`` entry points name the functions here, so spaCy finds them without an import."""
from typing import Callable, Dict, List, Optional

from spacy.language import Language
from spacy.util import registry
from thinc.api import Model

from .classifier import DEFAULT_MODEL, AssertionClassifier
from .context import DEFAULT_SECTION_MAP, DEFAULT_TERMINATING_TYPES, ContextAssertion, default_rules
from .model import build_assertion_model, build_assertion_model_v2
from .schema import LABELS, PRECEDENCE
from .scoring import GOLD_KEY, score_assertion

registry.architectures.register("spacy_medllm.AssertionModel.v1", func=build_assertion_model)
registry.architectures.register("spacy_medllm.AssertionModel.v2", func=build_assertion_model_v2)


@registry.scorers("spacy_medllm.assertion_scorer.v1")
def make_assertion_scorer():
    return score_assertion


@Language.factory(
    "medllm_context",
    default_config={
        "use_default_rules": True,
        "spans_key": None,
        "use_sections": True,
        "section_map": DEFAULT_SECTION_MAP,
        "max_scope": None,
        "precedence": list(PRECEDENCE),
        "phrase_matcher_attr": "LOWER",
        "terminating_types": DEFAULT_TERMINATING_TYPES,
        "scorer": {"@scorers": "spacy_medllm.assertion_scorer.v1"},
    },
    assigns=["span._.assertion", "span._.is_negated", "span._.is_uncertain", "span._.is_historical",
             "span._.is_hypothetical", "span._.is_family"],
    # Rules do not change while a pipeline trains: their scores are reported, never selected on.
    default_score_weights={},
)
def make_context(
    nlp: Language,
    name: str,
    use_default_rules: bool,
    spans_key: Optional[str],
    use_sections: bool,
    section_map: Dict[str, str],
    max_scope: Optional[int],
    precedence: List[str],
    phrase_matcher_attr: str,
    terminating_types: Dict[str, List[str]],
    scorer: Optional[Callable],
) -> ContextAssertion:
    return ContextAssertion(
        nlp, name,
        rules=default_rules() if use_default_rules else None,
        spans_key=spans_key, use_sections=use_sections, section_map=section_map, max_scope=max_scope,
        precedence=precedence, phrase_matcher_attr=phrase_matcher_attr,
        terminating_types=terminating_types, scorer=scorer,
    )


@Language.factory(
    "medllm_assertion",
    default_config={
        "model": DEFAULT_MODEL,
        "labels": list(LABELS),
        "spans_key": None,
        "gold_key": GOLD_KEY,
        "context_window": 32,
        "scorer": {"@scorers": "spacy_medllm.assertion_scorer.v1"},
    },
    assigns=["span._.assertion", "span._.is_negated", "span._.is_uncertain", "span._.is_historical",
             "span._.is_hypothetical", "span._.is_family"],
    default_score_weights={"assertion_macro_f": 1.0, "assertion_acc": 0.0},
)
def make_assertion_classifier(
    nlp: Language,
    name: str,
    model: Model,
    labels: List[str],
    spans_key: Optional[str],
    gold_key: str,
    context_window: int,
    scorer: Optional[Callable],
) -> AssertionClassifier:
    return AssertionClassifier(
        nlp.vocab, model, name, labels=labels, spans_key=spans_key, gold_key=gold_key,
        context_window=context_window, scorer=scorer,
    )
