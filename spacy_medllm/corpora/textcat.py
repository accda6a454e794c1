"""CSV and JSONL classification corpora: a text column and one or several label columns.

Errors name the file, the row (the line number of the row's first line) and the column,
never the note text. ``skip_invalid`` turns row errors into counted skips.
"""
import csv
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Set, Tuple, Union

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ConversionStats, CorpusFormatError
from .jsonl import iter_json_lines

Row = Tuple[int, str, Set[str]]


class RowError(CorpusFormatError):
    """A row that ``skip_invalid`` may skip; ``reason`` is the short name it is counted under."""

    def __init__(self, path, row, reason: str, detail: str):
        self.reason = reason
        super().__init__(path, row, detail)


def _as_list(columns: Union[str, Sequence[str]]) -> List[str]:
    return [columns] if isinstance(columns, str) else list(columns)


def _cell_labels(value, path, row, column, separator) -> List[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        values = value
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        value = str(value)
        values = value.split(separator) if separator else [value]
    else:
        raise CorpusFormatError(path, row, f"column '{column}': a label must be a string or a list of strings")
    out = []
    for v in values:
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            raise CorpusFormatError(path, row, f"column '{column}': a label must be a string or a list of strings")
        v = str(v).strip()
        if v:
            out.append(v)
    return out


def _csv_records(path: Path, columns: List[str]) -> Iterator[Tuple[int, dict]]:
    with open(path, encoding="utf8", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            raise CorpusFormatError(
                path, 1, f"column(s) {', '.join(repr(c) for c in missing)} not in the header (columns: {', '.join(header)})"
            )
        line = reader.line_num + 1
        for record in reader:
            if None in record:  # more cells than header names
                raise CorpusFormatError(path, line, f"{len(header) + len(record[None])} cells but {len(header)} columns in the header")
            yield line, record
            line = reader.line_num + 1


def _jsonl_records(path: Path, columns: List[str]) -> Iterator[Tuple[int, dict]]:
    for lineno, record in iter_json_lines(path):
        missing = [c for c in columns if c not in record]
        if missing:
            raise CorpusFormatError(path, lineno, f"column(s) {', '.join(repr(c) for c in missing)} missing")
        yield lineno, record


def read_textcat_rows(
    path: Union[str, Path],
    fmt: str,
    stats: ConversionStats,
    *,
    text_column: str = "text",
    label_columns: Union[str, Sequence[str]] = ("label",),
    labels: Optional[Sequence[str]] = None,
    multi_label: bool = False,
    label_separator: Optional[str] = None,
    skip_invalid: bool = False,
) -> Iterator[Row]:
    """Yield ``(row, text, labels)``; bad rows raise, or are counted in ``stats`` and skipped."""
    path = Path(path)
    if not path.exists():
        raise CorpusFormatError(path, None, "file not found")
    label_columns = _as_list(label_columns)
    known = set(labels) if labels is not None else None
    records = _csv_records(path, [text_column] + label_columns) if fmt == "csv" else _jsonl_records(path, [text_column] + label_columns)
    for row, record in records:
        try:
            text = record.get(text_column)
            if not isinstance(text, str):
                raise RowError(path, row, "text not a string", f"column '{text_column}': text must be a string")
            if not text.strip():
                raise RowError(path, row, "empty text", f"column '{text_column}': empty text")
            gold: List[str] = []
            for column in label_columns:
                for label in _cell_labels(record.get(column), path, row, column, label_separator):
                    if known is not None and label not in known:
                        raise RowError(path, row, "unknown label", f"column '{column}': unknown label '{label}' (labels: {', '.join(sorted(known))})")
                    gold.append(label)
            if not gold:
                raise RowError(path, row, "no label", f"column(s) {', '.join(repr(c) for c in label_columns)}: no label")
            if not multi_label and len(set(gold)) > 1:
                raise RowError(path, row, "several labels", f"{len(set(gold))} labels in an exclusive task (set multi_label to allow several)")
        except RowError as err:
            if not skip_invalid:
                raise
            stats.skip(err.reason)
            continue
        yield row, text, set(gold)


def read_textcat_docs(
    path: Union[str, Path], nlp: Language, stats: ConversionStats, *, fmt: str = "csv",
    labels: Optional[Sequence[str]] = None, **options,
) -> Iterator[Doc]:
    """Docs with ``doc.cats`` over every label (1.0 gold, 0.0 otherwise). Without ``labels``
    the label set is the sorted set of labels seen in the file (a first pass reads it)."""
    if labels is None:
        labels = sorted({lab for _, _, gold in read_textcat_rows(path, fmt, ConversionStats(), **options) for lab in gold})
    for row, text, gold in read_textcat_rows(path, fmt, stats, labels=labels, **options):
        doc = nlp.make_doc(text)
        doc.cats = {lab: float(lab in gold) for lab in labels}
        doc.user_data["row"] = row
        stats.docs += 1
        yield doc


def read_textcat_csv(path, nlp, stats, **options) -> Iterator[Doc]:
    return read_textcat_docs(path, nlp, stats, fmt="csv", **options)


def read_textcat_jsonl(path, nlp, stats, **options) -> Iterator[Doc]:
    return read_textcat_docs(path, nlp, stats, fmt="jsonl", **options)
