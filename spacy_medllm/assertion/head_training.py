"""Train medllm_assertion's head on cached encoder outputs (the encoder stays frozen).

With the encoder frozen (``grad_factor = 0`` on the head's listener; components/assertion.cfg
fine-tunes it instead) the encoder does not move while the head trains, so running it on every
step, as ``spacy train`` does, repeats the same work. This runs
the transformer once over the train and dev docs, keeps its outputs on the docs
(``doc._.trf_data``), and trains the head for many epochs on them; the dev split (macro F1)
picks the epoch to keep. Same objective as ``spacy train`` with the frozen encoder, minutes
instead of hours on 2 CPU cores.

A PIPELINE without ``medllm_assertion`` (the clinical pipeline: transformer + ner + ...) gets one
from the packaged ``assertion`` fragment, listening to its transformer with the encoder frozen:
the result is that pipeline plus assertion on the same encoder pass, its other answers unchanged.

Usage: medllm assertion-train-head PIPELINE TRAIN.spacy DEV.spacy OUTPUT [--epochs N]
"""
import json
import random
import time
from pathlib import Path

import spacy
from thinc.api import Adam
from tqdm import tqdm

from ..compose import _with_parent_sections, find_fragment
from ..corpora.registry import GoldEntitiesCorpus

HEAD = "medllm_assertion"


def add_frozen_head(nlp, get_examples, upstream: str = "transformer"):
    """Add medllm_assertion (the packaged fragment's settings) on ``upstream``, grad_factor 0."""
    from thinc.api import Config

    if upstream not in nlp.pipe_names:
        raise ValueError(f"the pipeline has no {upstream!r} component to listen to (pipes: {', '.join(nlp.pipe_names)})")
    text = find_fragment("assertion").read_text(encoding="utf8")
    block = Config().from_str(_with_parent_sections(text), interpolate=False)["components"][HEAD]
    block.pop("factory")
    block["model"]["tok2vec"]["grad_factor"] = 0.0
    block["model"]["tok2vec"]["upstream"] = upstream
    head = nlp.add_pipe(HEAD, config=block)
    head.initialize(get_examples, nlp=nlp)
    return head


def encode(nlp, examples, desc):
    transformer = nlp.get_pipe("transformer")
    docs = [eg.predicted for eg in examples]
    for _ in tqdm(transformer.pipe(docs, batch_size=32), total=len(docs), desc=desc, unit="doc"):
        pass
    return examples


def train_assertion_head(pipeline: Path, train: Path, dev: Path, output: Path, *, epochs: int = 20,
                         batch_size: int = 32, learn_rate: float = 0.001, seed: int = 0) -> float:
    """Train the head on cached encoder outputs; save model-best/model-last under ``output``; return the best dev macro F1."""
    rng = random.Random(seed)
    output.mkdir(parents=True, exist_ok=True)
    nlp = spacy.load(pipeline)
    train = list(GoldEntitiesCorpus(train)(nlp))
    if HEAD in nlp.pipe_names:
        head = nlp.get_pipe(HEAD)
    else:
        head = add_frozen_head(nlp, lambda: train[:200])
    train = encode(nlp, train, "encode train")
    dev = encode(nlp, list(GoldEntitiesCorpus(dev)(nlp)), "encode dev")
    optimizer = Adam(learn_rate)
    best, log = -1.0, []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        rng.shuffle(train)
        losses = {}
        for i in tqdm(range(0, len(train), batch_size), desc=f"epoch {epoch}", unit="batch", leave=False):
            head.update(train[i:i + batch_size], sgd=optimizer, losses=losses)
        docs = [eg.predicted for eg in dev]
        head.set_annotations(docs, head.predict(docs))
        scores = head.score(dev)
        row = {"epoch": epoch, "loss": losses.get(head.name, 0.0), "assertion_macro_f": scores["assertion_macro_f"],
               "assertion_acc": scores["assertion_acc"], "seconds": round(time.perf_counter() - start, 1)}
        log.append(row)
        print(json.dumps(row), flush=True)
        if scores["assertion_macro_f"] > best:
            best = scores["assertion_macro_f"]
            nlp.to_disk(output / "model-best")
    nlp.to_disk(output / "model-last")
    (output / "head_log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log), encoding="utf8")
    return best

