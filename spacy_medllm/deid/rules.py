"""PHI rules: plain, serializable dicts (regex + label + optional validator), like medllm_context's.

A rule is ``{"name", "label", "pattern", "ignore_case"?, "validate"?, "score"?}``. ``pattern`` is a
Python regex over the note text; a named group ``phi`` marks the part that is PHI (the cue around
it, "MRN:" or "Dr.", stays). ``validate`` names a check from ``VALIDATORS`` (a date must exist, an
SSN must have a valid shape, an age must be over 89). Names found only by shape are dropped when
they are clinical words (eponyms such as Parkinson's or Foley: ``DEFAULT_CLINICAL_WORDS``).
Rules are data, so a saved pipeline keeps them and a user adds their own with ``add_rules``.
"""
from __future__ import annotations

import datetime
import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Union

from spacy.lang.en.stop_words import STOP_WORDS

from ..files import read_rule_file
from .names import packaged_name_lists  # names.py imports from here only inside a function

LABELS = ("NAME", "DATE", "AGE", "LOCATION", "CONTACT", "ID")
RULE_KEYS = {"name", "label", "pattern", "ignore_case", "validate", "score", "check_clinical"}
_LETTERS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_VOWEL = re.compile(r"[AEIOUYÀ-ÆÈ-ÏÒ-ÖØ-ÝĀĂĄĒĖĘĚĪĮİŌŐŒŪŮŰŲŸƠƯaeiouyà-æè-ïò-öø-ýāăąēėęěīįıōőœūůűųÿơư\u1ea0-\u1ef9]")  # Vietnamese too ("Nẵng", "Hồ")

MONTHS = {m: i for i, names in enumerate([
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
    ("nov", "november"), ("dec", "december")], 1) for m in names}
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# Latin letters with the accents of European names (Gábor, Šušulić, Møller): Python's re has no \p{Lu}.
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŖŘŚŜŞŠŢŤŪŮŰŲŸŹŻŽȘȚƏ"
# After the capital: Latin Extended-A and -B, IPA and Extended Additional (Romanian ș ț, Azerbaijani ə,
# Vietnamese ũ ạ ế ộ); upper-case letters there cannot start a word.
_LO = "a-zß-öø-ÿ\u0100-\u02af\u1e00-\u1eff"
# A capitalized name word (O'Brien, O’Brien, Smith-Jones, McDonald, LeBlanc, DeVito), and a name of 1-3 words with an initial.
_W = rf"(?:[{_UP}]['’]|Mc|Mac|Le|La|De|Di|Du|Da|Van|Von)?[{_UP}][{_LO}]+(?:['’\-][{_UP}]?[{_LO}]+)*"
_NOT_TITLE = r"(?!(?:Dr|Drs|Mr|Mrs|Ms|Miss|Prof|Doctor)\b)"
_NAME = rf"{_NOT_TITLE}{_W}(?: [{_UP}](?:\.|(?= )))?(?: {_W}\b(?![ \t]*:)){{0,2}}"  # not a field label after it ("Address:")
_LAST_FIRST = rf"{_NOT_TITLE}{_W},[ \t]+{_W}(?:[ \t]+[A-Z]\.)?"
_INITIALS_NAME = rf"(?:[{_UP}]\.[ \t]?){{1,2}}{_W}"  # "J. Smith", "J.R. Tolkien"
# A name in capitals, as EHR headers and dictation write it ("SMITH, JOHN", "JOHN A. SMITH").
_CAPS_W = rf"(?:[{_UP}]['’])?[{_UP}]{{2,}}(?:['’\-][{_UP}]+)*"
_CAPS_NAME = rf"{_CAPS_W},[ \t]*{_CAPS_W}(?:[ \t]+[A-Z]\.?)?|{_CAPS_W}(?:[ \t]+[A-Z]\.?)?(?:[ \t]+{_CAPS_W}){{1,2}}"
# MD and PA are also credentials ("Maria Lopez, MD"): as states they need a zip code after them.
_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|"
           "NC|ND|OH|OK|OR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")
_ZIP = r"\d{5}(?:-\d{4})?"
_STATE_NAMES = ("Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|"
                "Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|"
                "Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|"
                "North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|"
                "South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming")
# Care-team roles before a colon ("SW: Jane Doe", "Case manager: ..."); the name is checked
# against the common words of notes, so "Therapist: Discussed goals" is no name.
# Any case: report headers write them in capitals ("PRIMARY CARE PHYSICIAN: ...", "SURGEON: ...");
# behind a lookahead of the cues' first letters (test_rules checks each cue), as _PLACE_CUE.
_TEAM_CUE = (r"(?=[acdfhmnoprstwACDFHMNOPRSTW])\b(?i:nurse|RN|SW|social worker|case manager|therapist|dietitian|pharmacist|"
             r"chaplain|scribe|anesthesiologist|anesthesia|assistant(?: surgeon)?|ordering(?: provider| physician)?|"
             r"primary care(?: physician| provider)?|cardiologist|oncologist|doctor|spouse|"
             r"mother|father|wife|husband|daughter|son|relative|dictated by|signed by|cosigned by|"
             r"(?:attending|referring|consulting|admitting|treating)(?: physician| provider| doctor)?|physician|surgeon)[ \t]*:[ \t]*")
# USPS street suffixes (Publication 28) and their common abbreviations; longest first.
_STREET_WORDS = ("Alley|Avenue|Branch|Bridge|Brook|Brooks|Burg|Burgs|Bypass|Camp|Canyon|Cape|Causeway|Center|Centers|Circle|Circles|Cliff|Cliffs|Club|Common|Corner|Corners|Course|Court|Courts|Cove|Coves|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|Drive|Drives|Estate|Estates|Expressway|Extension|Extensions|Fall|Falls|Ferry|Field|Fields|Flat|Flats|Ford|Fords|Forest|Forge|Forges|Fork|Forks|Fort|Freeway|Garden|Gardens|Gateway|Glen|Glens|Green|Greens|Grove|Groves|Harbor|Harbors|Haven|Heights|Highway|Hill|Hills|Hollow|Inlet|Island|Islands|Isle|Junction|Junctions|Key|Keys|Knoll|Knolls|Lake|Lakes|Land|Landing|Lane|Light|Lights|Loaf|Lock|Locks|Lodge|Loop|Mall|Manor|Manors|Meadow|Meadows|Mews|Mill|Mills|Mission|Motorway|Mount|Mountain|Mountains|Neck|Orchard|Oval|Overpass|Park|Parks|Parkway|Parkways|Pass|Passage|Path|Pike|Pine|Pines|Place|Plain|Plains|Plaza|Point|Points|Port|Ports|Prairie|Radial|Ramp|Ranch|Rapid|Rapids|Rest|Ridge|Ridges|River|Road|Roads|Route|Row|Rue|Run|Shoal|Shoals|Shore|Shores|Skyway|Spring|Springs|Spur|Spurs|Square|Squares|Station|Stravenue|Stream|Street|Streets|Summit|Terrace|Throughway|Trace|Track|Trafficway|Trail|Tunnel|Turnpike|Underpass|Union|Unions|Valley|Valleys|Via|Viaduct|View|Views|Village|Villages|Ville|Vista|Walk|Walks|Wall|Way|Ways|Well|Wells|St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Ter|Cir|Pkwy|Hwy|Sq|Trl|Expy|Fwy"
                 # "Str." of German and Greek streets; Britain, Australia, New Zealand, South Asia (faker's lists, less the words of clinical text: Access, Approach, Line, Block)
                 "|Str|Arcade|Boulevard|Brae|Broadway|Centre|Chase|Circuit|Close|Concourse|Copse|Corso|Crossway|Dell|Driveway|"
                 "Esplanade|Fairway|Gate|Glade|Grange|Laneway|Meander|Parade|Pathway|Piazza|Promenade|Quay|Quays|Retreat|"
                 "Ridgeway|Rise|Riviera|Roadway|Strand|Tor|Vale|Walkway|Wynd|Ghat|Mohalla|Para")
_STREET = "(?:" + "|".join(sorted(_STREET_WORDS.split("|"), key=len, reverse=True)) + ")"
_CORNER_STREET = rf"(?:\d{{1,5}}[A-Za-z]?[ \t]+)?(?:{_W}|\d{{1,3}}(?:st|nd|rd|th))(?:[ \t]+(?:{_W}|\d{{1,5}}[A-Za-z]?|(?i:{_STREET})\.?)){{0,3}}"
_STREET_END = re.compile(r"(?i:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Parkway|Highway|Court|Place|Terrace|Way)")
# Facility words; a LOCATION ending in one is a facility, not an address (see address.py).
FACILITY = (r"(?:Hospital|Medical Center|Medical Centre|Clinic|Health Center|Health Centre|Healthcare|"
             r"Health System|Infirmary|Nursing Home|Nursing Facility|Senior Living|Assisted Living|Rehabilitation Center|Rehab Center|"
             r"Care Center|Surgical Center|Surgery Center|Cancer Center|Children's Hospital|Hospice|"
             r"Urgent Care|Family Practice|Medical Group|Medical Associates|Associates|Institute|Pediatrics|Memorial|Health|"
             r"(?<!Surgeon )(?<!Attorney )(?<!Inspector )General(?![ \t]+(?:[Ss]urgery|[Mm]edicine|[Aa]ppearance|[Aa]nesthesia|[Ss]tate|[Ee]xam|[Pp]ractice|[Pp]ediatrics)\b))")
_TITLE_CUE = r"\b(?:Dr|Drs|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Nurse)\.?[ \t]+"
_ROLE_CUE = (r"\b(?:[Pp]atient(?:'s)?(?: [Nn]ame)?|PATIENT(?:'S)?(?: NAME)?|[Pp]t|[Nn]ame|NAME|PCP|[Aa]ttending|[Rr]esident|[Pp]rovider|[Pp]hysician|"
             r"[Ss]urgeon|[Ss]ubmitted by|[Cc]c|[Nn]ext of kin|NOK|[Ee]mergency contact|[Cc]ontact person|"
             r"[Gg]uardian|[Hh]ealth care proxy|HCP|[Ii]nterpreter|[Ww]itness|[Rr]eferring(?: physician)?|"
             r"[Aa]uthor|[Cc]linician|[Tt]ranscribed by|[Cc]onsultant)[ \t]*:[ \t]*")
