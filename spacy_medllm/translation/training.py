"""Train a small Marian-style EN->FR model and its BPE tokenizer from scratch, offline, on CPU.

Checkpoints are written every epoch (model-last) and on dev-loss improvement (model-best), so a
run stopped by its time cap can still be evaluated and packaged.
"""
import json
import math
import random
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ..corpora.errors import CorpusFormatError
from ..corpora.jsonl import iter_json_lines
from ..files import atomic_write_text
from .parallel import placeholder

N_PLACEHOLDERS = 10
SPECIAL_TOKENS = ["<pad>", "</s>", "<unk>"]


def read_jsonl_pairs(path: Path) -> List[Tuple[str, str]]:
    pairs = []
    for i, rec in iter_json_lines(Path(path)):
        if "src" not in rec or "tgt" not in rec:
            raise CorpusFormatError(path, i, "each line needs 'src' and 'tgt'")
        pairs.append((rec["src"], rec["tgt"]))
    return pairs


def train_tokenizer(texts: Sequence[str], vocab_size: int = 8000):
    """Joint BPE (sentencepiece-style Metaspace) wrapped in a PreTrainedTokenizerFast.

    Placeholders are added tokens so they stay one piece and are never split or normalised.
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, min_frequency=2, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    tok.add_tokens([AddedToken(placeholder(i), normalized=False, single_word=False) for i in range(N_PLACEHOLDERS)])
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A $B </s>", special_tokens=[("</s>", tok.token_to_id("</s>"))]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
        model_input_names=["input_ids", "attention_mask"], model_max_length=256,
    )


def build_model(tokenizer, d_model: int = 256, layers: int = 3, heads: int = 4, ffn: int = 1024, dropout: float = 0.1):
    from transformers import MarianConfig, MarianMTModel

    vocab = len(tokenizer)
    config = MarianConfig(
        vocab_size=vocab, decoder_vocab_size=vocab, d_model=d_model,
        encoder_layers=layers, decoder_layers=layers, encoder_attention_heads=heads, decoder_attention_heads=heads,
        encoder_ffn_dim=ffn, decoder_ffn_dim=ffn, max_position_embeddings=256, dropout=dropout,
        attention_dropout=0.0, activation_dropout=0.0, activation_function="swish",
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id, forced_eos_token_id=tokenizer.eos_token_id,
        scale_embedding=True, share_encoder_decoder_embeddings=True, tie_word_embeddings=True,
    )
    return MarianMTModel(config)


def make_batches(encoded: List[Tuple[List[int], List[int]]], max_tokens: int, rng: random.Random) -> List[List[int]]:
    """Length-bucketed batches of indices, capped by padded tokens, shuffled batch order."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), rng.random()))
    batches, cur, cur_max = [], [], 0
    for i in order:
        longest = max(cur_max, len(encoded[i][0]), len(encoded[i][1]))
        if cur and longest * (len(cur) + 1) > max_tokens:
            batches.append(cur)
            cur, longest = [], max(len(encoded[i][0]), len(encoded[i][1]))
        cur.append(i)
        cur_max = longest
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def _collate(encoded, idx, pad_id):
    import torch

    src = [encoded[i][0] for i in idx]
    tgt = [encoded[i][1] for i in idx]
    s_len, t_len = max(map(len, src)), max(map(len, tgt))
    input_ids = torch.full((len(idx), s_len), pad_id, dtype=torch.long)
    attn = torch.zeros((len(idx), s_len), dtype=torch.long)
    labels = torch.full((len(idx), t_len), -100, dtype=torch.long)
    for j, (s, t) in enumerate(zip(src, tgt)):
        input_ids[j, : len(s)] = torch.tensor(s)
        attn[j, : len(s)] = 1
        labels[j, : len(t)] = torch.tensor(t)
    return input_ids, attn, labels


