"""Glossary: source terms whose translation is fixed (or that must stay as they are).

File formats (named in the component config, stored with the pipeline):
- TSV: `source<TAB>target` per line, or just `source` to keep the term as is; `#` starts a comment.
- JSON: an object {"source": "target" or null}.
Matching is case-insensitive on word boundaries, longest term first.
"""
import json
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, Union



class GlossaryError(ValueError):
    pass


class Glossary:
    def __init__(self, entries: Optional[Dict[str, Optional[str]]] = None):
        self.entries: Dict[str, str] = {}
        for src, tgt in (entries or {}).items():
            self.add(src, tgt)

    def add(self, source: str, target: Optional[str] = None) -> None:
        source = source.strip()
        if not source:
            raise GlossaryError("glossary source term is empty")
        self.entries[source] = source if target is None or not str(target).strip() else str(target).strip()
        self._regex = None

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, term: str) -> bool:
        return self.lookup(term) is not None

    def lookup(self, term: str) -> Optional[str]:
        if term in self.entries:
            return self.entries[term]
        lowered = {k.lower(): v for k, v in self.entries.items()}
        return lowered.get(term.lower())

    @property
    def regex(self) -> Optional["re.Pattern"]:
        if getattr(self, "_regex", None) is None and self.entries:
            terms = sorted(self.entries, key=len, reverse=True)
            self._regex = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.I)
        return getattr(self, "_regex", None)

    def find(self, text: str) -> List[Tuple[int, int, str]]:
        """(start, end, target) for each non-overlapping match."""
        if not self.entries:
            return []
        return [(m.start(), m.end(), self.lookup(m.group(0))) for m in self.regex.finditer(text)]

    def to_dict(self) -> Dict[str, str]:
        return dict(self.entries)

    def to_bytes(self) -> bytes:
        return json.dumps(self.entries, ensure_ascii=False, indent=0, sort_keys=True).encode("utf8")

    @classmethod
    def from_bytes(cls, data: bytes) -> "Glossary":
        return cls(json.loads(data.decode("utf8")))

    @classmethod
    def from_file(cls, path: Union[str, Path]) -> "Glossary":
        path = Path(path)
        if not path.exists():
            raise GlossaryError(f"glossary file {path} does not exist")
        text = path.read_text(encoding="utf8")
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                raise GlossaryError(f"{path}: line {e.lineno}: invalid JSON ({e.msg})") from None
            if not isinstance(data, dict) or not all(v is None or isinstance(v, str) for v in data.values()):
                raise GlossaryError(f"{path}: expected an object mapping source terms to target terms or null")
            return cls(data)
        return cls(dict(_parse_tsv(text.splitlines(), path)))


def _parse_tsv(lines: Iterable[str], path: Path) -> Iterable[Tuple[str, Optional[str]]]:
    for i, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.rstrip("\n\r").split("\t")
        if len(cols) > 2:
            raise GlossaryError(f"{path}: line {i}: expected 1 or 2 tab-separated columns (source, target), got {len(cols)}")
        if not cols[0].strip():
            raise GlossaryError(f"{path}: line {i}: empty source term")
        yield cols[0], cols[1] if len(cols) == 2 else None
