"""Compose component config fragments onto a base training config."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Iterable, List, Optional, Union

from thinc.api import Config

from .files import atomic_write_text

DEFAULT_FRAGMENT_DIR = Path("components")


def default_base_config() -> Config:
    text = resources.files("spacy_medllm").joinpath("configs/base.cfg").read_text(encoding="utf8")
    return Config().from_str(text, interpolate=False)


def find_fragment(name: Union[str, Path], search_dir: Path = DEFAULT_FRAGMENT_DIR) -> Path:
    """A fragment is a path, or a bare name looked up in ``components/`` (``ner`` -> ``components/ner.cfg``)."""
    path = Path(name)
    if path.exists():
        return path
    for candidate in (search_dir / path, search_dir / f"{path}.cfg"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"Config fragment '{name}' not found (looked for {path} and {search_dir / f'{path}.cfg'}).")


def _with_parent_sections(text: str) -> str:
    """Fragments may start at ``[components.ner]``; the config parser wants ``[components]`` first."""
    headers = re.findall(r"^\[([^\]]+)\]\s*$", text, flags=re.M)
    present = set(headers)
    missing = []
    for header in headers:
        parts = header.split(".")
        for i in range(1, len(parts)):
            parent = ".".join(parts[:i])
            if parent not in present:
                present.add(parent)
                missing.append(parent)
    return "".join(f"[{m}]\n\n" for m in missing) + text


def compose_config(
    fragments: Iterable[Union[str, Path]],
    base: Optional[Union[str, Path, Config]] = None,
    search_dir: Path = DEFAULT_FRAGMENT_DIR,
    overrides: Optional[dict] = None,
) -> Config:
    """Merge fragments onto ``base`` in order; each fragment's components join the pipeline.

    A fragment may also set ``[initialize]``, ``[corpora]``, ``[training]`` or ``[paths]``
    values; later fragments win. Variables (``${paths.train}``) stay uninterpolated.
    """
    if base is None:
        config = default_base_config()
    elif isinstance(base, Config):
        config = Config(base)
    else:
        config = Config().from_disk(base, interpolate=False)
    pipeline: List[str] = list(config["nlp"].get("pipeline", []))
    for fragment in fragments:
        path = find_fragment(fragment, search_dir)
        try:
            part = Config().from_str(_with_parent_sections(path.read_text(encoding="utf8")), interpolate=False)
        except Exception as err:
            raise ValueError(f"{path}: not a valid spaCy config fragment: {err}") from None
        components = part.get("components", {})
        if not part:
            raise ValueError(f"{path}: an empty fragment (no [components.NAME] or other section)")
        for name in components:
            if name in pipeline:
                raise ValueError(f"{path}: component '{name}' is already in the pipeline ({', '.join(pipeline)})")
            pipeline.append(name)
        config = config.merge(part)
    config["nlp"]["pipeline"] = pipeline
    if overrides:
        from spacy.util import dot_to_dict

        config = config.merge(dot_to_dict(overrides))
    return config


def fill_and_validate(config: Config) -> Config:
    """Auto-fill defaults and validate by building the (uninitialized) pipeline, as ``spacy init fill-config``."""
    from spacy import util

    nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    return nlp.config


def write_config(config: Config, output: Union[str, Path]) -> Path:
    """A half-written config must never be picked up by ``spacy train``."""
    return atomic_write_text(output, config.to_str())
