"""i2b2 2010 concept files: ``name.txt`` with ``name.con`` (``c="..." L:T L:T||t="..."``)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, List, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ConversionStats, CorpusFormatError
from .spans import set_char_spans

CON_RE = re.compile(r'^c="(?P<text>.*)" (?P<l1>\d+):(?P<t1>\d+) (?P<l2>\d+):(?P<t2>\d+)\|\|t="(?P<label>[^"]+)"$')
AST_RE = re.compile(
    r'^c="(?P<text>.*)" (?P<l1>\d+):(?P<t1>\d+) (?P<l2>\d+):(?P<t2>\d+)\|\|t="(?P<label>[^"]+)"\|\|a="(?P<assertion>[^"]+)"$'
)
# i2b2 2010 assertion values -> the plugin's categories ("conditional": present only under a
# condition, the closest category is hypothetical).
I2B2_ASSERTIONS = {
    "present": "present", "absent": "absent", "possible": "possible", "hypothetical": "hypothetical",
    "conditional": "hypothetical", "associated_with_someone_else": "family",
}


def _token_offsets(text: str) -> List[List[Tuple[int, int]]]:
    """Character offsets of whitespace tokens, per line (i2b2 lines are 1-based)."""
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append([(pos + m.start(), pos + m.end()) for m in re.finditer(r"\S+", line)])
        pos += len(line) + 1
    return lines


def con_pairs(path: Path) -> List[Path]:
    if path.is_dir():
        return sorted(path.rglob("*.con"))
    return [path.with_suffix(".con")]


def read_i2b2(
    path: Path, nlp: Language, stats: ConversionStats, *, txt_dir: Path = None,
    alignment_mode: str = "strict",
) -> Iterator[Doc]:
    """Concept files may sit in a ``concept/`` folder beside ``txt/``: both layouts work."""
    for con_path in con_pairs(path):
        candidates = [con_path.with_suffix(".txt")]
        if txt_dir is not None:
            candidates.insert(0, Path(txt_dir) / (con_path.stem + ".txt"))
        candidates.append(con_path.parent.parent / "txt" / (con_path.stem + ".txt"))
        txt_path = next((p for p in candidates if p.exists()), None)
        if txt_path is None:
            raise CorpusFormatError(con_path, None, "no matching .txt file found (looked beside it and in ../txt)")
        if not con_path.exists():
            raise CorpusFormatError(con_path, None, "concept file not found")
        text = txt_path.read_text(encoding="utf8")
        offsets = _token_offsets(text)
        spans = []
        with open(con_path, encoding="utf8") as f:
            for lineno, raw in enumerate(f, 1):
                line = raw.strip()
                if not line:
                    continue
                m = CON_RE.match(line)
                if m is None:
                    raise CorpusFormatError(
                        con_path, lineno, "expected c=\"TEXT\" LINE:TOKEN LINE:TOKEN||t=\"TYPE\""
                    )
                start, end = _char_range(m, offsets, text, con_path, lineno, txt_path)
                spans.append((start, end, m.group("label"), None))
        ast_path = next((p for p in (con_path.with_suffix(".ast"), con_path.parent.parent / "ast" / (con_path.stem + ".ast"))
                         if p.exists()), None)
        if ast_path is not None:
            spans = _with_assertions(spans, ast_path, offsets, text, txt_path)
        doc = nlp.make_doc(text)
        doc.user_data["id"] = con_path.stem
        set_char_spans(doc, spans, stats, alignment_mode)
        stats.docs += 1
        yield doc


def _char_range(m, offsets, text: str, path: Path, lineno: int, txt_path: Path) -> Tuple[int, int]:
    l1, t1, l2, t2 = (int(m.group(k)) for k in ("l1", "t1", "l2", "t2"))
    if l1 < 1 or (l1, t1) > (l2, t2):
        raise CorpusFormatError(path, lineno, f"position {l1}:{t1}-{l2}:{t2} is not a valid range")
    try:
        start = offsets[l1 - 1][t1][0]
        end = offsets[l2 - 1][t2][1]
    except IndexError:
        raise CorpusFormatError(path, lineno, f"position {l1}:{t1}-{l2}:{t2} is outside {txt_path.name}") from None
    found = " ".join(text[start:end].split()).lower()
    if found != " ".join(m.group("text").split()).lower():
        raise CorpusFormatError(
            path, lineno, f"concept text does not match the tokens at {l1}:{t1}-{l2}:{t2} of {txt_path.name}"
        )
    return start, end


def _with_assertions(spans, ast_path: Path, offsets, text: str, txt_path: Path):
    """Attach ``.ast`` assertions to the concepts at the same offsets (adding any concept missing)."""
    index = {(s, e): i for i, (s, e, _, _) in enumerate(spans)}
    spans = list(spans)
    with open(ast_path, encoding="utf8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                continue
            m = AST_RE.match(line)
            if m is None:
                raise CorpusFormatError(
                    ast_path, lineno, 'expected c="TEXT" LINE:TOKEN LINE:TOKEN||t="TYPE"||a="ASSERTION"'
                )
            value = m.group("assertion").lower()
            if value not in I2B2_ASSERTIONS:
                raise CorpusFormatError(
                    ast_path, lineno, f"unknown assertion {m.group('assertion')!r} (expected one of {', '.join(I2B2_ASSERTIONS)})"
                )
            start, end = _char_range(m, offsets, text, ast_path, lineno, txt_path)
            if (start, end) in index:
                s, e, label, _ = spans[index[(start, end)]]
                spans[index[(start, end)]] = (s, e, label, I2B2_ASSERTIONS[value])
            else:
                index[(start, end)] = len(spans)
                spans.append((start, end, m.group("label"), I2B2_ASSERTIONS[value]))
    return spans
