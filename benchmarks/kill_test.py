"""Kill `medllm annotate` with SIGKILL at random points, resume it, and check nothing is lost or doubled.

Writes N synthetic notes (plus a few bad ones that must land in the errors file), runs the
annotation, SIGKILLs it `--kills` times at random moments once some output exists, resumes with
`--resume` after each kill, lets the last run finish, and then checks: exactly N records, no
duplicate id, exactly the expected ids, every record identical to an uninterrupted reference run,
and the bad notes in the errors file once each.

Two ways to run the annotator: `--mode cli` (default) starts `python -m spacy_medllm.cli annotate`
as a new process each time (what a user does); `--mode fork` forks this process, which already has
the pipeline loaded, and calls the same `annotate()` in the child (no start-up cost; used by the
CI test). Both are killed with SIGKILL.

The pipeline is the rule pipeline of spacy_medllm/corpora/synthetic_notes.py (blank English + entity_ruler), unless
`--model` is given; `--delay` adds a component sleeping that many seconds per note, so short
runs can be killed mid-way.
Usage: python -m benchmarks.kill_test --n 10000 --output benchmarks/results/kill_test.json
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import srsly
from spacy.language import Language

from spacy_medllm.corpora.synthetic_notes import ruler_pipeline, write_notes


@Language.factory("medllm_kill_test_delay", default_config={"seconds": 0.0})
def make_delay(nlp, name, seconds: float):
    def delay(doc):
        time.sleep(seconds)
        return doc

    return delay


def count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def ends_partial(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


class Runner:
    def __init__(self, mode, model, notes, out, batch_size, n_process, nlp=None):
        self.mode, self.model, self.notes, self.out = mode, model, notes, out
        self.batch_size, self.n_process, self.nlp = batch_size, n_process, nlp

    def start(self, resume: bool) -> int:
        if self.mode == "cli":
            cmd = [sys.executable, "-m", "spacy_medllm.cli", "annotate", str(self.notes), "--model", str(self.model),
                   "--output", str(self.out), "--batch-size", str(self.batch_size), "--n-process", str(self.n_process),
                   "--no-progress", "--code", str(Path(__file__).resolve()), "--resume" if resume else "--overwrite"]
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            return self.proc.pid
        from spacy_medllm.annotate.runner import annotate

        pid = os.fork()
        if pid == 0:  # child: annotate, then leave without running the parent's clean-up
            code = 0
            try:
                devnull = open(os.devnull, "w")
                annotate(self.nlp, [self.notes], self.out, batch_size=self.batch_size, n_process=self.n_process,
                         resume=resume, overwrite=not resume, progress=False, log=lambda m: print(m, file=devnull))
            except BaseException:
                code = 1
            os._exit(code)
        self.pid = pid
        return pid

    def alive(self) -> bool:
        if self.mode == "cli":
            return self.proc.poll() is None
        done, _ = os.waitpid(self.pid, os.WNOHANG)
        if done:
            self.status = _
        return done == 0

    def kill(self) -> None:
        if self.mode == "cli":
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group: --n-process workers too
            self.proc.wait()
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)

    def wait(self) -> int:
        if self.mode == "cli":
            _, err = self.proc.communicate()
            if self.proc.returncode:
                print(err.decode("utf8", "replace")[-2000:], file=sys.stderr)
            return self.proc.returncode
        if hasattr(self, "status"):
            return os.waitstatus_to_exitcode(self.status)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def run_kill_test(n: int, work: Path, *, kills: int = 3, mode: str = "cli", model=None, delay: float = 0.0,
                  batch_size: int = 32, n_process: int = 1, bad: int = 6, seed: int = 0) -> dict:
    from spacy_medllm.annotate.runner import annotate

    rng = random.Random(seed)
    notes = work / "notes"
    counts = write_notes(notes, n, bad=bad)
    if model is None:
        nlp = ruler_pipeline()
        if delay:
            nlp.add_pipe("medllm_kill_test_delay", config={"seconds": delay})
        model = work / "model"
        nlp.to_disk(model)
        pipeline = f"rule pipeline (blank en + entity_ruler){f' + {delay}s/note delay' if delay else ''}"
    else:
        pipeline = str(model)
    import spacy

    nlp = spacy.load(model)
    ref = work / "reference.jsonl"
    t0 = time.perf_counter()
    annotate(nlp, [notes], ref, batch_size=batch_size, progress=False, overwrite=True, log=lambda m: None)
    reference_seconds = time.perf_counter() - t0
    out = work / "out.jsonl"
    errors = work / "out.errors.jsonl"
    runner = Runner(mode, model, notes, out, batch_size, n_process, nlp=nlp)
    rounds = []
    t0 = time.perf_counter()
    for k in range(kills):
        before = count_lines(out)
        remaining = n - before
        target = before + max(1, int(remaining * rng.uniform(0.05, 0.6)))
        runner.start(resume=k > 0)
        while runner.alive() and count_lines(out) < target:
            time.sleep(0.002)
        if not runner.alive():
            raise SystemExit(f"round {k + 1}: the run finished before it could be killed; use more notes or --delay")
        time.sleep(rng.uniform(0, 0.05))
        runner.kill()
        rounds.append({"kill": k + 1, "records_before_kill": count_lines(out), "target": target,
                       "partial_last_line": ends_partial(out)})
    runner.start(resume=True)
    rc = runner.wait()
    total_seconds = time.perf_counter() - t0
    records = list(srsly.read_jsonl(out))
    ids = [r["id"] for r in records]
    reference = {r["id"]: r for r in srsly.read_jsonl(ref)}
    error_ids = [e["id"] for e in map(json.loads, errors.read_text(encoding="utf8").splitlines())]
    expected_bad = {f"bad-{j:04d}.txt" for j in range(bad)}
    checks = {
        "final_exit_code_0": rc == 0,
        "exactly_n_records": len(records) == n,
        "no_duplicate_ids": len(set(ids)) == len(ids),
        "ids_as_expected": set(ids) == set(reference),
        "records_equal_uninterrupted_run": all(r == reference.get(r["id"]) for r in records),
        "errors_once_each": sorted(error_ids) == sorted(expected_bad),
    }
    return {"notes": n, "bad_notes": counts["bad"], "kills": kills, "mode": mode, "pipeline": pipeline,
            "batch_size": batch_size, "n_process": n_process, "rounds": rounds, "records": len(records),
            "unique_ids": len(set(ids)), "error_records": len(error_ids), "checks": checks,
            "passed": all(checks.values()), "seconds_with_kills": round(total_seconds, 1),
            "seconds_uninterrupted_in_process": round(reference_seconds, 1)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--mode", choices=("cli", "fork"), default="cli")
    p.add_argument("--model", default=None, help="Pipeline to use instead of the rule pipeline")
    p.add_argument("--delay", type=float, default=0.0, help="Seconds of sleep per note (rule pipeline only)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--n-process", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", type=Path, default=None, help="Write the result as JSON here")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_kill_test(args.n, Path(tmp), kills=args.kills, mode=args.mode, model=args.model, delay=args.delay,
                               batch_size=args.batch_size, n_process=args.n_process, seed=args.seed)
    result["command"] = "python -m benchmarks.kill_test " + " ".join(sys.argv[1:])
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf8")
    sys.exit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