_VERB_CUE = (r"\b(?i:seen by|signed by|[Ss]igned|dictated by|reviewed by|discussed with|referred by|"
             r"accompanied by|examined by|evaluated by|transcribed by|performed by|cosigned by|"
             r"[Ee]lectronically signed by|attended by|called|spoke with|spoke to|paged|care of|c/o|"
             r"(?:[Hh]is|[Hh]er|[Tt]heir|[Mm]y|(?<=\w)'s) (?:wife|husband|son|daughter|mother|father|brother|sister|partner|friend|caregiver|neighbor|niece|nephew|grandson|granddaughter|aunt|uncle|cousin|fianc[eé]e?|boyfriend|girlfriend)|"
             r"(?:wife|husband|son|daughter|mother|father|brother|sister|partner|friend|caregiver|neighbor),|"
             r"named|nee|aka|[Ii]ntroduced as|[Gg]oes by)[ \t]+")
# Speech and introductions: 'says Hauta-aho', 'My name is Iva Grusová'; checked against every clinical word.
_SPEECH_CUE = (r"(?:\b(?:says|said|asks|asked|replied|according to|[Mm]y name is|[Hh]er name is|[Hh]is name is|"
               r"name is|(?:[Ll]ast |[Ff]irst |[Ff]ull |[Yy]our |[Tt]he )?name\?|[Cc]alled|[Dd]ear|[Tt]his is|I'm|I am)[ \t]+)")
# Streets written name-then-number (most of Europe and Latin America): 'Rua Igreja 25', 'ul. Jarzębinowa 5',
# 'Augsburger Strasse 36', 'Søndergade 52'.
_STREET_PREFIX = (r"(?:[Rr]ue|Rua|Avenida|Av\.?|Avda\.?|Calle|C/|Camino|Carrer|Via|Viale|Piazza|Corso|Largo|Praça|"
                  r"Travessa|Estrada|Plac|[Uu]l\.|[Uu]lica|Aleja|Al\.|Náměstí|Nám\.|Rambla|Paseo|Boulevard|Chemin|"
                  r"[Cc]hemin|[Aa]venue|[Ii]mpasse|[Aa]llée|Quai|Jalan|Jl\.|Λεωφόρος|Οδός|Rúa|Praza|Carretera|Avinguda|Passeig|"
                  r"Ronda|Travesía|Glorieta|Rodovia|Alameda|Calzada|Prolongación|Corredor|Diagonal|Periférico|Retorno|Continuación|"
                  r"Cerrada|Privada|Andador|Circuito|Callejón|Pasaje|Viaducto|Circunvalación)")
# An article or preposition elided onto the street's name ("Rue d'Alsace", "Via dell'Orso").
_ELIDED = r"(?:(?:d|l|dell|dall|all|sull|nell|dels)['’])"
_STREET_SUFFIXES = (r"straße|strasse|str\.|gasse|weg|allee|platz|gate|gata|gatan|vägen|veien|vej|gade|katu|kuja|tie|"
                    r"polku|utca|út|tér|cesta|ulica|laan|straat|plein|steeg|singel|gracht|kade|dreef")
# Kinds written as their own word after the name, lower-case words of the name perhaps before them
# (no "and": a name and a street side by side are two identifiers), and a house number written with
# a point ("Árpád fejedelem útja 62.", "Szabadság u. 15."): Hungarian.
_STREET_KIND_WORDS = r"utca|u\.|út|útja|körút|tér|köz|sétány|rakpart|fasor|liget"
# Residence and travel cues of a social history ("grew up in", "flew to", "a 45-year-old woman from"); the place after one is checked.
_PLACE_CUE = (r"\b(?i:lives (?:alone |with (?:(?:his|her|their|a) )?[a-z]+ )?in|lives at|living (?:alone )?in|resides in|residing in|moved (?:here |back )?(?:from|to)|"
              r"relocated (?:here )?(?:from|to)|born in|born and raised in|grew up in|raised in|originally from|"
              r"(?:is|was|am|are|comes|came) from|traveled to|travelled to|traveled from|travelled from|"
              r"flew (?:in )?(?:to|from)|trip to|vacation(?:ing)? in|visiting from|returned from|"
              r"home in|based in|located in|native of|transferred from|works in|(?:hospital|clinic) in|"
              r"(?:I'm|I am|we're|we are) (?:in|at)|returned to|arrived (?:in|at)|arriving (?:in|at)|moving to|"
              r"home (?:city|town)(?: of| is)?|head(?:ed|ing) (?:back )?to|flying (?:to|from)|dr(?:ove|iving) (?:to|from)|"
              r"(?:wo)?man from|gentleman from|lady from|boy from|girl from|(?:fe)?male from|patient from|teacher from|"
              r"farmer from|worker from|retiree from)")
# The cues' first letters (every cue starts with one; test_rules checks each cue): a cheap
# lookahead that spares the case-insensitive alternation most positions of a note.
_PLACE_CUE_FIRST = "abcdfghilmnoprtvwABCDFGHILMNOPRTVW"
_NUM_DATE = r"(?P<m>0?[1-9]|1[0-2])(?P<sep>[/\-.])(?P<d>0?[1-9]|[12]\d|3[01])(?P=sep)(?P<y>(?:1[89]|20)\d\d|\d\d)"
# Cues that are words match in any case ("MEDICAL RECORD #", "ACCOUNT NO."); abbreviations keep theirs
# ("MR" is no "Mr", "DL" no "dl"); behind a lookahead of the cues' first letters (test_rules checks each).
_ID_CUE = (r"(?=[abcdeghilmprsuABCDEGHILMNPRSUV])\b(?:MRN|MR#|MR|(?i:medical record(?: number)?|record(?: number| #| no\.?)|"
           r"account(?: number| #| no\.?)?|health plan(?: id| number| #)?|"
           r"beneficiary(?: id| number)?|member(?: id| number| #)|policy(?: number| #| no\.?| id)?|"
           r"insurance(?: id| number| #)|subscriber(?: id| number)?|group(?: number| #| id)|"
           r"licen[cs]e(?: number| #| no\.?| id)?|driver'?s licen[cs]e(?: number| #)?|device(?: id| number| serial(?: number)?| #)|"
           r"serial(?: number| #| no\.?)|lot(?: number| #)|certificate(?: number| #)?|"
           r"plate(?: number| #)?|passport(?: number| #| no\.?)?|case(?: number| #)|"
           r"encounter(?: id| number| #)|accession(?: number| #)?|unit (?:no\.?|#|number)|patient id|"
           r"medicare(?: id| number| #| no\.?)?|medicaid(?: id| number| #| no\.?)?|"
           r"(?:credit |debit |bank )?card(?: number| #| no\.?)|(?:credit|debit|bank) card)|[Aa]cct|ACCT|[Ll]ic\.?|DEA(?i: number| #)?|NPI|DL(?i: #| number)?|"
           r"S/N|SN|VIN|IBAN|ID)")

DEFAULT_CLINICAL_WORDS = sorted({
    # eponyms and words that look like names
    "parkinson", "parkinson's", "crohn", "crohn's", "foley", "apgar", "chaddock", "alzheimer", "alzheimer's",
    "babinski", "hodgkin", "hodgkin's", "hashimoto", "hashimoto's", "cushing", "cushing's",
    "addison", "addison's", "raynaud", "raynaud's", "sjogren",
    "sjogren's", "tourette", "tourette's", "huntington", "huntington's", "kawasaki",
    "guillain", "barre", "bence", "homan", "homans", "kernig",
    "brudzinski", "romberg", "tinel", "phalen", "lachman", "mcburney", "rovsing", "trendelenburg", "valsalva",
    "glasgow", "ganz", "whipple", "nissen", "roux", "billroth", "kussmaul",
    "korotkoff", "doppler", "holter", "gram", "ziehl", "giemsa", "pap", "papanicolaou",
    "marfan", "klinefelter", "kaposi", "kaposi's", "ewing", "wilms", "burkitt",
    "lyme", "bartholin", "colles", "boxer's", "dupuytren", "osgood", "schlatter", "paget",
    "paget's", "meniere", "meniere's", "horner", "horner's", "wernicke", "korsakoff", "creutzfeldt", "jakob",
    "gehrig", "gehrig's", "reiter", "behcet", "takayasu", "wegener", "henoch",
    "schonlein", "kawasaki's", "moyamoya", "fallot", "ebstein", "eisenmenger", "brugada", "wolff", "white",
    "weiss", "zenker", "zenker's", "meckel", "meckel's", "hirschsprung", "virchow", "virchow's",
    "trousseau", "chvostek", "mcmurray", "finkelstein", "heimlich", "foley's",
    "hickman", "picc", "swan-ganz", "glasgow's", "wells",
    "gleason", "breslow", "heent", "hellp", "apgar's", "meld", "framingham",
    "kerley", "cheyne-stokes", "babinski's",
    "chaddock's", "arnold-chiari", "chiari", "oppenheim", "schaeffer", "rinne", "snellen", "ishihara", "jaeger",
    # drugs and words often capitalized at a sentence start or in headers
})
# Words that follow a cue ("Patient: Denies ...", "seen by Neurology") but are no name; cued rules
# (check_clinical = "common") check only these, since an eponym after "Dr." is a surname.
COMMON_WORDS = sorted({
    "tylenol", "lasix", "coumadin", "zofran", "keppra", "lipitor", "plavix", "norvasc", "toprol", "protonix",
    "ativan", "haldol", "dilaudid", "motrin", "advil", "aleve", "benadryl", "xanax", "zoloft", "prozac",
    "synthroid", "humalog", "lantus", "novolog", "flomax", "eliquis", "xarelto", "januvia", "glucophage",
    "ventolin", "albuterol", "proventil", "flovent", "advair", "spiriva", "prednisone", "solu-medrol",
    "vancomycin", "zosyn", "rocephin", "levaquin", "cipro", "bactrim", "keflex", "augmentin", "flagyl",
    "heparin", "lovenox", "aspirin", "metformin", "insulin", "lisinopril", "metoprolol", "amlodipine",
    "patient", "pt", "history", "exam", "assessment", "plan", "impression", "follow", "up", "as", "needed", "will",
    "and", "the", "for", "with", "at", "to", "of", "on", "in", "is", "was", "he", "she", "his", "her", "they",
    "denies", "reports", "today", "status", "post", "normal", "negative", "positive", "unremarkable", "stable",
    "admitted", "discharged", "transferred", "seen", "signed", "reviewed", "none", "no", "not", "unknown",
    "emergency", "department", "medicine", "surgery", "cardiology", "neurology", "oncology", "radiology",
    "internal", "family", "general", "primary", "care", "team", "service", "unit", "icu", "ed", "er", "or",
    "cc", "hpi", "pmh", "psh", "ros", "pe", "ekg", "ecg", "ct", "mri", "cbc", "bmp", "md", "rn", "np", "pa",
    "dr", "mr", "mrs", "ms", "doctor", "nurse", "out", "by", "pending", "declined", "n/a", "na", "self", "same", "home",
    # roles of the care team: they stand before names ("Anesthesiologist: Dr. Ruiz") and are none
    "physician", "surgeon", "attending", "resident", "provider", "consultant", "anesthesiologist", "cardiologist",
    "oncologist", "therapist", "pharmacist", "dietitian", "chaplain", "scribe", "interpreter", "practitioner",
    # header fields written after a name ("DOE, JANE  DOB: ...")
    "dob", "mrn", "ssn", "acct", "sex", "age",
})
DEFAULT_CLINICAL_WORDS = sorted(set(DEFAULT_CLINICAL_WORDS) | set(COMMON_WORDS))
_CLINICAL_SET = frozenset(DEFAULT_CLINICAL_WORDS)


