"""``medllm config``: compose component fragments onto the base training config."""
from pathlib import Path
from typing import List, Optional

import typer

from ._util import fail
from .app import app


@app.command(
    "config", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def config_cli(
    ctx: typer.Context,
    fragments: List[str] = typer.Argument(..., help="Fragments in pipeline order: paths, or names of packaged fragments (ner, transformer, ...)"),
    output: Path = typer.Option(..., "--output", "-o", help="Composed config to write"),
    base: Optional[Path] = typer.Option(None, "--base", help="Base training config (default: the package's)"),
    fragment_dir: Optional[Path] = typer.Option(
        None, "--fragment-dir", help="Folder searched for bare fragment names before the packaged fragments"
    ),
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
        fail(str(err))
    write_config(config, output)
    typer.echo(f"Wrote {output} (pipeline: {', '.join(config['nlp']['pipeline'])})", err=True)

