"""A sentence fallback for pipelines without a parser or sentencizer.

ConText scopes end at the sentence boundary, so the component needs sentences; it does not
overwrite boundaries set upstream (medspaCy's PyRuSH, a sentencizer, a parser).
"""
import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc

FINAL = {".", "!", "?", ";"}


def _starts_line_item(text: str) -> bool:
    return text[:1].isupper() or text[:1].isdigit() or text[:1] in "-*•#"


def ensure_sentences(doc: Doc) -> None:
    """Split after . ! ? ; and at line breaks that end a line item or a paragraph.

    Boundaries are written in one ``Doc.from_array`` call: setting ``token.is_sent_start`` token
    by token makes spaCy rescan the doc for a parse at every token."""
    if len(doc) == 0 or doc.has_annotation("SENT_START"):
        return
    texts = [token.text for token in doc]
    space = [token.is_space for token in doc]
    trailing = [bool(token.whitespace_) for token in doc]
    starts = numpy.full((len(doc), 1), -1, dtype="int64")  # 1 starts a sentence, -1 does not
    starts[0, 0] = 1
    for i in range(1, len(doc)):
        if space[i]:
            continue
        j = i - 1
        newline = False
        while j >= 0 and space[j]:
            newline = newline or "\n" in texts[j]
            j -= 1
        if j < 0:
            continue
        last = texts[j]
        if last in FINAL and (newline or space[i - 1] or trailing[j]):
            starts[i, 0] = 1
        elif newline and (last in FINAL or last == ":" or _starts_line_item(texts[i])
                          or any(texts[k].count("\n") > 1 for k in range(j + 1, i))):
            starts[i, 0] = 1
    doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy reads -1 from its uint64 form
