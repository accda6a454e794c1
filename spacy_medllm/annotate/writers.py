"""Output that survives a kill: append per batch, flush and fsync, and repair on resume.

Each note is one JSONL line (or one group of CSV lines, or one BRAT pair plus an index line), written
in order. A SIGKILL can only leave a partial last line or, for CSV, a partial last note; `open`
with `resume=True` cuts that tail off and returns the ids already done, so a resumed run loses
and duplicates nothing.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from ..files import atomic_write_bytes
from .records import FLAGS, record_entities

OUTPUT_FORMATS = ("jsonl", "csv", "brat")


class OutputError(Exception):
    """The output cannot be used as asked (exists without --resume, corrupt, other columns)."""


def output_format(path: Path, fmt: Optional[str] = None) -> str:
    if fmt:
        if fmt not in OUTPUT_FORMATS:
            raise OutputError(f"unknown output format {fmt!r}: use one of {', '.join(OUTPUT_FORMATS)}")
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == "" or path.is_dir():
        return "brat"
    raise OutputError(f"cannot tell the output format from {path.name!r}: give --format jsonl|csv|brat")


def default_errors_path(output: Path) -> Path:
    name = output.name[: -len(output.suffix)] if output.suffix else output.name
    return output.parent / f"{name}.errors.jsonl"


def dumps_line(record: dict) -> bytes:
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # unpaired surrogates from a JSON input: escape them
        return (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")


def _sync(f) -> None:
    f.flush()
    os.fsync(f.fileno())


def read_lines_for_resume(path: Path) -> Tuple[List[Tuple[int, bytes]], int]:
    """Complete lines as (byte offset, line), after cutting off a partial last line.

    Returns the lines and how many bytes were cut (0 when the file ended cleanly).
    """
    lines, offset = [], 0
    with open(path, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break
            lines.append((offset, raw))
            offset += len(raw)
    size = path.stat().st_size
    if size > offset:
        with open(path, "r+b") as f:
            f.truncate(offset)
            _sync(f)
    return lines, size - offset


class JsonlWriter:
    """One JSON object a line, one line a note."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.repair_note = ""
        self._f = None

    def open(self, *, resume: bool = False, overwrite: bool = False) -> Set[str]:
        done: Set[str] = set()
        if self.path.exists() and self.path.stat().st_size and not (resume or overwrite):
            raise OutputError(f"{self.path} exists: pass --resume to continue it or --overwrite to replace it")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists():
            lines, cut = read_lines_for_resume(self.path)
            if cut:
                self.repair_note = f"dropped a partial last line ({cut} bytes) left by an interrupted run"
            for n, (_, raw) in enumerate(lines, 1):
                try:
                    done.add(json.loads(raw)["id"])
                except (ValueError, KeyError, TypeError):
                    raise OutputError(f"{self.path}:{n}: not a record written by medllm annotate; cannot resume")
        self._f = open(self.path, "ab" if resume else "wb")
        return done

    def write_batch(self, items: List[Tuple[object, dict]]) -> None:
        self._f.write(b"".join(dumps_line(record) for _, record in items))
        _sync(self._f)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


class CsvWriter:
    """One row per entity (a note without entities gets one row with empty entity cells).

    Every row carries the note's `n_entities`, so resume can tell a note cut short by a kill.
    Line breaks inside cells are written as spaces: one row is always one line.
    """

    def __init__(self, path: Path, *, entity_text: bool = False):
        self.path = Path(path)
        self.columns = ["id", "source", "line", "n_chars", "n_entities", "layer", "start", "end", "label"]
        if entity_text:
            self.columns.append("text")
        self.columns += ["assertion", *FLAGS, "cats"]
        self.repair_note = ""
        self._f = None

    def _line(self, values: Iterable) -> bytes:
        buf = io.StringIO()
        cells = ["" if v is None else re.sub(r"[\r\n]", " ", str(v)) for v in values]
        csv.writer(buf, lineterminator="\n").writerow(cells)
        return buf.getvalue().encode("utf-8", "backslashreplace")

    def open(self, *, resume: bool = False, overwrite: bool = False) -> Set[str]:
        done: Set[str] = set()
        exists = self.path.exists() and self.path.stat().st_size > 0
        if exists and not (resume or overwrite):
            raise OutputError(f"{self.path} exists: pass --resume to continue it or --overwrite to replace it")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_header = True
        if resume and exists:
            lines, cut = read_lines_for_resume(self.path)
            notes = []
            if lines:
                header = next(csv.reader([lines[0][1].decode("utf-8")]))
                if header != self.columns:
                    raise OutputError(f"{self.path} has other columns than this run would write; cannot resume")
                write_header = False
                groups: List[List] = []  # [id, first byte offset, rows seen, n_entities]
                for offset, raw in lines[1:]:
                    row = dict(zip(self.columns, next(csv.reader([raw.decode("utf-8", "replace")]))))
                    if not groups or groups[-1][0] != row["id"]:
                        groups.append([row["id"], offset, 0, max(1, int(row["n_entities"] or 0))])
                    groups[-1][2] += 1
                if groups and groups[-1][2] < groups[-1][3]:  # the last note was cut short
                    last = groups.pop()
                    with open(self.path, "r+b") as f:
                        f.truncate(last[1])
                        _sync(f)
                    cut += 1
                notes = groups
            if cut:
                self.repair_note = "dropped the partial last note left by an interrupted run"
            done = {g[0] for g in notes}
        self._f = open(self.path, "ab" if resume else "wb")
        if write_header:
            self._f.truncate(0)
            self._f.write(self._line(self.columns))
        return done

    def rows(self, record: dict) -> List[dict]:
        ents = record_entities(record)
        base = {"id": record["id"], "source": record["source"], "line": record.get("line"),
                "n_chars": record["n_chars"], "n_entities": len(ents),
                "cats": json.dumps(record.get("cats") or {}, sort_keys=True)}
        return [dict(base, **ent) for ent in ents] or [base]

    def write_batch(self, items: List[Tuple[object, dict]]) -> None:
        out = []
        for _, record in items:
            for row in self.rows(record):
                out.append(self._line(row.get(c) for c in self.columns))
        self._f.write(b"".join(out))
        _sync(self._f)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


