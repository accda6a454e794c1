"""Atomic file writes: readers never see half a file, a killed job leaves the old one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Union


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Union[str, Path], data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file 0600; give it the mode an ordinary open() would (umask applied)
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Union[str, Path], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf8"))


def read_rule_file(path: Union[str, Path], list_key: str, validate, what: str = "rules") -> list:
    """Rules from JSON (``{list_key: [...]}`` or a list) or JSONL (one rule a line), each checked by
    ``validate(rule, where)``; errors name the file and the line or rule number."""
    import json

    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: {what} file not found")
    text = path.read_text(encoding="utf8")
    if path.suffix == ".jsonl":
        rules = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rules.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{lineno}: not valid JSON ({err.msg})") from None
            validate(rules[-1], f"{path}:{lineno}")
        return rules
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    rules = data.get(list_key) if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise ValueError(f"{path}: expected a list of rules or {{\"{list_key}\": [...]}}")
    for i, rule in enumerate(rules):
        validate(rule, f"{path}: rule {i}")
    return rules
