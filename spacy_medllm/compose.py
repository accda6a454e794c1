"""Compose component config fragments onto a base training config."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Iterable, List, Optional, Union

from thinc.api import Config

from .files import atomic_write_text

# The repository's top-level components/ folder, shipped as the package ``spacy_medllm.components``
# (pyproject.toml maps one onto the other, so there is one copy of each fragment).
PACKAGED_FRAGMENTS = "spacy_medllm.components"


def default_base_config() -> Config:
    text = resources.files("spacy_medllm").joinpath("configs/base.cfg").read_text(encoding="utf8")
    return Config().from_str(text, interpolate=False)


def packaged_fragments() -> List[str]:
    """Names of the fragments shipped with the package (``ner``, ``transformer``, ...)."""
    root = resources.files(PACKAGED_FRAGMENTS)
    return sorted(p.name[: -len(".cfg")] for p in root.iterdir() if p.name.endswith(".cfg"))


def find_fragment(name: Union[str, Path], search_dir: Optional[Path] = None):
    """A fragment is a path, or a bare name (``ner`` -> ``ner.cfg``) looked up in ``search_dir`` when
    given, then among the fragments shipped with the package: works from any working directory."""
    path = Path(name)
    if path.exists():
        return path
    looked = [str(path)]
    if search_dir is not None:
        for candidate in (Path(search_dir) / path, Path(search_dir) / f"{path}.cfg"):
            if candidate.exists():
                return candidate
        looked.append(str(Path(search_dir) / f"{path}.cfg"))
    if len(path.parts) == 1:
        packaged = resources.files(PACKAGED_FRAGMENTS).joinpath(path.name if path.suffix == ".cfg" else f"{path.name}.cfg")
        if packaged.is_file():
            return packaged
    raise FileNotFoundError(
        f"Config fragment '{name}' not found (looked for {', '.join(looked)} and the packaged fragments: "
        f"{', '.join(packaged_fragments())})."
    )


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
    search_dir: Optional[Path] = None,
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
