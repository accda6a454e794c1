"""Grow a found address to the whole address: its house number, its city/state/postcode tail, its
next lines.

Rules and the head find the parts of an address that have a shape (a street with a number, a city
the head has seen), but a de-identifier must remove the whole address: a street left masked next
to its town and postcode still points at one house. Addresses have a layout that says where they
go on, whatever the language: a number before the street, capitalised place words, a state code and
a postcode after it on the same line, and a block of short lines below it that ends at the postcode
or the country. This follows that layout from every LOCATION span; it never starts an address on
its own, so text without one is untouched. Countries and states are not PHI under Safe Harbor,
but a span that stops short of them leaves odd fragments in the text, so they are taken with the
rest of the line.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from spacy.lang.en.stop_words import STOP_WORDS

from .names import packaged_name_lists
from .rules import _CLINICAL_SET, _W, FACILITY

# Postcodes: 4-6 digits (US zip+4, most of Europe), Canadian, British, Dutch ("7412 SL").
# With a separator or a country letter: Poland "61-645", Portugal "7742-180", Hungary "H-9792".
# Ireland's Eircode ("Y39 9YTY"), Chile's seven digits ("3100770"), Brazil's CEP ("93824-219", "93824219").
_POSTCODE = re.compile(r"(?:\d{4,7}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4} ?[A-Z]{2}"
                       r"|\d{2}-\d{3}|\d{4,5}-\d{3}|\d{8}|[A-Z]{1,2}-\d{4,5}|[A-Z]\d[\dW] ?(?=[A-Z\d]*\d)[A-Z\d]{4})")
# The second half of a postcode written as two words: British "9JP", Canadian "9H2", Eircode "9YTY".
_POSTCODE_HALF = re.compile(r"\d[A-Z]{2}|\d[A-Z]\d|(?=[A-Z\d]*[A-Z])[A-Z\d]{4}")
# A postcode of two words, split where a word ends ("492 90", "K1E 8A8", "B7F 9HW", "Y39 9YTY").
_SPLIT_POSTCODE = re.compile(r"(?<![\w\-])(?:\d{3}[ \t]\d{2}|[A-Z]\d[A-Z][ \t]\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}"
                             r"|[A-Z]\d[\dW][ \t](?=[A-Z\d]*\d)[A-Z\d]{4})(?![\w\-])")
# House numbers as much of the world writes them: "6/2", "7a/9", "86-64", "93/28".
_HOUSE = re.compile(r"\d{1,5}[A-Za-zа-яё]?(?:[/\-]\d{1,5}[A-Za-zа-яё]?){0,2}")
# Lower-case words inside place names ("Chiclana de la Frontera", "Turkovice u Prelouce", "Stratford-upon-Avon").
_PARTICLES = {"de", "la", "le", "les", "del", "della", "delle", "dello", "degli", "dei", "di", "da", "do", "dos", "das", "du", "des", "e", "y", "u",
              "van", "von", "der", "den", "ten", "ter", "op", "zu", "zum", "zur", "am", "an", "im", "sur", "sous", "en", "upon",
              "on", "of", "the"}
# A facility name ends where its own words end ("Mercy Hospital ICU" is not an address).
_FACILITY_END = re.compile(FACILITY + r"\W*$")
# Lower-case words a street line may hold besides place words ("ul. Jarzębinowa 5", "12 rue de la Paix").
# The kinds of street a language writes in lower case or abbreviated, before the street's name.
_STREET_KINDS = {"ul", "rue", "via", "av", "avenida", "calle", "strada", "str", "straat", "al", "aleja",
                 "ulica", "utca", "út", "rúa", "tér", "trg", "pot", "cesta", "náměstí", "námestie", "boulevard",
                 "chemin", "avenue", "allée", "allé", "impasse", "quai", "rua", "travessa", "jalan", "jl", "jln",
                 "rang", "route", "montée", "place", "cours", "passage", "ruelle", "sentier", "viale", "piazza",
                 "vicolo", "corso", "largo", "contrada", "borgo", "stretto", "piazzale", "alameda", "praça",
                 "estrada", "psje", "pasaje", "diag", "carrera", "ул", "улица", "пр", "просп", "проспект", "пер",
                 "переулок", "бул", "бульвар", "алл", "аллея", "ш", "шоссе", "наб", "пл", "площадь", "вул",
                 "вулиця", "пров", "провулок", "узвіз", "сквер", "площа", "парк", "küç", "prospekti", "plac", "pl",
                 "bulevardul", "aleea", "intrarea", "calea", "splaiul", "șoseaua", "piața", "calzada",
                 "prolongación", "corredor", "diagonal", "periférico", "peatonal", "retorno", "continuación",
                 "cerrada", "privada", "andador", "circuito", "pasadizo"}
# ... and the kinds written after the street's name ("Luite tee 87", "Kálmán Imre u. 12.", "Stensås terrasse 38").
_STREET_KINDS_AFTER = {"str", "st", "rd", "ave", "tee", "põik", "u", "utca", "útja", "út", "rkp", "rakpart", "kapu", "köz",
                       "sor", "tér", "terrasse", "gate", "gata", "gatan", "vej", "veien", "vegen", "vei", "väg", "vägen",
                       "gade", "tie", "katu", "kuja"}
_STREET_LOWER = _PARTICLES | _STREET_KINDS | _STREET_KINDS_AFTER
_UNIT = re.compile(r"(?:Apt|Apartment|Suite|Ste|Unit|Flat)\b", re.I)
# A flat, floor, entrance or building after the house number, as languages write them ("Piano 4",
# "Dto. 9", "Bl. 59 Sc. 32 Ap. 217", "кв. 92", "к. 6", "m. 42", "Edif. 174 , Depto. 218", "Oficina 88").
_UNIT_WORDS = ("Apt|Apartment|Suite|Ste|Unit|Flat|Piso|Dto|Dpto|Depto|Of|Oficina|Edif|Torre|Interior|Int|Local|Piano|"
               "Appartamento|Scala|Sc|Bl|Ap|Et|Etaj|Top|Stg|Tür|lok|kv|кв|к|корп|стр|m")
_UNIT_AFTER = rf"(?:[ \t]*,?[ \t]+(?:{_UNIT_WORDS})\.?[ \t]*#?\d{{1,4}}[A-Za-z]?(?:/\d{{1,4}})?)"
_UNIT_ABBREVIATIONS = {w.lower() for w in _UNIT_WORDS.split("|")}
_ABBREVIATIONS = _UNIT_ABBREVIATIONS | _STREET_LOWER  # words whose point ends no sentence ("Apt.", "u.")
_NEXT_UNIT = re.compile(rf"[ \t]+(?:{_UNIT_WORDS})\.?[ \t]*#?\d")
_QUOTE_PREFIX = re.compile(r"[ \t>?*|#\-]*")  # quoting prefixes of forwarded mail
_STREET_BEFORE_UNIT = re.compile(rf"(?<![\w'\-])(?:\d{{1,6}}[ \t]+)?{_W}(?:[ \t]+{_W})?[ \t]+\d{{1,5}}[A-Za-z]?,?[ \t]+$")
_ENDS_ON_POSTCODE = re.compile(rf"(?<![\w\-]){_POSTCODE.pattern}$")
_POSTCODE_STOP = re.compile(r"(?<=\d)[.!?](?=\s)")
_TOKEN = re.compile(r"\(\S+?\)|[^\s,;()]+|,")
_SLASH_STATE = re.compile(r"[ \t]*[A-Z]{2}(?![\w/\-])")  # a Brazilian state after its town and a slash
_NUMBER_UNIT = re.compile(r"\d{1,5}[A-Za-z]?,?[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Flat)\b", re.I)
_CORNER_BEFORE = re.compile(r"(?<![\w\-])(?:[Tt]he[ \t]+)?(?:[Cc]orner|[Ii]ntersection)[ \t]+of[ \t]+(?P<other>[^\n]{1,60}?[ \t]+(?:and|&)[ \t]+)?$")
_CORNER_NAME = re.compile(r"(?<![\w\-])(?:[Tt]he[ \t]+)?(?:[Cc]orner|[Ii]ntersection)[ \t]+of[ \t]+(?:\d{1,5}[A-Za-z]?[ \t]+)?$")
_CORNER_AND = re.compile(r"\.?[ \t]+(?:and|&)[ \t]+")  # "Csabai kapu 39. and Mathias Pass"
_MAX_STREET_WORDS = 4
# "at" or "on" and a house number before words the rules took for a name: a street ("lives at 214
# Pavlou Drandaki", "at 10252 Μεγάλη Άμμος 184") when no lower-case word but a street's follows ("at 1 Wood units").
_AT_HOUSE = re.compile(r"(?<![\w\-])(?:[Aa]t|[Oo]n)[ \t]+(?:\d{1,6}[A-Za-z]?[ \t]+){1,2}$")
_LOWER_AFTER = re.compile(r"[ \t]+(?P<word>[a-z]\w*)")
# A house number with its comma before the street ("23/286, Bhatt Nagar"), and the flat or floor
# before the street on its line ("Studio 01k, Josh Tunnel", "Level 3, 89 Rodgers Ridge").
_HOUSE_COMMA_BEFORE = re.compile(r"(?<![\w/\-.])" + _HOUSE.pattern + r",[ \t]+$")
_UNIT_BEFORE = re.compile(r"(?<![\w\-])(?:Apt|Apartment|Suite|Ste|Unit|Flat|Studio|Level|Floor|(?:(?:House|Building|Holding|H\.)[ \t]*)?No)"
                          r"\.?[ \t]*#?(?:\d{1,4}[A-Za-z]?,?[ \t]+)?$")
# A house number after a street name, its kind perhaps between ("Platz 6/2", "Szerbtóti utca 48.",
# "N° 44", "Nr. 92"), or before it within two words ("192 Napier Umgwaqo").
# The number may follow its own word ("N° 44", "д. 13", "буд. 328", "b. 1"), a flat or floor may follow
# it ("38 Piano 4", "д. 9/2 к. 6"), "S/N" stands for no number.
_HOUSE_AFTER = re.compile(r"(?:[ \t]+[^\W\d_]+\.?){0,2},?[ \t]+(?:(?:N°|Nr\.?|No\.?|nr\.?|[^\W\d_]{1,4}\.)[ \t]*)?"
                          r"(?:" + _HOUSE.pattern + r"|S/N)" + _UNIT_AFTER + r"{0,3}\.?(?=[ \t]*(?:[,;\n]|$))")
_HOUSE_BEFORE = re.compile(r"(?<![\w.,/\-])" + _HOUSE.pattern + r",?[ \t]+(?:[^\s\d]\S*[ \t]+){0,2}$")
# A postcode opening a segment before a town ("74218 Sangerhausen", ", 2538-401 Covilhã", "ΤΚ 921 74 Γρεβενά").
_LEAD_POSTCODE = r"(?:[A-ZΑ-Ω]{1,2}[ \t]?)?(?:" + _POSTCODE.pattern + r"|\d{3}[ \t]\d{2}),?[ \t]+"  # "33043, Purgessimo"
_POSTCODE_BEFORE = re.compile(r"(?:^|(?<=[\n,;]))[ \t>]*" + _LEAD_POSTCODE + "$")
_POSTCODE_LEAD = re.compile(_LEAD_POSTCODE)
_YEAR = re.compile(r"(?:19|20)\d\d")  # four digits after a name are a year far more often than a postcode
# Words that open a town's name ("North Andover", "Port Huron", "San Pedro", "Bad Kissingen") and
# particles that only place names hold ("Ústí nad Labem", "Mühldorf am Inn", "Stratford upon Avon").
# A town's article ("La Rioja", "El Paso") or kind of settlement ("г. Уфа", "с. Тикси", "TP. Đà Nẵng").
_TOWN_PREFIX = re.compile(r"(?<![\w'\-])(?:North|South|East|West|New|Port|Lake|Mount|Fort|San|Santa|Santo|São|Sri|"
                          r"Nueva|Nuevo|Vieja|Viejo|Saint|Sainte|Sankt|Bad|Lac|Mont|Baie|Pointe|La|El|Los|Las|Le|Les|"
                          r"г\.|гор\.|п\.|пос\.|пгт\.?|с\.|д\.|ст\.|х\.|м\.|смт\.?|TP\.|Tp\.|[Tt]hành[ \t]+phố)(?:[ \t]+|-[ \t]*)$")
_PLACE_PARTICLE = re.compile(r"[ \t]+(?:nad|pod|am|an[ \t]+der|im|upon|sur|sous|bei)[ \t]+[^\W\d_][\w'\-]*")
# Names found by no cue (the head, an unknown or a given name): a town prefix or particle may make them places.
_UNCUED_NAME = ("model", "name_unknown", "name_foreign_script", "name_given")
# A town's name followed on its line by a state or province code and a postcode ("Beaulieu, ON M1C 4V2",
# "Springfield, IL 62704", "East Sean, NT, 2480").
_TOWN_TAIL = re.compile(r",?[ \t]+(?!MRN|SSN|DOB|ACC|PIN|NPI)[A-Z]{2,3},?[ \t]+(?:" + _POSTCODE.pattern + r"|\d{3}[ \t]\d{2})(?![\w\-])")
_DASH_TOWN = re.compile(r"[-–][ \t]+(?P<word>[A-ZÀ-Þ][^\W\d_]+)")
_TOWN_POSTCODE = re.compile(r"(?:[ \t]+[A-ZÆØÅ])?,?[ \t]+(?P<code>" + _POSTCODE.pattern + r")(?![\w\-]|[.,]\d)")
# A street's kind before a name, with the particles between ("rue de Merle", "ul. Parkowa", "Av Sousa").
_KINDS = r"(?i:" + "|".join(sorted(map(re.escape, _STREET_KINDS), key=len, reverse=True)) + r")\.?[ \t]+(?:(?:de|la|del|di|da|do|du|des)[ \t]+){0,2}"
_STREET_KIND_BEFORE = re.compile(r"(?<![\w\-])" + _KINDS + "$")
_STREET_KIND_FIRST = re.compile(_KINDS + r"\S")  # "Strada Dochioiu" is a street's name; "Strada" alone may be a surname
_SEGMENT_SPLIT = re.compile(r"[ \t]*(?:[,;]|\n)[ \t>]*")  # where the segments of an address part
_NOT_STREET = STOP_WORDS | _CLINICAL_SET  # "Has 3 Apt. 4" is no street
_MAX_TAIL_WORDS = 6
_MAX_BLOCK_LINES = 4
_MAX_LINE_WORDS = 5


def _placeword(word: str) -> bool:
    """A capitalised word of any script (ΠΑΦΟΣ, Rzeszów, SMITH'S), a parenthesised one, a postcode or
    house number."""
    if word.startswith("(") and word.endswith(")"):
        word = word[1:-1]
    if not word:
        return False
    return (word[0].isupper() or bool(_POSTCODE.fullmatch(word)) or bool(_HOUSE.fullmatch(word))
            or bool(_POSTCODE_HALF.fullmatch(word)))


def _abbreviation(word: str) -> bool:
    """A unit's or street kind's abbreviation, whose point ends no sentence ("Apt.", "u.", "rkp.")."""
    return word.endswith(".") and word[:-1].lower() in _ABBREVIATIONS


def _street_word(word: str) -> bool:
    """A word a street line may hold: a place word, or a lower-case one of streets ("ul.", "rue", "de")."""
    return _placeword(word) or word.lower().rstrip(".") in _STREET_LOWER


def _tail_end(text: str, end: int) -> int:
    """End of the place words after ``end`` on the same line: ", Springfield, IL 62704", " Rzeszów Poland"."""
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    best, words, pending_particles = end, 0, 0
    for m in _TOKEN.finditer(text, end, line_end):
        word = m.group()
        if word == "," or word == "/" and _SLASH_STATE.match(text, m.end()):  # "93824-219 Campinas / SP"
            continue
        if words >= _MAX_TAIL_WORDS:
            break
        low = word.lower()
        if low.rstrip(".") in _STREET_KINDS_AFTER and best == end and words == 0:
            best, words = m.start() + len(word.rstrip(".")), 1  # the kind after a street's name ("Venizelou str")
            continue
        if (best > end and (low in _PARTICLES or low.rstrip(".") in _ABBREVIATIONS)
                or _abbreviation(word) or low in _STREET_KINDS_AFTER or _dash_town(text, m.start())):
            pending_particles += 1  # only kept if a place word follows ("de la Frontera", "Dto. 9", "кв. 92")
            continue
        trail = word.rstrip(".!?")
        if not _placeword(trail):
            break
        best, words, pending_particles = m.start() + len(trail), words + 1 + pending_particles, 0
        if trail != word and not (word[-2:-1].isdigit() and (text.startswith(",", m.end()) or _NEXT_UNIT.match(text, m.end()))):
            break  # a sentence ends here; "utca 48., H-9792", "rkp. 18. Apt. 417": a house number written with a point
    return best


def _dash_town(text: str, at: int) -> bool:
    """A dash between an address and its town ("457 avenue de Hamdi - Arzew"), not a note's words ("- Denies")."""
    m = _DASH_TOWN.match(text, at)
    if m is None:
        return False
    word = m.group("word")
    return word.lower() not in _NOT_STREET and not packaged_name_lists().is_common(word)


def _head_start(text: str, start: int) -> int:
    """Start of a house number written before the found street on the same line ("9858 92 Hounslow Rd"),
    of the street and number written before a found unit ("51709 Spinatsch 94 Apt. 615"), or of the
    street name before a found number and unit in any script ("06111 Μεγάλη Άμμος 198 Apt. 822")."""
    before = text[max(0, start - 60):start]
    m = (_UNIT.match(text, start) and _STREET_BEFORE_UNIT.search(before) or re.search(r"(?:\d{1,6}[ \t]+)+$", before)
         or _HOUSE_COMMA_BEFORE.search(before))
    if m:
        start -= len(m.group())
    if _NUMBER_UNIT.match(text, start):
        return _street_words_start(text, start)
    unit = _UNIT_BEFORE.search(text, max(0, start - 24), start)
    return unit.start() if unit else start


def _street_words_start(text: str, start: int) -> int:
    """Start of the capitalised words (any script, with particles) and the number before them that
    end just before ``start`` on the same line: the street of a house number and unit."""
    line_start = text.rfind("\n", 0, start) + 1
    words = list(re.finditer(r"\S+", text[line_start:start]))[-_MAX_STREET_WORDS - 1:]
    best, n = start, 0
    for m in reversed(words):
        word = m.group()
        if n and word.isdigit() and len(word) <= 6:
            return line_start + m.start()  # the house number or postcode before the street
        low = word.lower().rstrip(".")
        if n < _MAX_STREET_WORDS and (word[0].isupper() and word.isalpha() and low not in _NOT_STREET
                                      or low in _STREET_LOWER):
            best, n = line_start + m.start(), n + 1
            continue
        break
    return best if n and text[best].isupper() else start


def _corner_second(text: str, start: int) -> bool:
    """The span at ``start`` is the second street of a corner ("the corner of Postbox 21 and Elisabeth Parks")."""
    cue = _CORNER_BEFORE.search(text, max(0, start - 120), start)
    words = _corner_other(cue) if cue else []
    return bool(words) and all(map(_street_word, words))


def _corner_other(cue: re.Match) -> List[str]:
    """The words of the first street before the "and" of a corner whose second street was found."""
    return [w for w in _TOKEN.findall(cue.group("other") or "") if w != ","][:-1]


def _intersection(text: str, start: int, end: int) -> Tuple[int, int]:
    """A street written as a corner ("the corner of 3744 Retreat Avenue and Philip Bypass") is
    one address: its span takes the cue, the "and" and the other street (place words only)."""
    cue = _CORNER_BEFORE.search(text, max(0, start - 120), start)
    if cue is None:
        return start, end
    if cue.group("other") and not all(map(_street_word, _corner_other(cue))):
        return start, end  # "corner of" something that is no street
    if cue.group("other") is None:  # the found street is the first one: take "and" the second
        m = _CORNER_AND.match(text, end)
        if m:
            line_end = text.find("\n", m.end())
            line_end = len(text) if line_end < 0 else line_end
            nxt = [w for w in _TOKEN.finditer(text, m.end(), line_end) if w.group() != ","][:_MAX_STREET_WORDS + 1]
            stop = m.end()
            for w in nxt:
                trail = w.group().rstrip(".!?")
                if not _street_word(trail):
                    break
                stop = w.start() + len(trail)
                if trail != w.group():
                    break
            if stop > m.end():
                end = stop
    return cue.start(), end


def _line_words(line: str) -> Optional[List[str]]:
    words = [w for w in _TOKEN.findall(line) if w != ","]
    if not words or len(words) > _MAX_LINE_WORDS or re.search(r":|[!?](?!\s*$)", line):
        return None
    return words


def _block_end(text: str, end: int, street: bool) -> int:
    """End of the short lines that continue an address ended at a line break: city, ", State",
    "Country 12345". The lines are taken when the block reaches a line with a postcode, or, below
    a street (a span with a number), when they are all capitalised place words (at most two); they end
    at the first postcode.
    A town alone ("lives in Springfield") does not take the headers under it ("ROS")."""
    if text[end:].split("\n", 1)[0].strip(" \t,.;"):
        return end  # the line goes on after the span: not the last line of an address
    if _ENDS_ON_POSTCODE.search(text, max(0, end - 16), end):
        return end  # "Australia 38837": the address already ends at its postcode
    lines, pos = [], text.find("\n", end)
    while pos >= 0 and len(lines) < _MAX_BLOCK_LINES:
        nxt = text.find("\n", pos + 1)
        nxt = len(text) if nxt < 0 else nxt
        raw = text[pos + 1:nxt]
        body = raw.lstrip(" \t>?*|-#")  # quoting prefixes of forwarded mail
        if not body.strip():
            break
        sentence = _POSTCODE_STOP.search(body)  # "Australia 38837. Please call me": the address ends there
        if sentence:
            body = body[:sentence.end()]
        words, cut = _line_words(body), _postcode_cut(body)
        if words is None and cut is not None:  # "Lake Getrude, FM 63745, effective next month."
            body = body[:cut]
            words = _line_words(body)
        if words is None:
            break
        postcode = next((w for w in words if _POSTCODE.fullmatch(w.rstrip(".!?"))), None)
        if postcode is None and cut is not None:  # a postcode of two words ("IM66 9HL")
            body_start = pos + 1 + len(raw) - len(raw.lstrip(" \t>?*|-#"))
            lines.append((_tail_end(text, body_start + cut), words, True))
            break
        elif postcode is not None:  # the address ends at the postcode and the place words after it
            postcode_end = pos + 1 + raw.index(postcode) + len(postcode.rstrip(".!?"))
            if postcode[-1] in ".!?":  # a sentence ends there: so does the block
                lines.append((postcode_end, words, True))
                break
            lines.append((_tail_end(text, postcode_end), words, True))
            break  # one postcode to an address: the line under it is no part of it ("(37) 788-063-Office")
        else:
            lines.append((nxt, words, False))
        pos = nxt if nxt < len(text) else -1
    best, closed = end, False
    for i, (line_end, words, postcode) in enumerate(lines):
        if postcode:
            best, closed = line_end, True  # every line up to a postcode is the address; it ends there
        elif (street and not closed and i < 2 and len(words) <= 3 and best == (lines[i - 1][0] if i else end)
              and all(_placeword(w) or w.lower() in _PARTICLES for w in words)):
            best = line_end
    return best


def _postcode_cut(body: str) -> Optional[int]:
    """End of the first postcode of an address line reached through street words only ("Lake Getrude,
    FM 63745, effective next month" -> after 63745; "IM66 9HL"), else None. A year is no postcode."""
    for m in _TOKEN.finditer(body):
        word = m.group()
        if word == ",":
            continue
        split = _SPLIT_POSTCODE.match(body, m.start())
        if split:
            return split.end()
        trail = word.rstrip(".!?")
        if _postcode(trail):
            return m.start() + len(trail)
        if not _street_word(trail) or trail != word:
            return None
    return None


def _block_start(text: str, start: int) -> int:
    """Start of the street line above a line that opens with the unit ("4923 Parmova 109" over
    "Suite 380"): a short line with a house number, where an address block puts its street."""
    line_start = text.rfind("\n", 0, start) + 1
    if line_start == 0 or _QUOTE_PREFIX.match(text, line_start).end() != start or not _UNIT.match(text, start):
        return start
    prev_start = text.rfind("\n", 0, line_start - 1) + 1
    body_start = _QUOTE_PREFIX.match(text, prev_start, line_start - 1).end()
    body = text[body_start:line_start - 1].rstrip()
    street = _street_line_start(text, line_start - 1)  # it may end a line of speech ("It's in 0269 Stensås terrasse 38")
    if street > body_start:
        body_start, body = street, text[street:line_start - 1].rstrip()
    words = _line_words(body) if body else None
    if (words is None or body.endswith((".", "!", "?")) or not any(w.isdigit() and len(w) <= 6 for w in words)
            or not all(map(_street_word, words)) or not any(c.isupper() for c in body)):
        return start  # "Seen in clinic 3" over "Suite 400" is no street
    return body_start


def _postcode(word: str) -> bool:
    """A postcode that is not a year ("2019" after a name is a date far more often than a town), or
    a town with its postcode after a hyphen ("Gudivada-404796")."""
    town, _, code = word.rpartition("-")
    if town[:1].isupper() and code.isdigit() and len(code) >= 5:
        return True
    return bool(_POSTCODE.fullmatch(word)) and not _YEAR.fullmatch(word)


def _laid_out_as_street(text: str, start: int, end: int) -> Optional[int]:
    """The end of the street of a name-like span (an unknown word the rules took for a name) written
    the way a street is, else None: a house number beside it on its line ("Carolin-Schuchhardt-Platz
    6/2", "192 Napier Umgwaqo") and, in the next short segments, a postcode ("..., 50612
    Vohenstrauß", "\n61-645 Turek"); the street's kind before it stands for the number ("rue de
    Merle\n86376 Fernandez"), or is the span's first word ("Strada Dochioiu, Tomesti, 992152"). Both
    together are an address in any language; either alone is not (a name and an age, a dose)."""
    house = _HOUSE_AFTER.match(text, end)
    if house:
        end = house.end()
    else:
        line_start = text.rfind("\n", 0, start) + 1
        if not (_HOUSE_BEFORE.search(text, max(line_start, start - 40), start)
                or _STREET_KIND_BEFORE.search(text, max(line_start, start - 24), start)
                or _STREET_KIND_FIRST.match(text, start, end)):
            return None
    for n, segment in enumerate(_SEGMENT_SPLIT.split(text[end:end + 120])[:_MAX_BLOCK_LINES]):
        words = [w for w in _TOKEN.findall(segment) if w != ","][:_MAX_LINE_WORDS]
        if not words and n:
            return None  # an empty segment (a blank line, ", ,") ends the address
        split = _SPLIT_POSTCODE.search(segment)
        if split and all(_street_word(w) for w in _TOKEN.findall(segment[:split.start()]) if w != ","):
            return end
        for word in words:
            trail = word.rstrip(".!?")
            if _postcode(trail):
                return end
            if not _street_word(trail) or trail != word and not _abbreviation(word):
                return None  # a word of a sentence, or a sentence's end, before any postcode
    return None


def _place_particle_end(text: str, end: int) -> int:
    """End of a place particle and the capitalised word after it ("nad Labem", "am Inn")."""
    m = _PLACE_PARTICLE.match(text, end)
    return m.end() if m and m.group().split()[-1][0].isupper() else end


def _street_line_start(text: str, start: int) -> int:
    """Start of the street words before a span read as a street, on its line ("al. Jana III" before
    "Sobieskiego 93/28"): place words and the lower-case words of streets, no stop word."""
    line_start = text.rfind("\n", 0, start) + 1
    words = list(re.finditer(r"\S+", text[line_start:start]))[-_MAX_STREET_WORDS - 1:]
    for i, m in enumerate(reversed(words)):
        word = m.group()
        low = word.lower().rstrip(".")
        if (not _street_word(word) or low in _NOT_STREET and low not in _STREET_KINDS or word.endswith((":", ","))
                or i == _MAX_STREET_WORDS and not _HOUSE.fullmatch(word)):
            break  # four street words, and the house number before them ("2274 Via delle Coste 41")
        start = line_start + m.start()
    return start


def _street_segment_start(text: str, start: int) -> int:
    """Start of the street written just before a span that opens on a postcode ("Katja-Kocher-Weg
    2/9, " before "8926 Traiskirchen", "Nad Rokytkou 709" on the line above "492 90 Bystré"): the
    segment before must end on a house number and be made of street words."""
    if not _POSTCODE_LEAD.match(text, start):
        return start
    house = re.search(r"(?<![\w\-/])" + _HOUSE.pattern + r"\.?(?:,[ \t]*|[ \t]*\n[ \t>]*)$", text[max(0, start - 80):start])
    if not house:
        return start
    house_start = start - len(house.group())
    street = _street_line_start(text, house_start)
    if street == house_start or not any(c.isupper() for c in text[street:house_start]):
        return start
    return street


def _as_location(text: str, start: int, end: int, label: str, source: str) -> Optional[Tuple[int, int, bool]]:
    """(start, end, grow) of a span read as a place, else None: a NAME laid out as a street
    (``_laid_out_as_street``) or after "at" and a house number (``_AT_HOUSE``), followed by a state
    code and postcode (``_TOWN_TAIL``) or opening a segment after a postcode; a LOCATION, or a NAME found by no
    cue, written with a town's prefix or place particle (a town's name alone is not grown: no
    street or postcode was seen)."""
    if label == "NAME":
        street_end = _laid_out_as_street(text, start, end)
        if street_end is not None:
            return _street_line_start(text, start), street_end, True
    if label == "NAME" and (_CORNER_NAME.search(text, max(0, start - 40), start) or _corner_second(text, start)):
        return start, end, True  # "the corner of 159 Eleftheriou Venizelou str and Rennie Union"
    uncued = label == "NAME" and source.startswith(_UNCUED_NAME)
    if uncued and _AT_HOUSE.search(text, max(0, start - 24), start) and not _sentence_word_after(text, end):
        house = _HOUSE_AFTER.match(text, end)  # "lives at 214 Pavlou Drandaki", not "at 1 Wood units"
        return start, house.end() if house else end, True
    town_tail = uncued and _TOWN_TAIL.match(text, end)  # "Ms. Strada, MRN 4455667" stays a name
    if label == "LOCATION" or uncued:
        prefix = _TOWN_PREFIX.search(text, max(0, start - 11), start)
        particle_end = _place_particle_end(text, end)
        if prefix or particle_end > end:
            start = prefix.start() if prefix else start
            postcode = _POSTCODE_BEFORE.search(text, max(0, start - 16), start)  # "91601 Bad Kissingen"
            return start, particle_end, (label == "LOCATION" or bool(_TOWN_TAIL.match(text, particle_end))
                                         or bool(postcode and not _YEAR.fullmatch(postcode.group().strip(" \t>,"))))
    if town_tail:
        return start, end, True
    if uncued:  # a town and its postcode, a district letter between ("Quinta de São Tiago 3610-114", "København K 1421")
        code = _TOWN_POSTCODE.match(text, end)
        if code and not _YEAR.fullmatch(code.group("code")):
            return start, code.end(), True
    if label == "NAME":
        postcode = _POSTCODE_BEFORE.search(text, max(0, start - 16), start)
        if postcode and not _YEAR.fullmatch(postcode.group().strip(" \t>")):
            return postcode.end() - len(postcode.group().lstrip(" \t>")), end, True
    return None


def _sentence_word_after(text: str, end: int) -> bool:
    """A lower-case word that is no street's follows ``end`` ("1 Wood| units"; not "Rua| do Arenque")."""
    m = _LOWER_AFTER.match(text, end)
    return bool(m) and m.group("word") not in _STREET_LOWER


def _street_segment_before(text: str, start: int) -> int:
    """Start of a street written as the comma segment before a town ("14656 allé Tessier, Beaulieu",
    "Bulevardul Stancu, Rovinari"): street words and house numbers back to the previous segment,
    among them a street's kind; else ``start``."""
    before = text[text.rfind("\n", 0, start) + 1:start]
    if not before.rstrip(" \t").endswith(","):
        return start
    first, kind = None, False
    for m in reversed(list(re.finditer(r"[^\s,]+", before))[-_MAX_STREET_WORDS - 2:]):
        word = m.group()
        low = word.lower().rstrip(".")
        if low in _NOT_STREET and low not in _STREET_LOWER or not _street_word(word.rstrip(".")):
            break
        first, kind = m.start(), kind or low in _STREET_KINDS
    return start - len(before) + first if kind and first is not None else start


def grow_locations(text: str, spans: List[Tuple], relabel: bool = True) -> List[Tuple]:
    """Each LOCATION span (start, end, label, source, score) widened over the rest of its address; with
    ``relabel``, a span read as a place (``_as_location``) is a LOCATION first."""
    out = []
    for start, end, label, source, score in spans:
        grow = label == "LOCATION"
        place = _as_location(text, start, end, label, source) if relabel else None
        if place is not None:
            (start, end, grow), label = place, "LOCATION"
        if grow:
            postcode = _POSTCODE_BEFORE.search(text, max(0, start - 16), start)  # "91601 Bad Kissingen"
            if postcode and not _YEAR.fullmatch(postcode.group().strip(" \t>,")):
                start = postcode.end() - len(postcode.group().lstrip(" \t>"))
            start = _street_segment_start(text, start)
        if grow and not _FACILITY_END.search(text[start:end]):
            start = _head_start(text, start)
            kind = _STREET_KIND_BEFORE.search(text, max(0, start - 24), start)  # "pl. " before "Powstańców Śląskich 46/81"
            start = _street_segment_before(text, kind.start() if kind else start)
            start, end = _block_start(text, start), _tail_end(text, end)
            start, end = _intersection(text, start, end)
            end = _block_end(text, end, any(c.isdigit() for c in text[start:end]))
        out.append((start, end, label, source, score))
    return out
