"""Train medllm_assertion's head on cached encoder outputs (the encoder stays frozen).

With the encoder frozen (``grad_factor = 0`` on the head's listener; components/assertion.cfg
fine-tunes it instead) the encoder does not move while the head trains, so running it on every
step, as ``spacy train`` does, repeats the same work. This runs
the transformer once over the train and dev docs, keeps its outputs on the docs
(``doc._.trf_data``), and trains the head for many epochs on them; the dev split (macro F1)
picks the epoch to keep. Same objective as ``spacy train`` with the frozen encoder, minutes
instead of hours on 2 CPU cores.

Usage: python scripts/train_assertion_head.py PIPELINE TRAIN.spacy DEV.spacy OUTPUT [--epochs N]
"""
import argparse
import json
import random
import time
from pathlib import Path

import spacy
from thinc.api import Adam
from tqdm import tqdm

from spacy_medllm.corpora.registry import GoldEntitiesCorpus


def encode(nlp, examples, desc):
    transformer = nlp.get_pipe("transformer")
    docs = [eg.predicted for eg in examples]
    for _ in tqdm(transformer.pipe(docs, batch_size=32), total=len(docs), desc=desc, unit="doc"):
        pass
    return examples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pipeline", type=Path)
    ap.add_argument("train", type=Path)
    ap.add_argument("dev", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--learn-rate", type=float, default=0.001)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    args.output.mkdir(parents=True, exist_ok=True)
    nlp = spacy.load(args.pipeline)
    head = nlp.get_pipe("medllm_assertion")
    train = encode(nlp, list(GoldEntitiesCorpus(args.train)(nlp)), "encode train")
    dev = encode(nlp, list(GoldEntitiesCorpus(args.dev)(nlp)), "encode dev")
    optimizer = Adam(args.learn_rate)
    best, log = -1.0, []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(train)
        losses = {}
        for i in tqdm(range(0, len(train), args.batch_size), desc=f"epoch {epoch}", unit="batch", leave=False):
            head.update(train[i:i + args.batch_size], sgd=optimizer, losses=losses)
        docs = [eg.predicted for eg in dev]
        head.set_annotations(docs, head.predict(docs))
        scores = head.score(dev)
        row = {"epoch": epoch, "loss": losses.get(head.name, 0.0), "assertion_macro_f": scores["assertion_macro_f"],
               "assertion_acc": scores["assertion_acc"], "seconds": round(time.perf_counter() - start, 1)}
        log.append(row)
        print(json.dumps(row), flush=True)
        if scores["assertion_macro_f"] > best:
            best = scores["assertion_macro_f"]
            nlp.to_disk(args.output / "model-best")
    nlp.to_disk(args.output / "model-last")
    (args.output / "head_log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log), encoding="utf8")
    print(f"best dev macro F1 {best:.3f}; saved {args.output / 'model-best'}")


if __name__ == "__main__":
    main()
