"""``medllm_context``: rule-based assertion on medspaCy's ConText classes, with rules that save.

medspaCy's own component keeps its rules only in memory (and finds its default file by walking
up from ``__file__``), so a saved pipeline loses them. Here the rules are plain dicts in
medspaCy's JSON format, written by ``to_disk``/``to_bytes`` and rebuilt into a ConText engine on
load. On top of the engine: cues inside an entity span ("no headache" as one entity) count,
section headers (family history, past history) add their category, and one categorical
``Span._.assertion`` is derived from the flags.
"""
import json
from importlib import resources
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Union

import srsly
from medspacy.context import ConTextRule
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..files import atomic_write_text, read_rule_file
from .engine import ContextEngine
from .schema import CONTEXT_CATEGORIES, PRECEDENCE, label_from_flags, register_extensions, set_assertion
from .sections import token_sections
from .sentences import ensure_sentences

# Cue categories that end only one kind of scope: "secondary to" ends a negation ("no fever
# secondary to X") but not an uncertainty ("likely secondary to X"); "presents with" (CLAUSE_TERMINATE)
# ends both a history and a negation ("no past history, presents with X").
DEFAULT_TERMINATING_TYPES = {
    "NEGATED_EXISTENCE": ["NEGATION_TERMINATE", "CLAUSE_TERMINATE"],
    "HISTORICAL": ["HISTORICAL_TERMINATE", "CLAUSE_TERMINATE"],
}
DEFAULT_SECTION_MAP = {
    "family_history": "family",
    "past_medical_history": "historical",
    "past_surgical_history": "historical",
    "social_history": "historical",
}
RULE_KEYS = {
    "literal", "category", "pattern", "direction", "allowed_types", "excluded_types",
    "max_scope", "max_targets", "terminated_by", "metadata",
}


def default_rules() -> List[dict]:
    """The packaged clinical rule set (read with importlib.resources, not a ``__file__`` walk)."""
    text = resources.files("spacy_medllm.assertion").joinpath("resources/context_rules.json").read_text("utf8")
    return json.loads(text)["context_rules"]


def read_rules(path: Union[str, Path]) -> List[dict]:
    """Rules from medspaCy's JSON format (``{"context_rules": [...]}``) or JSONL, one rule per line."""
    return read_rule_file(path, "context_rules", validate_rule, "context rules")


def validate_rule(rule: dict, where: str) -> None:
    if not isinstance(rule, dict):
        raise ValueError(f"{where}: a rule must be an object")
    for key in ("literal", "category"):
        if not isinstance(rule.get(key), str) or not rule[key]:
            raise ValueError(f"{where}: field {key!r} is missing or empty")
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    direction = rule.get("direction", "BIDIRECTIONAL").upper()
    if direction not in {"FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"}:
        raise ValueError(f"{where}: field 'direction' has unknown value {rule['direction']!r}")


def _compact(doc: Doc, targets: List[Span]):
    """The doc without whitespace tokens, and the targets on it.

    Wrapped notes hold runs of spaces and line breaks that spaCy keeps as tokens, so a cue like
    "negative   for" would not match; matching on the compact doc keeps phrase matching (fast)
    and makes every rule whitespace-tolerant. Sentence starts carry over.
    """
    keep = [i for i, token in enumerate(doc) if not token.is_space]
    if len(keep) == len(doc):
        return doc, targets
    position = {orig: new for new, orig in enumerate(keep)}
    sent_starts = {sent.start for sent in doc.sents}
    starts, pending = [], False
    for i, token in enumerate(doc):
        pending = pending or i in sent_starts
        if not token.is_space:
            starts.append(pending)
            pending = False
    if starts:
        starts[0] = True
    compact = Doc(doc.vocab, words=[doc[i].text for i in keep], spaces=[True] * len(keep), sent_starts=starts)
    mapped = []
    for target in targets:
        inside = [position[i] for i in range(target.start, target.end) if i in position]
        mapped.append(Span(compact, inside[0], inside[-1] + 1, label=target.label) if inside else None)
    return compact, mapped


