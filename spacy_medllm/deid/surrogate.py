"""Replacement strategies for PHI: mask, hash, surrogate.

Surrogates are deterministic from a secret salt (never stored in the pipeline; read from the
environment variable named in the component's config): the same name always gets the same fake
name (per word, so "John Smith" and "Mr. Smith" stay consistent), and every date of one patient
moves by one offset (a keyed hash of the patient key), so intervals between dates survive.
Fake values come from ``faker`` (well kept, many locales), seeded per value from the keyed hash.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import importlib.util
import os
import re
import secrets
import warnings
from typing import Callable, Optional, Tuple

from .rules import MONTHS

STRATEGIES = ("mask", "surrogate", "hash")
_PROCESS_SALT = secrets.token_hex(16)
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]


def resolve_salt(env_var: str) -> str:
    """The secret salt from the environment; without one, a random per-process salt (warned once)."""
    salt = os.environ.get(env_var, "")
    if salt:
        return salt
    warnings.warn(f"medllm_deid: {env_var} is not set; surrogates and hashes are consistent only within "
                  "this process", stacklevel=3)
    return _PROCESS_SALT


def keyed(salt: str, *parts: str) -> int:
    msg = "\x1f".join(parts).encode("utf8")
    return int.from_bytes(hmac.new(salt.encode("utf8"), msg, hashlib.sha256).digest()[:8], "big")


def date_shift_days(salt: str, patient_key: str, max_days: int = 365) -> int:
    """One offset per patient, never 0: in [-max_days, -1] or [1, max_days]."""
    n = keyed(salt, "date-shift", patient_key) % (2 * max_days)
    return n - max_days if n < max_days else n - max_days + 1


def parse_date(text: str) -> Optional[Tuple[datetime.date, Callable[[datetime.date], str]]]:
    """A date written in one of the rule formats, and a function that writes another date the same way."""
    s = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(.*)", s)
    if m:
        rest = m.group(4)
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3))), lambda d: d.isoformat() + rest
    m = re.fullmatch(r"(\d{1,2})([/\-.])(\d{1,2})(?:\2(\d{2}|\d{4}))?", s)
    if m:
        mo, sep, dy, yr = m.group(1), m.group(2), m.group(3), m.group(4)
        year = int(yr) if yr else 2000
        if yr and len(yr) == 2:
            year += 2000 if year < 50 else 1900
        pad = len(mo) == 2 or len(dy) == 2

        def fmt(d, sep=sep, yr=yr, pad=pad):
            parts = [f"{d.month:02d}" if pad else str(d.month), f"{d.day:02d}" if pad else str(d.day)]
            if yr:
                parts.append(str(d.year)[-len(yr):])
            return sep.join(parts)

        return _date(year, int(mo), int(dy)), fmt
    m = re.fullmatch(r"([A-Za-z]+)(\.?)\s+(\d{1,2})(st|nd|rd|th)?(?:(,?\s+)(\d{4}))?", s)
    if m and m.group(1).lower()[:3] in MONTHS:
        full = len(m.group(1)) > 3
        sep_y = m.group(5)

        def fmt(d):
            name = _MONTH_NAMES[d.month - 1] if full else _MONTH_NAMES[d.month - 1][:3] + m.group(2)
            return f"{name} {d.day}" + (f"{sep_y}{d.year}" if sep_y else "")

        return _date(int(m.group(6) or 2000), MONTHS[m.group(1).lower()[:3]], int(m.group(3))), fmt
    m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?\s+(of\s+)?([A-Za-z]+)\.?(?:(,?\s+)(\d{4}))?", s)
    if m and m.group(4).lower()[:3] in MONTHS:
        sep_y = m.group(5)

        def fmt(d):
            return f"{d.day} {_MONTH_NAMES[d.month - 1]}" + (f"{sep_y}{d.year}" if sep_y else "")

        return _date(int(m.group(6) or 2000), MONTHS[m.group(4).lower()[:3]], int(m.group(1))), fmt
    m = re.fullmatch(r"([A-Za-z]+)\.?(,?\s+)(\d{4})", s)
    if m and m.group(1).lower()[:3] in MONTHS:
        return _date(int(m.group(3)), MONTHS[m.group(1).lower()[:3]], 15), \
            lambda d, sep=m.group(2): f"{_MONTH_NAMES[d.month - 1]}{sep}{d.year}"
    return None


def _date(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


def stable_faker(locale: str):
    """A ``faker.Faker`` whose values follow its seed alone: faker's it_IT builds its city list from a
    set, in an order that follows Python's hash seed; sorted, one seed gives the same values in
    every process (surrogates, the generator's records, the benchmark's probes)."""
    from faker import Faker

    fake = Faker(locale)
    for provider in fake.get_providers():
        if provider.__module__.startswith("faker.providers.address.it_IT"):
            provider.cities = sorted(provider.cities)
    return fake


class Replacer:
    """Replacement text for one PHI value under a strategy; ``patient_key`` scopes date shifts."""

    def __init__(self, strategy: str, salt: str = "", locale: str = "en_US", hash_length: int = 10):
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
        self.strategy = strategy
        self.salt = salt
        self.locale = locale
        self.hash_length = hash_length
        self._faker = None

    @property
    def faker(self):
        if self._faker is None:
            if importlib.util.find_spec("faker") is None:
                raise ImportError("the 'surrogate' strategy needs faker: pip install 'spacy-medllm[deid]'")
            self._faker = stable_faker(self.locale)
        return self._faker

    def __call__(self, label: str, value: str, patient_key: str) -> str:
        if self.strategy == "mask":
            return f"[{label}]"
        if self.strategy == "hash":
            digest = hmac.new(self.salt.encode("utf8"), f"{label}\x1f{value.strip().lower()}".encode("utf8"),
                              hashlib.sha256).hexdigest()
            return f"[{label}:{digest[:self.hash_length]}]"
        return self.surrogate(label, value, patient_key)

    def _seeded(self, *parts: str):
        fake = self.faker
        fake.seed_instance(keyed(self.salt, *parts))
        return fake

    def surrogate(self, label: str, value: str, patient_key: str) -> str:
        if label == "DATE":
            parsed = None
            try:
                parsed = parse_date(value)
            except ValueError:
                parsed = None
            if parsed is None:
                return "[DATE]"
            date, fmt = parsed
            return fmt(date + datetime.timedelta(days=date_shift_days(self.salt, patient_key)))
        if label == "NAME":
            return self._name(value)
        if label == "AGE":
            return "90+"
        if label == "LOCATION":
            return self._like(value, "location")
        if label == "CONTACT":
            if re.fullmatch(r"(?:\d{1,3}\.){3}\d{1,3}", value):
                return self._seeded("ip", value).ipv4()
            if "@" in value:
                return self._seeded("email", value.lower()).email()
            if re.search(r"[a-z]{2,}", value, re.I):
                return self._seeded("url", value.lower()).url().rstrip("/")
            return self._digits(value)
        return self._digits(value)

    def _name(self, value: str) -> str:
        """Word by word: the first of several words a first name, the others last names."""
        words = re.findall(r"[A-Za-z][A-Za-z'\-]*\.?|[^A-Za-z]+", value)
        alpha = [i for i, w in enumerate(words) if w[0].isalpha() and not (len(w) <= 2 and w.endswith("."))]
        out = list(words)
        comma = "," in value
        for n, i in enumerate(alpha):
            word = words[i].lower().strip(".")
            first = (n == 0 and len(alpha) > 1 and not comma) or (comma and n == 1)
            fake = self._seeded("name", "first" if first else "last", word)
            out[i] = fake.first_name() if first else fake.last_name()
        return "".join(out)

    def _like(self, value: str, kind: str) -> str:
        fake = self._seeded(kind, value.lower())
        if re.match(r"\d", value):
            return fake.street_address()
        if re.search(r"\b\d{5}(?:-\d{4})?$", value) or re.search(r",\s*[A-Z]{2}$", value):
            return f"{fake.city()}, {fake.state_abbr()}" + (f" {fake.zipcode()}" if re.search(r"\d{5}", value) else "")
        if re.fullmatch(r"\d{5}(?:-\d{4})?", value):
            return fake.zipcode()
        facility = re.search(r"(Hospital|Medical Center|Clinic|Health Center|Infirmary|Nursing Home|Center)$", value)
        if facility:
            return f"{fake.last_name()} {facility.group(1)}"
        return fake.city()

    def _digits(self, value: str) -> str:
        """Same shape, other digits and letters (a phone stays a phone, an MRN an MRN)."""
        fake = self._seeded("digits", value)
        out = []
        for c in value:
            if c.isdigit():
                out.append(str(fake.random_digit()))
            elif c.isalpha():
                letter = fake.random_uppercase_letter()
                out.append(letter if c.isupper() else letter.lower())
            else:
                out.append(c)
        return "".join(out)
