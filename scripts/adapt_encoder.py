"""Domain-adaptive masked-LM pretraining of the base encoder on in-domain text.

Continues BERT's masked-LM objective on biomedical/clinical text (scripts/domain_text.py)
before NER fine-tuning. The MLM head is not shipped with sentence-transformers models,
so it starts fresh (tied to the word embeddings). Writes a model directory usable as
`paths.base_model`. Runs on CPU, but a GPU makes it practical.
Usage: python scripts/adapt_encoder.py BASE TEXT OUTPUT [--max-steps N] [--max-minutes M]
"""
import argparse
import math
import random
import time
from pathlib import Path

import torch
from transformers import AutoTokenizer, BertForMaskedLM, DataCollatorForLanguageModeling

from spacy_medllm.base_model import resolve_base_model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("text", type=Path)
    p.add_argument("output", type=Path)
    p.add_argument("--max-steps", type=int, default=2000)
    p.add_argument("--max-minutes", type=float, default=0)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    base = resolve_base_model(args.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = BertForMaskedLM.from_pretrained(base).to(device)
    lines = [l for l in args.text.read_text(encoding="utf8").splitlines() if l.strip()]
    enc = tokenizer(lines, truncation=True, max_length=args.max_length, return_overflowing_tokens=True,
                    stride=16, return_special_tokens_mask=True)
    examples = [{"input_ids": ids, "special_tokens_mask": m}
                for ids, m in zip(enc["input_ids"], enc["special_tokens_mask"])]
    print(f"{len(lines)} lines -> {len(examples)} windows of <= {args.max_length} pieces on {device}")
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, args.max_steps // 16)
    # Linear warm-up, then linear decay to zero at max_steps.
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (args.max_steps - s) / max(1, args.max_steps - warmup))))
    model.train()
    start = time.time()
    step, losses = 0, []
    order = []
    while step < args.max_steps:
        if not order:
            order = list(range(len(examples)))
            random.shuffle(order)
        batch_idx, order = order[: args.batch_size], order[args.batch_size:]
        batch = collator([examples[i] for i in batch_idx])
        batch = {k: v.to(device) for k, v in batch.items()}
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())
        step += 1
        if step % 100 == 0:
            print(f"step {step} loss {sum(losses[-100:]) / 100:.3f} ({time.time() - start:.0f}s)", flush=True)
        if args.max_minutes and time.time() - start > args.max_minutes * 60:
            print(f"time budget reached at step {step}")
            break
    args.output.mkdir(parents=True, exist_ok=True)
    model.bert.save_pretrained(args.output, safe_serialization=True)
    tokenizer.save_pretrained(args.output)
    tail = losses[-100:]
    print(f"saved {args.output}: {step} steps, final MLM loss {sum(tail) / len(tail):.3f} "
          f"(perplexity {math.exp(sum(tail) / len(tail)):.1f}), {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
