"""Spark vs `medllm annotate` on the 1,000 synthetic notes: same records, overhead, kill and resume.

(a) same answers: `medllm spark-annotate --master local[2] --input-format text` and `medllm annotate`
    read the same folder (`medllm make-notes`: 1,000 notes + 6 bad) with the same pipeline; every
    id must get the same entities, assertions, cats, translation and error kind.
(b) overhead: words/s of both commands (each's own summary, and end to end including start-up),
    alternating which goes first, `--rounds` times; medians.
(c) resume: `spark-annotate --chunks K` is SIGKILLed (the whole driver process group: Python driver,
    JVM, Python workers) after a chunk committed, `--kills` times, then rerun with `--resume` to the
    end; every id must be in the output exactly once, with the same answers as (a).
Usage: python -m benchmarks.spark_annotate --model /work/main/training/sample/pipeline
       --output benchmarks/results/spark_annotate.json
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from spacy_medllm.corpora import synthetic_notes
from spacy_medllm.spark.compare import compare, from_annotate, from_spark

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "spacy_medllm.cli"]


def run(cmd, log) -> float:
    """Run a command to the end; its wall time in seconds (stderr to `log`)."""
    start = time.perf_counter()
    with open(log, "ab") as err:
        subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL, stderr=err)
    return time.perf_counter() - start


def annotate_cmd(notes, model, out, summary, n_process):
    return [*CLI, "annotate", notes, "--model", model, "--output", out, "--n-process", n_process, "--no-progress",
            "--overwrite", "--summary", summary]


def spark_cmd(notes, model, out, summary, master, *extra):
    return [*CLI, "spark-annotate", notes, out, "--model", model, "--master", master, "--input-format", "text",
            "--summary", summary, *extra]


def read_parquet_rows(folder: Path):
    """The committed rows of a Spark output (pyarrow skips `_temporary`, `_SUCCESS`)."""
    import pyarrow.parquet as pq

    return pq.read_table(folder).to_pylist()


def read_jsonl(path: Path):
    return [json.loads(x) for x in path.read_text(encoding="utf8").splitlines()] if path.exists() else []


def committed_files(folder: Path) -> int:
    return len(list(folder.glob("*.parquet"))) if folder.exists() else 0


def writing(folder: Path) -> bool:
    """A write job is under way: a task has written a part file under OUTPUT/_temporary."""
    return any((folder / "_temporary").rglob("*.parquet"))


def kill_and_resume(notes, model, work, master, chunks, kills, log):
    """SIGKILL the spark-annotate driver group after a new chunk commits, `kills` times; then resume to the end."""
    out = work / "killed"
    rounds = []
    for k in range(kills):
        before = committed_files(out)
        cmd = spark_cmd(notes, model, out, work / f"kill{k}.json", master, "--chunks", chunks,
                        *(["--resume"] if k else []))
        with open(log, "ab") as err:
            proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        # kill inside a write job that follows a committed one: some work committed, some in _temporary
        while proc.poll() is None and not (committed_files(out) > before and writing(out)):
            time.sleep(0.05)
        if proc.poll() is not None:
            raise SystemExit(f"kill round {k + 1}: the run finished before it could be killed; use more --chunks")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rows = read_parquet_rows(out)
        rounds.append({"kill": k + 1, "rows_committed_at_kill": len(rows), "distinct_ids": len({r["id"] for r in rows}),
                       "uncommitted_part_files_left": len(list((out / "_temporary").rglob("*.parquet")))})
    seconds = run(spark_cmd(notes, model, out, work / "resume.json", master, "--chunks", chunks, "--resume"), log)
    resume_summary = json.loads((work / "resume.json").read_text())
    return out, rounds, seconds, resume_summary


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="/work/main/training/sample/pipeline")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--bad", type=int, default=6)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--n-process", type=int, default=2)
    p.add_argument("--chunks", type=int, default=5)
    p.add_argument("--kills", type=int, default=2)
    p.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "spark_annotate.json")
    p.add_argument("--parts", default="overhead,resume", help="overhead (with same answers), resume, or both")
    p.add_argument("--work", type=Path, default=None, help="Keep the work files here (default: a temporary folder)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        log = work / "stderr.log"
        notes = work / "notes"
        counts = synthetic_notes.write_notes(notes, args.n, bad=args.bad)
        rounds = []
        parts = set(args.parts.split(","))
        if "overhead" not in parts and not (work / "ref0.jsonl").exists():  # the reference answers only
            run(annotate_cmd(notes, args.model, work / "ref0.jsonl", work / "annotate0.json", args.n_process), log)
        for r in range(args.rounds if "overhead" in parts else 0):
            order = ("annotate", "spark") if r % 2 == 0 else ("spark", "annotate")
            entry = {"round": r + 1, "order": list(order)}
            for tool in order:
                summary = work / f"{tool}{r}.json"
                if tool == "annotate":
                    wall = run(annotate_cmd(notes, args.model, work / f"ref{r}.jsonl", summary, args.n_process), log)
                else:
                    wall = run(spark_cmd(notes, args.model, work / f"spark{r}", summary, args.master, "--overwrite"), log)
                s = json.loads(summary.read_text())
                entry[tool] = {"words": s["words"], "seconds": round(s["seconds"], 2), "words_per_second": round(s["words_per_second"]),
                               "wall_seconds": round(wall, 2), "wall_words_per_second": round(s["words"] / wall)}
            entry["spark_vs_annotate"] = round(entry["spark"]["words_per_second"] / entry["annotate"]["words_per_second"], 3)
            entry["spark_vs_annotate_wall"] = round(entry["spark"]["wall_words_per_second"] / entry["annotate"]["wall_words_per_second"], 3)
            rounds.append(entry)
            print(json.dumps(entry), file=sys.stderr, flush=True)
        expected = from_annotate(read_jsonl(work / "ref0.jsonl"), read_jsonl(work / "ref0.errors.jsonl"))
        result = {
            "command": "python -m benchmarks.spark_annotate " + " ".join(sys.argv[1:]),
            "pipeline": str(args.model), "notes": args.n, "bad_notes": counts["bad"], "master": args.master,
            "annotate_n_process": args.n_process, "cpu_count": os.cpu_count(), "targets_met": {}}
        if rounds:
            spark_rows = read_parquet_rows(work / "spark0")
            result["same_answers"] = same = compare(expected, from_spark(spark_rows), got_rows=len(spark_rows))
            result["overhead"] = overhead(rounds)
            result["targets_met"].update(same_records=same["same"], overhead_within_25pct=result["overhead"]["met"])
        if "resume" in parts:
            killed, kill_rounds, resume_seconds, resume_summary = kill_and_resume(
                notes, args.model, work, args.master, args.chunks, args.kills, log)
            killed_rows = read_parquet_rows(killed)
            resumed = compare(expected, from_spark(killed_rows), got_rows=len(killed_rows))
            ids = [r["id"] for r in killed_rows]
            result["resume"] = {
                "chunks": args.chunks, "kills": kill_rounds, "resume_seconds": round(resume_seconds, 1),
                "resume_summary": {k: resume_summary[k] for k in ("already_done", "notes", "errors", "output_ids")},
                "rows": len(killed_rows), "distinct_ids": len(set(ids)),
                "every_id_once": len(ids) == len(set(ids)) == args.n + args.bad,
                "same_answers_as_annotate": resumed["same"], "compare": resumed,
            }
            result["targets_met"]["resume_exact"] = result["resume"]["every_id_once"] and resumed["same"]
    text = json.dumps(result, indent=2)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf8")


def overhead(rounds) -> dict:
    def median(tool, key):
        return statistics.median(e[tool][key] for e in rounds)

    ratio = statistics.median(e["spark_vs_annotate"] for e in rounds)
    return {
        "rounds": rounds,
        "median_words_per_second": {"annotate": median("annotate", "words_per_second"), "spark": median("spark", "words_per_second")},
        "median_wall_seconds": {"annotate": median("annotate", "wall_seconds"), "spark": median("spark", "wall_seconds")},
        "median_spark_vs_annotate": ratio,
        "median_spark_vs_annotate_wall": statistics.median(e["spark_vs_annotate_wall"] for e in rounds),
        "target": "spark words/s >= 0.75 x annotate --n-process 2 (each command's own summary)",
        "met": ratio >= 0.75,
    }


if __name__ == "__main__":
    main()