def train(
    train_path: Path, dev_path: Path, output_dir: Path, *, vocab_size: int = 8000, d_model: int = 256,
    layers: int = 3, heads: int = 4, ffn: int = 1024, dropout: float = 0.1, max_minutes: float = 40.0,
    max_epochs: int = 200, max_tokens: int = 3000, learn_rate: float = 1e-3, warmup: int = 400,
    label_smoothing: float = 0.1, max_len: int = 128, seed: int = 0, threads: int = 1,
    init_checkpoint: Optional[str] = None,
) -> Dict:
    """Train from scratch, or fine-tune `init_checkpoint` (a local seq2seq folder) with its own tokenizer."""
    import torch
    from tqdm import tqdm
    from transformers.models.marian.modeling_marian import shift_tokens_right

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    start = time.time()
    train_pairs, dev_pairs = read_jsonl_pairs(train_path), read_jsonl_pairs(dev_path)
    if init_checkpoint:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(init_checkpoint, local_files_only=True)
        model = AutoModelForSeq2SeqLM.from_pretrained(init_checkpoint, local_files_only=True)
    else:
        tokenizer = train_tokenizer([s for p in train_pairs for s in p], vocab_size)
        model = build_model(tokenizer, d_model, layers, heads, ffn, dropout)

    def encode(pairs):
        src = tokenizer([s for s, _ in pairs])["input_ids"]
        tgt = tokenizer(text_target=[t for _, t in pairs])["input_ids"]  # target-language codes, if any
        kept = [(s, t) for s, t in zip(src, tgt) if len(s) <= max_len and len(t) <= max_len]
        return kept, len(pairs) - len(kept)

    train_enc, too_long = encode(train_pairs)
    dev_enc, _ = encode(dev_pairs)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=learn_rate, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warmup, math.sqrt(warmup / (s + 1))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=label_smoothing)
    pad = tokenizer.pad_token_id
    log_path = output_dir / "train_log.jsonl"
    log_path.write_text("")
    best, step, epoch, stopped = float("inf"), 0, 0, "max_epochs"

    def dev_loss():
        model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for idx in make_batches(dev_enc, max_tokens, random.Random(0)):
                ids, attn, labels = _collate(dev_enc, idx, pad)
                out = model(input_ids=ids, attention_mask=attn, labels=labels, use_cache=False)
                n = int((labels != -100).sum())
                total += float(out.loss) * n
                count += n
        model.train()
        return total / max(count, 1)

    def save(name):
        model.save_pretrained(output_dir / name)
        tokenizer.save_pretrained(output_dir / name)

    model.train()
    while epoch < max_epochs:
        epoch += 1
        batches = make_batches(train_enc, max_tokens, rng)
        bar = tqdm(batches, desc=f"epoch {epoch}", unit="batch", mininterval=5)
        run_loss = 0.0
        for k, idx in enumerate(bar, 1):
            ids, attn, labels = _collate(train_enc, idx, pad)
            dec_in = shift_tokens_right(labels, pad, model.config.decoder_start_token_id)
            out = model(input_ids=ids, attention_mask=attn, decoder_input_ids=dec_in, use_cache=False)
            loss = loss_fn(out.logits.view(-1, out.logits.size(-1)), labels.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            run_loss += float(loss.detach())
            bar.set_postfix(loss=f"{run_loss / k:.3f}", refresh=False)
            if (time.time() - start) / 60 > max_minutes:
                stopped = "time_cap"
                break
        dl = dev_loss()
        record = {"epoch": epoch, "step": step, "train_loss": run_loss / max(k, 1), "dev_loss": dl,
                  "minutes": (time.time() - start) / 60}
        with log_path.open("a") as f:
            f.write(json.dumps(record) + "\n")
        save("model-last")
        if dl < best:
            best = dl
            save("model-best")
        if stopped == "time_cap":
            break
    summary = {
        "train_pairs": len(train_pairs), "train_pairs_too_long": too_long, "dev_pairs": len(dev_pairs),
        "epochs": epoch, "steps": step, "best_dev_loss": best, "stopped": stopped,
        "train_minutes": (time.time() - start) / 60, "parameters": n_params, "vocab_size": len(tokenizer),
        "threads": threads, "init_checkpoint": init_checkpoint, "config": {"d_model": d_model, "layers": layers, "heads": heads, "ffn": ffn,
                                       "dropout": dropout, "max_tokens": max_tokens, "learn_rate": learn_rate,
                                       "warmup": warmup, "label_smoothing": label_smoothing, "seed": seed},
    }
    atomic_write_text(output_dir / "summary.json", json.dumps(summary, indent=2))
    return summary