class ContextAssertion:
    """ConText rules over entities, writing medspaCy's flags and ``Span._.assertion``."""

    def __init__(
        self,
        nlp: Language,
        name: str = "medllm_context",
        *,
        rules: Optional[List[dict]] = None,
        spans_key: Optional[str] = None,
        use_sections: bool = True,
        section_map: Optional[Dict[str, str]] = None,
        max_scope: Optional[int] = None,
        precedence: Sequence[str] = PRECEDENCE,
        phrase_matcher_attr: str = "LOWER",
        terminating_types: Optional[Dict[str, List[str]]] = None,
        scorer: Optional[Callable] = None,
    ):
        register_extensions()
        self.nlp = nlp
        self.name = name
        self.cfg = {
            "spans_key": spans_key,
            "use_sections": use_sections,
            "section_map": dict(DEFAULT_SECTION_MAP if section_map is None else section_map),
            "max_scope": max_scope,
            "precedence": list(precedence),
            "phrase_matcher_attr": phrase_matcher_attr,
            "terminating_types": dict(DEFAULT_TERMINATING_TYPES if terminating_types is None else terminating_types),
        }
        self.scorer = scorer
        self.rules: List[dict] = []
        self._build_engine()
        if rules:
            self.add_rules(rules)

    def _build_engine(self) -> None:
        self._engine = ContextEngine(
            self.nlp.vocab,
            self.nlp.make_doc,
            self.rules,
            max_scope=self.cfg["max_scope"],
            terminating_types=self.cfg["terminating_types"],
            attr=self.cfg["phrase_matcher_attr"],
        )

    @property
    def engine(self) -> ContextEngine:
        """The medspaCy engine built from the current rules (its matcher and rule list)."""
        return self._engine

    def add_rules(self, rules: Iterable[dict]) -> None:
        rules = [dict(rule) for rule in rules]
        for i, rule in enumerate(rules):
            validate_rule(rule, f"rule {i}")
            ConTextRule.from_dict(dict(rule))  # fails early on a rule medspaCy would reject
        self.rules.extend(rules)
        self._build_engine()

    def clear_rules(self) -> None:
        self.rules = []
        self._build_engine()

    def initialize(
        self,
        get_examples: Optional[Callable] = None,
        *,
        nlp: Optional[Language] = None,
        rules_file: Optional[Union[str, Path]] = None,
        use_default_rules: bool = True,
    ) -> None:
        """Reset the rules to the packaged defaults and/or a user file (``[initialize.components]``)."""
        self.clear_rules()
        if use_default_rules:
            self.add_rules(default_rules())
        if rules_file:
            self.add_rules(read_rules(rules_file))

    def _targets(self, doc: Doc) -> List[Span]:
        key = self.cfg["spans_key"]
        if key:
            return list(doc.spans[key]) if key in doc.spans else []
        return list(doc.ents)

    def __call__(self, doc: Doc) -> Doc:
        targets = self._targets(doc)
        if not targets:
            return doc
        ensure_sentences(doc)
        work, mapped = _compact(doc, targets)
        pairs = [(t, m) for t, m in zip(targets, mapped) if m is not None]
        work_targets = [m for _, m in pairs]
        graph = self._engine(work, work_targets)
        flags: Dict[tuple, set] = {(t.start, t.end): set() for t in work_targets}
        for target, modifier in graph.edges:
            label = CONTEXT_CATEGORIES.get(modifier.category.upper())
            m_start, m_end = modifier.modifier_span
            if m_start < target.end and target.start < m_end:
                continue  # a cue overlapping the entity: only at its edge, below
            if label and (target.start, target.end) in flags:
                flags[(target.start, target.end)].add(label)
        self._cues_inside(work_targets, graph.modifiers, flags)
        sections = token_sections(doc) if self.cfg["use_sections"] and self.cfg["section_map"] else None
        for target, work_target in pairs:
            found = flags.get((work_target.start, work_target.end))
            if found is None:  # overlapping entities in a span group dropped from doc.ents
                found = set()
            if sections is not None:
                label = self.cfg["section_map"].get(sections[target.start])
                if label:
                    found = found | {label}
            set_assertion(target, label_from_flags(found, self.cfg["precedence"]), found)
        return doc

    @staticmethod
    def _cues_inside(targets: List[Span], modifiers, flags: Dict[tuple, set]) -> None:
        """A cue at the edge of an entity ("no headache" tagged whole, or a cue "no acute" reaching
        into "acute distress") modifies the rest of it; a cue in the middle of a long one does not."""
        for modifier in modifiers:
            label = CONTEXT_CATEGORIES.get(modifier.category.upper())
            if label is None:
                continue
            m_start, m_end = modifier.modifier_span
            direction = modifier.direction.upper()
            for target in targets:
                t_start, t_end = target.start, target.end
                if m_end <= t_start or m_start >= t_end or (m_start <= t_start and m_end >= t_end):
                    continue  # no overlap, or the cue covers the whole entity
                forward = direction in ("FORWARD", "BIDIRECTIONAL") and m_start <= t_start < m_end < t_end
                backward = direction in ("BACKWARD", "BIDIRECTIONAL") and t_start < m_start < t_end <= m_end
                if forward or backward:
                    flags[(t_start, t_end)].add(label)

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def score(self, examples, **kwargs) -> Dict[str, object]:
        if self.scorer is None:
            return {}
        return self.scorer(examples, spans_key=self.cfg["spans_key"], **kwargs)

    # Serialization: the rules and settings travel with the pipeline.
    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return srsly.msgpack_dumps({"cfg": self.cfg, "rules": self.rules})

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()) -> "ContextAssertion":
        data = srsly.msgpack_loads(bytes_data)
        self._load(data["cfg"], data["rules"])
        return self

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path / "cfg.json", srsly.json_dumps(self.cfg, indent=2))
        atomic_write_text(path / "rules.json", srsly.json_dumps({"context_rules": self.rules}, indent=1))

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> "ContextAssertion":
        path = ensure_path(path)
        cfg = srsly.read_json(path / "cfg.json")
        rules = read_rules(path / "rules.json")
        self._load(cfg, rules)
        return self

    def _load(self, cfg: dict, rules: List[dict]) -> None:
        self.cfg.update(cfg)
        self.rules = [dict(rule) for rule in rules]
        self._build_engine()
