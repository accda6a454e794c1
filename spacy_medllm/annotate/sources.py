"""Where notes come from: text files, folders of them, JSONL and CSV, read lazily.

Every reader yields `Note`, `NoteError` (with file, line or row, and why) or `Skipped`, never
raises for one bad note, and never puts note text into an error.
"""
from __future__ import annotations

import csv
import fnmatch
import json
import sys
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Union

from .notes import DEFAULT_FALLBACK_ENCODING, Note, NoteError, NoteProblem, Skipped, check_id, check_text, decode

Item = Union[Note, NoteError, Skipped]
FORMATS = ("auto", "text", "jsonl", "csv", "tsv")


def input_format(path: Path, fmt: str = "auto") -> str:
    if fmt != "auto":
        return fmt
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return suffix[1:]
    return "text"


def folder_files(folder: Path) -> List[Path]:
    """Every file under `folder`, recursively, sorted by relative path; hidden ones left out."""
    files = (p for p in folder.rglob("*") if p.is_file())
    files = (p for p in files if not any(part.startswith(".") for part in p.relative_to(folder).parts))
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


class NoteReader:
    """Reads notes from the given inputs with one set of options."""

    def __init__(
        self,
        *,
        input_fmt: str = "auto",
        text_field: str = "text",
        id_field: Optional[str] = None,
        glob: str = "*.txt",
        max_chars: int = 100_000,
        fallback_encoding: Optional[str] = DEFAULT_FALLBACK_ENCODING,
    ):
        if input_fmt not in FORMATS:
            raise ValueError(f"unknown input format {input_fmt!r}: use one of {', '.join(FORMATS)}")
        self.input_fmt = input_fmt
        self.text_field = text_field
        self.id_field = id_field
        self.glob = glob
        self.max_chars = max_chars
        self.fallback = fallback_encoding
        csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))

    def read(self, paths: Iterable[Union[str, Path]]) -> Iterator[Item]:
        for path in map(Path, paths):
            if not path.exists():
                yield NoteError(None, str(path), "missing-file", "no such file or folder")
                continue
            fmt = input_format(path, self.input_fmt)
            if fmt == "folder":
                for file in folder_files(path):
                    rel = file.relative_to(path).as_posix()
                    if fnmatch.fnmatch(file.name, self.glob):
                        yield self.read_text_file(file, rel)
                    else:
                        yield Skipped(str(file), f"file name does not match --glob {self.glob}")
            elif fmt == "jsonl":
                yield from self.read_jsonl(path)
            elif fmt in ("csv", "tsv"):
                yield from self.read_csv(path, "\t" if fmt == "tsv" else ",")
            else:
                yield self.read_text_file(path, path.name)

    def count(self, paths: Iterable[Union[str, Path]]) -> int:
        """About how many notes the inputs hold, for the progress bar (one quick pass over bytes)."""
        total = 0
        for path in map(Path, paths):
            if not path.exists():
                continue
            fmt = input_format(path, self.input_fmt)
            if fmt == "folder":
                total += sum(fnmatch.fnmatch(p.name, self.glob) for p in folder_files(path))
            elif fmt in ("jsonl", "csv", "tsv"):
                with open(path, "rb") as f:
                    n = sum(1 for line in f if line.strip())
                total += n if fmt == "jsonl" else max(0, n - 1)
            else:
                total += 1
        return total

    def _decode(self, data: bytes) -> tuple:
        return decode(data, self.fallback)

    def _note(self, id_, text, encoding, source, line=None, row=None) -> Note:
        note = Note(id_, text, source, line=line, row=row, encoding=encoding)
        if encoding == self.fallback and encoding not in ("utf-8", "utf-8-sig"):
            note.warnings.append(f"not valid UTF-8: decoded as {encoding}")
        return note

    def read_text_file(self, path: Path, note_id: str) -> Item:
        source = str(path)
        try:
            size = path.stat().st_size
            if size > 4 * self.max_chars + 4:  # no encoding takes more than 4 bytes a character
                raise NoteProblem("too-long", f"file has {size:,} bytes, over --max-chars {self.max_chars:,}")
            text, encoding = self._decode(path.read_bytes())
            check_text(text, self.max_chars)
            return self._note(check_id(note_id), text, encoding, source)
        except NoteProblem as err:
            return NoteError(note_id, source, err.kind, err.reason)
        except OSError as err:
            return NoteError(note_id, source, "unreadable", f"cannot read the file ({err.strerror or type(err).__name__})")

    def read_jsonl(self, path: Path) -> Iterator[Item]:
        source = str(path)
        with open(path, "rb") as f:
            for lineno, raw in enumerate(f, 1):
                if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    yield Skipped(source, "blank JSONL line")
                    continue
                fallback_id = note_id = f"{path.name}:{lineno}"
                try:
                    line, encoding = self._decode(raw.rstrip(b"\r\n"))
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as err:
                        raise NoteProblem("bad-json", f"not valid JSON ({err.msg} at column {err.colno})")
                    if not isinstance(obj, dict):
                        raise NoteProblem("bad-json", f"a JSON {type(obj).__name__}, not an object")
                    if self.id_field is not None and self.id_field not in obj:
                        raise NoteProblem("bad-id", f"no {self.id_field!r} field")
                    id_key = self.id_field or "id"
                    if id_key in obj:
                        note_id = check_id(obj[id_key])
                    if self.text_field not in obj:
                        raise NoteProblem("missing-text", f"no {self.text_field!r} field")
                    text = check_text(obj[self.text_field], self.max_chars)
                    yield self._note(note_id, text, encoding, source, line=lineno)
                except NoteProblem as err:
                    yield NoteError(note_id, source, err.kind, err.reason, line=lineno)

    def read_csv(self, path: Path, delimiter: str = ",") -> Iterator[Item]:
        source = str(path)
        try:
            data = path.read_bytes()
        except OSError as err:
            yield NoteError(None, source, "unreadable", f"cannot read the file ({err.strerror or type(err).__name__})")
            return
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        raw_lines = data.split(b"\n")
        if raw_lines and raw_lines[-1] == b"":
            raw_lines.pop()
        lines, fallback_lines, bad_lines = [], set(), {}
        for i, raw in enumerate(raw_lines, 1):
            try:
                text, encoding = self._decode(raw)
            except NoteProblem as err:
                text, encoding = "", None
                bad_lines[i] = err
            if encoding not in (None, "utf-8"):
                fallback_lines.add(i)
            lines.append(text + "\n")
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            header = next(reader)
        except (StopIteration, csv.Error):
            yield NoteError(None, source, "bad-file", "no header row")
            return
        if self.text_field not in header:
            yield NoteError(None, source, "bad-file", f"no column {self.text_field!r} in the header ({len(header)} columns)")
            return
        if self.id_field is not None and self.id_field not in header:
            yield NoteError(None, source, "bad-file", f"no column {self.id_field!r} in the header")
            return
        text_idx = header.index(self.text_field)
        id_key = self.id_field or "id"
        id_idx = header.index(id_key) if id_key in header else None
        row, prev_line = 0, reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                row += 1
                yield NoteError(f"{path.name}:row{row}", source, "bad-csv", f"malformed CSV ({err})", line=prev_line + 1, row=row)
                prev_line = reader.line_num
                continue
            first, prev_line = prev_line + 1, reader.line_num
            line_range = range(first, reader.line_num + 1)
            bad = [bad_lines[i] for i in line_range if i in bad_lines]
            if not cells and not bad:
                yield Skipped(source, "blank CSV line")
                continue
            row += 1
            note_id = f"{path.name}:row{row}"
            try:
                if bad:
                    raise bad[0]
                if id_idx is not None:
                    note_id = check_id(cells[id_idx] if id_idx < len(cells) else None)
                if text_idx >= len(cells):
                    raise NoteProblem("missing-text", f"row has {len(cells)} fields, header has {len(header)}")
                text = check_text(cells[text_idx], self.max_chars)
                encoding = self.fallback if any(i in fallback_lines for i in line_range) else "utf-8"
                yield self._note(note_id, text, encoding, source, line=first, row=row)
            except NoteProblem as err:
                yield NoteError(note_id, source, err.kind, err.reason, line=first, row=row)
