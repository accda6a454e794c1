from pathlib import Path
from typing import List, Optional

import typer

from .app import app


@app.command(
    "config", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def config_cli(
    ctx: typer.Context,
    fragments: List[str] = typer.Argument(..., help="Fragments in pipeline order: paths, or names in components/"),
    output: Path = typer.Option(..., "--output", "-o", help="Composed config to write"),
    base: Optional[Path] = typer.Option(None, "--base", help="Base training config (default: the package's)"),
    fragment_dir: Path = typer.Option(Path("components"), "--fragment-dir", help="Where bare fragment names are looked up"),
    fill: bool = typer.Option(True, "--fill/--no-fill", help="Auto-fill defaults and validate"),
):
    """Compose config fragments onto a base training config. Extra --section.key value pairs override."""
    from spacy.cli._util import parse_config_overrides

    from ..compose import compose_config, fill_and_validate, write_config

    # A variadic argument swallows unknown options: split them off again.
    args = list(fragments) + list(ctx.args)
    first_option = next((i for i, a in enumerate(args) if a.startswith("--")), len(args))
    fragments, extra = args[:first_option], args[first_option:]
    overrides = parse_config_overrides(extra)
    try:
        config = compose_config(fragments, base=base, search_dir=fragment_dir, overrides=overrides)
        if fill:
            config = fill_and_validate(config)
    except (ValueError, FileNotFoundError) as err:
        typer.secho(f"Error: {err}", fg="red", err=True)
        raise typer.Exit(1)
    write_config(config, output)
    typer.echo(f"Wrote {output} (pipeline: {', '.join(config['nlp']['pipeline'])})", err=True)


@app.command("assemble")
def assemble_cli(
    base: str = typer.Argument(..., help="Trained pipeline (name or path)"),
    output: Path = typer.Argument(..., help="Pipeline folder to write"),
    translator: str = typer.Option("", "--translator", help="Pipeline holding medllm_translator to add (empty: none)"),
):
    """Add pipes trained outside `spacy train` (the translator) to a trained pipeline, for packaging."""
    from ..assemble import AssembleError, assemble_pipeline

    try:
        nlp = assemble_pipeline(base, output, translator=translator or None)
    except (AssembleError, OSError) as err:
        typer.secho(f"Error: {err}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"wrote {output} (pipeline: {', '.join(nlp.pipe_names)})")
