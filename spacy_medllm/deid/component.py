"""``medllm_deid``: PHI spans from rules (and a trained head, when the pipeline has one), replaced.

Writes ``doc.spans[spans_key]`` (label; ``kb_id_`` = the rule name or ``model``; scores in the
group's ``attrs["scores"]``, as spaCy's spancat does), ``Doc._.deidentified`` (the text with each
PHI span replaced by the chosen strategy) and ``Doc._.deid_map`` (an ``OffsetMap`` between the
two texts). Replacement uses the exact character spans the rules found; the span group is the
same spans widened to whole tokens. Rules, labels and clinical words are saved with the
pipeline; the salt for surrogates and hashes never is (see ``surrogate.resolve_salt``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence, Set, Union

import numpy
import srsly
from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.util import ensure_path

from ..files import atomic_write_text
from .address import grow_locations
from .names import packaged_name_lists
from .offsets import OffsetMap
from .rules import (_W, DEFAULT_CLINICAL_WORDS, LABELS, CompiledRules, default_rules, read_rules, recase_lower_text,
                    validate_rule)
from .surrogate import STRATEGIES, Replacer, keyed, resolve_salt
from .vocab import build_clinical_vocab, only_common_words


_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
# A surname of particles and a capitalized word after a found name ("Joey| van de Wal", "Dirk Van| de
# Velde", "Corinna Mac| an Airchinnigh"): the particles alone are no name and the rules stop before them.
_PARTICLE_SURNAME = re.compile(rf"(?:[ \t]+(?i:van|von|de|der|den|da|di|du|del|della|dos|das|ter|ten|la|le|mac|mc|an|ó|ní|nic|bin|ibn|al|el)){{1,3}}[ \t]+{_W}(?![\w'\-])")


# A middle initial between two found names ("Delvis J Carvajal", "eric g. samoylova"), a generation
# after a name ("Kevin Veitonen II"), and the other names of a list with one found name
# ("Morrison, Rogers and Torres", "Usamov and Bowers").
_INITIAL_GAP = re.compile(r"[ \t]+[^\W\d_]\.?[ \t]+")
_GENERATION = re.compile(r",?[ \t]+(?:(?:Jr|Sr|II|III)\b\.?|IV(?=[ \t]*(?:[,.;)]|$)))")  # "Jones IV fluids" keeps "IV"
_AND_NAME = re.compile(rf"[ \t]+(?:and|&)[ \t]+(?P<name>{_W})(?![\w'\-])")
_PLURAL_TITLE = re.compile(r"\b(?:Drs|Messrs|Mmes)\.?[ \t]+$")
_NAME_LIST_BEFORE = re.compile(rf"(?<![\w'\-])(?P<name>{_W})(?:,[ \t]*|[ \t]+(?:and|&)[ \t]+)$")


def _particle_surname_end(text: str, end: int) -> int:
    m = _PARTICLE_SURNAME.match(text, end)
    return m.end() if m else end


def register_extensions() -> None:
    for name in ("deidentified", "deid_map", "patient_key"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def merge_spans(spans: Iterable[tuple]) -> List[tuple]:
    """Overlapping (start, end, label, source, score) spans become one: the first (longest) one's label."""
    out: List[list] = []
    for start, end, label, source, score in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
            out[-1][4] = max(out[-1][4], score)
            continue
        out.append([start, end, label, source, score])
    return [tuple(s) for s in out]


