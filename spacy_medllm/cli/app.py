import typer

app = typer.Typer(
    name="medllm",
    help="spacy-medllm: convert clinical corpora, compose configs, evaluate pipelines.",
    no_args_is_help=True,
    add_completion=False,
)


def main() -> None:
    # Import the command modules for their side effect of registering commands.
    from . import annotate, assertion, convert, config, evaluate, optimize, translate, visualize  # noqa: F401

    app()
