"""Speed, memory and answer agreement of the fp32 pipeline against `medllm optimize` variants.

Every measurement is a fresh process (so peak RSS is one pipeline's); variants alternate
within each round and the report gives medians over rounds and ratios to fp32 measured in
the same run. Agreement compares each variant's entities (start, end, label, assertion)
and top note class with the fp32 pipeline's on the same notes.

    python -m benchmarks.speed MODEL --output benchmarks/results/speed_demo.json
"""
from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import statistics
import subprocess
import tempfile
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
MTSAMPLES = ROOT.parent / "shared" / "data" / "mtsamples" / "mtsamples.csv"

# Graphs to build: name -> `medllm optimize` options.
BUILDS = {
    "onnx-fp32-unfused": ["--quantize", "none", "--no-fuse"],
    "onnx-fp32": ["--quantize", "none"],
    "int8-dynamic": ["--quantize", "int8-dynamic"],
    "int8": ["--quantize", "int8"],
    "bf16": ["--quantize", "bf16"],
    "bf16-compile": ["--quantize", "bf16", "--compile"],
}
UNBUCKETED = {"sort_windows": False, "batch_windows": 0}
# The rows of "what each step bought": name -> (build, transformer model settings at load).
ABLATION = {
    "onnx fp32 (no fusion, no bucketing)": ("onnx-fp32-unfused", UNBUCKETED),
    "+ fusions": ("onnx-fp32", UNBUCKETED),
    "+ int8 dynamic (per-tensor activations)": ("int8-dynamic", UNBUCKETED),
    "+ int8 block-wise instead": ("int8", UNBUCKETED),
    "+ length-bucketed windows (`--quantize int8`)": ("int8", {}),
    "optimized, 1 thread": ("int8", {"threads": 1}),
    "int8 dynamic + bucketed": ("int8-dynamic", {}),
    "bf16 (torch, bf16 matrix products, bucketed)": ("bf16", {}),
}
DEFAULT = "+ length-bucketed windows (`--quantize int8`)"
INT8 = "int8 block-wise, ONNX (`--quantize int8`)"
BF16 = "bf16, torch (`--quantize bf16`; `auto` on this CPU)"
BF16C = "bf16 + torch.compile (`--quantize bf16 --compile`)"
BF16_NOPAD = "bf16, each call cut to its longest window exactly (`--pad-multiple 0`)"
BF16C_NOPAD = "bf16 + torch.compile, `--pad-multiple 0`"


