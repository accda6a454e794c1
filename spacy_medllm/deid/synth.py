"""Synthetic clinical notes with surrogate PHI and gold character offsets (train/dev/test + PHI-free).

Every value is invented by ``faker`` (seeded: the same seed writes the same files). Templates mix
cued PHI ("Dr. X", "MRN: N") with uncued PHI ("X presented with...", "transferred from X") so a
model has something to learn beyond the rules; PHI-free texts hold the clinical words that look
like names (eponyms, drugs), years alone, ages under 90, doses and vital signs.
Records: ``{"id", "text", "spans": [{"start", "end", "label"}], "phi_free": bool}``. The test split
alone also draws on a held-out template family (``HELD_OUT_CUED``), so heads are scored on layouts
they never trained on.

``generate_general`` writes a second, training-only family: names, addresses, cities and phone
numbers from many ``faker`` locales in everyday sentences and letter-style blocks (the shapes a
US-only generator never shows: "Rua Igreja 25", "0490 39 07 81", "Hauta-aho"), countries and
states left unlabelled (not PHI under Safe Harbor), and PHI-free clinical text in capitals, as
dictated reports and section headers write it. Names also come with no cue at all (lists,
greetings, possessives) and, one in twenty, in lower case as hurried notes write them; places as
street corners and towns with their postcode on either side.
"""
from __future__ import annotations

import datetime
import random
import re
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import srsly

from ..files import atomic_write_text

FILLER = [
    "She reports intermittent chest pain radiating to the left arm.", "No fever, chills or night sweats.",
    "Troponin was negative times two and the electrocardiogram showed sinus rhythm.",
    "Started metformin 500 mg twice daily and lisinopril 10 mg daily.", "Chest x-ray shows a small pleural effusion.",
    "Denies nausea, vomiting or diarrhea.", "Blood pressure 132/84, heart rate 88, oxygen saturation 96% on room air.",
    "MRI of the brain was unremarkable.", "History of type 2 diabetes mellitus and hypertension since 2012.",
    "Plan: continue aspirin 81 mg daily, follow up with cardiology in 2 weeks.",
    "Hemoglobin A1c 7.8, creatinine 1.2, TSH 2.1.", "Lungs clear to auscultation bilaterally.",
    "Abdomen soft, non-tender, non-distended.", "He was given Zofran 4 mg IV for nausea with good effect.",
    "Foley catheter was removed on hospital day 2.", "Positive Babinski sign on the left; Chaddock sign equivocal.",
    "Family history of Alzheimer's disease in her mother.", "Known Crohn's disease, on infliximab every 8 weeks.",
    "Parkinson's disease with resting tremor, on carbidopa-levodopa.", "Apgar scores 8 and 9 at one and five minutes.",
    "Follow up with Dr. as needed.", "Take 1/2 tablet at bedtime.", "Pain 6/10, improved to 3/10 after morphine.",
    "Patient is a 67 year old man with COPD.", "She is 45 years old and works as a teacher.",
    "Colonoscopy in 2018 showed two small polyps.", "Glasgow coma scale 15.", "Hodgkin lymphoma in remission since 2009.",
    "Murphy's sign negative.", "Continue Lasix 40 mg daily and Coumadin per INR.", "Repeat CBC and BMP in the morning.",
    "Echocardiogram showed an ejection fraction of 55%.", "No history of Graves' disease.", "Lyme titers pending.",
    "Urinalysis positive for leukocyte esterase; started Bactrim.", "Valsalva maneuver terminated the tachycardia.",
    "Holter monitor for 48 hours.", "Gram stain showed gram-positive cocci in clusters.",
    "Wells score low; D-dimer negative.", "Down syndrome with atrioventricular canal repaired in infancy.",
]
HOSPITAL_KINDS = ["Hospital", "Medical Center", "General Hospital", "Memorial Hospital", "Regional Medical Center",
                  "Clinic", "Community Hospital", "Health Center", "Rehabilitation Center", "Nursing Home"]
HOLIDAYS = ["Christmas", "Christmas Eve", "Thanksgiving", "New Year's Eve", "Easter Sunday", "Labor Day", "Memorial Day",
            "Halloween", "Hanukkah"]
