"""Name lists for the PHI rules: given names and surnames, and the words text writes in lower case.

Most names in a note come with no cue ("Olga Krylova called"), so cue rules alone miss them. A
given name followed by one or two more capitalized words is a name, the way the PhysioNet deid
package and Philter use name lists. The lists are faker's (MIT; the given names and surnames of all
its locales, much of it from census and registry data) less every word that ordinary text writes in
lower case ("will", "mark", "grant", "hope"): a word seen lower case at least twice in a corpus of
notes is a common word, so "Will" or "Boston Naming Test" are not names.

Names from outside faker's lists ("Vsevolod", "Szczepańska") are found the way Philter finds them:
a capitalized word that is no known word. Known words are English dictionary words (WordNet's, as
spaCy's lookup tables ship them: ``spacy-lookups-data``) that are no name, and the words the
corpora write in lower case or capitalize at least ``min_count`` times (eponyms, drugs and devices:
"Hartmann", "Lipitor"). The packaged file ``resources/names.json`` is built once by ``medllm
deid-names`` and read with importlib.resources; neither faker nor the lookup tables are needed at
run time.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple, Union

import srsly

from ..files import atomic_write_text

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ENGLISH = re.compile(r"[a-z][a-z'\-]+")
_POSSESSIVE = re.compile(r"'s?$")
_GIVEN_ATTRS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
_SURNAME_ATTRS = ("last_names", "last_names_male", "last_names_female")


def _faker_names(attrs: Iterable[str]) -> Set[str]:
    """The names of every faker locale under these Provider attributes (lists or weighted dicts)."""
    try:
        import faker.providers.person as person
    except ImportError:
        raise ImportError("medllm deid-names needs faker: pip install 'spacy-medllm[deid-lists]'") from None
    out: Set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        try:
            provider = getattr(importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None)
        except Exception:  # a locale module that fails to import contributes nothing
            continue
        for attr in attrs:
            values = getattr(provider, attr, None)
            if isinstance(values, dict):
                values = list(values)
            if isinstance(values, (list, tuple, set)):
                out.update(v.strip() for v in values if isinstance(v, str) and v.strip())
    return out


def _texts(path: Path, text_field: str) -> Iterable[str]:
    """The note texts of a .spacy corpus, a CSV/TSV or JSONL file (``text_field``), or a text file."""
    if path.suffix == ".spacy":
        import spacy
        from spacy.tokens import DocBin

        yield from (d.text for d in DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    elif path.suffix in (".csv", ".tsv"):
        import csv

        csv.field_size_limit(2**31 - 1)
        with path.open(encoding="utf8", errors="replace", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t" if path.suffix == ".tsv" else ",")
            column = next((c for c in text_field.split(",") if c in (reader.fieldnames or [])), None)
            if column is None:
                raise ValueError(f"{path}: no column {text_field!r} (use --text-field)")
            yield from (row[column] or "" for row in reader)
    elif path.suffix == ".jsonl":
        for i, record in enumerate(srsly.read_jsonl(path), 1):
            field = next((c for c in text_field.split(",") if isinstance(record, dict) and c in record), None)
            if field is None or not isinstance(record[field], str):
                raise ValueError(f"{path}: line {i}: no string field {text_field!r} (use --text-field)")
            yield record[field]
    else:
        yield path.read_text(encoding="utf8", errors="replace")


def word_counts(paths: Iterable[Union[str, Path]], text_field: str = "text") -> Tuple[Counter, Counter]:
    """How often each word of 2+ letters is written in lower case, and capitalized (lower-cased
    keys), in the notes of these files (.spacy, CSV/TSV or JSONL with the notes in ``text_field``:
    the first of its comma-separated names that a file has, or plain text). Only note text counts:
    a CSV's keyword column ("joseph elevator") would make names common words."""
    lower: Counter = Counter()
    capital: Counter = Counter()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ValueError(f"{path}: not found (a corpus of notes for the common-word list)")
        for text in _texts(path, text_field):
            for w in _WORD.findall(text):
                if len(w) < 2:
                    continue
                if w.islower():
                    lower[w] += 1
                elif w[0].isupper() and not w.isupper():
                    capital[_POSSESSIVE.sub("", w).lower()] += 1  # "Hartmann's pouch" counts for Hartmann
    return lower, capital


def lower_case_words(paths: Iterable[Union[str, Path]], min_count: int = 2, text_field: str = "text") -> Set[str]:
    """Words written in lower case at least ``min_count`` times in these notes (``word_counts``)."""
    counts, _ = word_counts(paths, text_field)
    return {w for w, n in counts.items() if n >= min_count}


def english_words() -> Set[str]:
    """Lower-case English words of WordNet (lemmas and inflected forms), from spaCy's lookup tables."""
    try:
        from spacy.lookups import load_lookups

        lookups = load_lookups("en", ["lemma_index", "lemma_exc", "lemma_lookup"], strict=True)
    except (ImportError, ValueError):
        raise ImportError("medllm deid-names needs spaCy's lookup tables: pip install 'spacy-medllm[deid-lists]'") from None
    words: Set[str] = set()
    for forms in lookups.get_table("lemma_index").values():
        words.update(forms)
    for table in lookups.get_table("lemma_exc").values():
        for form, lemmas in table.items():
            words.add(form)
            words.update(lemmas)
    words.update(lookups.get_table("lemma_lookup").values())
    return {w for w in words if isinstance(w, str) and _ENGLISH.fullmatch(w)}


