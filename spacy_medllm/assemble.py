"""One pipeline from parts trained apart: the translator is not trained by `spacy train`, so it is
added to the trained pipeline afterwards and packaged with it (its model stored inside)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Optional, Sequence

import spacy


class AssembleError(ValueError):
    pass


def assemble_pipeline(base: str, output: Path, *, translator: Optional[str] = None,
                      pipes: Sequence[str] = ("medllm_translator",)) -> "spacy.Language":
    """Load ``base``, append each pipe in ``pipes`` sourced from the ``translator`` pipeline (name
    or path), and write the result to ``output`` atomically (a killed run leaves no half pipeline)."""
    nlp = spacy.load(base)
    if translator:
        source = spacy.load(translator)
        for name in pipes:
            if name not in source.pipe_names:
                raise AssembleError(f"{translator}: no pipe named {name!r} (it has {source.pipe_names})")
            if name in nlp.pipe_names:
                raise AssembleError(f"{base}: already has a pipe named {name!r}")
            nlp.add_pipe(name, source=source)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}."))
    try:
        nlp.to_disk(tmp)
        if output.exists():
            shutil.rmtree(output)
        tmp.rename(output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return nlp