PARTICLES = ["van", "van der", "de", "de la", "von", "da", "di", "del", "le"]
DATE_FORMATS = ["%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%B %Y", "%-m/%-d/%Y", "%B %-d"]
CUED = [
    "Patient: {NAME}", "Patient Name: {NAME}", "MRN: {MRN}", "DOB: {DATE}", "Date of admission: {DATE}",
    "Attending: Dr. {LAST}", "Seen by Dr. {LAST} on {DATE}.", "Electronically signed by {NAME}, MD on {DATE}.",
    "Discussed with {FIRST} {LAST}, NP.", "Mr. {LAST} was admitted on {DATE} with pneumonia.",
    "Mrs. {LAST} returns for follow up.", "Ms. {LAST} reports feeling better.",
    "Phone: {PHONE}", "Fax: {PHONE}", "Call back number {PHONE}.", "Email: {EMAIL}",
    "Patient portal: {URL}", "Address: {STREET}, {CITYSTATEZIP}", "Lives at {STREET}.",
    "SSN: {SSN}", "Account number: {ACCOUNT}", "Health plan ID: {PLAN}", "Insurance ID {PLAN}.",
    "License number {LICENSE}.", "Pacemaker serial number {DEVICE}.", "Transferred from {HOSPITAL} on {DATE}.",
    "Admitted to {HOSPITAL}.", "She is a {AGE90} year old woman with dementia.", "Age: {AGE90}",
    "Emergency contact: {NAME}, {PHONE}.", "Accompanied by his daughter {FIRST}.", "Accompanied by her son {FIRST}.",
    "Login from IP {IP} flagged.", "Follow up at {HOSPITAL} on {DATE}.", "Referred by Dr. {NAME}.",
    "PCP: Dr. {LAST}, {PHONE}.", "Last colonoscopy on {DATE} was normal.", "Discharged on {DATE}.",
]
UNCUED = [
    "{NAME} presented with shortness of breath.", "{FIRST} was counseled about smoking cessation.",
    "{NAME} is a {AGE} year old man with chest pain.", "Spoke with {FIRST} about discharge planning.",
    "{LAST} tolerated the procedure well.", "Her husband {FIRST} is at the bedside.",
    "He lives in {CITY} with his wife.", "Results sent to {EMAIL} per request.",
    "Will call {PHONE} with results.", "Recently moved from {CITY}, {STATE}.",
    "Outside records from {HOSPITAL} reviewed.", "Surgery was done at {HOSPITAL} in {YEAR}.",
    "Her brother {NAME} has diabetes.", "Plan discussed with {NAME} and family.",
    "Seen {DATE} in clinic.", "Prior admission {DATE} for cellulitis.",
]
# A template family written into the test split only (``held_out``): report headers and letters as
# transcription services write them, pagers, holidays, ages with the sex glued on. The head never
# trains on these shapes, so the test split shows whether it carries to note layouts it has not
# seen (heads trained with them in their records flagged clinical words in capitals more often).
HELD_OUT_CUED = [
    "MEDICAL RECORD #: {MRN}", "PATIENT NAME: {LASTU}, {FIRSTU}", "{LAST}, {FIRST}  MRN: {MRN}",
    "PRIMARY CARE PHYSICIAN: {NAME}", "ATTENDING PHYSICIAN: {NAME}, M.D.", "Transcribed by: {INITIALS}",
    "cc: {NAME}, MD", "Thank you for referring {NAME} to our clinic.", "He follows with Dr. {PARTICLE} at {HOSPITAL}.",
    "Pager {PAGER}", "{AGE90}{SEX} with dyspnea and weakness.", "Medicare # {PLAN}", "Unit #: {MRN}",
]
HELD_OUT_UNCUED = [
    "She lives with her daughter in {CITY}.", "Returns {SHORTDATE} for suture removal.", "Fell on {HOLIDAY} at home.",
]
HELD_OUT_HOSPITAL_KINDS = ["General", "Cancer Institute", "Medical Associates"]


# Fixed bounds, not faker's default "now": the same seed writes the same files on any day.
FIRST_DAY, LAST_DAY = datetime.date(1965, 1, 1), datetime.date(2024, 12, 31)


def _date_text(fake, rng: random.Random) -> str:
    date = fake.date_between(start_date=FIRST_DAY, end_date=LAST_DAY)
    return date.strftime(rng.choice(DATE_FORMATS))


