import json
from pathlib import Path
from typing import List, Optional

import typer

from .app import app


@app.command("optimize")
def optimize_cli(
    model: str = typer.Argument(..., help="Trained pipeline: installed package name or path"),
    output: Path = typer.Argument(..., help="Directory to write the optimized pipeline to"),
    quantize: str = typer.Option("auto", "--quantize", "-q", help="auto (bf16 where the CPU has native bf16, else int8) | int8 (block-wise weights and activations, holds the answers) | int8-dynamic (per-tensor activations: faster, answers drift) | none (fp32 ONNX) | bf16 (torch with bf16 matrix products: CPUs with native bf16, AVX512_BF16 or AMX)"),
    fuse: bool = typer.Option(True, "--fuse/--no-fuse", help="ONNX Runtime's BERT fusions (Attention, SkipLayerNorm, Gelu)"),
    fp32_nodes: List[str] = typer.Option([], "--fp32-nodes", help="Regex of ONNX node names to keep fp32 under int8 (repeatable)"),
    window: Optional[int] = typer.Option(None, "--window", help="Span getter window (spaCy tokens); default: the pipeline's"),
    stride: Optional[int] = typer.Option(None, "--stride", help="Span getter stride (spaCy tokens); default: the pipeline's"),
    threads: int = typer.Option(0, "--threads", help="ONNX Runtime intra-op threads (0 = one per available core)"),
    batch_windows: Optional[int] = typer.Option(None, "--batch-windows", help="Windows per encoder call, sorted by length (0 = whole batch; default 32, bf16 16)"),
    sort_windows: bool = typer.Option(True, "--sort-windows/--no-sort-windows", help="Bucket windows by length to cut padding"),
    pad_multiple: Optional[int] = typer.Option(None, "--pad-multiple", help="Pad each encoder call's length to a multiple of this (0 = off; default bf16 16, ONNX 0)"),
    compile_encoder: bool = typer.Option(False, "--compile", help="bf16 only: run the encoder through torch.compile (compiled at load, ~30 s; needs a C++ compiler)"),
    transformer: str = typer.Option("transformer", "--transformer", help="Name of the shared transformer component"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUTPUT if it exists"),
):
    """Write OUTPUT: MODEL with its shared encoder in torch with bf16 matrix products where this CPU
    has native bf16, else as an ONNX Runtime graph (fused, block-wise int8); --quantize chooses.

    OUTPUT loads with spacy.load and packages with `spacy package`; the ONNX encoder needs
    `pip install 'spacy-medllm[fast]'`, bf16 a CPU with native bf16. Training stays on the original pipeline.
    """
    from wasabi import msg

    from ..optimize.pipeline import OptimizeError, OptimizeOptions, optimize_pipeline
    from ..optimize.runtime import FastPathUnavailable

    opts = OptimizeOptions(
        quantize=quantize, fuse=fuse, fp32_nodes=list(fp32_nodes), window=window, stride=stride,
        threads=threads, batch_windows=batch_windows, sort_windows=sort_windows, transformer=transformer,
        compile=compile_encoder, pad_multiple=pad_multiple,
    )
    try:
        info = optimize_pipeline(model, output, opts, overwrite=overwrite)
    except (OptimizeError, FastPathUnavailable, OSError) as err:
        msg.fail(str(err))
        raise typer.Exit(1)
    msg.good(f"Wrote {info['output']} ({info['encoder_bytes'] / 1e6:.1f} MB encoder, quantize={info['quantize']}, fused={info['fused']})")
    typer.echo(json.dumps({k: info[k] for k in ("fusions", "fp32_nodes", "model")}, indent=2))