def _date_ok(m: re.Match) -> bool:
    """A numeric or month-name date that exists (no 2/30), with a plausible year."""
    groups = m.groupdict()
    try:
        if groups.get("iy"):
            year, month, day = int(groups["iy"]), int(groups["im"]), int(groups["id"])
        elif groups.get("mn"):
            month = MONTHS[groups["mn"].lower().rstrip(".")[:3] if groups["mn"].lower()[:4] != "sept" else "sep"]
            day = int(groups["md"]) if groups.get("md") else 1
            year = int(groups["my"]) if groups.get("my") else 2000
            if year < 100:
                year += 2000 if year < 50 else 1900
        else:
            month, day = int(groups["m"]), int(groups["d"]) if groups.get("d") else 1
            year = int(groups["y"]) if groups.get("y") else 2000
            if year < 100:
                year += 2000 if year < 50 else 1900
        datetime.date(year, month, day)
    except (KeyError, ValueError, TypeError):
        return False
    return 1850 <= year <= 2100


def _ssn_ok(m: re.Match) -> bool:
    digits = re.sub(r"\D", "", m.group("phi"))
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000" and len(set(digits)) > 1


def _phone_ok(m: re.Match) -> bool:
    """A North American number (7 or 10 digits, optional 1), the extension not counted."""
    digits = re.sub(r"\D", "", re.split(r"(?i)\s*(?:x|ext\.?)\s*\d", m.group("phi"))[0])
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif len(digits) == 13 and digits.startswith("001"):  # dialled from abroad ("001-612-799-7220")
        digits = digits[3:]
    if len(digits) == 7:
        return len(set(digits)) > 1
    return len(digits) == 10 and digits[0] not in "01" and digits[3] not in "01" and len(set(digits)) > 2


def _phone_any_ok(m: re.Match) -> bool:
    """Any country's number after a phone cue: 7 to 15 digits (E.164), not one digit repeated. The
    3-3-4 grouping is not only North America's ("062-877-8932" in Korea, "057-938-3470" in Israel), so
    after a cue that names a phone it needs no North American area code."""
    core = re.split(r"(?i)\s*(?:x|ext\.?)\s*\d", m.group("phi"))[0]
    digits = re.sub(r"\D", "", core)
    return 7 <= len(digits) <= 15 and len(set(digits)) > 2


def _age_ok(m: re.Match) -> bool:
    return 90 <= int(m.group("phi")) <= 130


def _ip_ok(m: re.Match) -> bool:
    try:
        ipaddress.ip_address(m.group("phi"))
    except ValueError:
        return False
    return True


def _id_ok(m: re.Match) -> bool:
    """An identifier after a cue holds at least two digits (not a word such as 'MRN: pending')."""
    return sum(c.isdigit() for c in m.group("phi")) >= 2


def _iban_ok(m: re.Match) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as 10-35, mod 97 is 1."""
    code = re.sub(r"\s", "", m.group("phi")).upper()
    if not 15 <= len(code) <= 34:
        return False
    digits = "".join(str(int(c, 36)) for c in code[4:] + code[:4])
    return int(digits) % 97 == 1


def _luhn_ok(m: re.Match) -> bool:
    digits = [int(c) for c in re.sub(r"\D", "", m.group("phi"))]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _possible_names(words: List[str]) -> bool:
    """No word is a common word of notes (unless also a surname: "Green") or a clinical word."""
    lists = packaged_name_lists()
    return all(lists.may_be_surname(w) and w.lower() not in _CLINICAL_SET for w in words)


def _facility_name_ok(m: re.Match) -> bool:
    """A facility's name before its kind: no word of the name a common or clinical word
    ("Sunrise Manor nursing home", not "Outside hospital")."""
    words = [w for w in _LETTERS.findall(m.group("name")) if len(w) > 1]
    return bool(words) and _possible_names(words)


def _caps_name_ok(m: re.Match) -> bool:
    """A name in capitals: no word of it is a common or clinical word ("ALERT AND ORIENTED",
    "DENIES PAIN"), unless that word is also a surname ("JANET GREEN")."""
    words = [w for w in _LETTERS.findall(m.group("phi")) if len(w) > 1]
    return bool(words) and _spoken(words) and _possible_names(words)


def _spoken(words: List[str]) -> bool:
    """Capitals that read as words, not abbreviations ("LUE FNF", "AB CD"): 3+ letters with a vowel."""
    return all(len(w) >= 3 and _VOWEL.search(w) for w in words)


# A cue ending right before a match (the cues of the name rules; ``initials_after_cue``).
_CUE_BEFORE = re.compile(rf"(?:{_TITLE_CUE}|{_ROLE_CUE}|{_VERB_CUE})(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?$")


def _initials_after_cue_ok(m: re.Match) -> bool:
    """Initials and a surname ("J. Smith") right after a name cue, every word a possible name: the
    initials are found first and the cue looked for behind them, since initials are rare and a
    scan for every cue at every position is not."""
    start = m.start("phi")
    return bool(_CUE_BEFORE.search(m.string, max(0, start - 80), start)) and _name_words_ok(m)


def _name_words_ok(m: re.Match) -> bool:
    """Every word is a possible name ("Mother Has diabetes" is none)."""
    words = [w for w in _LETTERS.findall(m.group("phi")) if len(w) > 1]
    return bool(words) and _possible_names(words)


def _signature_ok(m: re.Match) -> bool:
    """A letter's signature: one word of it at least may be a name ("Mark Young", not "Please Call")."""
    words = [w for w in _LETTERS.findall(m.group("phi")) if len(w) > 1]
    lists = packaged_name_lists()
    return any(lists.is_given(w) or lists.is_surname(w) or not lists.is_known(w) for w in words)


# Words of place names that are also common words ("New Brenda", "Port Nichole", "Lake Forest").
_PLACE_WORDS = frozenset("new port east west north south upper lower lake mount fort saint st san santa great little old "
                         "grand city town beach falls springs heights hills park valley bay harbor harbour island "
                         "center centre village la le les el los las".split())


def _place_ok(m: re.Match) -> bool:
    """A town after a residence cue: no common or clinical word ("returned from Rehab"), in
    capitals words that read as words, and no country or US state alone (not Safe Harbor PHI)."""
    value = m.group("phi")
    words = [w for w in _LETTERS.findall(value) if len(w) > 1]
    if not words or (value.isupper() and not _spoken(words)):
        return False
    if any(w.lower() in MONTHS for w in words):  # "returned from October": the date rules' business
        return False
    named = [w for w in words if w.lower() not in _PLACE_WORDS]
    return (bool(named) and _possible_names(named) and not packaged_name_lists().is_country(value)
            and not re.fullmatch(_STATE_NAMES, value.strip(), re.I))


def _given_name_ok(m: re.Match) -> bool:
    """A known given name, then words that are no common or clinical word ("Olga Krylova", not
    "Boston Naming Test" or "Will Follow"): the packaged name lists (names.py)."""
    words = _LETTERS.findall(m.group("phi"))
    rest = [w for w in words[1:] if len(w) > 1]
    if words[0].isupper() and not _spoken([words[0]] + rest):
        return False
    if rest and _STREET_END.fullmatch(rest[-1]):  # "Marina Fort Street" is a street (street_named)
        return False
    return bool(rest) and packaged_name_lists().is_given(words[0]) and _possible_names(rest)


# Nouns that make the capitalized word before them an eponym or a brand ("Hartmann's pouch",
# "Spurling's test", "Foley catheter") and suffixes of terms and drug stems (WHO INN) that no name
# has ("Angiodysplasia", "Valganciclovir"): such words are no name even when unknown.
_EPONYM_HEAD = (r"(?:disease|syndrome|sign|signs|test|tests|maneuver|manoeuvre|procedure|operation|pouch|ligament|"
                r"fascia|lines?|triad|phenomenon|reflex|solution|stain|classification|scale|score|criteria|nodes?|"
                r"canal|space|glands?|cyst|tumou?r|sarcoma|lymphoma|palsy|ulcer|fracture|amputation|repair|"
                r"incision|retractor|forceps|clamp|catheter|tube|drain|fistula|body|bodies|area|point|angle|"
                r"position|approach|technique|method|exam|examination|hernia|diverticulum|ring|membrane|capsule|"
                r"duct|nerve|muscle|artery|vein|cells?|questionnaire|staging|grade|needle|stockings|hose|"
                r"scissors|dissector|shunt|valve|anomaly|malformation|deformity|contracture|spots?|nodules?|"
                r"fixation|cannula|elevator|dressing|gauze|mesh|suture|sheath|stent|balloon|bed|chair|walker|flap|wort|"
                r"silk|drill|dilator|stand|blade|probe|protocol|stage|table|block|splint|neuroma|pin|guide|"
                r"instrumentation|osteotome|plating|plate|frame|stirrups|esophagus|variant|dynamometry|balance|type|"
                r"model|device|rod|screw|hook|wire|loupe|scope|speculum|curette|rongeur|knife|saw|burr)s?")
