"""Stand-ins for the clinical components (assertion, categories, translation) in the annotate tests
(fixtures: conftest.py). Registers spaCy factories: no `from __future__ import annotations`.
Also used as `--code` for `medllm annotate` in a subprocess (STAND_INS is its path).
"""
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

STAND_INS = Path(__file__).resolve()
FLAGS = ("is_negated", "is_uncertain", "is_historical", "is_hypothetical", "is_family")
FLAG_OF = {"absent": "is_negated", "possible": "is_uncertain", "historical": "is_historical",
           "hypothetical": "is_hypothetical", "family": "is_family"}
TRIGGERS = {"no": "absent", "denies": "absent", "possible": "possible", "if": "hypothetical",
            "history": "historical", "mother": "family"}
PATTERNS = [("PROBLEM", "chest pain"), ("PROBLEM", "fever"), ("PROBLEM", "cough"), ("PROBLEM", "migraine"),
            ("PROBLEM", "stroke"), ("TEST", "MRI"), ("TREATMENT", "aspirin")]


def register_extensions():
    Span.set_extension("assertion", default=None, force=True)
    for flag in FLAGS:
        Span.set_extension(flag, default=False, force=True)
    Doc.set_extension("translation", default=None, force=True)


def remove_extensions():
    for name in ("assertion", *FLAGS):
        if Span.has_extension(name):
            Span.remove_extension(name)
    if Doc.has_extension("translation"):
        Doc.remove_extension("translation")


@Language.factory("medllm_test_assertion")
def make_test_assertion(nlp, name):
    """Rule stand-in: the nearest trigger word in the four tokens before an entity (within its clause) sets its assertion."""
    register_extensions()

    def assertion(doc):
        for ent in doc.ents:
            value = "present"
            for token in reversed(doc[max(0, ent.start - 4):ent.start]):
                if token.text in ".;":
                    break
                if token.lower_ in TRIGGERS:
                    value = TRIGGERS[token.lower_]
                    break
            ent._.assertion = value
            if value in FLAG_OF:
                ent._.set(FLAG_OF[value], True)
        chest = 0.9 if "chest" in doc.text.lower() else 0.2
        doc.cats = {"cardiology": chest, "neurology": round(1 - chest, 2)}
        doc._.translation = f"Traduction <b>{len(doc.ents)}</b> & 'entités'"
        return doc

    return assertion


@Language.component("medllm_test_fail")
def fail_on_marker(doc):
    if "EXPLODE" in doc.text:
        raise ValueError("stand-in component failure")
    return doc


def rule_pipeline():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": label, "pattern": text} for label, text in PATTERNS])
    return nlp