def brat_name(note_id: str) -> str:
    """A safe relative file stem for a note id ('dir/a.txt' -> 'dir/a')."""
    stem = note_id[:-4] if note_id.lower().endswith(".txt") else note_id
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", p) for p in re.split(r"[/\\]", stem)]
    parts = [p for p in parts if p not in ("", ".", "..")]
    return "/".join(parts) or "note"


class BratWriter:
    """A folder of NAME.txt (the note text, exactly) and NAME.ann, plus index.jsonl.

    The index holds one line per finished note: its id, file stem, categories and translation
    (which BRAT has no place for). Offsets count characters of the .txt read as UTF-8 with
    newline='' (no line-ending translation).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.index_path = self.folder / "index.jsonl"
        self.repair_note = ""
        self.used: Set[str] = set()
        self._f = None

    def open(self, *, resume: bool = False, overwrite: bool = False) -> Set[str]:
        done: Set[str] = set()
        if self.folder.exists() and any(self.folder.iterdir()) and not (resume or overwrite):
            raise OutputError(f"{self.folder} is not empty: pass --resume to continue it or --overwrite to replace it")
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.index_path.exists():
            lines, cut = read_lines_for_resume(self.index_path)
            entries = [json.loads(raw) for _, raw in lines]
            if resume:
                if cut:
                    self.repair_note = f"dropped a partial last index line ({cut} bytes) left by an interrupted run"
                done = {e["id"] for e in entries}
                self.used = {e["file"] for e in entries}
            else:  # --overwrite: remove what the earlier run wrote
                for e in entries:
                    for suffix in (".txt", ".ann"):
                        (self.folder / (e["file"] + suffix)).unlink(missing_ok=True)
        self._f = open(self.index_path, "ab" if resume else "wb")
        return done

    def _stem(self, note_id: str) -> str:
        stem, n = brat_name(note_id), 1
        base = stem
        while stem in self.used:
            n += 1
            stem = f"{base}~{n}"
        self.used.add(stem)
        return stem

    @staticmethod
    def ann(text: str, record: dict) -> str:
        lines, seen, t, a = [], set(), 0, 0
        for ent in record_entities(record):
            key = (ent["start"], ent["end"], ent["label"])
            if key in seen:
                continue
            seen.add(key)
            t += 1
            fragments = [(m.start() + ent["start"], m.end() + ent["start"])
                         for m in re.finditer(r"[^\r\n]+", text[ent["start"]:ent["end"]])]
            offsets = ";".join(f"{s} {e}" for s, e in fragments)
            label = re.sub(r"\s", "_", ent["label"]) or "ENTITY"
            lines.append(f"T{t}\t{label} {offsets}\t{' '.join(text[s:e] for s, e in fragments)}")
            if ent.get("assertion"):
                a += 1
                lines.append(f"A{a}\tAssertion T{t} {ent['assertion']}")
            for flag in FLAGS:
                if ent.get(flag):
                    a += 1
                    name = "".join(w.capitalize() for w in flag.split("_")[1:])
                    lines.append(f"A{a}\t{name} T{t}")
        return "".join(line + "\n" for line in lines)

    def write_batch(self, items: List[Tuple[object, dict]]) -> None:
        index = []
        for note, record in items:
            stem = self._stem(record["id"])
            atomic_write_bytes(self.folder / f"{stem}.txt", note.text.encode("utf-8", "surrogatepass"))
            atomic_write_bytes(self.folder / f"{stem}.ann", self.ann(note.text, record).encode("utf-8", "surrogatepass"))
            entry = {"id": record["id"], "file": stem, "source": record["source"], "n_chars": record["n_chars"],
                     "n_entities": len(record_entities(record)), "cats": record.get("cats", {})}
            if "translation" in record:
                entry["translation"] = record["translation"]
            index.append(dumps_line(entry))
        self._f.write(b"".join(index))
        _sync(self._f)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


class ErrorLog:
    """errors.jsonl: one line per bad note (id, source, line/row, kind, reason), never its text."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.seen: Set[Tuple] = set()
        self.written = 0
        self._f = None

    @staticmethod
    def key(error: Dict) -> Tuple:
        return (error.get("id"), error.get("source"), error.get("line"), error.get("kind"))

    def open(self, *, resume: bool = False) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists():
            lines, _ = read_lines_for_resume(self.path)
            self.seen = {self.key(json.loads(raw)) for _, raw in lines}
        self._f = open(self.path, "ab" if resume else "wb")

    def write_batch(self, errors: List[Dict]) -> None:
        new = [e for e in errors if self.key(e) not in self.seen]
        if not new:
            return
        self.seen.update(self.key(e) for e in new)
        self._f.write(b"".join(dumps_line(e) for e in new))
        _sync(self._f)
        self.written += len(new)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


def make_writer(path: Path, fmt: str, *, entity_text: bool = False):
    if fmt == "jsonl":
        return JsonlWriter(path)
    if fmt == "csv":
        return CsvWriter(path, entity_text=entity_text)
    return BratWriter(path)