def _weekday(fake) -> str:
    """A seeded weekday in the locale's language: faker's ``day_of_week`` draws from a range that
    ends today, so its provider is shown one fixed-range date instead."""
    when = fake.date_between(start_date=FIRST_DAY, end_date=LAST_DAY)
    provider = next(p for p in fake.get_providers() if hasattr(p, "day_of_week"))
    provider.date = lambda pattern="%Y-%m-%d", end_datetime=None: when.strftime(pattern)
    try:
        return provider.day_of_week()
    finally:
        del provider.date


def slot_values(fake, rng: random.Random, hospital_kinds: List[str] = HOSPITAL_KINDS) -> Dict[str, Callable[[], Tuple[str, str]]]:
    """Slot -> a function giving (value, label); label '' for values that are not PHI (a year, an age)."""
    def phone():
        area = rng.randint(201, 989)
        while area % 100 == 11:
            area += 1
        fmt = rng.choice(["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{a} {b} {c}"])
        return fmt.format(a=area, b=rng.randint(200, 999), c=f"{rng.randint(0, 9999):04d}"), "CONTACT"

    return {
        "NAME": lambda: (f"{fake.first_name()} {fake.last_name()}", "NAME"),
        "FIRST": lambda: (fake.first_name(), "NAME"),
        "LAST": lambda: (fake.last_name(), "NAME"),
        "DATE": lambda: (_date_text(fake, rng), "DATE"),
        "YEAR": lambda: (str(rng.randint(1990, 2023)), ""),
        "AGE": lambda: (str(rng.randint(18, 89)), ""),
        "AGE90": lambda: (str(rng.randint(90, 104)), "AGE"),
        "MRN": lambda: (fake.numerify(rng.choice(["########", "#######", "MR-######", "##-###-###"])), "ID"),
        "SSN": lambda: (fake.ssn(), "ID"),
        "ACCOUNT": lambda: (fake.numerify(rng.choice(["##########", "A########", "####-####"])), "ID"),
        "PLAN": lambda: (fake.bothify(rng.choice(["???#########", "??-########", "#########"])).upper(), "ID"),
        "LICENSE": lambda: (fake.bothify(rng.choice(["?#######", "??######", "#########"])).upper(), "ID"),
        "DEVICE": lambda: (fake.bothify(rng.choice(["SN-#####-##", "??########", "#######-?"])).upper(), "ID"),
        "PHONE": phone,
        "EMAIL": lambda: (fake.email(), "CONTACT"),
        "URL": lambda: (fake.url() + rng.choice(["", "portal", "chart?id=" + str(rng.randint(1, 9999))]), "CONTACT"),
        "IP": lambda: (fake.ipv4(), "CONTACT"),
        "STREET": lambda: (fake.street_address(), "LOCATION"),
        "CITY": lambda: (fake.city(), "LOCATION"),
        "STATE": lambda: (fake.state_abbr(), ""),
        "CITYSTATEZIP": lambda: (f"{fake.city()}, {fake.state_abbr()} {fake.zipcode()}", "LOCATION"),
        "LASTU": lambda: (fake.last_name().upper(), "NAME"), "FIRSTU": lambda: (fake.first_name().upper(), "NAME"),
        "INITIALS": lambda: ("".join(rng.choice("abcdefghjklmnprstw") for _ in range(rng.choice([2, 3]))), "NAME"),
        "PARTICLE": lambda: (f"{rng.choice(PARTICLES)} {fake.last_name()}", "NAME"),
        "PAGER": lambda: (str(rng.randint(10000, 99999)) if rng.random() < 0.7 else f"{rng.randint(1, 9)}-{rng.randint(1000, 9999)}", "CONTACT"),
        "SEX": lambda: (rng.choice(["M", "F", " M", " F", "yo M", " yo F"]), ""),
        "HOLIDAY": lambda: (rng.choice(HOLIDAYS), "DATE"),
        "SHORTDATE": lambda: (f"{rng.randint(1, 12)}/{rng.randint(1, 28)}", "DATE"),
        "HOSPITAL": lambda: (rng.choice([f"{fake.last_name()} {rng.choice(hospital_kinds)}",
                                          f"{fake.city()} {rng.choice(hospital_kinds)}",
                                          f"St. {fake.first_name()}'s {rng.choice(hospital_kinds)}"]), "LOCATION"),
    }


