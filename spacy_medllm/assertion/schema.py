"""One attribute schema shared by the rule-based and the trained assertion components.

The flag names are medspaCy's, so code written against medspaCy's ConText keeps working;
``Span._.assertion`` adds the single category most evaluations (i2b2 2010) expect.
"""
from typing import Dict, Iterable, Optional, Sequence

from spacy.tokens import Span

LABELS = ("present", "absent", "possible", "hypothetical", "historical", "family")
FLAGS: Dict[str, str] = {
    "absent": "is_negated",
    "possible": "is_uncertain",
    "historical": "is_historical",
    "hypothetical": "is_hypothetical",
    "family": "is_family",
}
# When several flags hold, the category is the first in this order: a negated finding is absent
# ("no family history of X", "no history of X"), and a relative's finding is not the patient's.
PRECEDENCE = ("absent", "family", "hypothetical", "possible", "historical")
DEFAULT_LABEL = "present"
# medspaCy ConText categories -> our labels.
CONTEXT_CATEGORIES: Dict[str, str] = {
    "NEGATED_EXISTENCE": "absent",
    "POSSIBLE_EXISTENCE": "possible",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
    "FAMILY": "family",
}


def register_extensions() -> None:
    for attr in FLAGS.values():
        if not Span.has_extension(attr):
            Span.set_extension(attr, default=False)
    if not Span.has_extension("assertion"):
        Span.set_extension("assertion", default=None)


def label_from_flags(flags: Iterable[str], precedence: Sequence[str] = PRECEDENCE) -> str:
    flags = set(flags)
    for label in precedence:
        if label in flags:
            return label
    return DEFAULT_LABEL


def set_assertion(span: Span, label: str, flags: Optional[Iterable[str]] = None) -> None:
    """Write the category and the flags; without explicit flags the category's own flag is set."""
    flags = set(flags) if flags is not None else {label}
    for name, attr in FLAGS.items():
        setattr(span._, attr, name in flags)
    span._.assertion = label


def span_flags(span: Span) -> set:
    return {name for name, attr in FLAGS.items() if Span.has_extension(attr) and getattr(span._, attr)}