_TERM_END = re.compile(r"(?:itis|osis|oses|emia|aemia|ectomy|ostomy|otomy|plasty|scopy|graphy|pathy|plasia|trophy|"
                       r"algia|ization|isation|ically|ology|ologist|uria|penia|lysis|genic|iasis|mab|nib|pril|"
                       r"sartan|olol|statin|azole|mycin|cillin|floxacin|vir|parin|zepam|azolam|oxetine|triptan|"
                       r"dronate|gliptin|gliflozin|lukast|tidine|prazole|setron|caine|ectomies|itides)$")
_ORG_END = r"(?:Inc|LLC|Ltd|Corp|Corporation|Co|GmbH|PLC|LLP|AG|SA|NV|BV)"
_DOSE_UNIT = r"mg|mcg|g|kg|mL|ml|L|cc|units?|U|IU|mEq|mmol|%|mm|cm|hours?|hrs?|days?|weeks?|months?|years?|times|x|tabs?|tablets?|caps?|capsules?|puffs?|drops?|sprays?|doses?"
# After a word: its possessive, then no eponym's noun or company suffix ("Graves' disease").
_NOT_EPONYM = (rf"(?:'s?)?(?![\w\-'])(?![ \t]+(?:{_EPONYM_HEAD}|{_ORG_END}|I|II|III|IV|V)\b)"  # "Tanner II"
               rf"(?![ \t]+\d+(?:\.\d+)?[ \t]*(?:{_DOSE_UNIT})\b)")  # a drug before its dose ("Xyzal 5 mg")
# Particles of names and places, in lower case between their words ("de la", "van der", "u").
_PARTICLE = r"(?:de|da|do|das|dos|des|du|la|le|les|del|di|della|dei|van|von|der|den|ter|ten|al|el|bin|ibn|y|e|u)"
_PARTICLE_RE = re.compile(_PARTICLE)
_NEXT_WORD = re.compile(r"(?:'s?)?[ \t]+([a-z]+)")
_YEAR = re.compile(r"(?:19|20)\d\d")  # "moved to Poland 2015": a year, no postcode
_CONTRACTION = re.compile(r"[a-z]'(?:re|ve|ll|d|m|t)$")
# Kinds of street that follow a street's name ("Herceg Gateway", "Baranyay Mill"): no clinical noun.
_STREET_KIND = (r"Avenue|Boulevard|Bypass|Causeway|Court|Courts|Crescent|Drive|Expressway|Freeway|Gateway|Highway|"
                r"Lane|Mill|Mills|Parkway|Road|Route|Street|Terrace|Turnpike|Way|Ave|Rd|Blvd|Ln|Pkwy|Hwy")