class Deidentifier:
    """Finds PHI with validated rules (plus an optional model's span group) and replaces it."""

    def __init__(
        self,
        nlp: Language,
        name: str = "medllm_deid",
        *,
        rules: Optional[List[dict]] = None,
        labels: Sequence[str] = LABELS,
        strategy: str = "mask",
        spans_key: str = "phi",
        model_spans_key: Optional[str] = None,
        threshold: float = 0.5,
        clinical_words: Optional[List[str]] = None,
        salt_env: str = "MEDLLM_DEID_SALT",
        locale: str = "en_US",
        grow_addresses: bool = True,
        propagate_names: bool = True,
        recase_lower: bool = True,
        scorer: Optional[Callable] = None,
    ):
        register_extensions()
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            raise ValueError(f"medllm_deid: unknown label(s) {', '.join(unknown)} (use some of {', '.join(LABELS)})")
        if strategy not in STRATEGIES:
            raise ValueError(f"medllm_deid: unknown strategy {strategy!r} (use one of {', '.join(STRATEGIES)})")
        self.nlp = nlp
        self.name = name
        self.cfg = {
            "labels": list(labels), "strategy": strategy, "spans_key": spans_key,
            "model_spans_key": model_spans_key, "threshold": threshold, "salt_env": salt_env, "locale": locale,
            "grow_addresses": grow_addresses, "propagate_names": propagate_names, "recase_lower": recase_lower,
        }
        self.clinical_words: List[str] = list(DEFAULT_CLINICAL_WORDS if clinical_words is None else clinical_words)
        self.clinical_vocab: Set[str] = set()  # common words of clinical text (vocab.py): head spans only
        self.scorer = scorer
        self.rules: List[dict] = []
        self._salt: Optional[str] = None
        self._replacer: Optional[Replacer] = None
        self.add_rules(rules or [])

    def _build(self) -> None:
        self._compiled = CompiledRules(self.rules, self.cfg["labels"], self.clinical_words)
        self._replacer = None

    def add_rules(self, rules: Iterable[dict]) -> None:
        rules = [dict(rule) for rule in rules]
        for i, rule in enumerate(rules):
            validate_rule(rule, f"rule {i} ({rule.get('name', '?') if isinstance(rule, dict) else '?'})")
        self.rules.extend(rules)
        self._build()

    def clear_rules(self) -> None:
        self.rules = []
        self._build()

    def set_strategy(self, strategy: str, salt: Optional[str] = None) -> None:
        """Change the strategy (and give a salt) at run time; neither is needed to load the pipeline."""
        if strategy not in STRATEGIES:
            raise ValueError(f"medllm_deid: unknown strategy {strategy!r} (use one of {', '.join(STRATEGIES)})")
        self.cfg["strategy"] = strategy
        if salt is not None:
            self._salt = salt
        self._replacer = None

    @property
    def replacer(self) -> Replacer:
        if self._replacer is None:
            strategy = self.cfg["strategy"]
            if self._salt is None and strategy != "mask":
                self._salt = resolve_salt(self.cfg["salt_env"])
            self._replacer = Replacer(strategy, self._salt or "", locale=self.cfg["locale"])
        return self._replacer

    def initialize(self, get_examples: Optional[Callable] = None, *, nlp: Optional[Language] = None,
                   rules_file: Optional[Union[str, Path]] = None, use_default_rules: bool = True,
                   clinical_vocab_from: Optional[List[Union[str, Path]]] = None) -> None:
        """Reset the rules to the packaged defaults and/or a user file, and learn the clinical
        vocabulary from .spacy corpora of clinical text (``[initialize.components]``)."""
        self.clear_rules()
        if use_default_rules:
            self.add_rules(default_rules())
        if rules_file:
            self.add_rules(read_rules(rules_file))
        if clinical_vocab_from:
            self.set_clinical_vocab(build_clinical_vocab(clinical_vocab_from))

    def set_clinical_vocab(self, words: Iterable[str]) -> None:
        """Common words of clinical text: a head span made only of them (and stop words) is dropped."""
        self.clinical_vocab = {w.lower() for w in words}

    def find(self, doc: Doc, text: Optional[str] = None) -> List[tuple]:
        """Merged PHI character spans ``(start, end, label, source, score)``; the head's spans made only
        of clinical words (eponyms such as "Foley", "Babinski") are dropped, as the rules' are, and
        so are those of only common words of clinical text ("PLEURAL EFFUSIONS", ``vocab.py``) and those
        in capitals of only words notes write in lower case ("NONTENDER"; ``NameLists.common_in_capitals``). A
        LOCATION is widened over the rest of its address (``address.grow_locations``)."""
        text = doc.text if text is None else text  # Doc.text joins every token: build it once
        if self.cfg.get("recase_lower", True):
            text = recase_lower_text(text)
        spans = self._compiled.find(text)
        key = self.cfg["model_spans_key"]
        lists = packaged_name_lists()
        if key and key in doc.spans:
            group = doc.spans[key]
            scores = group.attrs.get("scores") if hasattr(group, "attrs") else None
            for i, span in enumerate(group):
                # spancat keeps one score per span, as a scalar or a one-element row
                score = float(numpy.max(scores[i])) if scores is not None and i < len(scores) else 1.0
                if span.label_ not in self.cfg["labels"] or score < self.cfg["threshold"]:
                    continue
                if (self._compiled.all_clinical(span.text) or only_common_words(span.text, self.clinical_vocab)
                        or lists.common_in_capitals(span.text)):
                    continue
                spans.append((span.start_char, span.end_char, span.label_, "model", score))
        spans = merge_spans([(start, _particle_surname_end(text, end) if label == "NAME" else end, label, source, score)
                             for start, end, label, source, score in spans])
        spans = merge_spans(spans + self.list_names(text, spans))
        if self.cfg.get("grow_addresses", True):
            spans = merge_spans(grow_locations(text, spans, relabel="LOCATION" in self.cfg["labels"]))
        if self.cfg.get("propagate_names", True):
            spans = merge_spans(spans + self.propagate_names(text, spans))
        return spans

    def _plain_name_word(self, word: str) -> bool:
        """A capitalized word of a list of names: a surname that notes also write in lower case
        ("Brown") and no clinical term, or neither a common nor a clinical word."""
        if packaged_name_lists().is_surname(word):
            return not self._compiled._word(word.lower(), self._compiled.clinical)
        return not (packaged_name_lists().is_common(word) or self._clinical_word(word))

    def _unknown_list_word(self, word: str) -> bool:
        """Beside a word taken for being unknown: unknown too, or a surname (one notes also write in
        lower case, or only capitalized: "Morales"), and no clinical word."""
        lists = packaged_name_lists()
        return ((not lists.is_known(word) or lists.is_surname(word) or lists.is_capitalized_surname(word))
                and self._plain_name_word(word))

    def _clinical_word(self, word: str) -> bool:
        low = word.lower()
        return low in self.clinical_vocab or self._compiled._word(low, self._compiled.clinical)

    def list_names(self, text: str, spans: List[tuple]) -> List[tuple]:
        """Spans that complete a found name: a middle initial joining two names, a generation after
        one, the other names of a list ("A, B and C") in which one name was found by a cue, a name
        list or the head."""
        out, names = [], sorted(s for s in spans if s[2] == "NAME")
        for (start, end, _, source, score), nxt in zip(names, names[1:] + [None]):
            if nxt is not None and _INITIAL_GAP.fullmatch(text, end, nxt[0]):
                out.append((start, nxt[1], "NAME", source, score))
            generation = _GENERATION.match(text, end)
            if generation:
                out.append((start, generation.end(), "NAME", source, score))
            if source.startswith("propagated"):
                continue
            # A list's other names are surnames or words no list knows ("Okafor and Brown"); beside a
            # word taken only for being unknown, no known word but a surname ("Usamov and Bowers",
            # "Muslija and Brown"; not "Hank and Hegar dilators", "Compazine and Allegra").
            name_word = self._unknown_list_word if source.startswith("name_unknown") else self._plain_name_word
            after = _AND_NAME.match(text, end)
            plural = _PLURAL_TITLE.search(text, max(0, start - 8), start)  # "Drs. Okafor and Brown": both are names
            if after and (name_word(after.group("name")) or plural and not self._clinical_word(after.group("name"))):
                out.append((after.start("name"), after.end("name"), "NAME", "name_list", score))
            before = _NAME_LIST_BEFORE.search(text, max(0, start - 40), start)
            if (before and name_word(before.group("name"))
                    and (not before.group()[len(before.group("name")):].startswith(",") or _AND_NAME.match(text, end))):
                out.append((before.start("name"), before.end("name"), "NAME", "name_list", score))
        return out

    def propagate_names(self, text: str, spans: List[tuple]) -> List[tuple]:
        """A name found once is a name wherever the note writes it again: "Jindřich Holinka" found
        after a cue makes a later bare "Holinka" PHI too (the PhysioNet deid package does the same).
        Words of 3+ letters, capitalized, and no clinical or common word ("Will", "Parkinson", and
        "Brown", a surname that notes also write in lower case)."""
        lists = packaged_name_lists()
        words = {}
        for start, end, label, _, score in spans:
            if label != "NAME":
                continue
            for word in _NAME_WORD.findall(text[start:end]):
                low = word.lower()
                if (len(word) < 3 or not word[0].isupper() or word.isupper() or lists.is_common(word)
                        or low in self.clinical_vocab or self._compiled._word(low, self._compiled.clinical)):
                    continue
                words[word] = max(score, words.get(word, 0.0))
        if not words:
            return []
        pattern = re.compile(r"(?<![\w'\-])(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")(?![\w\-])")
        return [(m.start(), m.end(), "NAME", "propagated", words[m.group()]) for m in pattern.finditer(text)]

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        found = self.find(doc, text)
        group, scores, last_end = [], [], -1
        for start, end, label, source, score in found:
            span = doc.char_span(start, end, label=label, kb_id=source, alignment_mode="expand")
            if span is None or not len(span):
                continue
            if span.start < last_end:  # widened to tokens, it now overlaps the previous one
                continue
            group.append(span)
            scores.append(score)
            last_end = span.end
        doc.spans[self.cfg["spans_key"]] = group
        doc.spans[self.cfg["spans_key"]].attrs["scores"] = scores
        patient = doc._.patient_key
        note_key = str(patient) if patient is not None else f"note:{keyed('note', text):x}"
        replace = self.replacer
        new_text, mapping = OffsetMap.apply(text, [(s, e, replace(label, text[s:e], note_key)) for s, e, label, _, _ in found])
        doc._.deidentified = new_text
        doc._.deid_map = mapping
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def score(self, examples, **kwargs) -> dict:
        if self.scorer is None:
            return {}
        return self.scorer(examples, spans_key=self.cfg["spans_key"], **kwargs)

    # Serialization: rules, labels and settings; never the salt.
    def _data(self) -> dict:
        return {"cfg": self.cfg, "rules": self.rules, "clinical_words": self.clinical_words,
                "clinical_vocab": sorted(self.clinical_vocab)}

    def _load(self, data: dict) -> "Deidentifier":
        self.cfg.update(data["cfg"])
        self.clinical_words = list(data["clinical_words"])
        self.clinical_vocab = set(data.get("clinical_vocab", []))  # absent from pipelines saved without one
        self.rules = []
        self.add_rules(data["rules"])
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return srsly.msgpack_dumps(self._data())

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()) -> "Deidentifier":
        return self._load(srsly.msgpack_loads(bytes_data))

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path / "cfg.json", srsly.json_dumps(self.cfg, indent=2))
        atomic_write_text(path / "rules.json", srsly.json_dumps({"phi_rules": self.rules}, indent=1))
        atomic_write_text(path / "clinical_words.json", srsly.json_dumps(self.clinical_words))
        atomic_write_text(path / "clinical_vocab.json", srsly.json_dumps(sorted(self.clinical_vocab)))

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> "Deidentifier":
        path = ensure_path(path)
        vocab = path / "clinical_vocab.json"
        return self._load({"cfg": srsly.read_json(path / "cfg.json"), "rules": read_rules(path / "rules.json"),
                           "clinical_words": srsly.read_json(path / "clinical_words.json"),
                           "clinical_vocab": srsly.read_json(vocab) if vocab.exists() else []})


def score_phi(examples, *, spans_key: str = "phi", **kwargs) -> dict:
    """spaCy's span scorer over the PHI span group (exact-match P/R/F, per label)."""
    return Scorer.score_spans(examples, f"spans_{spans_key}", getter=lambda doc, attr: doc.spans.get(spans_key, []),
                              has_annotation=lambda doc: spans_key in doc.spans, labeled=True, allow_overlap=False)
