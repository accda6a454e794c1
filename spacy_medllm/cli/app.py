import typer

app = typer.Typer(
    name="medllm",
    help="spacy-medllm: convert clinical corpora, compose configs, evaluate pipelines.",
    no_args_is_help=True,
    add_completion=False,
)


def main() -> None:
    # Import the command modules for their side effect of registering commands.
    from . import convert, config, evaluate  # noqa: F401
    from . import annotate, visualize  # noqa: F401

    app()
