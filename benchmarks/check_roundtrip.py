"""Check a `medllm annotate` JSONL against the notes it came from: one record per good note, no
duplicates, and every entity's offsets, applied to the note file read again from disk, give the
entity's recorded text on word boundaries (run annotate with --entity-text). Writes a JSON report; exits 1 on any failure.
Usage: python -m benchmarks.check_roundtrip NOTES_DIR OUT.jsonl --expect 1000 --output report.json
"""
import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from spacy_medllm.files import atomic_write_text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notes", type=Path)
    parser.add_argument("annotations", type=Path)
    parser.add_argument("--expect", type=int, required=True, help="Number of good notes")
    parser.add_argument("--output", type=Path, required=True)
    a = parser.parse_args()
    records, problems = [], []
    with a.annotations.open(encoding="utf8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                problems.append(f"{a.annotations}:{lineno}: not JSON ({err.msg})")
    ids = Counter(r["id"] for r in records)
    duplicates = sorted(i for i, n in ids.items() if n > 1)
    n_entities = n_checked = 0
    assertions, cats = Counter(), Counter()
    for r in records:
        text = Path(r["source"]).read_bytes().decode(r.get("encoding") or "utf-8")
        if len(text) != r["n_chars"]:
            problems.append(f"{r['id']}: n_chars {r['n_chars']} but the file has {len(text)} characters")
        for ent in r["entities"]:
            n_entities += 1
            if "text" not in ent:
                problems.append(f"{r['id']}: entity without text; run annotate with --entity-text")
                break
            start, end = ent["start"], ent["end"]
            piece = text[start:end]
            if piece != ent["text"]:
                problems.append(f"{r['id']}: entity {start}-{end} does not slice to its text")
            # shifted offsets (into a normalised copy of the text) would cut words or grab spaces
            elif (not piece.strip() or piece != piece.strip() or (start > 0 and text[start - 1].isalnum())
                  or (end < len(text) and text[end].isalnum())):
                problems.append(f"{r['id']}: entity {start}-{end} does not fall on word boundaries")
            n_checked += 1
            assertions[ent.get("assertion")] += 1
        if r.get("cats"):
            cats[max(r["cats"], key=r["cats"].get)] += 1
    errors_file = a.annotations.with_name(a.annotations.stem + ".errors.jsonl")
    n_errors = sum(1 for _ in errors_file.open(encoding="utf8")) if errors_file.exists() else 0
    if len(records) != a.expect:
        problems.append(f"{len(records)} records, expected {a.expect}")
    if duplicates:
        problems.append(f"{len(duplicates)} duplicate ids")
    report = {
        "records": len(records), "expected": a.expect, "duplicate_ids": len(duplicates),
        "entities": n_entities, "entities_checked": n_checked, "errors_file_lines": n_errors,
        "assertions": {str(k): v for k, v in assertions.most_common()},
        "top_category": dict(cats.most_common()), "problems": problems[:50], "n_problems": len(problems),
        "ok": not problems,
    }
    atomic_write_text(a.output, json.dumps(report, indent=2))
    print(f"{len(records)} records ({a.expect} expected), {n_checked} entity offsets checked against the notes, "
          f"{n_errors} errors recorded, {len(problems)} problems")
    for p in problems[:10]:
        print("  " + p, file=sys.stderr)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
