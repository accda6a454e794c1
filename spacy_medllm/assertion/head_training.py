"""Train medllm_assertion's head on cached encoder outputs (the encoder stays frozen).

With the encoder frozen (``grad_factor = 0`` on the head's listener; components/assertion.cfg
fine-tunes it instead) the encoder does not move while the head trains, so running it on every
step, as ``spacy train`` does, repeats the same work. This runs
the transformer once over the train and dev docs, keeps its outputs on the docs
(``doc._.trf_data``), and trains the head for many epochs on them; the dev split (macro F1)
picks the epoch to keep. Same objective as ``spacy train`` with the frozen encoder, minutes
instead of hours on 2 CPU cores.

Usage: medllm assertion-train-head PIPELINE TRAIN.spacy DEV.spacy OUTPUT [--epochs N]
"""
import json
import random
import time
from pathlib import Path

import spacy
from thinc.api import Adam
from tqdm import tqdm

from ..corpora.registry import GoldEntitiesCorpus


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
    head = nlp.get_pipe("medllm_assertion")
    train = encode(nlp, list(GoldEntitiesCorpus(train)(nlp)), "encode train")
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

