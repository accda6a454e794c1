"""Train one listener head on cached outputs of a pipeline's frozen transformer.

With the encoder frozen (``grad_factor = 0`` on the head's listener) it does not move while the
head trains, so running it on every step, as ``spacy train`` does, repeats the same work. This
runs the transformer once over the train and dev docs, keeps its outputs on the docs
(``doc._.trf_data``, which spacy-transformers' listener reads when no upstream batch is in
flight), and trains the head for many epochs on them; a dev score picks the epoch to keep. Same
objective as ``spacy train`` with the frozen encoder, minutes instead of hours on 2 CPU cores.

A head the pipeline lacks is added from a packaged fragment (``assertion``, ``deid_head``) and
listens to the pipeline's own transformer: the result is that pipeline plus the head on the same
encoder pass, every other answer unchanged.
"""
from __future__ import annotations

import copy
import json
import random
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple, Union

import spacy
from spacy.language import Language
from spacy.training import Example
from thinc.api import Adam, Config, fix_random_seed
from tqdm import tqdm

from .compose import _with_parent_sections, find_fragment
from .files import atomic_write_text

LISTENER = "spacy-transformers.TransformerListener.v1"


def _listeners(block: dict) -> List[dict]:
    found = []
    for value in block.values():
        if isinstance(value, dict):
            if value.get("@architectures") == LISTENER:
                found.append(value)
            else:
                found.extend(_listeners(value))
    return found


def add_frozen_head(nlp: Language, fragment: str, name: str, get_examples: Callable[[], List[Example]],
                    upstream: str = "transformer", model: Optional[dict] = None):
    """Add component ``name`` as the fragment defines it (or the fragment's only component, renamed),
    its listener on ``upstream`` with grad_factor 0; ``model``: settings over the fragment's model block."""
    if upstream not in nlp.pipe_names:
        raise ValueError(f"the pipeline has no {upstream!r} component to listen to (pipes: {', '.join(nlp.pipe_names)})")
    text = find_fragment(fragment).read_text(encoding="utf8")
    components = Config().from_str(_with_parent_sections(text), interpolate=False)["components"]
    if name in components:
        block = copy.deepcopy(dict(components[name]))
    elif len(components) == 1:  # the fragment's one component, under the name asked for
        block = copy.deepcopy(dict(next(iter(components.values()))))
    else:
        raise ValueError(f"fragment {fragment!r} defines no component {name!r} (it has {', '.join(components)})")
    factory = block.pop("factory")
    if model:
        block["model"] = {**dict(block["model"]), **model}
    listeners = _listeners(block)
    if not listeners:
        raise ValueError(f"{fragment}: component {name!r} has no TransformerListener to freeze")
    for listener in listeners:
        listener["grad_factor"] = 0.0
        listener["upstream"] = upstream
    head = nlp.add_pipe(factory, name=name, config=block)
    head.initialize(get_examples, nlp=nlp)
    return head


def encode(nlp: Language, examples: List[Example], desc: str, upstream: str = "transformer") -> List[Example]:
    transformer = nlp.get_pipe(upstream)
    docs = [eg.predicted for eg in examples]
    for _ in tqdm(transformer.pipe(docs, batch_size=32), total=len(docs), desc=desc, unit="doc"):
        pass
    return examples


