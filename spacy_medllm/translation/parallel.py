"""Parallel corpus preparation: read line-aligned files and sample translations, filter, split.

The held-out split is by whole file (never trained on), so no sentence of a held-out abstract
leaks into training through a near-duplicate in the same document.
"""
import json
import random
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..corpora.errors import CorpusFormatError
from ..corpora.jsonl import iter_json_lines
from .protect import find_protected

Pair = Tuple[str, str]


def read_aligned(src_path: Path, tgt_path: Path) -> List[Pair]:
    """Line-aligned files; a line-count mismatch is an error, not a silent zip."""
    src = Path(src_path).read_text(encoding="utf8").splitlines()
    tgt = Path(tgt_path).read_text(encoding="utf8").splitlines()
    if len(src) != len(tgt):
        raise ValueError(f"{src_path} has {len(src)} lines but {tgt_path} has {len(tgt)}: not line-aligned")
    return [(s.strip(), t.strip()) for s, t in zip(src, tgt)]


def read_sample_translations(path: Path, target_lang: str = "fr") -> List[Pair]:
    """Sentence translations stored in `meta.translations` ({start, end, <lang>}) of the sample JSONL."""
    pairs = []
    for i, record in iter_json_lines(Path(path)):
        text = record["text"]
        for tr in record.get("meta", {}).get("translations", []):
            if target_lang not in tr or not (0 <= tr["start"] < tr["end"] <= len(text)):
                raise CorpusFormatError(path, i, f"translation entry needs start<end within the text and '{target_lang}'")
            pairs.append((text[tr["start"]:tr["end"]].strip(), tr[target_lang].strip()))
    return pairs


def length_ratio_ok(src: str, tgt: str, max_ratio: float = 2.0, slack: int = 15) -> bool:
    """Misaligned lines differ wildly in length; the slack keeps short headings ("Stroke." -> "AVC.")."""
    if not src or not tgt:
        return False
    a, b = len(src) + slack, len(tgt) + slack
    return max(a, b) / min(a, b) <= max_ratio


def filter_pairs(pairs: Iterable[Pair], max_ratio: float = 2.0) -> Tuple[List[Pair], Dict[str, int]]:
    kept, stats = [], {"empty": 0, "length_ratio": 0, "kept": 0}
    for s, t in pairs:
        if not s or not t:
            stats["empty"] += 1
        elif not length_ratio_ok(s, t, max_ratio):
            stats["length_ratio"] += 1
        else:
            kept.append((s, t))
    stats["kept"] = len(kept)
    return kept, stats


def placeholder(i: int) -> str:
    return f"<ph_{i}>"


def add_placeholders(src: str, tgt: str, max_placeholders: int = 10) -> Optional[Pair]:
    """Swap protected spans that occur verbatim once on each side for shared placeholders.

    Training on such pairs teaches the model to copy placeholders, which the component relies on.
    """
    spans = find_protected(src)
    if not spans:
        return None
    out_src, out_tgt, n, last = [], tgt, 0, 0
    for start, end in spans:
        item = src[start:end]
        if n >= max_placeholders or out_tgt.count(item) != 1 or src.count(item) != 1:
            continue
        out_src.append(src[last:start] + placeholder(n))
        out_tgt = out_tgt.replace(item, placeholder(n))
        last = end
        n += 1
    if n == 0:
        return None
    return "".join(out_src) + src[last:], out_tgt


def augment_with_placeholders(pairs: Sequence[Pair], rate: float, seed: int) -> List[Pair]:
    rng = random.Random(seed)
    extra = []
    for s, t in pairs:
        if rng.random() < rate:
            swapped = add_placeholders(s, t)
            if swapped is not None:
                extra.append(swapped)
    return extra


def prepare(
    data_dir: Path, sample_dir: Optional[Path], output_dir: Path, *, test_files: Sequence[str] = ("medline19_en2fr",),
    dev_files: Sequence[str] = ("medline18_en2fr",), src_lang: str = "en", tgt_lang: str = "fr",
    max_ratio: float = 2.0, placeholder_rate: float = 0.5, seed: int = 0, min_words: int = 4,
) -> Dict:
    """Write train/dev/test JSONL ({"src","tgt","origin"}) and a stats dict.

    Test and dev are whole files (held out, never trained on); training pairs whose source also
    occurs in test or dev (shared headings such as "Methods") are dropped and counted. The sample
    corpus's train+dev translations join training; its test translations form `sample_test`.
    """
    from ..files import atomic_write_text

    data_dir, output_dir = Path(data_dir), Path(output_dir)
    stems = sorted({p.stem for p in data_dir.glob(f"*.{src_lang}")})
    if not stems:
        raise FileNotFoundError(f"no *.{src_lang} files in {data_dir}")
    missing = [s for s in list(test_files) + list(dev_files) if s not in stems]
    if missing:
        raise ValueError(f"held-out files {missing} not found in {data_dir} (have {stems})")
    stats: Dict = {"files": {}, "split": {"test": list(test_files), "dev": list(dev_files)}, "seed": seed,
                   "max_ratio": max_ratio}
    splits: Dict[str, List[dict]] = {"train": [], "dev": [], "test": [], "sample_test": []}
    for stem in stems:
        raw = read_aligned(data_dir / f"{stem}.{src_lang}", data_dir / f"{stem}.{tgt_lang}")
        kept, fstats = filter_pairs(raw, max_ratio)
        fstats["lines"] = len(raw)
        stats["files"][stem] = fstats
        split = "test" if stem in test_files else "dev" if stem in dev_files else "train"
        splits[split].extend({"src": s, "tgt": t, "origin": stem} for s, t in kept)
    if sample_dir is not None:
        for name, split in (("train", "train"), ("dev", "train"), ("test", "sample_test")):
            path = Path(sample_dir) / f"{name}.jsonl"
            if path.exists():
                kept, fstats = filter_pairs(read_sample_translations(path, tgt_lang), max_ratio)
                stats["files"][f"sample/{name}"] = fstats
                splits[split].extend({"src": s, "tgt": t, "origin": f"sample/{name}"} for s, t in kept)
    # Leakage check: a held-out sentence of 4+ words seen in training would inflate scores. Shorter
    # ones are section headings ("Title", "METHODS") shared by every abstract, kept on purpose.
    held = {r["src"] for r in splits["test"] + splits["dev"] + splits["sample_test"] if len(r["src"].split()) >= min_words}
    before = len(splits["train"])
    splits["train"] = [r for r in splits["train"] if r["src"] not in held]
    stats["train_dropped_overlap_with_heldout"] = before - len(splits["train"])
    seen, unique = set(), []
    for r in splits["train"]:
        if (r["src"], r["tgt"]) not in seen:
            seen.add((r["src"], r["tgt"]))
            unique.append(r)
    stats["train_dropped_duplicates"] = len(splits["train"]) - len(unique)
    splits["train"] = unique
    extra = augment_with_placeholders([(r["src"], r["tgt"]) for r in splits["train"]], placeholder_rate, seed)
    splits["train"].extend({"src": s, "tgt": t, "origin": "placeholder_augmented"} for s, t in extra)
    stats["train_placeholder_augmented"] = len(extra)
    random.Random(seed).shuffle(splits["train"])
    for name, rows in splits.items():
        atomic_write_text(output_dir / f"{name}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        stats[f"{name}_pairs"] = len(rows)
    stats["dropped_total"] = sum(f["empty"] + f["length_ratio"] for f in stats["files"].values())
    atomic_write_text(output_dir / "stats.json", json.dumps(stats, indent=2))
    return stats
