"""Find spans that must reach the translation verbatim: numbers, doses, units, dates.

The same patterns are used by the component at run time and by the training data preparation
(which swaps such spans for placeholders so the model learns to copy placeholders).
"""
import re
from typing import List, Tuple

# Unit symbols only: words such as "days" should be translated, "mg" must not be.
_UNITS = (
    r"mmHg|mmol/L|mmol/l|mEq/L|mg/dL|mg/dl|mg/kg/day|mg/kg/j|mg/kg|mg/m2|µg/kg|mcg/kg|g/dL|g/dl|g/L|g/l|"
    r"IU/L|U/L|mL/min|ml/min|mL/h|ml/h|L/min|l/min|bpm|mcg|µg|ug|mg|kg|g|mL|ml|dL|L|IU|UI|U|"
    r"mmol|mEq|cm|mm|µm|m2|°C|°F|%"
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_DATE = r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
# A number, optionally a ratio/range (120/80, 5-10, 2 x 500), optionally followed by a unit symbol.
_QUANTITY = (
    rf"(?<![\w.,]){_NUMBER}(?:\s?(?:/|-|–|x|×)\s?{_NUMBER})*"
    rf"(?:\s?(?:{_UNITS})(?![\w/]))?"
)
PROTECT_RE = re.compile(rf"{_DATE}|{_QUANTITY}")


def find_protected(text: str) -> List[Tuple[int, int]]:
    """Character offsets of numbers, doses, measurements and dates, left to right, non-overlapping."""
    spans = []
    for m in PROTECT_RE.finditer(text):
        start, end = m.span()
        # A trailing decimal separator or range dash belongs to the sentence, not the number.
        while end > start and text[end - 1] in ".,-–/ ":
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