def fit_head(head, train: List[Example], dev: List[Example], *, score_key: str, epochs: int = 20,
             batch_size: int = 32, learn_rate: float = 0.001, seed: int = 0,
             before_score: Optional[Callable[[Any, List[Example]], None]] = None,
             on_best: Optional[Callable[[], None]] = None, averages: bool = False) -> Tuple[float, List[dict]]:
    """Epochs of Adam on encoded examples; after each, score on dev and call ``on_best`` when the
    score beats every earlier epoch. Returns the best score and one log row per epoch.
    ``averages``: score and save the running average of the weights, as ``spacy train`` does,
    rather than the last step's (the epoch picked by dev then depends less on where it stopped);
    the head keeps the averages at the end."""
    rng = random.Random(seed)
    train = list(train)
    optimizer = Adam(learn_rate, use_averages=averages)
    best, log = -1.0, []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        rng.shuffle(train)
        losses: dict = {}
        for i in tqdm(range(0, len(train), batch_size), desc=f"epoch {epoch}", unit="batch", leave=False):
            head.update(train[i:i + batch_size], sgd=optimizer, losses=losses)
        with head.model.use_params(optimizer.averages) if averages else nullcontext():
            if before_score is not None:
                before_score(head, dev)
            docs = [eg.predicted for eg in dev]
            head.set_annotations(docs, head.predict(docs))
            scores = head.score(dev)
            row = {"epoch": epoch, "loss": round(float(losses.get(head.name, 0.0)), 4),
                   **{k: v for k, v in scores.items() if isinstance(v, float)},
                   "seconds": round(time.perf_counter() - start, 1)}
            log.append(row)
            print(json.dumps({k: row[k] for k in ("epoch", "loss", score_key, "seconds") if k in row}), flush=True)
            if (scores.get(score_key) or 0.0) > best:
                best = scores.get(score_key) or 0.0
                if on_best is not None:
                    on_best()
    if averages:
        for node in head.model.walk():
            for param in node.param_names:
                if (node.id, param) in optimizer.averages:
                    node.set_param(param, optimizer.averages[(node.id, param)])
    return best, log


def train_frozen_head(
    pipeline: Union[Path, Language], read_train: Callable[[Language], List[Example]],
    read_dev: Callable[[Language], List[Example]], output: Path, *, name: str, fragment: str, score_key: str,
    epochs: int = 20, batch_size: int = 32, learn_rate: float = 0.001, seed: int = 0,
    finish: Optional[Callable[[Language], None]] = None,
    before_score: Optional[Callable[[Any, List[Example]], None]] = None,
    fit: Optional[Callable[..., Tuple[float, List[dict]]]] = None,
    check: Optional[Callable[[Any], None]] = None,
    averages: bool = False,
    head_model: Optional[dict] = None,
) -> float:
    """Train ``name`` on cached encoder outputs; save model-best (by ``score_key`` on dev), model-last
    and head_log.jsonl under ``output``; return the best dev score. ``pipeline`` is a saved pipeline
    or a loaded one; ``seed`` fixes the head's initial weights and the batch order. ``finish`` runs
    on the pipeline before each save (e.g. to add a component that reads the head's output);
    ``before_score(head, dev)`` runs before each dev score (e.g. to tune thresholds on dev).
    ``fit(head, train, dev, before_score=..., on_best=...)`` replaces the Adam loop (``fit_head``),
    e.g. with a convex solver for a linear head (textcat/linear_fit.py); ``check(head)`` runs before
    the encoder pass, so a head that ``fit`` cannot train fails in seconds, not after encoding.
    ``averages``: the Adam loop scores and keeps averaged weights (``fit_head``). ``head_model``:
    settings over the fragment's model block for a new head."""
    if averages and fit is not None:  # a custom fit has no Adam averages to keep: say so, not drop it
        raise ValueError("averages applies to the Adam loop (fit_head), not to a custom fit")
    fix_random_seed(seed)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    nlp = pipeline if isinstance(pipeline, Language) else spacy.load(pipeline)
    train = read_train(nlp)
    if not train:
        raise ValueError("no training examples")
    # a new head initializes on every training example: labels, and tables such as the n-grams' IDF
    head = nlp.get_pipe(name) if name in nlp.pipe_names else add_frozen_head(nlp, fragment, name, lambda: train,
                                                                                     model=head_model)
    if check is not None:
        check(head)
    if finish is not None:
        finish(nlp)
    train = encode(nlp, train, "encode train")
    dev = encode(nlp, read_dev(nlp), "encode dev")
    def save_best():
        nlp.to_disk(output / "model-best")

    if fit is None:
        best, log = fit_head(head, train, dev, score_key=score_key, epochs=epochs, batch_size=batch_size,
                             learn_rate=learn_rate, seed=seed, before_score=before_score, on_best=save_best,
                             averages=averages)
    else:
        best, log = fit(head, train, dev, before_score=before_score, on_best=save_best)
    nlp.to_disk(output / "model-last")
    atomic_write_text(output / "head_log.jsonl", "".join(json.dumps(r) + "\n" for r in log))
    return best