def read_notes(path: Path, n: int) -> List[str]:
    """The first n distinct non-empty transcriptions, in file order."""
    csv.field_size_limit(10**8)
    seen, notes = set(), []
    with path.open(encoding="utf8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = (row.get("transcription") or "").strip()
            if text and text not in seen:
                seen.add(text)
                notes.append(text)
                if len(notes) == n:
                    break
    return notes


def notes_of_length(notes: List[str], n_words: int, total_words: int) -> List[str]:
    """Notes of exactly n_words whitespace words cut from the running text of real notes."""
    words = " ".join(notes).split()
    count = max(1, total_words // n_words)
    return [" ".join(words[i * n_words:(i + 1) * n_words]) for i in range(count) if (i + 1) * n_words <= len(words)]


# --------------------------------------------------------------------------- child process
def load_warm(model: str, texts_path: str, batch_size: int, overrides: dict):
    """The pipeline (transformer model settings overridden) after a warm-up on 8 notes, and the notes."""
    import spacy
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    texts = json.loads(Path(texts_path).read_text(encoding="utf8"))
    config = {"components": {"transformer": {"model": overrides}}} if overrides else {}
    nlp = spacy.load(model, config=config)
    list(nlp.pipe(texts[:8], batch_size=batch_size))
    return nlp, texts


def child(model: str, texts_path: str, answers_path: str, batch_size: int, overrides: dict) -> dict:
    import torch

    from spacy_medllm.optimize.agreement import doc_answers

    nlp, texts = load_warm(model, texts_path, batch_size, overrides)
    answers, n_words = [], 0
    with torch.inference_mode():
        start = time.perf_counter()
        for doc in nlp.pipe(texts, batch_size=batch_size):
            n_words += len(doc)
            if answers_path:
                answers.append(doc_answers(doc))
        elapsed = time.perf_counter() - start
    if answers_path:
        Path(answers_path).write_text(json.dumps(answers), encoding="utf8")
    return {"words": n_words, "notes": len(texts), "seconds": elapsed, "words_per_second": n_words / elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def encoder_timer(nlp) -> dict:
    """Wrap the transformer's encoder calls so their seconds add up in the returned dict: the
    torch module's forward (fp32 pipelines) or the optimized shim's encode (everything around
    them, tokenizer calls and offset alignment included, stays in the component's own time)."""
    clock = {"seconds": 0.0, "calls": 0}
    model = nlp.get_pipe("transformer").model
    if model.shims and hasattr(model.shims[0], "encode"):  # WindowShim: ONNX Runtime or the bf16 torch encoder
        shim = model.shims[0]
        encode = shim.encode

        def timed(feeds):
            start = time.perf_counter()
            out = encode(feeds)
            clock["seconds"] += time.perf_counter() - start
            clock["calls"] += 1
            return out

        shim.encode = timed
    else:  # spacy-transformers' PyTorchShim around the HF module
        starts: List[float] = []
        module = model.transformer
        module.register_forward_pre_hook(lambda *_: starts.append(time.perf_counter()))

        def done(*_):
            clock["seconds"] += time.perf_counter() - starts.pop()
            clock["calls"] += 1

        module.register_forward_hook(done)
    return clock


def component_times(nlp, texts: List[str], batch_size: int) -> dict:
    """Seconds in each stage over all texts, stage by stage (the same work as one nlp.pipe):
    the tokenizer, every pipe, and the encoder calls inside the transformer."""
    clock = encoder_timer(nlp)
    stages: Dict[str, float] = {}
    start = time.perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    stages["tokenizer"] = time.perf_counter() - start
    for name, proc in nlp.pipeline:
        start = time.perf_counter()
        docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        stages[name] = time.perf_counter() - start
    return {"stages": stages, "encoder": clock["seconds"], "encoder_calls": clock["calls"],
            "total": sum(stages.values()), "words": sum(len(d) for d in docs)}


def components_child(model: str, texts_path: str, batch_size: int, overrides: dict) -> dict:
    import torch

    nlp, texts = load_warm(model, texts_path, batch_size, overrides)  # warmed up before the clock is attached
    with torch.inference_mode():
        return component_times(nlp, texts, batch_size)


def components(variants: Dict[str, object], texts: Path, repeats: int, batch_size: int, log) -> Dict[str, dict]:
    """Stage times per variant (fresh process each, alternating, medians), and the ceiling: the
    fp32 pipeline's total over a variant's encoder seconds, the most x fp32 it could reach if
    everything but its encoder took no time."""
    runs: Dict[str, List[dict]] = {name: [] for name in variants}
    for r in range(repeats):
        for name, variant in variants.items():
            runs[name].append(run_child(variant, texts, "", batch_size, mode="--components-child"))
            log(f"round {r + 1}/{repeats} [stages] {name}: {runs[name][-1]['total']:.2f} s, "
                f"encoder {runs[name][-1]['encoder']:.2f} s")
    return summarize_stages(runs, len(json.loads(texts.read_text(encoding="utf8"))))


def summarize_stages(runs: Dict[str, List[dict]], notes: int) -> Dict[str, dict]:
    """Medians of each stage over rounds, and the ratios to the first variant (fp32)."""
    med = lambda rs, f: statistics.median(f(x) for x in rs)  # noqa: E731
    summary = {}
    for name, rs in runs.items():
        summary[name] = {"stages": {k: med(rs, lambda x, k=k: x["stages"][k]) for k in rs[0]["stages"]},
                         "encoder": med(rs, lambda x: x["encoder"]), "total": med(rs, lambda x: x["total"]),
                         "words": rs[0]["words"], "notes": notes, "runs": rs}
    base = summary[next(iter(runs))]
    for s in summary.values():
        s["x_fp32"] = base["total"] / s["total"]
        s["encoder_x_fp32_encoder"] = base["encoder"] / s["encoder"]
        s["ceiling_x_fp32"] = base["total"] / s["encoder"]
    return summary


def run_child(variant, texts: Path, answers: str, batch_size: int, mode: str = "--child") -> dict:
    """One measurement in a fresh process (mode: --child for nlp.pipe, --components-child for stages)."""
    model, overrides = variant if isinstance(variant, tuple) else (variant, {})
    cmd = [sys.executable, "-m", "benchmarks.speed", mode, str(model), "--texts", str(texts),
           "--answers", answers, "--batch-size", str(batch_size), "--overrides", json.dumps(overrides)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"child failed for {model}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_info() -> dict:
    """The CPU's model name and the flags that decide the fast paths' speed (bf16 and int8 units)."""
    info = {"model": platform.processor() or platform.machine(), "flags": []}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            info["model"] = value.strip()
        elif key.strip() == "flags":
            info["flags"] = sorted(set(value.split()) & {"avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8"})
            break
    return info


# --------------------------------------------------------------------------- building variants
def optimize(model: Path, out: Path, options: List[str]) -> float:
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "spacy_medllm.cli", "optimize", str(model), str(out), "--overwrite", *options]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if res.returncode != 0:
        raise RuntimeError(f"optimize failed ({' '.join(options)}): {res.stdout[-1500:]} {res.stderr[-1500:]}")
    return time.perf_counter() - start


def build_large(model: Path, out: Path) -> None:
    """The same pipeline with a random 12x768 BERT encoder (speed does not depend on the weights)."""
    import spacy
    import torch
    from transformers import BertConfig, BertModel

    nlp = spacy.load(model)
    trf = nlp.get_pipe("transformer").model
    enc_dir = out.parent / (out.name + "-encoder")
    trf.tokenizer.save_pretrained(enc_dir)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=trf.tokenizer.vocab_size, hidden_size=768, num_hidden_layers=12,
                         num_attention_heads=12, intermediate_size=3072)).save_pretrained(enc_dir)
    config = nlp.config.copy()
    config["components"]["transformer"]["model"]["name"] = str(enc_dir)
    large = spacy.util.load_model_from_config(config.interpolate(), auto_fill=True)
    for name in ("ner", "textcat", "textcat_multilabel"):
        if name in nlp.pipe_names:
            for label in nlp.get_pipe(name).labels:
                large.get_pipe(name).add_label(label)
    large.initialize()
    large.to_disk(out)


# --------------------------------------------------------------------------- rounds
def alternate(variants: Dict[str, object], texts: Path, work: Path, repeats: int, batch_size: int,
              keep_answers: bool, log) -> Dict[str, dict]:
    runs: Dict[str, List[dict]] = {name: [] for name in variants}
    answers: Dict[str, str] = {}
    for r in range(repeats):
        for i, (name, variant) in enumerate(variants.items()):
            ans = str(work / f"answers-{texts.stem}-{i}.json") if keep_answers and r == 0 else ""
            runs[name].append(run_child(variant, texts, ans, batch_size))
            if ans:
                answers[name] = ans
            log(f"round {r + 1}/{repeats} [{texts.stem}] {name}: {runs[name][-1]['words_per_second']:.0f} words/s, "
                f"RSS {runs[name][-1]['peak_rss_mb']:.0f} MB")
    summary = {}
    for name, rs in runs.items():
        summary[name] = {"median_words_per_second": statistics.median(x["words_per_second"] for x in rs),
                         "median_peak_rss_mb": statistics.median(x["peak_rss_mb"] for x in rs),
                         "words": rs[0]["words"], "notes": rs[0]["notes"], "runs": rs}
    if keep_answers:
        from spacy_medllm.optimize.agreement import agreement

        names = list(variants)
        ref = json.loads(Path(answers[names[0]]).read_text())
        for name in names[1:]:
            summary[name]["agreement_vs_fp32"] = agreement(ref, json.loads(Path(answers[name]).read_text()))
    base = summary[next(iter(variants))]["median_words_per_second"]
    for name in summary:
        summary[name]["speedup_vs_fp32"] = summary[name]["median_words_per_second"] / base
    return summary


def report(result: dict) -> str:
    """Markdown tables of a results file (what docs/speed.md and BENCHMARKS show)."""
    lines = []

    def table(title: str, section: dict, agree: bool) -> None:
        any_s = next(iter(section.values()))
        lines.append(f"**{title}** ({any_s['notes']} notes, {any_s['words']:,} words, medians of {len(any_s['runs'])})\n")
        head = "| pipeline | words/s | x fp32 | peak RSS MB |" + (" entity F1 vs fp32 | same top class |" if agree else "")
        lines.append(head)
        lines.append("|" + "---|" * (head.count("|") - 1))
        for name, s in section.items():
            row = f"| {name} | {s['median_words_per_second']:,.0f} | {s['speedup_vs_fp32']:.2f} | {s['median_peak_rss_mb']:,.0f} |"
            if agree:
                a = s.get("agreement_vs_fp32")
                row += f" {a['entity_f1']:.3f} | {a['top_class_agreement']:.3f} |" if a else " (reference) | (reference) |"
            lines.append(row)
        lines.append("")

    if "main" in result:
        table("Whole pipeline, fp32 vs optimized", result["main"], True)
    if "ablation" in result:
        table("What each step bought", result["ablation"], True)
    for name, section in result.get("lengths", {}).items():
        table(f"Notes of {name}", section, False)
    if "large_12x768" in result:
        table("12x768 encoder, same pipeline shape", result["large_12x768"], False)
    if "components" in result:
        section = result["components"]
        any_s = next(iter(section.values()))
        stages = list(any_s["stages"])
        lines.append(f"**Where the time goes** ({any_s['notes']} notes, {any_s['words']:,} words, seconds, "
                     f"medians of {len(any_s['runs'])})\n")
        head = ("| pipeline | " + " | ".join(stages) + " | of which encoder calls | total | x fp32 "
                "| encoder x fp32's | ceiling x fp32 |")
        lines.append(head)
        lines.append("|" + "---|" * (head.count("|") - 1))
        for name, s in section.items():
            lines.append(f"| {name} | " + " | ".join(f"{s['stages'][k]:.2f}" for k in stages)
                         + f" | {s['encoder']:.2f} | {s['total']:.2f} | {s['x_fp32']:.2f} | "
                         f"{s['encoder_x_fp32_encoder']:.2f} | {s['ceiling_x_fp32']:.2f} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?")
    p.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "speed_demo.json")
    p.add_argument("--notes", type=Path, default=MTSAMPLES)
    p.add_argument("--n-notes", type=int, default=300, help="Distinct MTSamples notes for the main rows and agreement")
    p.add_argument("--ablation-notes", type=int, default=100, help="Notes (the first of the above) for the step-by-step rows")
    p.add_argument("--large-notes", type=int, default=30, help="Notes for the 12x768 rows (0: skip)")
    p.add_argument("--length-words", type=int, default=20000, help="Words per note-length row")
    p.add_argument("--reuse-builds", action="store_true", help="Keep optimized pipelines already in --work")
    p.add_argument("--large-model", type=Path, default=None, help="Reuse a 12x768 pipeline built before")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--main-only", action="store_true",
                   help="Only the main rows (fp32 vs the optimized default): agreement and speed on --n-notes")
    p.add_argument("--lengths-only", action="store_true",
                   help="Only the note-length rows (100, 1,000, 5,000 words) for fp32, int8, bf16 and bf16 compiled")
    p.add_argument("--components-only", action="store_true",
                   help="Only where the time goes: each stage's seconds for fp32, bf16 and bf16 compiled on "
                        "--ablation-notes notes, and the ceiling x fp32 if all but the encoder were free")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "medllm-speed-work")
    p.add_argument("--report", type=Path, help="Print markdown tables of a results file and exit")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--texts", help=argparse.SUPPRESS)
    p.add_argument("--answers", default="", help=argparse.SUPPRESS)
    p.add_argument("--overrides", default="{}", help=argparse.SUPPRESS)
    p.add_argument("--components-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.components_child:
        print(json.dumps(components_child(args.model, args.texts, args.batch_size, json.loads(args.overrides))))
        return
    if args.child:
        print(json.dumps(child(args.model, args.texts, args.answers, args.batch_size, json.loads(args.overrides))))
        return
    if args.report:
        print(report(json.loads(args.report.read_text())))
        return
    if not args.model:
        p.error("MODEL is required")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    def log(line: str) -> None:
        print(f"[{time.perf_counter() - t0:7.0f}s] {line}", file=sys.stderr, flush=True)

    notes = read_notes(args.notes, args.n_notes)
    sets = {"notes": notes, "ablation": notes[:args.ablation_notes], "large": notes[:args.large_notes]}
    for n in (100, 1000, 5000):
        sets[f"len{n}"] = notes_of_length(notes, n, args.length_words)
    paths = {}
    for name, texts in sets.items():
        paths[name] = work / f"{name}.json"
        paths[name].write_text(json.dumps(texts), encoding="utf8")

    model = Path(args.model)
    built: Dict[str, Path] = {}
    build_seconds: Dict[str, float] = {}
    if args.components_only:
        builds = {k: BUILDS[k] for k in ("bf16", "bf16-compile")}
    elif args.main_only or args.lengths_only:
        builds = {k: BUILDS[k] for k in ("int8", "bf16", "bf16-compile")}
    else:
        builds = BUILDS
    for i, (name, options) in enumerate(builds.items()):
        built[name] = work / f"build-{name}"
        if (built[name] / "config.cfg").exists() and args.reuse_builds:
            continue
        build_seconds[name] = optimize(model, built[name], options)
        log(f"built {name} in {build_seconds[name]:.0f}s")
    fp32 = "fp32 (torch)"
    result: dict = {"command": " ".join(["python -m benchmarks.speed"] + sys.argv[1:]), "model": str(model), "data": str(args.notes), "repeats": args.repeats, "batch_size": args.batch_size,
                    "optimize_seconds": build_seconds, "cpu_count": __import__("os").cpu_count(), "cpu": cpu_info(),
                    "load_average_at_start": __import__("os").getloadavg()}

    def save() -> None:
        result["seconds"] = time.perf_counter() - t0
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2))

    if args.components_only:
        result["components"] = components({fp32: model, BF16: built["bf16"], BF16C: built["bf16-compile"]},
                                          paths["ablation"], args.repeats, args.batch_size, log)
        save()
        print(report({"components": result["components"]}))
        return
    main_variants = {fp32: model, INT8: built["int8"], BF16: built["bf16"], BF16C: built["bf16-compile"]}
    unpadded = {BF16_NOPAD: (built["bf16"], {"pad_multiple": 0}), BF16C_NOPAD: (built["bf16-compile"], {"pad_multiple": 0})}

    if args.lengths_only:
        result["lengths"] = {f"{n} words": alternate(main_variants, paths[f"len{n}"], work, args.repeats, args.batch_size,
                                                     False, log) for n in (100, 1000, 5000)}
        save()
        return
    result["main"] = alternate({**main_variants, **unpadded}, paths["notes"], work, args.repeats, args.batch_size, True, log)
    save()
    if not args.main_only:
        ablation = {fp32: model, **{name: (built[b], o) for name, (b, o) in ABLATION.items()}}
        result["ablation"] = alternate(ablation, paths["ablation"], work, args.repeats, args.batch_size, True, log)
        save()
        result["lengths"] = {}
        for n in (100, 1000, 5000):
            result["lengths"][f"{n} words"] = alternate(main_variants, paths[f"len{n}"], work, args.repeats,
                                                         args.batch_size, False, log)
            save()
    if args.large_notes and not args.main_only:
        large = args.large_model or work / "large-12x768"
        if not large.exists():  # in a child: Linux keeps ru_maxrss across fork/exec, so the
            # parent must not grow, or every later child reports the parent's peak RSS
            subprocess.run([sys.executable, "-c", f"from benchmarks.speed import build_large; from pathlib import Path; "
                            f"build_large(Path({str(model)!r}), Path({str(large)!r}))"], check=True, cwd=ROOT)
        optimize(large, work / "large-12x768-optimized", BUILDS["int8"])
        log("built 12x768 variants")
        result["large_12x768"] = alternate(
            {fp32: model, "fp32 12x768": large, "optimized 12x768": work / "large-12x768-optimized",
             DEFAULT: built["int8"]},
            paths["large"], work, args.repeats, args.batch_size, False, log)
    save()
    m = result["main"]
    for name, s in m.items():
        agree = s.get("agreement_vs_fp32", {})
        log(f"{name:<40} {s['median_words_per_second']:>8.0f} words/s  x{s['speedup_vs_fp32']:.2f}  "
            f"RSS {s['median_peak_rss_mb']:.0f} MB  {agree}")


if __name__ == "__main__":
    main()
