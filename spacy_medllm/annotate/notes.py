"""One note on its way through `medllm annotate`, and the checks that decide whether it can go.

The text a note carries is its original text, exactly as decoded: every offset written by the
annotate commands slices this text. The pipeline sees a copy of the same length with CRLF and
control characters replaced (see `pipeline_text`), so offsets agree between the two.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

# Decoding order: a BOM decides; else strict UTF-8; else the fallback (flagged on the record).
DEFAULT_FALLBACK_ENCODING = "cp1252"
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# C0/C1 control characters other than tab and newline, DEL, and unpaired surrogates.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
ID_BAD_RE = re.compile("[\x00-\x1f\x7f]")


class NoteProblem(Exception):
    """A note that cannot be annotated: `kind` is a short code for the summary, `reason` says why."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass
class Note:
    id: str
    text: str
    source: str
    line: Optional[int] = None
    row: Optional[int] = None
    encoding: Optional[str] = None
    warnings: List[str] = field(default_factory=list)

    @property
    def n_words(self) -> int:
        return len(self.text.split())


@dataclass
class NoteError:
    id: Optional[str]
    source: str
    kind: str
    reason: str
    line: Optional[int] = None
    row: Optional[int] = None

    def to_dict(self) -> dict:
        data = {"id": self.id, "source": self.source, "line": self.line, "kind": self.kind, "reason": self.reason}
        if self.row is not None:
            data["row"] = self.row
        return data

    @property
    def key(self) -> Tuple:
        return (self.id, self.source, self.line, self.kind)


@dataclass
class Skipped:
    """Not a note and not an error (a blank JSONL line, a file outside --glob): counted, not written."""

    source: str
    reason: str


def decode(data: bytes, fallback: Optional[str] = DEFAULT_FALLBACK_ENCODING) -> Tuple[str, str]:
    """Bytes to text: (text, encoding used). Raises NoteProblem for binary or undecodable bytes."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as err:
                raise NoteProblem("undecodable", f"starts with a {encoding} byte-order mark but is not valid {encoding} (byte {err.start})")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise NoteProblem("binary", f"binary content (NUL byte at offset {nul}), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})"
    if not fallback:
        raise NoteProblem("undecodable", utf8_error)
    try:
        return data.decode(fallback), fallback
    except UnicodeDecodeError as err:
        raise NoteProblem("undecodable", f"{utf8_error}, nor valid {fallback} (byte 0x{data[err.start]:02x} at offset {err.start})")


def check_text(value, max_chars: int) -> str:
    """The text of a note if it can be annotated, else NoteProblem saying why (never quoting it)."""
    if value is None:
        raise NoteProblem("missing-text", "text is missing (null)")
    if isinstance(value, float) and value != value:
        raise NoteProblem("missing-text", "text is missing (NaN)")
    if not isinstance(value, str):
        raise NoteProblem("not-a-string", f"text is {type(value).__name__}, not a string")
    if not value:
        raise NoteProblem("empty-text", "text is empty")
    if not value.strip():
        raise NoteProblem("empty-text", f"text is only whitespace ({len(value)} characters)")
    if len(value) > max_chars:
        raise NoteProblem("too-long", f"text has {len(value):,} characters, over --max-chars {max_chars:,}")
    return value


def check_id(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        raise NoteProblem("bad-id", "id is missing")
    if isinstance(value, (dict, list)):
        raise NoteProblem("bad-id", f"id is a {type(value).__name__}")
    value = str(value)
    if ID_BAD_RE.search(value):
        raise NoteProblem("bad-id", "id contains control characters")
    return value


def pipeline_text(text: str) -> Tuple[str, List[str]]:
    """The text handed to the pipeline: same length as `text`, so every offset is shared.

    CRLF becomes " \\n", a lone CR "\\n", other control characters (and unpaired surrogates)
    a space. Returns the text and what was changed, for the record's warnings.
    """
    changed = []
    if "\r" in text:
        text = text.replace("\r\n", " \n").replace("\r", "\n")
        changed.append("line breaks: CR/CRLF given to the pipeline as LF (offsets unchanged)")
    if CONTROL_RE.search(text):
        text = CONTROL_RE.sub(" ", text)
        changed.append("control characters given to the pipeline as spaces (offsets unchanged)")
    return text, changed
