import typer

app = typer.Typer(
    name="medllm",
    help="spacy-medllm: convert clinical corpora, compose configs, evaluate pipelines.",
    no_args_is_help=True,
    add_completion=False,
)


def load_commands() -> typer.Typer:
    """Import the command modules, which add their commands to ``app`` (one module per line)."""
    from . import (  # noqa: F401
        annotate,
        assemble,
        assertion,
        config,
        convert,
        corpus,
        deid,
        optimize,
        reports,
        spark,
        synthetic,
        textcat,
        thresholds,
        translate,
        visualize,
    )

    return app


def main() -> None:
    load_commands()()