def fill(template: str, slots: Dict[str, Callable]) -> Tuple[str, List[dict]]:
    """A template with its slots filled, and the PHI spans in the result. A slot gives a
    ``(value, label)`` or a list of them (an address: one span per line, the joiners unlabelled)."""
    out, spans, pos = [], [], 0
    for m in re.finditer(r"\{([A-Z0-9]+)\}", template):
        out.append(template[pos:m.start()])
        parts = slots[m.group(1)]()
        for value, label in [parts] if isinstance(parts, tuple) else parts:
            start = sum(len(x) for x in out)
            out.append(value)
            if label:
                spans.append({"start": start, "end": start + len(value), "label": label})
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), spans


def make_note(rng: random.Random, slots, n_phi: int, n_filler: int, held_out: bool = False) -> Tuple[str, List[dict]]:
    cued, uncued = (CUED + HELD_OUT_CUED, UNCUED + HELD_OUT_UNCUED) if held_out else (CUED, UNCUED)
    parts = [rng.choice(cued if rng.random() < 0.65 else uncued) for _ in range(n_phi)] + \
        [None] * n_filler
    rng.shuffle(parts)
    text, spans = "", []
    for part in parts:
        sep = "" if not text else rng.choice([" ", "\n", "\n\n", "  "])
        piece, piece_spans = (rng.choice(FILLER), []) if part is None else fill(part, slots)
        offset = len(text) + len(sep)
        text += sep + piece
        spans += [dict(s, start=s["start"] + offset, end=s["end"] + offset) for s in piece_spans]
    return text + "\n", spans


def generate(n: int, seed: int, *, phi_free_share: float = 0.15, locale: str = "en_US", prefix: str = "synth",
             held_out: bool = False) -> Iterator[dict]:
    """``n`` records; about ``phi_free_share`` of them hold no PHI at all; with ``held_out``, the
    templates of ``HELD_OUT_CUED``/``HELD_OUT_UNCUED`` too (the test split's)."""
    from .surrogate import stable_faker

    rng = random.Random(seed)
    fake = stable_faker(locale)
    fake.seed_instance(seed)
    slots = slot_values(fake, rng, HOSPITAL_KINDS + HELD_OUT_HOSPITAL_KINDS if held_out else HOSPITAL_KINDS)
    for i in range(n):
        phi_free = rng.random() < phi_free_share
        if phi_free:
            text = " ".join(rng.sample(FILLER, rng.randint(1, 5))) + "\n"
            spans: List[dict] = []
        else:
            text, spans = make_note(rng, slots, rng.randint(2, 7), rng.randint(1, 5), held_out)
        yield {"id": f"{prefix}-{seed}-{i:05d}", "text": text, "spans": spans, "phi_free": phi_free}


LOCALES = ["en_US", "en_GB", "en_AU", "en_CA", "en_IE", "en_NZ", "en_IN", "de_DE", "de_AT", "de_CH", "fr_FR",
           "fr_CA", "nl_NL", "nl_BE", "da_DK", "no_NO", "sv_SE", "fi_FI", "is_IS", "pt_PT", "pt_BR", "es_ES",
           "es_MX", "es_AR", "it_IT", "cs_CZ", "sk_SK", "pl_PL", "hu_HU", "hr_HR", "sl_SI", "ro_RO", "el_GR",
           "tr_TR", "id_ID"]
