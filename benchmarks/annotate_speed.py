"""Throughput and peak memory of `medllm annotate` (--n-process 1 and 2) against plain `nlp.pipe`
on the same synthetic notes, side by side in one run, medians over --repeats rounds.

Each measurement is a fresh process. Words are whitespace-separated words of the note texts (the
same count for every row). `nlp.pipe` time covers the pipe over texts already in memory; the
annotate time is the run's own clock (reading files, the pipe, writing JSONL with fsync per batch),
both after the model is loaded; wall time adds start-up and loading. On a shared machine, words per
CPU-second of the one process (n-process 1 and nlp.pipe; all its threads) is the steadier comparison. Peak memory is the largest
summed RSS of the process and its children, sampled every 50 ms from /proc.
Usage: python -m benchmarks.annotate_speed --model training/ncbi/model-best --output benchmarks/results/annotate_speed.json
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from spacy_medllm.corpora.synthetic_notes import write_notes



def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants, in MB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def run_sampled(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.05)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return out, time.perf_counter() - start, peak


def pipe_child(model: str, notes: str, batch_size: int) -> None:
    import spacy

    nlp = spacy.load(model)
    texts = [p.read_text(encoding="utf8") for p in sorted(Path(notes).glob("*.txt"))]
    start, cpu = time.perf_counter(), time.process_time()
    n_docs = sum(1 for _ in nlp.pipe(texts, batch_size=batch_size))
    print(json.dumps({"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "docs": n_docs}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--n-notes", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--output", type=Path, default=Path("benchmarks/results/annotate_speed.json"))
    p.add_argument("--pipe-child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.pipe_child:
        pipe_child(args.model, args.pipe_child[0], args.batch_size)
        return
    runs = {"nlp.pipe": [], "medllm annotate --n-process 1": [], "medllm annotate --n-process 2": []}
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes"
        write_notes(notes, args.n_notes)
        words = sum(len(p.read_text(encoding="utf8").split()) for p in notes.glob("*.txt"))
        for r in range(args.repeats):
            order = list(runs) if r % 2 == 0 else list(reversed(runs))
            for name in order:
                if name == "nlp.pipe":
                    cmd = [sys.executable, __file__, "--model", args.model, "--batch-size", str(args.batch_size),
                           "--pipe-child", str(notes), "-"]
                    out, wall, peak = run_sampled(cmd)
                    child = json.loads(out.strip().splitlines()[-1])
                    seconds, cpu = child["seconds"], child["cpu_seconds"]
                else:
                    n_proc = name.rsplit(" ", 1)[1]
                    summary = Path(tmp) / "summary.json"
                    cmd = [sys.executable, "-m", "spacy_medllm.cli", "annotate", str(notes), "--model", args.model,
                           "--output", str(Path(tmp) / "out.jsonl"), "--overwrite", "--no-progress",
                           "--batch-size", str(args.batch_size), "--n-process", n_proc, "--summary", str(summary)]
                    _, wall, peak = run_sampled(cmd)
                    s = json.loads(summary.read_text())
                    assert s["processed"] == args.n_notes and s["words"] == words, s
                    seconds, cpu = s["seconds"], (s["cpu_seconds"] if n_proc == "1" else None)
                runs[name].append({"seconds": seconds, "words_per_second": words / seconds, "wall_seconds": wall,
                                   "cpu_seconds": cpu, "words_per_cpu_second": words / cpu if cpu else None,
                                   "peak_rss_mb": peak})
                print(f"round {r + 1} {name}: {words / seconds:,.0f} words/s, peak {peak:,.0f} MB", file=sys.stderr)
    table = {}
    for name, rs in runs.items():
        table[name] = {"median_words_per_second": statistics.median(x["words_per_second"] for x in rs),
                       "median_seconds": statistics.median(x["seconds"] for x in rs),
                       "median_wall_seconds": statistics.median(x["wall_seconds"] for x in rs),
                       "median_peak_rss_mb": statistics.median(x["peak_rss_mb"] for x in rs), "runs": rs}
        if all(x["words_per_cpu_second"] for x in rs):  # CPU time of the one process: n-process 1 and nlp.pipe
            table[name]["median_words_per_cpu_second"] = statistics.median(x["words_per_cpu_second"] for x in rs)
    base = table["nlp.pipe"]["median_words_per_second"]
    for name in runs:
        table[name]["slowdown_vs_nlp_pipe_percent"] = round((base / table[name]["median_words_per_second"] - 1) * 100, 1)
        if "median_words_per_cpu_second" in table[name]:
            table[name]["cpu_overhead_vs_nlp_pipe_percent"] = round(
                (table["nlp.pipe"]["median_words_per_cpu_second"] / table[name]["median_words_per_cpu_second"] - 1) * 100, 1)
    result = {"model": args.model, "notes": args.n_notes, "words": words, "batch_size": args.batch_size,
              "repeats": args.repeats, "cpu_count": os.cpu_count(), "load_average_at_end": os.getloadavg(),
              "python": platform.python_version(), "results": table,
              "command": "python -m benchmarks.annotate_speed " + " ".join(sys.argv[1:])}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf8")
    for name, row in table.items():
        print(f"{name:32} {row['median_words_per_second']:>9,.0f} words/s  {row['slowdown_vs_nlp_pipe_percent']:>+6.1f}%  "
              f"wall {row['median_wall_seconds']:6.1f} s  peak {row['median_peak_rss_mb']:>7,.0f} MB")


if __name__ == "__main__":
    main()