def build_name_lists(corpora: Iterable[Union[str, Path]], min_count: int = 2, text_field: str = "text",
                     english: Optional[Iterable[str]] = None) -> Dict[str, List[str]]:
    """Given names (lower case) that are no common word; the common words; those of them that are
    also surnames ("green", "king": a name after a given name, "Janet Green"); the other known
    words: English words that are no given name or surname, words the corpora write in lower case
    at all, or capitalize ``min_count`` times and are no given name (eponyms such as "Parkinson"
    are surnames); and the surnames among the capitalized known words that are no English word
    ("Morales", "Pearson": clinicians, authors and eponyms of the corpora, names beside a found
    name; not "English", "Spain"). ``english`` defaults to ``english_words()``."""
    from .rules import _W

    lower, capital = word_counts(corpora, text_field)
    common = {w for w, n in lower.items() if n >= min_count}
    name_word = re.compile(_W)  # only names the rule's word pattern can match (Latin script)
    faker_given = _faker_names(_GIVEN_ATTRS)
    given = {n.lower() for n in faker_given if len(n) >= 2 and name_word.fullmatch(n)} - common
    surnames = {n.lower() for n in _faker_names(_SURNAME_ATTRS)}
    dictionary = set(english_words() if english is None else (w.lower() for w in english))
    given_any = {n.lower() for n in faker_given}
    capitalized = {w for w, n in capital.items() if n >= min_count} - given_any  # "John" stays a name
    known = (dictionary - given_any - surnames) | set(lower) | capitalized
    return {"given": sorted(given), "common": sorted(common), "surnames": sorted(common & surnames),
            "countries": sorted(_countries()), "known": sorted(known - common),
            "capitalized_surnames": sorted((capitalized & surnames) - common - dictionary)}


def _countries() -> Set[str]:
    """Country names in English (faker's list): a country alone is no Safe Harbor identifier, so
    "originally from Mexico" keeps its country where "grew up in Poznań" loses its town."""
    from faker.providers.address.en import Provider

    return {c.lower() for c in Provider.countries} | {"usa", "us", "u.s.", "u.s.a.", "uk", "united states", "america",
                                                      "england", "scotland", "wales", "northern ireland", "britain"}


def write_name_lists(output: Union[str, Path], corpora: Iterable[Union[str, Path]], min_count: int = 2,
                     text_field: str = "text", english: Optional[Iterable[str]] = None) -> Dict[str, int]:
    lists = build_name_lists(corpora, min_count, text_field, english)
    atomic_write_text(Path(output), srsly.json_dumps(lists))
    return {k: len(v) for k, v in lists.items()}


class NameLists:
    """Lower-case given names, common words, the common words that are also surnames, countries, the
    other known words (no name), and the surnames among them that notes write capitalized."""

    def __init__(self, given: Iterable[str], common: Iterable[str], surnames: Iterable[str] = (),
                 countries: Iterable[str] = (), known: Iterable[str] = (), capitalized_surnames: Iterable[str] = ()):
        self.given = frozenset(w.lower() for w in given)
        self.countries = frozenset(c.lower() for c in countries)
        self.common = frozenset(w.lower() for w in common)
        self.surnames = frozenset(w.lower() for w in surnames)
        self.known = frozenset(w.lower() for w in known)
        self.capitalized_surnames = frozenset(w.lower() for w in capitalized_surnames)

    def is_known(self, word: str) -> bool:
        """A common word or another word that is no name (English, or a clinical term of the corpora)."""
        low = word.lower()
        return low in self.common or low in self.known

    def is_given(self, word: str) -> bool:
        return word.lower() in self.given

    def is_common(self, word: str) -> bool:
        return word.lower() in self.common

    def is_country(self, phrase: str) -> bool:
        return " ".join(phrase.lower().split()) in self.countries

    def is_surname(self, word: str) -> bool:
        """A common word that is also a surname ("Young", "Green")."""
        return word.lower() in self.surnames

    def is_capitalized_surname(self, word: str) -> bool:
        """A surname that notes write only capitalized, as a name or an eponym ("Morales", "Becker")."""
        return word.lower() in self.capitalized_surnames

    def may_be_surname(self, word: str) -> bool:
        """After a given name: no common word, or one that is also a surname."""
        return word.lower() not in self.common or word.lower() in self.surnames

    def common_in_capitals(self, text: str) -> bool:
        """Text in capitals whose every word notes write in lower case and none is a surname or
        given name ("NONTENDER", "MALIGNANT THYMOMA"): capitals hide case, the word's usage does not."""
        if not text.isupper():
            return False
        words = [w.lower() for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text) if len(w) > 1]
        return bool(words) and all(w in self.common and w not in self.surnames and w not in self.given for w in words)


@lru_cache(maxsize=1)
def packaged_name_lists() -> NameLists:
    """The name lists shipped with the package (``medllm deid-names`` writes them)."""
    text = resources.files("spacy_medllm.deid").joinpath("resources/names.json").read_text("utf8")
    data = srsly.json_loads(text)
    return NameLists(data["given"], data["common"], data["surnames"], data.get("countries", ()), data.get("known", ()),
                     data.get("capitalized_surnames", ()))