UNITS = ["Apt. {n}", "Suite {n}", "Unit {n}", "Flat {n}", "Apartment {n}", "Ste {n}", "# {n}"]
GENERAL = [
    "{NAME} lives at {ADDRESS}.", "Please send the statement to {ADDRESS}.", "Mailing address: {ADDRESS}",
    "{NAME}\n{ADDRESS}", "Name: {NAME} Address: {ADDRESS}", "Our office is at {ADDRESS}.",
    "The letter arrived at {ADDRESS} last week.", "Meet me at {ADDRESS} on {WEEKDAY}.",
    "Contact {FIRST} on {PHONE}.", "Mobile: {PHONE} Fax: {PHONE}", "You can reach me at {PHONE}.",
    "Can someone call me on {PHONE}?", "Phone: {PHONE}  E-mail: {EMAIL}", "{NAME}, {PHONE}",
    "I grew up in {CITY} and moved here in {YEAR}.", "She flew to {CITY} on {WEEKDAY} to see her sister.",
    "Her daughter lives in {CITY}, {COUNTRY}.", "Hometown: {CITY}", "He was born in {CITY}.",
    "Postcode {POSTCODE}.", "Zip code: {POSTCODE}", "{CITY} {POSTCODE}",
    "\"I will call back tomorrow,\" says {LAST}.", "{FIRST}: \"Is the clinic open?\"",
    "My name is {NAME}.", "This is {FIRST}, her neighbour.", "According to {NAME}, the dog bit him twice.",
    "{NAME} and {NAME} visited on {WEEKDAY}.", "Ask for {FIRST} at the front desk.",
    "Her maiden name is {LAST}.", "Emergency contact: {NAME} ({RELATION}), {PHONE}.",
    "{FIRST} {LAST} ({RELATION}) will drive her home.", "Travelled to {COUNTRY} last month, no sick contacts.",
    "Works as a cook in {CITY}.", "Sent to {CITY} for a second opinion.",
    # names with no cue: in lists, greetings, speech and possessives, as messages and notes write them
    "Present at the meeting: {LAST}, {LAST} and {LAST}.", "Visitors today: {NAME}, {NAME}.",
    "Hi {FIRST}, thanks for the call.", "Hello {FIRST}, your results are back.", "{FIRST} said the pain started on {WEEKDAY}.",
    "Per {FIRST}, he has not been eating.", "{NAME}'s appointment was moved to {WEEKDAY}.",
    "{FIRST} {LAST} called about the bill.", "Spoke with {FIRST} from {CITY}.", "Thanks, {FIRST}",
    # places with no street word: an intersection, a town with its postcode either side
    "Found down at the corner of {STREETNAME} and {STREETNAME}.", "Picked up near {STREETNAME} and {STREETNAME}.",
    "She moved to {CITY} {POSTCODE} in {YEAR}.", "Return address: {POSTCODE} {CITY}",
    "We are based in {CITY}.", "Staying with family in {CITY} until {WEEKDAY}.",
]
LOWER_SHARE = 0.05
RELATIONS = ["wife", "husband", "son", "daughter", "sister", "brother", "mother", "father", "friend", "neighbour"]
HEADERS = ["HEENT", "NECK", "CHEST", "LUNGS", "HEART", "ABDOMEN", "EXTREMITIES", "NEUROLOGIC", "SKIN", "IMPRESSION",
           "ASSESSMENT", "PLAN", "FINDINGS", "HISTORY OF PRESENT ILLNESS", "REVIEW OF SYSTEMS", "GENITOURINARY"]


def capitalised(rng: random.Random, sentence: str) -> str:
    """A clinical sentence as dictation writes it: all in capitals, or one phrase in capitals."""
    if rng.random() < 0.5:
        return sentence.upper()
    words = sentence.split()
    i = rng.randrange(len(words))
    j = min(len(words), i + rng.randint(1, 4))
    return " ".join(words[:i] + [w.upper() for w in words[i:j]] + words[j:])


def _address(fake, rng: random.Random, country: str) -> List[Tuple[str, str]]:
    """An address as (piece, label) parts: street, unit, city line, maybe the country (not PHI)."""
    lines = [line.strip(" ,") for line in fake.address().split("\n") if line.strip(" ,")]
    if rng.random() < 0.4:
        lines.insert(1, rng.choice(UNITS).format(n=rng.randint(1, 999)))
    if rng.random() < 0.3:
        lines[-1] = lines[-1].upper()
    parts = [(line, "LOCATION") for line in lines]
    if rng.random() < 0.35:
        parts.append((country, ""))
    return parts