_WEEKDAYS = frozenset(f"{d}day" for d in ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun"))
_STATE_SET = frozenset(s.lower() for s in _STATE_NAMES.split("|"))


def _forms(low: str) -> List[str]:
    """The word and the stems its inflections may come from (dictionaries list lemmas: "pedestrians"
    is "pedestrian"), none shorter than four letters."""
    forms = [low]
    for end, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", "")):
        if low.endswith(end) and len(low) - len(end) + len(repl) >= 4:
            forms.append(low[: len(low) - len(end)] + repl)
    return forms


@lru_cache(maxsize=65536)  # a note repeats its words: each is judged once per process
def _unknown_word(word: str) -> bool:
    """A capitalized word that is no known word of any kind: English (that is no name), common or
    clinical in notes, a country or state, a month or weekday, or shaped like a term or a drug."""
    lists = packaged_name_lists()
    if _CONTRACTION.search(word):  # "They're", "Don't": English, whatever the lists hold
        return False
    base = re.sub(r"'s?$", "", word)
    parts = [p for p in base.split("-") if p]
    if not parts or len(base) < 2 or not _VOWEL.search(base):
        return False
    for part in parts:
        low = part.lower()
        if (any(lists.is_known(form) for form in _forms(low)) or low in _CLINICAL_SET or low in MONTHS or low in _WEEKDAYS or low in _STATE_SET
                or lists.is_country(low) or (len(low) > 6 and _TERM_END.search(low))):
            return False
    return not lists.is_known(base) and not lists.is_country(base)


_RECASE_WORD = re.compile(r"(?<![\w'\-])[^\W\d_]{2,}(?:['\-][^\W\d_]+)*")
_RECASE_KIND = re.compile(rf"(?P<prev>(?<![\w'\-])[{_UP}][{_LO}'\-]*[ \t]+)(?P<kind>{'|'.join(sorted({w.lower() for w in _STREET_WORDS.split('|') if len(w) > 3}, key=len, reverse=True))})(?![\w'\-])")
_RECASE_MIN_LETTERS = 12


def recase_lower_text(text: str) -> str:
    """A text written wholly in lower case (speech recognition, messages, some exports) with the
    words no list knows capitalized, as a name or place would be ("olga krylova" → "Olga Krylova",
    "lives in harburg" → "lives in Harburg"; a country's name too, which ends an address): the rules
    read capitals, and a text without any says nothing by them. Other known words stay as they are;
    the length and offsets never change. Any other text comes back unchanged."""
    if any(c.isupper() for c in text) or sum(c.isalpha() for c in text) < _RECASE_MIN_LETTERS:
        return text

    def up(m: re.Match) -> str:
        word = m.group()
        first = word[0].upper()
        if len(first) != 1:  # a letter whose capital is two ("ß"): offsets must not move
            return word
        cased = first + word[1:]
        return cased if _unknown_word(cased) or packaged_name_lists().is_country(word) else word

    # a street's kind after a word so capitalized ("minik courts" -> "Minik Courts")
    return _RECASE_KIND.sub(lambda m: m.group("prev") + m.group("kind").capitalize(), _RECASE_WORD.sub(up, text))


def _unknown_name_ok(m: re.Match) -> bool:
    """Every word of the run but its particles is unknown (``_unknown_word``): a name or place from
    outside the given-name list ("Vsevolod", "Wisława Szczepańska", "Chiclana de la Frontera"), the
    way Philter takes every word its lists do not know. A group ``name`` narrows the check to its
    words ("Herceg" of "Herceg Gateway")."""
    names = m.group("name") if "name" in m.re.groupindex else m.group("phi")
    words = [w for w in _LETTERS.findall(names) if len(w) > 1 and not _PARTICLE_RE.fullmatch(w)]
    after = _NEXT_WORD.match(m.string, m.end("phi"))
    if after and len(after.group(1)) > 6 and _TERM_END.search(after.group(1).lower()):  # "St. Louis encephalitis"
        return False
    return bool(words) and all(_unknown_word(w) for w in words)


def _unknown_street_ok(m: re.Match) -> bool:
    """Unknown words (after an article: "Los Girasoles 2266") before a house number, as a street: not a given name and a surname with a
    comma before the number, which is a person and an age ("Father: Leonard Goldstein, 78"; a
    street named for someone is written "Joaquin Suarez 2906")."""
    value = m.group("phi")
    words = _LETTERS.findall(m.group("name") if "name" in m.re.groupindex else value)
    person = len(words) > 1 and packaged_name_lists().is_given(words[0]) and "," in value
    return _unknown_name_ok(m) and not person


# Words of a sentence or of clinical text, not of a street's name ("2 doses in the infusion suite 3").
_NOT_STREET_NAME = STOP_WORDS | _CLINICAL_SET


def _unit_line_ok(m: re.Match) -> bool:
    """A street's name between the house number and the flat: no word of a sentence, and a word no
    list knows among them ("avenida praia", not "regular insulin" or "2 West")."""
    words = [w.rstrip(".") for w in m.group("name").split() if not w.isdigit()]
    lists = packaged_name_lists()
    return (bool(words) and not any(w.lower() in _NOT_STREET_NAME for w in words)
            and any(not lists.is_known(w) for w in words))


def _town_postcode_ok(m: re.Match) -> bool:
    """A town in capitals that no list knows before its postcode ("ARENDAL 4844"); no year."""
    return _unknown_name_ok(m) and not _YEAR.fullmatch(m.group("code"))


def _country_postcode_ok(m: re.Match) -> bool:
    """A postcode after a country, the last line of an address ("Denmark 35018"); no year."""
    return packaged_name_lists().is_country(m.group("country")) and not _YEAR.fullmatch(m.group("code"))


def _town_country_ok(m: re.Match) -> bool:
    """A town no list knows on the line above a country, the last lines of an address block
    ("ALFRICK" over "United Kingdom")."""
    return _unknown_name_ok(m) and packaged_name_lists().is_country(m.group("country"))


# Groups besides ``phi`` that a validator reads.
_VALIDATOR_GROUPS = {"country_postcode": ("country", "code"), "town_postcode": ("code",), "town_country": ("country",),
                     "facility_name": ("name",), "unit_line": ("name",)}

VALIDATORS: Dict[str, Callable[[re.Match], bool]] = {
    "date": _date_ok, "ssn": _ssn_ok, "phone": _phone_ok, "phone_any": _phone_any_ok, "age_over_89": _age_ok, "ip": _ip_ok, "iban": _iban_ok,
    "id": _id_ok, "luhn": _luhn_ok, "given_name": _given_name_ok, "caps_name": _caps_name_ok,
    "name_words": _name_words_ok, "place": _place_ok, "initials_after_cue": _initials_after_cue_ok,
    "unknown_name": _unknown_name_ok, "unknown_street": _unknown_street_ok, "unit_line": _unit_line_ok, "signature": _signature_ok, "country_postcode": _country_postcode_ok,
    "town_postcode": _town_postcode_ok, "town_country": _town_country_ok, "facility_name": _facility_name_ok,
}

# Validators that read the ``phi`` group: all but the date check, which reads its date's parts.
_READS_PHI = frozenset(VALIDATORS) - {"date"}


def _r(name: str, label: str, pattern: str, **extra) -> dict:
    return {"name": name, "label": label, "pattern": pattern, **extra}


def default_rules() -> List[dict]:
    """The packaged PHI rules (Safe Harbor identifiers, grouped into LABELS)."""
    return [
        # NAME: after a title, a role cue, a verb cue; before a credential; "Smith is a 67 year old".
        _r("name_title", "NAME", rf"{_TITLE_CUE}(?P<phi>{_LAST_FIRST}|{_NAME})"),
        # Surnames with a particle after a title ("Dr. van der Berg", "Mrs. de la Cruz").
        _r("name_title_particle", "NAME", rf"{_TITLE_CUE}(?P<phi>(?:(?:van|von|de|da|del|della|di|du|la|le|der|den|ter|ten|al|el|bin|ibn|dos|das)[ \t]+){{1,3}}{_W})"),
        _r("name_role", "NAME", rf"{_ROLE_CUE}(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?(?P<phi>{_LAST_FIRST}|{_NAME})", check_clinical="common"),
        _r("name_team", "NAME", rf"{_TEAM_CUE}(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?(?P<phi>{_LAST_FIRST}|{_INITIALS_NAME}|{_NAME})(?![\w'\-])", validate="name_words"),
        _r("name_role_caps", "NAME", rf"{_ROLE_CUE}(?P<phi>{_CAPS_NAME})(?![\w'\-])", validate="caps_name"),
        _r("name_verb", "NAME", rf"{_VERB_CUE}(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?(?P<phi>{_LAST_FIRST}|{_NAME})", check_clinical="common"),
        # Initials then a surname after any cue ("Dictated by: J. Smith"); the surname must be no
        # common word, so a placeholder initial ending a sentence ("Dr. X. He called") is not taken.
        _r("name_initials", "NAME", rf"(?<![\w.])(?P<phi>{_INITIALS_NAME})(?![\w'\-])", validate="initials_after_cue"),
        _r("name_initials_credential", "NAME", rf"(?=[{_UP}])(?P<phi>{_INITIALS_NAME}),?[ \t]+(?:MD|M\.D\.|DO|D\.O\.|RN|NP|PA-C|PhD|DDS|PharmD)\b", validate="name_words"),
        # The name that signs a letter, on the line after its closing ("Thank you,\nMark Young").
        _r("name_signature", "NAME", rf"\b(?:Sincerely(?: yours)?|(?:Best |Kind |Warm )?[Rr]egards|Respectfully(?: yours)?|Thank you|Thanks|Yours (?:truly|sincerely)|Cordially)[,.!]?[ \t]*\n[ \t]*(?:\n[ \t]*)?(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?(?P<phi>{_NAME}|{_CAPS_NAME})(?![\w'\-])", validate="signature", check_clinical=True),
        # A relative or helper named right after the word, capitalised at a sentence start too
        # ("Daughter Emily at bedside", "with interpreter Ana").
        _r("name_relative", "NAME", rf"\b(?:[Ww]ife|[Hh]usband|[Ss]on|[Dd]aughter|[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Gg]randson|[Gg]randdaughter|[Nn]iece|[Nn]ephew|[Aa]unt|[Uu]ncle|[Cc]ousin|[Gg]uardian|[Cc]aregiver|[Ii]nterpreter|[Nn]eighbou?r|[Ff]riend|[Pp]artner|[Ff]ianc[eé]e?)[ \t]+(?!Mary Joseph\b)(?P<phi>{_NAME})", validate="name_words"),
        _r("name_credential", "NAME", rf"(?=[{_UP}])(?P<phi>{_NAME}),?[ \t]+(?:MD|M\.D\.|DO|D\.O\.|RN|NP|PA-C|PA|PhD|DDS|PharmD|MSW|LCSW|CNM|CRNA)\b", check_clinical=True),
        _r("name_age_intro", "NAME", rf"(?=[{_UP}])(?:^|(?<=[.!?\d/)][ \t])|(?<=[ \t][ \t])|(?<=\n))(?P<phi>{_NAME})[ \t]+is[ \t]+an?[ \t]+\d{{1,3}}[- ](?:year|yr|y/?o|month|week)", check_clinical=True),
        _r("name_subject", "NAME", rf"(?=[{_UP}])(?:^|(?<=[.!?\d/)][ \t])|(?<=[ \t][ \t])|(?<=\n))(?P<phi>{_NAME})[ \t]+(?:presented|presents|tolerated|was (?:counseled|seen|admitted|discharged|given|started|noted|informed|advised|instructed)|reports|reported|states|stated|denies|denied|complains|returns|returned|arrived|underwent|agrees|agreed|declined|refused|is (?:a|an) \d)\b", check_clinical=True),
        # Who lives or works where, and greetings of portal messages ("Maria lives with her son",
        # "Hi Vinicio, ..."): every word must be a possible name ("Husband lives nearby" is none).
        _r("name_lives", "NAME", rf"(?=[{_UP}])(?:^|(?<=[.!?\d/)][ \t])|(?<=[ \t][ \t])|(?<=\n))(?P<phi>{_NAME})[ \t]+(?:lives|lived|resides|resided|works|worked|grew up|was born)\b", check_clinical=True, validate="name_words"),
        _r("name_greeting", "NAME", rf"\b(?:Hi|Hello|Hey|Dear|Thanks|Thank you)[ \t,]+(?P<phi>{_W}(?:[ \t]+{_W})?)(?=[ \t]*(?:[,!:]|\n|$))", check_clinical=True, validate="name_words"),
        _r("name_speech", "NAME", rf"{_SPEECH_CUE}(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?(?P<phi>{_NAME})", check_clinical=True),
        # A "Name:" field holds a name whatever its case ("name:    hyuuma t. maida"): the rest of the
        # line, or up to the next field of a header ("PATIENT NAME: HUGHES, CRYSTAL  DOB: ...").
        _r("name_field", "NAME", r"(?:^|(?<=\n))[ \t]*(?:[Pp]atient(?:'s)?[ \t]+|PATIENT(?:'S)?[ \t]+|[Ff]ull[ \t]+|FULL[ \t]+)?(?:[Nn]ame|NAME)[ \t]*:[ \t]*(?P<phi>[^\W\d_][\w'.\-]*,?(?:[ \t][^\W\d_][\w'.\-]*){0,3})(?=[ \t]*(?:\n|$)|[ \t]{2,}\S|[ \t]+(?:DOB|MRN|Date|Age|Sex|DATE|AGE|SEX)\b)", check_clinical="common"),
        # A known given name and one or two more name words, with no cue (names.py: faker's lists
        # less the words notes write in lower case). Two rules, so "Olga Krylova Called" still
        # gives "Olga Krylova" where the longer match fails its check.
        # A lookahead, so every capitalized word is tried as the given name ("Patient Olga Krylova").
        _r("name_given", "NAME", rf"(?=[{_UP}])(?<![\w'\-])(?=(?P<phi>{_W}(?:[ \t]+[{_UP}]\.?)?(?:[ \t]+{_W}){{2}})(?![\w'\-]))", validate="given_name", check_clinical=True),
        _r("name_given_caps", "NAME", rf"(?=[{_UP}])(?<![\w'\-])(?=(?P<phi>{_CAPS_W}(?:[ \t]+[A-Z]\.?)?(?:[ \t]+{_CAPS_W}){{1,2}})(?![\w'\-]))", validate="given_name", check_clinical=True),
        _r("name_given_short", "NAME", rf"(?=[{_UP}])(?<![\w'\-])(?=(?P<phi>{_W}(?:[ \t]+[{_UP}]\.?)?[ \t]+{_W})(?![\w'\-]))", validate="given_name", check_clinical=True),
        # A name that opens a header line before the record number or birth date ("Doe, Jane MRN 123").
        _r("name_before_id", "NAME", rf"(?=[ \t]*[{_UP}])(?:^|(?<=\n)|(?<=[.!?\d][ \t])|(?<=[ \t][ \t]))[ \t]*(?P<phi>{_LAST_FIRST}|{_CAPS_NAME}|{_NAME})[ \t]*[,;(\-]?[ \t]*(?=(?:MRN|MR#|DOB|D\.O\.B\.|(?i:medical record|med rec|acct|account|date of birth))\b)", validate="name_words"),
        # Referrals and who the patient sees ("Thank you for referring Mark Taylor", "follows with Ana Ruiz").
        _r("name_referral", "NAME", rf"\b(?i:referring|follows with|established with|establish care with|sees)[ \t]+(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?(?P<phi>{_LAST_FIRST}|{_NAME})", validate="name_words"),
        # Transcriptionists sign with their initials ("Transcribed by: jag", "DICTATED BY: RT").
        _r("name_transcriber_initials", "NAME", r"\b(?i:transcribed|typed|dictated)[ \t]+(?i:by)[ \t]*:?[ \t]*(?!(?i:me|md|do|rn|np|pa|dr)\b)(?P<phi>[A-Za-z]{2,3})(?=[ \t]*(?:\n|$|/|;)|[ \t]+[A-Z])"),
        _r("name_possessive_cue", "NAME", rf"(?=[{_UP}])(?P<phi>{_W}(?:[ \t]+{_W})?)'s[ \t]+(?:wife|husband|son|daughter|mother|father|sister|brother|caregiver)\b", check_clinical=True),
        # DATE: numeric with a year, ISO, month names; m/d only after a date cue. Years alone are not PHI.
        _r("date_numeric", "DATE", rf"(?=\d)(?<![\d/.\-])(?P<phi>{_NUM_DATE})(?![\d/\-]|\.\d)", validate="date"),
        _r("date_iso", "DATE", r"(?=\d)(?<![\d\-])(?P<phi>(?P<iy>(?:1[89]|20)\d\d)-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])(?:[T ]\d\d:\d\d(?::\d\d)?)?)(?![\d\-])", validate="date"),
        _r("date_month_day", "DATE", rf"\b(?P<phi>(?P<mn>{_MONTH})\.?[ \t]+(?P<md>[0-3]?\d)(?:st|nd|rd|th)?(?:,?[ \t]+(?P<my>(?:1[89]|20)\d\d))?)\b", validate="date"),
        _r("date_day_month", "DATE", rf"\b(?P<phi>(?P<md>[0-3]?\d)(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?P<mn>{_MONTH})\.?(?:,?[ \t]+(?P<my>(?:1[89]|20)\d\d))?)\b", validate="date"),
        # 3-Mar-2019, 05-MAR-19 (EHR exports), 2019/03/04, and month/year (03/2019): a month is PHI.
        _r("date_day_mon_year", "DATE", rf"(?=\d)(?<![\w\-/])(?P<phi>(?P<md>[0-3]?\d)[\-/ ](?P<mn>(?i:{_MONTH}))\.?[\-/ ](?P<my>(?:1[89]|20)\d\d|\d\d))(?![\w\-/])", validate="date"),
        _r("date_ymd_slash", "DATE", r"(?=\d)(?<![\d/.\-])(?P<phi>(?P<iy>(?:1[89]|20)\d\d)(?P<sep>[/.])(?P<im>0?[1-9]|1[0-2])(?P=sep)(?P<id>0?[1-9]|[12]\d|3[01]))(?![\d/\-]|\.\d)", validate="date"),
        _r("date_month_slash_year", "DATE", r"(?=\d)(?<![\d/.\-])(?P<phi>(?P<m>0?[1-9]|1[0-2])/(?P<y>(?:19|20)\d\d))(?![\d/\-]|\.\d)", validate="date"),
        _r("date_month_year", "DATE", rf"\b(?P<phi>(?P<mn>{_MONTH})\.?,?[ \t]+(?P<my>(?:1[89]|20)\d\d))\b", validate="date"),
        _r("date_cued_short", "DATE", r"\b(?:on|since|from|until|dated|DOB|DOS|DOD|[Dd]ate(?: of [A-Za-z]+)?|[Aa]dmitted|[Dd]ischarged|[Ss]een|[Rr]eturns?|[Rr]eturned|[Ss]cheduled(?: for)?|[Ff]/[Uu]|[Ff]ollow[- ]up(?: on)?|[Dd]ue)[ \t:]+(?P<phi>(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01]))(?![\d/])", validate="date"),
        # Days of the week are dates in the i2b2 de-identification guidelines ("seen Monday").
        _r("weekday", "DATE", r"\b(?P<phi>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)s?\b"),
        _r("holiday", "DATE", r"\b(?P<phi>Christmas(?: Eve| Day)?|Thanksgiving(?: Day)?|New Year's(?: Eve| Day)?|Easter(?: Sunday)?|"
           r"Labor Day|Memorial Day|Independence Day|Fourth of July|July 4th|Halloween|Valentine's Day|Mother's Day|"
           r"Father's Day|Veterans Day|Martin Luther King Day|Presidents' Day|Hanukkah|Passover|Rosh Hashanah|Yom Kippur)\b"),
        _r("date_dob_compact", "DATE", r"\b(?:DOB|D\.O\.B\.|[Dd]ate of [Bb]irth|[Bb]orn(?: on)?)[ \t:]*(?P<phi>\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}|\d{8})\b"),
        # AGE over 89 (ages under 90 are not PHI)
        _r("age_years", "AGE", r"(?=\d)\b(?P<phi>\d{2,3})(?:[- ]?(?:years?|yrs?|y/?o|y\.o\.)(?:[- ]old)?|[- ]year[- ]old)\b", validate="age_over_89"),
        _r("age_cued", "AGE", r"\b(?:[Aa]ge[ds]?|[Aa]t the age of|AGE)[ \t:]+(?P<phi>\d{2,3})\b", validate="age_over_89"),
        _r("age_spelled", "AGE", r"\b(?:[Aa]ged?[ \t:]+)?(?P<phi>(?:[Nn]inety|[Oo]ne[- ]hundred(?:[- ]and)?)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?)(?=[- ]years?[- ]old|[ \t]+y/?o\b|[ \t]+years?\b)"),
        _r("age_spelled_cued", "AGE", r"\b(?:[Aa]ged?|AGE)[ \t:]+(?P<phi>(?:[Nn]inety|[Oo]ne[- ]hundred)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?)\b"),
        _r("age_sex", "AGE", r"(?=\d\d)(?:^|(?<=\n)|(?<=[.!?][ \t])|(?<=[ \t][ \t])|(?<=\b[Aa] )|(?<=\b[Aa]n )|(?<=\bis ))(?P<phi>\d{2,3})[ \t]?(?:y/?o|yo|y)?[ \t]?(?:[MF]|male|female|man|woman)\b(?=[ \t,]+(?:with|w/|presents|presenting|presented|s/p|h/o|who|PMH|hx|c/o|complaining))", validate="age_over_89"),
        _r("age_nineties", "AGE", r"\b(?:in (?:his|her|their) )(?P<phi>(?:nineties|90s|hundreds))\b"),
        # LOCATION: street address, city/state/zip, facilities with a cue word, places after "lives in".
        _r("street", "LOCATION", rf"(?=\d)\b(?P<phi>(?:\d{{1,4}}/)?\d{{1,6}}[A-Z]?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:{_W}|\d{{1,3}}(?:st|nd|rd|th))(?:[ \t]+{_W}){{0,3}}[ \t]+{_STREET}\.?(?:,?[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room|#)\.?[ \t]*#?[A-Za-z0-9\-]+)?)(?![A-Za-z])"),
        _r("street_name_number", "LOCATION", rf"\b(?P<phi>(?:{_STREET_PREFIX}[ \t]+(?:(?:de|da|do|das|dos|des|du|la|le|del|di|della|dei|van|von)[ \t]+)*{_ELIDED}?{_W}(?:[ \t]+(?:{_W}|de|da|do|das|dos|des|du|la|le|del|di|della)){{0,4}}|[{_UP}][{_LO}]*(?:{_STREET_SUFFIXES})|{_W}[ \t]+(?i:{_STREET_SUFFIXES})),?[ \t]+(?:(?:N°|No\.)[ \t]*)?\d{{1,5}}[A-Za-z]?(?:[\-/]\d{{1,5}})?)(?![\w/\-]|[.,]\d)"),
        # A house number before a street that opens on its kind ("12 rue de la Paix", "106 Rue Ettatawer"), lower-case
        # words perhaps before its name ("26 rue des lieutenants Thomazo", "rue du faubourg Saint-Denis").
        _r("street_number_prefix", "LOCATION", rf"(?=\d)\b(?P<phi>(?:\d{{1,4}}/)?\d{{1,5}}[A-Za-z]?,?[ \t]+(?:[Rr]ue|Rua|Avenida|Av\.?|Avda\.?|Calle|Via|Viale|Corso|[Cc]hemin|[Aa]venue|[Bb]oulevard|Bd\.?|[Aa]llée|[Ii]mpasse|Quai|Place|Travessa|Estrada|[Uu]l\.)[ \t]+(?:(?:de|da|do|das|dos|des|du|la|le|les|del|di|della|dei)[ \t]+)*(?:[{_LO}]{{3,}}[ \t]+){{0,2}}{_W}(?:[ \t]+(?:{_W}|de|da|do|das|dos|des|du|la|le|del|di|della)){{0,3}})(?![\w'\-])"),
        # A street whose kind is its own word after the name (``_STREET_KIND_WORDS``, Hungarian).
        _r("street_kind_after", "LOCATION", rf"(?=[{_UP}])(?<![\w'\-])(?P<phi>{_W}(?:[ \t]+(?:{_W}|(?!(?:and|or|the|of|at|on|in|to|from|with|by)\b)[{_LO}]{{3,}})){{0,2}}[ \t]+(?:{_STREET_KIND_WORDS}),?[ \t]+\d{{1,5}}[A-Za-z]?(?:/\d{{1,5}})?)(?=\.(?!\d))"),
        # A street of unknown words and its house number, as Europe writes it ("Grössgstötten 50",
        # "Dašická 688"), not a dose ("Xyzal 5 mg"); and a postcode after a country ("Denmark 35018").
        _r("street_unknown_number", "LOCATION", rf"(?=[{_UP}])(?<![\w'\-])(?P<phi>(?:(?:Los|Las|El|La)[ \t]+)?(?P<name>{_W}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_W}){{0,2}}),?[ \t]+\d{{1,5}}[A-Za-zа-яё]?)(?![\w/.,\-]\d|[\w/\-]|\.\d)(?![ \t]*(?:{_DOSE_UNIT})\b)", validate="unknown_street", check_clinical=True),
        _r("country_postcode", "LOCATION", rf"(?=[{_UP}])(?<![\w'\-])(?P<phi>(?P<country>{_W}(?:[ \t]+{_W}){{0,2}})[ \t]+(?P<code>\d{{4,5}}))(?![\w/.,\-]\d|[\w/\-]|\.\d)", validate="country_postcode"),
        # A line of a town alone, above a line of a country alone (an address block's last lines).
        _r("town_country", "LOCATION", rf"(?<![^\n])[ \t>]*(?P<phi>(?P<name>(?:{_W}|{_CAPS_W})(?:[ \t]+(?:{_W}|{_CAPS_W})){{0,2}}))[ \t]*,?[ \t]*\n[ \t>]*(?P<country>{_W}(?:[ \t]+{_W}){{0,2}}|{_CAPS_W}(?:[ \t]+{_CAPS_W}){{0,2}})(?:[ \t]+\d{{4,5}})?[ \t]*(?![^\n])", validate="town_country", check_clinical=True),
        _r("town_caps_postcode", "LOCATION", rf"(?=[{_UP}])(?<![\w'\-])(?P<phi>(?P<name>[{_UP}]{{4,}}(?:[ \t]+[{_UP}]{{2,}}){{0,2}}),?[ \t]+(?P<code>\d{{4,5}}))(?![\w/.,\-]\d|[\w/\-]|\.\d)(?![ \t]*(?:{_DOSE_UNIT})\b)", validate="town_postcode", check_clinical=True),
        # A town in capitals after a preposition of place ("at Ngap Inc in KATRINEHOLM", "Where: UPTON
        # SCUDAMORE"), every word unknown and of 5+ letters: abbreviations of notes are shorter.
        _r("town_caps_cued", "LOCATION", rf"(?:\b(?:in|at|from|to|of|near)|Where:)[ \t]+(?P<phi>(?P<name>[{_UP}]{{5,}}(?:[ \t]+[{_UP}]{{4,}}){{0,2}})){_NOT_EPONYM}", validate="unknown_name", check_clinical=True),
        _r("street_unknown_kind", "LOCATION", rf"(?=[{_UP}])(?<![\w'\-])(?P<phi>(?P<name>{_W}(?:[ \t]+{_W}){{0,2}})[ \t]+(?:{_STREET_KIND})\b)(?![\w\-'])", validate="unknown_name", check_clinical=True),
        # A street line laid out as house number, name, flat ("2613 avenida praia 1 suite 463", "688 rue du
        # centre 320 apt. 169"), in any case: lower-case exports and messages keep the layout, not the capitals.
        _r("street_unit_line", "LOCATION", r"(?<![\w.,/\-])(?P<phi>\d{1,6}(?:[ \t]+\d{1,6})?[ \t]+(?P<name>(?:[^\W\d_][\w'’\-]*\.?[ \t]+(?:\d{1,5}[ \t]+)?){1,5})"
           r"(?i:suite|ste\.?|apt\.?|apartment)[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?)(?![\w/\-]|[.,]\d)", validate="unit_line"),
        _r("unit", "LOCATION", r"\b(?P<phi>(?:Apt|Apartment|Suite|Ste|Flat)\.?[ \t]+#?\d{1,5}[A-Z]?)(?![\w.\-])"),
        _r("military_address", "LOCATION", r"\b(?P<phi>(?:(?:Unit|PSC|CMR)[ \t]+\d{3,5},?[ \t]+Box[ \t]+\d{3,5})|(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+\d{5})\b", ignore_case=True),
        # A ship above its fleet post office line ("USS Lorenzen\nFPO AE 25990").
        _r("military_ship", "LOCATION", rf"\b(?P<phi>(?:USS|USNS|USNV|USCGC|USAV)[ \t]+{_W}(?:[ \t]+{_W})?)(?=[ \t,]*\n?[ \t]*FPO\b)"),
        _r("address_cued", "LOCATION", r"\b(?:[Aa]ddress|[Aa]ddr\.)(?:[ \t]+(?:on[ \t]+file|of[ \t]+record))?[ \t]*:[ \t]*(?:\n[ \t]*)?(?P<phi>[^\n:]{4,80}?)[.,;]?(?=[ \t]*(?:\n|$|[A-Z][a-z]+:|[ \t]{2}))", check_clinical=True),
        _r("po_box", "LOCATION", r"\b(?P<phi>P\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+)\b", ignore_case=True),
        _r("city_state_zip", "LOCATION", rf"(?=[{_UP}])\b(?P<phi>{_W}(?:[ \t]+{_W}){{0,2}},[ \t]*(?:(?:{_STATES})(?:[ \t]+{_ZIP})?|(?:MD|PA|PR|GU|VI|AS|MP)[ \t]+{_ZIP})|{_CAPS_W}(?:[ \t]+{_CAPS_W}){{0,2}},[ \t]*(?:{_STATES}|MD|PA|PR|GU|VI|AS|MP)[ \t]+{_ZIP})\b"),
        _r("city_state_name", "LOCATION", rf"(?=[{_UP}])\b(?P<phi>{_W}(?:[ \t]+{_W}){{0,2}}),[ \t]*(?:{_STATE_NAMES})\b", check_clinical=True),
        # Any country's postcode after a cue ("ZIP: 7412 SL", "zip code is 3910", "Postcode: SW1A 1AA").
        _r("zip_cued", "LOCATION", r"\b(?:[Zz]ip(?: [Cc]ode)?|ZIP(?: CODE)?|[Pp]ost(?:al )?[Cc]ode|POST(?:AL )?CODE)(?:[ \t]+is)?[ \t:#]*(?P<phi>\d{5}(?:-\d{3,4})?|\d{4}(?:[ \t]?[A-Z]{2}(?![A-Za-z])|-\d{3})?|\d{3}(?:[ \t]\d{2})?|\d{6,7}|\d{2}-\d{3}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2})\b(?![ \t]*(?:mg|mcg|g|mL|ml|units?|%))"),
        _r("facility", "LOCATION", rf"(?=[{_UP}])\b(?P<phi>(?:(?:St\.|Saint|Mount|Mt\.)[ \t]+|[A-Z]{{2,5}}[ \t]+(?={_W}))?{_W}(?:[ \t]+(?:{_W}|of|&|and|the)){{0,4}}[ \t]+{FACILITY})\b", check_clinical="common"),
        # A facility's name before its kind in lower case ("Sunrise Manor nursing home"), no word of it a common word of notes.
        _r("facility_lower", "LOCATION", rf"(?=[{_UP}])\b(?P<phi>(?P<name>{_W}(?:[ \t]+{_W}){{0,2}})[ \t]+(?:nursing home|nursing facility|assisted living(?: facility)?|rehab(?:ilitation)? (?:center|facility)|skilled nursing facility|hospital))\b", check_clinical="common", validate="facility_name"),
        # "St. Elizabeth's", "Saint Vincent": hospitals go by their saint (not St. John's wort).
        _r("facility_saint", "LOCATION", rf"\b(?P<phi>(?:St\.|Saint)[ \t]+(?!Jude\b){_W}(?:'s)?)(?![ \t]+(?:[Ww]ort|encephalitis|[Dd]ance|[Ff]ire)\b|[\w'])", check_clinical=True),
        # A named street without a house number after "on", "at", "off" ("on Main St.", "at Elm Avenue").
        _r("street_named", "LOCATION", rf"\b(?:on|at|off|near|along)[ \t]+(?P<phi>{_W}(?:[ \t]+{_W}){{0,2}}[ \t]+(?:Street|St\.|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Parkway|Pkwy\.?|Highway|Hwy\.?|Court|Place|Terrace|Way))(?![\w'])", check_clinical=True),
        # Two streets that meet, named after "corner of" / "intersection of" ("the corner of Elm and 5th Avenue").
        _r("street_corner", "LOCATION", rf"\b(?:[Cc]orner|[Ii]ntersection)[ \t]+of[ \t]+(?P<phi>{_CORNER_STREET}[ \t]+(?:and|&)[ \t]+{_CORNER_STREET})(?![\w'\-])", check_clinical=True),
        _r("facility_of", "LOCATION", rf"\b(?P<phi>(?:University|Hospital|Clinic|Medical Center)[ \t]+of[ \t]+(?:{_W}(?:[ \t]+{_W}){{0,3}}|{_CAPS_W}(?:[ \t]+{_CAPS_W}){{0,3}}))\b"),
        # The second place of a move ("moved from Ohio to Tempe"): the cue reaches past the first.
        _r("place_cued_to", "LOCATION", rf"\b(?i:moved|relocated|traveled|travelled|flew|drove|came)[ \t]+(?:here[ \t]+|back[ \t]+)?from[ \t]+{_W}(?:[ \t]+{_W}){{0,2}}[ \t]+to[ \t]+(?P<phi>{_W}(?:[ \t]+{_W}){{0,3}})(?![\w'\-])", check_clinical=True, validate="place"),
        # Where someone lives, grew up or travelled (social history): the place's words must be
        # no common word of notes ("lives in Springfield", not "returned from Rehab"); in capitals too.
        _r("place_cued", "LOCATION", rf"(?=[{_PLACE_CUE_FIRST}]){_PLACE_CUE}[ \t]+(?P<phi>{_W}(?:[ \t]+{_W}){{0,3}}|{_CAPS_W}(?:[ \t]+{_CAPS_W}){{0,2}})(?![\w'\-])", check_clinical=True, validate="place"),
        # CONTACT: phone/fax (shape-checked), e-mail, URL, IP.
        _r("phone", "CONTACT", r"(?=[\d(+])(?<![\w/.\-])(?P<phi>(?:\+?1[ \t.\-]?|001[ \t.\-])?(?:\(\d{3}\)[ \t]?|\d{3}[ \t.\-])\d{3}[ \t.\-]\d{4}(?:[ \t]*(?:x|ext\.?)[ \t]*\d{1,5})?)(?![\w/\-]|\.\d)", validate="phone"),
        _r("phone_cued", "CONTACT", r"\b(?:[Pp]hone|[Tt]el|[Tt]elephone|[Cc]ell|[Mm]obile|[Pp]ager|[Bb]eeper|[Ff]ax|[Cc]all(?: back)?(?: at)?|[Cc]ontact(?: at)?|[Hh]ome|[Ww]ork)[ \t]*(?:#|[Nn]o\.?|[Nn]umber)?[ \t:]*(?P<phi>\+?\d[\d \t().\-]{6,18}\d)", validate="phone"),
        # Cues that name a phone ("Mobile:", "call me on", "reached at", "daughter's number:") take any
        # country's number in its own grouping: a country code with or without "+", in brackets
        # ("(+30) 6973 681930", "+(370) 40562241"), a trunk "(0)" after it or a trunk digit before the area
        # code ("8 (877) 893-28-79"), "/" between groups. The
        # looser cues above ("Home", "Work", "Contact") keep the North American check.
        _r("phone_cued_any", "CONTACT", r"\b(?:[Pp]hone|[Tt]el|[Tt]elephone|[Mm]obile|[Cc]ell|[Ff]ax|[Dd]esk|[Oo]ffice|[Pp]ager|"
           r"(?:[Nn]ot[ \t]+)?[Aa]nswer(?:ing|ed)?[ \t]+(?:at|on)|"
           r"(?:[Cc]all|[Rr]each|[Tt]ext|[Cc]ontact)(?:ed)?[ \t]+(?:(?:me|us|him|her|them|his|their|the)[ \t]+)?(?:[a-z]+[ \t]+)?(?:on|at)|"
           r"(?:[Mm]essages?|[Tt]exts?|SMS|[Cc]alls?)[ \t]+(?:to|on|at)|[Cc]all[ \t]?back(?:[ \t]+(?:number|no\.))?|"
           r"(?:'s|[Cc]ontact|[Hh]ome|[Ww]ork|[Dd]aytime|[Ee]vening|[Ee]mergency)[ \t]+(?:phone[ \t]+)?(?:number|no\.)(?=[ \t]*(?::|is\b))|"
           r"[Rr]egistered(?:[ \t]+(?:number|mobile|phone))?|(?:[Mm]y|[Hh]is|[Hh]er|[Tt]heir)[ \t]+(?:number|no\.))"
           r"(?:[ \t]+(?:is|was))?[ \t]*(?:#|[Nn]o\.?|[Nn]umber)?[ \t:]*(?:\n[ \t]*)?"
           r"(?P<phi>(?:\+[ \t]?\d{1,4}[ \t.\-]?(?:\(0\)[ \t]?)?|\(\+?\d{1,5}\)[ \t.\-/]?|\+\(\d{1,4}\)[ \t]?|\d[ \t]?\(\d{2,5}\)[ \t]?)?\d[\d \t.\-/]{3,17}\d"
           r"(?:[ \t]*(?:x|ext\.?)[ \t]*\d{1,5})?)(?![\d/])",
           validate="phone_any"),
        # The kind of phone written after the number ("617-555-0182 (cell)", "21 253 109 8211-Office"),
        # also in a list with no space after its comma ("...-Office,07700 900 123-Fax"; not "1,234").
        _r("phone_cued_after", "CONTACT", r"(?=[\d(+])(?<![\w/.\-])(?<!\d,)(?P<phi>(?:\+[ \t]?\d{1,4}[ \t.\-]?|\(\+?\d{1,5}\)[ \t.\-]?)?\d[\d \t.\-]{5,17}\d)"
           r"(?=[ \t]*[\-(/]?[ \t]*(?i:office|fax|mobile|cell|home|work|landline)\b)", validate="phone_any"),
        # A phone's extension alone ("ext. 4521", "call x4521"): part of a phone number.
        _r("phone_extension", "CONTACT", r"(?:\b(?i:ext\.?|extension)[ \t]*#?[ \t]*|\b(?i:call|reach|page|dial)\b[^.\n]{0,30}?[ \t]x[ \t]?)(?P<phi>\d{3,5})(?![\d/]|\.\d)"),
        _r("pager", "CONTACT", r"\b(?i:pager|beeper|pgr|page (?:me )?at)[ \t]*(?:#|[Nn]o\.?|[Nn]umber)?[ \t:]*(?P<phi>\d[\d\-]{2,8}\d)(?![\d/]|\.\d)", validate="id"),
        # A number with a trunk prefix in groups of digits, as Europe writes them ("0688 872 49 99").
        _r("phone_trunk", "CONTACT", r"(?=0)(?<![\w+/.,\-])(?P<phi>0\d{1,4}(?:[ ]\d{2,4}){2,4})(?![\w/\-]|[.,]\d|[ ]\d)", validate="phone_any"),
        # Words of Greek or Cyrillic script in an English note: names and places ("ΠΑΦΟΣ", "Мария").
        # (Faker writes some Ω as the ohm sign and Δ as the increment sign.)
        # (The whole Cyrillic block: Ukrainian Ґ Є І Ї, Macedonian and Serbian Ј Љ Њ; hyphenated words.)
        _r("name_foreign_script", "NAME", r"(?<![\w'\-])(?P<phi>[Α-Ωα-ωΆ-ώ\u2206\u2126\u0400-\u04ff]{3,}(?:-[Α-Ωα-ωΆ-ώ\u0400-\u04ff]{2,})*(?:[ \t]+[Α-Ωα-ωΆ-ώ\u2206\u2126\u0400-\u04ff]{2,}(?:-[Α-Ωα-ωΆ-ώ\u0400-\u04ff]{2,})*){0,3})(?![\w'\-])"),
        _r("phone_international", "CONTACT", r"(?=\+)(?<![\w+])(?P<phi>\+\d{1,3}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{2,5}(?:[ .\-]?\d{2,5}){1,4}(?:[ \t]*(?:x|ext\.?)[ \t]*\d{1,5})?)(?!\w|-\d)"),
        _r("email", "CONTACT", r"(?P<phi>\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b)"),
        _r("url", "CONTACT", r"(?P<phi>\b(?:https?://|ftp://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]])"),
        _r("domain", "CONTACT", r"(?<![@\w.\-])(?P<phi>(?:[A-Za-z0-9\-]+\.)+(?:com|org|net|edu|gov|io|info|biz|us|co\.uk|health|care)(?:/[^\s]*[^\s.,;:!?)])?)(?![\w\-])"),
        _r("ipv4", "CONTACT", r"(?=\d)(?<![\d.])(?P<phi>(?:\d{1,3}\.){3}\d{1,3})(?!\d|\.\d)", validate="ip"),
        _r("ipv6", "CONTACT", r"(?<![\w:])(?P<phi>(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{1,4})(?![\w:])", validate="ip"),
        # ID: SSN shape, card numbers (Luhn), any number after an identifier cue.
        _r("ssn", "ID", r"(?=\d)(?<![\d\-])(?P<phi>\d{3}-\d{2}-\d{4})(?![\d\-])", validate="ssn"),
        _r("ssn_cued", "ID", r"\b(?:SSN|[Ss]ocial [Ss]ecurity(?: [Nn]umber| #| [Nn]o\.?)?)[ \t:#]*(?P<phi>\d{3}[ \-]?\d{2}[ \-]?\d{4})\b", validate="ssn"),
        _r("card", "ID", r"(?=\d)(?<![\d\-])(?P<phi>\d{4}[ \-]?\d{4}[ \-]?\d{4}[ \-]?\d{1,7}|\d{13,19})(?![\d\-])", validate="luhn"),
        _r("iban", "ID", r"\b(?P<phi>[A-Z]{2}\d{2}[ ]?(?:[A-Z0-9]{4}[ ]?){2,7}[A-Z0-9]{1,4})\b", validate="id"),
        # An IBAN in any case when its check digits hold (ISO 13616 mod 97): "gb42nawi04454264788619".
        _r("iban_any_case", "ID", r"\b(?P<phi>[A-Za-z]{2}\d{2}[ ]?(?:[A-Za-z0-9]{4}[ ]?){2,7}[A-Za-z0-9]{1,4})\b", validate="iban"),
        # A card number after a card cue needs no Luhn check and may be 12 digits (Maestro).
        _r("card_cued", "ID", r"\b(?i:card)(?:[ \t]+(?i:number|no\.?|#))?(?:[ \t]+(?:is|was))?[ \t:#]*(?P<phi>\d{12,19})(?![\d\-])"),
        _r("id_cued", "ID", rf"{_ID_CUE}[ \t]*(?:(?:[Nn]umber|[Nn]o\.?|ID)\b|#)?(?:[ \t]+(?:is|was))?[ \t]*[:#=]?[ \t]*(?P<phi>[A-Za-z]{{0,4}}[\-#]?\d[A-Za-z0-9\-]{{2,24}})\b", validate="id"),
        # Last, so that where a rule above finds the same span its label stands ("lives in Poznań" is a
        # LOCATION): capitalized words that no list knows (names.py: English, the notes' own words,
        # terms and drugs), a run of them or one alone; not before an eponym's noun ("Hartmann's
        # pouch"), a company's suffix (organizations are no Safe Harbor identifier) or a dose.
        _r("name_unknown", "NAME", rf"(?=[{_UP}])(?<![\w'\-])(?=(?P<phi>{_W}(?:(?:[ \t]+[{_UP}]\.)?[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_W}){{1,3}}){_NOT_EPONYM})", validate="unknown_name", check_clinical=True),
        _r("name_unknown_word", "NAME", rf"(?=[{_UP}])(?<![\w'\-])(?P<phi>{_W}){_NOT_EPONYM}", validate="unknown_name", check_clinical=True),
    ]


def validate_rule(rule: dict, where: str) -> None:
    """Fail early, naming the rule, on a field a PHI rule cannot have."""
    if not isinstance(rule, dict):
        raise ValueError(f"{where}: a rule must be an object")
    for key in ("name", "label", "pattern"):
        if not isinstance(rule.get(key), str) or not rule[key]:
            raise ValueError(f"{where}: field {key!r} is missing or empty")
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if rule.get("validate") is not None and rule["validate"] not in VALIDATORS:
        raise ValueError(f"{where}: field 'validate' has unknown value {rule['validate']!r} (one of {', '.join(VALIDATORS)})")
    try:
        compiled = re.compile(rule["pattern"])
    except re.error as err:
        raise ValueError(f"{where}: field 'pattern' is not a valid regex ({err})") from None
    if rule.get("validate") in _READS_PHI and "phi" not in compiled.groupindex:
        raise ValueError(f"{where}: validator {rule['validate']!r} needs a named group (?P<phi>...)")
    for group in _VALIDATOR_GROUPS.get(rule.get("validate"), ()):
        if group not in compiled.groupindex:
            raise ValueError(f"{where}: validator {rule['validate']!r} needs a named group (?P<{group}>...)")


def read_rules(path: Union[str, Path]) -> List[dict]:
    """Rules from JSON (``{"phi_rules": [...]}`` or a list) or JSONL (one rule per line)."""
    return read_rule_file(path, "phi_rules", validate_rule, "PHI rules")


class CompiledRules:
    """The rules compiled once; ``find(text)`` gives (start, end, label, rule name) char spans."""

    def __init__(self, rules: List[dict], labels: List[str], clinical_words: List[str]):
        self.rules = [r for r in rules if r["label"] in labels]
        self.compiled = [re.compile(r["pattern"], re.IGNORECASE if r.get("ignore_case") else 0) for r in self.rules]
        self.clinical = {w.lower() for w in clinical_words}
        self.common = self.clinical & set(COMMON_WORDS)

    def _clinical(self, value: str, words_set: set) -> bool:
        words = [w.strip(".,'") for w in re.split(r"[\s,]+", value.lower()) if w.strip(".,'")]
        return not words or all(self._word(w, words_set) for w in words) or self._word(words[0], words_set)

    def all_clinical(self, value: str) -> bool:
        """Every word of ``value`` is a clinical word (a span of only such words is not PHI)."""
        words = [w.strip(".,'():;") for w in re.split(r"[\s,/]+", value.lower()) if w.strip(".,'():;")]
        return bool(words) and all(self._word(w, self.clinical) for w in words)

    @staticmethod
    def _word(word: str, words_set: set) -> bool:
        return word in words_set or re.sub(r"'s?$", "", word) in words_set

    def find(self, text: str) -> List[tuple]:
        found = []
        for rule, regex in zip(self.rules, self.compiled):
            check = VALIDATORS.get(rule.get("validate") or "")
            for m in regex.finditer(text):
                group = "phi" if "phi" in regex.groupindex else 0
                start, end = m.span(group)
                if start < 0 or start == end or (check is not None and not check(m)):
                    continue
                check_words = rule.get("check_clinical")
                if check_words and self._clinical(m.group(group), self.common if check_words == "common" else self.clinical):
                    continue
                found.append((start, end, rule["label"], rule["name"], float(rule.get("score", 1.0))))
        return found
