"""The shared encoder alone, each numeric format against torch fp32: time and hidden-state cosine.

Real windows (128 word pieces of the first 40 MTSamples notes, the pipeline's own tokenizer),
two threads, sub-batches of 32, medians of 3 timed repeats after a warm-up, all in one process
(ratios only). Formats: torch fp32; torch with bf16 autocast (`--quantize bf16`); ONNX Runtime
fp32 with the BERT fusions (`--quantize none`); block-wise int8 (`int8`); per-tensor dynamic int8
(`int8-dynamic`), and the latter with each group of its MatMuls kept fp32.

    python -m benchmarks.encoder_probe training/clinical/model-best --output benchmarks/results/encoder_probe_clinical.json
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from spacy_medllm.files import atomic_write_text

from .speed import MTSAMPLES, read_notes

WINDOW, N_WINDOWS, SUB_BATCH = 128, 64, 32
KEEP_FP32 = {
    "FFN down-projections": r"layer\.\d+/output/dense/MatMul$",
    "FFN up-projections": r"intermediate/dense",
    "attention output projections": r"attention/output/dense",
    "fused QKV (Attention)": r"^Attention_",
    "layer 0": r"layer\.0/|Attention_0",
    "layer 5": r"layer\.5/|Attention_5",
}


def timed(run, repeats: int = 3):
    run()  # warm-up
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="A trained pipeline with a torch transformer")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    import spacy
    import torch

    from spacy_medllm.optimize.export import (export_encoder, fuse_encoder, matmul_nodes, quantize_blockwise,
                                              quantize_encoder)
    from spacy_medllm.optimize.runtime import make_session

    torch.set_num_threads(a.threads)
    pipe = spacy.load(a.model).get_pipe("transformer")
    encoder, tok = pipe.model.transformer.eval(), pipe.model.tokenizer
    ids = tok(" ".join(read_notes(MTSAMPLES, 40)), add_special_tokens=False)["input_ids"]
    step = WINDOW - 2
    windows = np.array([[tok.cls_token_id] + ids[i:i + step] + [tok.sep_token_id]
                        for i in range(0, step * N_WINDOWS, step)], dtype=np.int64)
    if len(windows) < N_WINDOWS:
        raise SystemExit(f"{MTSAMPLES}: too little text for {N_WINDOWS} windows")
    mask = np.ones_like(windows)

    def torch_run(bf16: bool):
        def run():
            outs = []
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                for k in range(0, N_WINDOWS, SUB_BATCH):
                    out = encoder(input_ids=torch.from_numpy(windows[k:k + SUB_BATCH]),
                                  attention_mask=torch.from_numpy(mask[k:k + SUB_BATCH])).last_hidden_state
                    outs.append(out.float().numpy())
            return np.concatenate(outs)
        return run

    def onnx_run(graph: bytes):
        session = make_session(graph, a.threads)
        names = [i.name for i in session.get_inputs()]
        feeds = {"input_ids": windows, "attention_mask": mask, "token_type_ids": np.zeros_like(windows)}

        def run():
            return np.concatenate([session.run(["last_hidden_state"], {n: feeds[n][k:k + SUB_BATCH] for n in names})[0]
                                   for k in range(0, N_WINDOWS, SUB_BATCH)])
        return run

    ref, t_ref = timed(torch_run(False))
    rows = {}

    def row(name, run):
        out, seconds = timed(run)
        cos = (out * ref).sum(-1) / (np.linalg.norm(out, axis=-1) * np.linalg.norm(ref, axis=-1))
        rows[name] = {"seconds": seconds, "x_torch_fp32": t_ref / seconds, "cosine_mean": float(cos.mean()),
                      "cosine_min": float(cos.min()), "max_abs_diff": float(np.abs(out - ref).max())}
        print(f"{name:55s} {seconds:6.3f}s  x{t_ref / seconds:4.2f}  cos mean {cos.mean():.5f} min {cos.min():.4f}",
              file=sys.stderr, flush=True)

    rows["torch fp32"] = {"seconds": t_ref, "x_torch_fp32": 1.0, "cosine_mean": 1.0, "cosine_min": 1.0, "max_abs_diff": 0.0}
    row("torch bf16 autocast (--quantize bf16)", torch_run(True))
    raw, _, _ = export_encoder(encoder, tok)
    fused, _ = fuse_encoder(raw, encoder.config)
    row("ONNX fp32, fused (--quantize none)", onnx_run(fused))
    row("ONNX block-wise int8 (--quantize int8)", onnx_run(quantize_blockwise(fused)))
    row("ONNX per-tensor dynamic int8 (--quantize int8-dynamic)", onnx_run(quantize_encoder(fused)))
    names = matmul_nodes(fused)
    for group, pattern in KEEP_FP32.items():
        keep = [n for n in names if re.search(pattern, n)]
        row(f"int8-dynamic, {group} kept fp32 ({len(keep)} nodes)", onnx_run(quantize_encoder(fused, keep)))
    result = {"command": " ".join(["python -m benchmarks.encoder_probe"] + sys.argv[1:]), "model": a.model,
              "windows": N_WINDOWS, "window_pieces": WINDOW, "sub_batch": SUB_BATCH, "threads": a.threads,
              "rows": rows}
    atomic_write_text(a.output, json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
