"""Inference speed and peak memory of a trained NER pipeline against the same pipeline on a
12-layer, 768-wide encoder (RoBERTa-base shape, random weights: weights do not change speed).

Each measurement runs in its own process (so peak RSS belongs to one pipeline); the two
pipelines alternate for --repeats rounds and the report gives medians and their ratio.
Usage: python -m benchmarks.ner_speed MODEL DATA.spacy --output metrics/speed.json
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.speed import build_large  # the same 12x768 comparison pipeline


def measure(model: str, data: str, n_docs: int, batch_size: int) -> dict:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.load(model)
    texts = [d.text for d in DocBin().from_disk(data).get_docs(nlp.vocab)][:n_docs]
    list(nlp.pipe(texts[:32], batch_size=batch_size))  # warm-up
    start = time.perf_counter()
    n_words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
    elapsed = time.perf_counter() - start
    return {"words": n_words, "seconds": elapsed, "words_per_second": n_words / elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("data")
    p.add_argument("--output", type=Path, default=Path("metrics/speed.json"))
    p.add_argument("--n-docs", type=int, default=500)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(measure(args.model, args.data, args.n_docs, args.batch_size)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large-pipeline"
        build_large(args.model, large)
        runs = {"trained (MiniLM 6x384)": [], "same pipeline, 12x768 encoder": []}
        for r in range(args.repeats):
            for name, model in zip(runs, (args.model, str(large))):
                out = subprocess.run([sys.executable, __file__, model, args.data, "--child", "--n-docs", str(args.n_docs),
                                      "--batch-size", str(args.batch_size)], capture_output=True, text=True, check=True)
                runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"round {r + 1} {name}: {runs[name][-1]['words_per_second']:.0f} words/s", file=sys.stderr)
    summary = {name: {"median_words_per_second": statistics.median(x["words_per_second"] for x in rs),
                      "median_peak_rss_mb": statistics.median(x["peak_rss_mb"] for x in rs),
                      "runs": rs} for name, rs in runs.items()}
    small, big = (summary[k]["median_words_per_second"] for k in runs)
    result = {"model": args.model, "data": args.data, "n_docs": args.n_docs, "batch_size": args.batch_size,
              "repeats": args.repeats, "pipelines": summary, "speed_ratio_small_over_large": small / big}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    for name, s in summary.items():
        print(f"{name:<32} {s['median_words_per_second']:>8.0f} words/s  peak RSS {s['median_peak_rss_mb']:.0f} MB")
    print(f"speed ratio: {small / big:.2f}x")


if __name__ == "__main__":
    main()
