"""Write a training config that continues a trained pipeline with some components frozen.

Why: the MTSamples classifier fine-tunes the encoder on the first 160 words of each note (whole
notes cost 3.6x as much per step on 2 cores), but it is scored on whole notes. A second stage
sources every component from the trained pipeline, freezes the encoder (it still annotates, so
the classifier's listener reads its output from the docs) and trains only the classifier head
on whole notes: forward passes only, with the head seeing at training time what it sees at test
time.
"""
from pathlib import Path

import typer
from spacy.util import load_config


def main(
    model: Path = typer.Argument(..., help="Trained pipeline directory (has config.cfg)"),
    output: Path = typer.Argument(..., help="Where to write the new config"),
    freeze: str = typer.Option("transformer", help="Comma-separated components to freeze"),
) -> None:
    config_path = model / "config.cfg"
    if not config_path.exists():
        raise SystemExit(f"{config_path}: no config.cfg; is {model} a trained pipeline?")
    config = load_config(config_path, interpolate=False)
    pipeline = list(config["nlp"]["pipeline"])
    frozen = [name for name in freeze.split(",") if name]
    unknown = [name for name in frozen if name not in pipeline]
    if unknown:
        raise SystemExit(f"--freeze: {unknown} not in {model}'s pipeline {pipeline}")
    config["components"] = {name: {"source": str(model)} for name in pipeline}
    config["training"]["frozen_components"] = frozen
    config["training"]["annotating_components"] = frozen
    # spaCy resumes sourced, unfrozen pipes (resume_training) instead of initializing them, so
    # they keep their weights and labels.
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    config.to_disk(tmp)
    tmp.replace(output)
    print(f"{output}: {len(pipeline)} components sourced from {model}, frozen {frozen}")


if __name__ == "__main__":
    typer.run(main)
