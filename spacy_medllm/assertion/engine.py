"""ConText on medspaCy's modifier and graph classes, with a faster cue matcher.

medspaCy's ConText runs token patterns through spaCy's Matcher, which dominates its run time.
Every rule pattern here is a sequence of lower-case word choices with optional tokens, so it
expands into phrases for one PhraseMatcher; patterns that do not (other attributes, ``*``)
fall back to the Matcher. Scopes, terminators and pseudo-triggers are medspaCy's own code
(ConTextModifier, ConTextGraph), so rules behave as in medspaCy.
"""
import itertools
import re
from typing import Dict, Iterable, List, Optional, Tuple

from medspacy.context import ConTextRule
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

MAX_EXPANSIONS = 512


def expand_pattern(pattern: List[dict]) -> Optional[List[List[str]]]:
    """The word sequences a LOWER-only pattern matches, or None if it is not that simple."""
    seqs: List[List[str]] = [[]]
    for token in pattern:
        op = token.get("OP", "1")
        keys = set(token) - {"OP"}
        if op not in ("1", "?") or len(keys) != 1:
            return None
        (key,) = keys
        value = token[key]
        if key in ("ORTH", "TEXT") and isinstance(value, str) and not any(c.isalpha() for c in value):
            key = "LOWER"  # punctuation: case does not matter
        if key != "LOWER":
            return None
        if isinstance(value, str):
            choices = [value]
        elif isinstance(value, dict) and set(value) == {"IN"}:
            choices = [str(v) for v in value["IN"]]
        else:
            return None
        grown = [seq + [choice] for seq in seqs for choice in choices]
        if op == "?":
            grown += seqs
        seqs = grown
        if len(seqs) > MAX_EXPANSIONS:
            return None
    return [seq for seq in seqs if seq]


class CueMatcher:
    """All rules' cues in one pass; overlapping matches keep the longest (medspaCy's pruning)."""

    def __init__(self, vocab: Vocab, make_doc, rules: List[ConTextRule], attr: str = "LOWER"):
        self.phrases = PhraseMatcher(vocab, attr=attr)
        self.matcher = Matcher(vocab)
        self.regexes: List[Tuple[int, "re.Pattern"]] = []
        self.keys: Dict[int, int] = {}
        for i, rule in enumerate(rules):
            key = f"context_rule_{i}"
            self.keys[vocab.strings.add(key)] = i
            pattern = rule.pattern
            if pattern is None:
                self.phrases.add(key, [make_doc(rule.literal)])
            elif isinstance(pattern, str):
                self.regexes.append((i, re.compile(pattern, re.IGNORECASE)))
            else:
                seqs = expand_pattern(pattern)
                if seqs is None:
                    self.matcher.add(key, [pattern])
                else:
                    self.phrases.add(key, [Doc(vocab, words=seq) for seq in seqs])

    def __call__(self, doc: Doc) -> List[Tuple[int, int, int]]:
        found = [(self.keys[m], s, e) for m, s, e in itertools.chain(self.phrases(doc), self.matcher(doc))]
        for i, regex in self.regexes:
            for m in regex.finditer(doc.text):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None and len(span):
                    found.append((i, span.start, span.end))
        found.sort(key=lambda m: (m[1] - m[2], m[1]))
        taken = bytearray(len(doc))
        kept = []
        for i, start, end in found:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                kept.append((i, start, end))
        kept.sort(key=lambda m: (m[1], m[2]))
        return kept


class ContextEngine:
    """Rules -> modifiers -> medspaCy's ConTextGraph (scopes, terminators, edges)."""

    def __init__(
        self,
        vocab: Vocab,
        make_doc,
        rules: Iterable[dict],
        *,
        max_scope: Optional[int] = None,
        terminating_types: Optional[Dict[str, List[str]]] = None,
        attr: str = "LOWER",
    ):
        self.max_scope = max_scope
        self.rules: List[ConTextRule] = []
        terminating = {k.upper(): [v.upper() for v in vs] for k, vs in (terminating_types or {}).items()}
        for data in rules:
            rule = ConTextRule.from_dict(dict(data))
            if rule.max_scope is None and max_scope is not None:
                rule.max_scope = max_scope
            rule.terminated_by.update(terminating.get(rule.category.upper(), []))
            self.rules.append(rule)
        self.matcher = CueMatcher(vocab, make_doc, self.rules, attr)

    def __call__(self, doc: Doc, targets: List[Span]) -> ConTextGraph:
        graph = ConTextGraph(prune_on_modifier_overlap=False)
        graph.targets = targets
        graph.modifiers = [
            ConTextModifier(self.rules[i], start, end, doc, max_scope=self.max_scope) for i, start, end in self.matcher(doc)
        ]
        graph.update_scopes()
        graph.apply_modifiers()
        return graph
