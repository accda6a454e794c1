"""Section headers in clinical notes, for section-level assertion (family history, past history).

If medspaCy's sectionizer ran upstream, its ``Token._.section_category`` is used; otherwise
headers are found with the patterns below (a header starts a line or the text and ends in a colon).
"""
import re
from typing import Dict, List, Optional, Tuple

from spacy.tokens import Doc

SECTION_HEADERS: Dict[str, List[str]] = {
    "family_history": [r"family\s+(?:medical\s+)?history", r"fhx?", r"family\s+hx"],
    "past_medical_history": [
        r"past\s+medical\s+history", r"pmhx?", r"medical\s+history", r"past\s+history",
        r"history\s+of\s+past\s+illness", r"prior\s+medical\s+history",
    ],
    "past_surgical_history": [r"past\s+surgical\s+history", r"pshx?", r"surgical\s+history", r"prior\s+surgeries"],
    "social_history": [r"social\s+history", r"shx?", r"habits", r"tobacco", r"alcohol"],
    "history_of_present_illness": [r"history\s+of\s+present\s+illness", r"hpi"],
    "chief_complaint": [r"chief\s+complaint", r"cc"],
    "medications": [r"(?:current\s+|discharge\s+|home\s+)?medications", r"meds"],
    "allergies": [r"allergies", r"drug\s+allergies"],
    "review_of_systems": [r"review\s+of\s+systems", r"ros"],
    "physical_exam": [r"physical\s+exam(?:ination)?", r"exam(?:ination)?", r"pe"],
    "assessment_and_plan": [r"assessment(?:\s+and\s+plan)?", r"impression", r"a/p", r"plan", r"recommendations?"],
}
# A known header, or any short capitalised phrase ending in a colon at a line start, which ends
# the previous section (so "Family history:" does not run into "Physical exam:").
_KNOWN = "|".join(f"(?P<{cat}>{'|'.join(pats)})" for cat, pats in SECTION_HEADERS.items())
HEADER_RE = re.compile(
    rf"(?im)(?:^|(?<=\n))[ \t]*(?:(?:(?:his|her|their|the\s+patient'?s|patient'?s)\s+)?(?:{_KNOWN})|[A-Za-z][A-Za-z /&()-]{{0,40}}?)[ \t]*:"
)


def find_sections(text: str) -> List[Tuple[int, int, Optional[str]]]:
    """(start, end, category or None) for each section, by character offsets."""
    headers = []
    for m in HEADER_RE.finditer(text):
        category = next((name for name, value in m.groupdict().items() if value is not None), None)
        headers.append((m.start(), category))
    sections = []
    for i, (start, category) in enumerate(headers):
        end = headers[i + 1][0] if i + 1 < len(headers) else len(text)
        sections.append((start, end, category))
    return sections


def token_sections(doc: Doc) -> List[Optional[str]]:
    """The section category of every token."""
    if Doc.has_extension("sections") and doc._.sections:  # medspaCy's sectionizer ran
        return [t._.section_category for t in doc]
    categories: List[Optional[str]] = [None] * len(doc)
    for start, end, category in find_sections(doc.text):
        if category is None:
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        for i in range(span.start, span.end):
            categories[i] = category
    return categories
