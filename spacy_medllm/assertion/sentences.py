"""A sentence fallback for pipelines without a parser or sentencizer.

ConText scopes end at the sentence boundary, so the component needs sentences; it does not
overwrite boundaries set upstream (medspaCy's PyRuSH, a sentencizer, a parser).
"""
from spacy.tokens import Doc

FINAL = {".", "!", "?", ";"}


def _starts_line_item(text: str) -> bool:
    return text[:1].isupper() or text[:1].isdigit() or text[:1] in "-*•#"


def ensure_sentences(doc: Doc) -> None:
    """Split after . ! ? ; and at line breaks that end a line item or a paragraph."""
    if len(doc) == 0 or doc.has_annotation("SENT_START"):
        return
    flags = [True] + [False] * (len(doc) - 1)
    for i in range(1, len(doc)):
        prev = doc[i - 1]
        token = doc[i]
        if token.is_space:
            continue
        j = i - 1
        newline = False
        while j >= 0 and doc[j].is_space:
            newline = newline or "\n" in doc[j].text
            j -= 1
        if j < 0:
            continue
        last = doc[j]
        if last.text in FINAL and (newline or prev.is_space or last.whitespace_):
            flags[i] = True
        elif newline and (last.text in FINAL | {":"} or _starts_line_item(token.text)
                          or any(doc[k].text.count("\n") > 1 for k in range(j + 1, i))):
            flags[i] = True
    for token, flag in zip(doc, flags):
        token.is_sent_start = flag
