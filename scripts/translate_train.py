"""Train the project's EN->FR model: `python scripts/translate_train.py corpus/translate training/translate`.

Single-threaded by default (a shared CPU); stops at --max-minutes and keeps the best checkpoint.
"""
import argparse
import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from spacy_medllm.translation.training import train  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("corpus_dir")
    p.add_argument("output_dir")
    p.add_argument("--max-minutes", type=float, default=40.0)
    p.add_argument("--max-epochs", type=int, default=200)
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--d-model", type=int, default=192)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ffn", type=int, default=768)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--max-tokens", type=int, default=3000)
    p.add_argument("--learn-rate", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=300)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-checkpoint", default=None, help="Fine-tune this local seq2seq checkpoint instead")
    a = p.parse_args()
    summary = train(
        f"{a.corpus_dir}/train.jsonl", f"{a.corpus_dir}/dev.jsonl", a.output_dir, vocab_size=a.vocab_size,
        d_model=a.d_model, layers=a.layers, heads=a.heads, ffn=a.ffn, dropout=a.dropout, max_minutes=a.max_minutes,
        max_epochs=a.max_epochs, max_tokens=a.max_tokens, learn_rate=a.learn_rate, warmup=a.warmup,
        label_smoothing=a.label_smoothing, seed=a.seed, threads=a.threads,
        init_checkpoint=a.init_checkpoint,
    )
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
