"""Model architectures registered with spaCy."""

from typing import Callable, List

from spacy.tokens import Doc, Span
from spacy_transformers.layers.transformer_model import TransformerModel

from .base_model import resolve_base_model


def medllm_transformer_model(
    name: str,
    get_spans: Callable[[List[Doc]], List[List[Span]]],
    tokenizer_config: dict = {},
    transformer_config: dict = {},
    mixed_precision: bool = False,
    grad_scaler_config: dict = {},
    allow_hub: bool = True,
) -> TransformerModel:
    """spacy-transformers' TransformerModel whose base name is resolved at initialize.

    Resolving late matters: a trained or packaged pipeline restores its weights from
    disk and must load on a machine that lacks the base-model package.
    """
    model = TransformerModel(
        name,
        get_spans,
        tokenizer_config=tokenizer_config,
        transformer_config=transformer_config,
        mixed_precision=mixed_precision,
        grad_scaler_config=grad_scaler_config,
    )
    base_init = model.init

    def init(model, X=None, Y=None):
        if not model.attrs["has_transformer"]:
            model.attrs["name"] = resolve_base_model(name, allow_hub=allow_hub)
        return base_init(model, X=X, Y=Y)

    model.init = init
    return model
