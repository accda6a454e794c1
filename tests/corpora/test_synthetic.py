import json
import subprocess
import sys
from collections import Counter

from ..util import ROOT


def test_generator_is_deterministic_and_matches_committed_files(tmp_path):
    subprocess.run([sys.executable, "-m", "spacy_medllm.cli", "make-sample", str(tmp_path)], check=True,
                   capture_output=True)
    for split in ("train", "dev", "test"):
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (ROOT / "assets" / "sample" / f"{split}.jsonl").read_bytes()


def test_sample_is_varied_and_consistent(sample_dir):
    rows = [json.loads(l) for split in ("train", "dev", "test")
            for l in (sample_dir / f"{split}.jsonl").read_text(encoding="utf8").splitlines()]
    assert len(rows) == 300 and len({r["id"] for r in rows}) == 300
    labels = Counter(s["label"] for r in rows for s in r["spans"])
    assertions = Counter(s["assertion"] for r in rows for s in r["spans"])
    assert set(labels) == {"PROBLEM", "TEST", "TREATMENT"}
    assert set(assertions) == {"present", "absent", "possible", "hypothetical", "historical", "family"}
    assert min(assertions.values()) >= 100
    assert len({max(r["cats"], key=r["cats"].get) for r in rows}) == 5
    assert len({r["text"] for r in rows}) == 300
    n_translations = sum(len(r["meta"]["translations"]) for r in rows)
    assert n_translations > 300
    for r in rows:
        for s in r["spans"]:
            assert r["text"][s["start"]:s["end"]].strip() == r["text"][s["start"]:s["end"]]
        for t in r["meta"]["translations"]:
            assert t["fr"] and 0 <= t["start"] < t["end"] <= len(r["text"])
        sections = [s["label"] for s in r["meta"]["sections"]]
        assert sections[0] == "cc" and "plan" in sections
