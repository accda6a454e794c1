"""The ``medllm_deid`` factory, the PHI scorer, and the PHI head's token-feature architecture and
candidate-span suggester (entry points in pyproject.toml)."""
from typing import Callable, List, Optional

from spacy.language import Language
from spacy.util import registry

from .component import Deidentifier, score_phi
from .model import build_concat_tok2vec
from .rules import DEFAULT_CLINICAL_WORDS, LABELS, default_rules
from .suggester import build_phi_ngram_suggester, build_phi_ngram_suggester_v2

registry.architectures.register("spacy_medllm.ConcatTok2Vec.v1", func=build_concat_tok2vec)
registry.misc.register("spacy_medllm.phi_ngram_suggester.v1", func=build_phi_ngram_suggester)
registry.misc.register("spacy_medllm.phi_ngram_suggester.v2", func=build_phi_ngram_suggester_v2)


@registry.scorers("spacy_medllm.phi_scorer.v1")
def make_phi_scorer() -> Callable:
    return score_phi


@Language.factory(
    "medllm_deid",
    default_config={
        "use_default_rules": True,
        "labels": list(LABELS),
        "strategy": "mask",
        "spans_key": "phi",
        "model_spans_key": None,
        "threshold": 0.5,
        "salt_env": "MEDLLM_DEID_SALT",
        "locale": "en_US",
        "grow_addresses": True,
        "propagate_names": True,
        "recase_lower": True,
        "scorer": {"@scorers": "spacy_medllm.phi_scorer.v1"},
    },
    assigns=["doc.spans", "doc._.deidentified", "doc._.deid_map"],
    # Rules do not change while a pipeline trains: their scores are reported, never selected on.
    default_score_weights={"spans_phi_f": None, "spans_phi_p": None, "spans_phi_r": None},
)
def make_deid(
    nlp: Language,
    name: str,
    use_default_rules: bool,
    labels: List[str],
    strategy: str,
    spans_key: str,
    model_spans_key: Optional[str],
    threshold: float,
    salt_env: str,
    locale: str,
    grow_addresses: bool,
    propagate_names: bool,
    recase_lower: bool,
    scorer: Optional[Callable],
) -> Deidentifier:
    return Deidentifier(
        nlp, name, rules=default_rules() if use_default_rules else None, labels=labels, strategy=strategy,
        spans_key=spans_key, model_spans_key=model_spans_key, threshold=threshold,
        clinical_words=list(DEFAULT_CLINICAL_WORDS), salt_env=salt_env, locale=locale,
        grow_addresses=grow_addresses, propagate_names=propagate_names, recase_lower=recase_lower,
        scorer=scorer,
    )
