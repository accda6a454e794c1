import typer

app = typer.Typer(
    name="medllm",
    help="spacy-medllm: convert clinical corpora, compose configs, evaluate pipelines.",
    no_args_is_help=True,
    add_completion=False,
)


def main() -> None:
    # Import the command modules for their side effect of registering commands.
    from . import assertion, convert, config, evaluate  # noqa: F401
    from . import translate  # noqa: F401

    app()