def general_slots(fake, rng: random.Random, country: str) -> Dict[str, Callable]:
    """Slot -> a function giving (value, label) or a list of them, from one locale's ``fake``."""
    def address():
        joiner = rng.choice(["\n", ", ", "  ", " > ", "\n "])
        parts: List[Tuple[str, str]] = []
        for part in _address(fake, rng, country):
            parts += [(joiner, ""), part] if parts else [part]
        return parts

    def cased(value: str) -> str:
        """Now and then in lower case, as hurried notes and messages write names ("pt's wife mary")."""
        return value.lower() if rng.random() < LOWER_SHARE else value

    return {
        "ADDRESS": address,
        "NAME": lambda: (cased(rng.choice([fake.name(), f"{fake.first_name()} {fake.last_name()}",
                                           f"{fake.first_name()} {fake.random_uppercase_letter()}. {fake.last_name()}"])), "NAME"),
        "FIRST": lambda: (cased(fake.first_name()), "NAME"), "LAST": lambda: (cased(fake.last_name()), "NAME"),
        "STREETNAME": lambda: (fake.street_name(), "LOCATION"),
        "PHONE": lambda: (fake.phone_number(), "CONTACT"), "EMAIL": lambda: (fake.email(), "CONTACT"),
        "CITY": lambda: (cased(fake.city() if rng.random() < 0.8 else fake.city().upper()), "LOCATION"),
        "POSTCODE": lambda: (fake.postcode(), "LOCATION"), "COUNTRY": lambda: (country, ""),
        "WEEKDAY": lambda: (_weekday(fake), ""), "YEAR": lambda: (str(rng.randint(1960, 2023)), ""),
        "RELATION": lambda: (rng.choice(RELATIONS), ""),
    }


def generate_general(n: int, seed: int, *, phi_free_share: float = 0.25, prefix: str = "general") -> Iterator[dict]:
    """``n`` training records of everyday PII from many locales (see the module docstring)."""
    from faker.providers.address.en import Provider

    from .surrogate import stable_faker

    rng = random.Random(seed)
    fakes = {}
    for i, locale in enumerate(LOCALES):
        fakes[locale] = stable_faker(locale)
        fakes[locale].seed_instance(seed * 100 + i)
    for i in range(n):
        if rng.random() < phi_free_share:
            pieces = [capitalised(rng, s) if rng.random() < 0.6 else s for s in rng.sample(FILLER, rng.randint(1, 4))]
            if rng.random() < 0.5:
                pieces.insert(0, f"{rng.choice(HEADERS)}:")
            yield {"id": f"{prefix}-{seed}-{i:05d}", "text": "  ".join(pieces) + "\n", "spans": [], "phi_free": True}
            continue
        fake = fakes[rng.choice(LOCALES)]
        slots = general_slots(fake, rng, rng.choice(Provider.countries))
        text, spans = "", []
        for template in rng.sample(GENERAL, rng.randint(1, 3)):
            sep = "" if not text else rng.choice([" ", "\n", "  "])
            piece, piece_spans = fill(template, slots)
            offset = len(text) + len(sep)
            text += sep + piece
            spans += [dict(s, start=s["start"] + offset, end=s["end"] + offset) for s in piece_spans]
        yield {"id": f"{prefix}-{seed}-{i:05d}", "text": text + "\n", "spans": spans, "phi_free": not spans}


SPLITS = {"train": (1, 0.7), "dev": (2, 0.15), "test": (3, 0.15)}


def split_records(split: str, n: int = 2000, seed: int = 0) -> List[dict]:
    """One split's records, each split from its own seed; only the test split holds the held-out
    template family."""
    offset, share = SPLITS[split]
    return list(generate(max(1, int(n * share)), seed * 10 + offset, prefix=f"synth-{split}", held_out=split == "test"))


def write_splits(output: Path, n: int = 2000, seed: int = 0, n_general: int = 0) -> Dict[str, int]:
    """train/dev/test JSONL under ``output`` (``split_records``: no record shared); with
    ``n_general``, general_train/general_dev JSONL from ``generate_general`` (training only: the
    test split stays the clinical notes the benchmark scores)."""
    output = Path(output)
    counts = {}
    for split in SPLITS:
        records = split_records(split, n, seed)
        atomic_write_text(output / f"{split}.jsonl", "".join(srsly.json_dumps(r) + "\n" for r in records))
        counts[split] = len(records)
    if n_general:
        for split, share in (("train", 0.85), ("dev", 0.15)):
            seed_split = seed * 10 + SPLITS[split][0] + 5
            records = list(generate_general(max(1, int(n_general * share)), seed_split, prefix=f"general-{split}"))
            atomic_write_text(output / f"general_{split}.jsonl", "".join(srsly.json_dumps(r) + "\n" for r in records))
            counts[f"general_{split}"] = len(records)
    return counts
