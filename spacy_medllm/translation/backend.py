"""Any Hugging Face seq2seq checkpoint behind one `translate(texts)` call, via `generate`.

transformers 5 removed the translation pipeline, so this calls `AutoModelForSeq2SeqLM.generate`
directly and handles the language codes multilingual models need (M2M-100/NLLB/mBART:
`tokenizer.src_lang` and `forced_bos_token_id`; Marian multi-target: a `>>fra<<` prefix;
T5: a task prefix). Remote code is never trusted.
"""
from pathlib import Path
from typing import List, Optional, Sequence, Union

LANG_CODE_MODELS = {"m2m_100", "nllb_moe", "mbart", "mbart50"}


class Seq2SeqBackend:
    def __init__(self, model, tokenizer, *, src_lang_code: Optional[str] = None, tgt_lang_code: Optional[str] = None,
                 prefix: str = "", beam_size: int = 1, max_length: int = 256, max_input_tokens: Optional[int] = None,
                 device: str = "cpu", no_repeat_ngram_size: int = 0):
        self.model = model
        self.tokenizer = tokenizer
        self.prefix = prefix or ""
        self.beam_size = int(beam_size)
        self.max_length = int(max_length)
        self.no_repeat_ngram_size = int(no_repeat_ngram_size)
        self.device = device
        self.model.to(device)
        self.model.eval()
        self.src_lang_code = src_lang_code
        self.tgt_lang_code = tgt_lang_code
        if src_lang_code is not None and hasattr(tokenizer, "src_lang"):
            tokenizer.src_lang = src_lang_code
        self.forced_bos_token_id = forced_bos_id(tokenizer, tgt_lang_code) if tgt_lang_code else None
        # The decoder has the same position limit as the encoder: outputs are capped by it too.
        self.position_limit = default_max_input_tokens(model, tokenizer)
        self.max_input_tokens = min(max_input_tokens or self.position_limit, self.position_limit)

    @classmethod
    def load(cls, name_or_path: Union[str, Path], *, local_files_only: bool = True, src_lang: Optional[str] = None,
             tgt_lang: Optional[str] = None, src_lang_code: Optional[str] = None, tgt_lang_code: Optional[str] = None,
             **kwargs) -> "Seq2SeqBackend":
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        name = str(name_or_path)
        tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=local_files_only, trust_remote_code=False)
        model = AutoModelForSeq2SeqLM.from_pretrained(name, local_files_only=local_files_only, trust_remote_code=False)
        if model.config.model_type in LANG_CODE_MODELS:
            # Multilingual models cannot guess the language pair: fall back on the plain codes.
            src_lang_code = src_lang_code or src_lang
            tgt_lang_code = tgt_lang_code or tgt_lang
        return cls(model, tokenizer, src_lang_code=src_lang_code, tgt_lang_code=tgt_lang_code, **kwargs)

    def n_tokens(self, text: str) -> int:
        return len(self.tokenizer(self.prefix + text, add_special_tokens=True)["input_ids"])

    def generate_ids(self, texts: Sequence[str]):
        import torch

        enc = self.tokenizer([self.prefix + t for t in texts], return_tensors="pt", padding=True, truncation=False)
        n_in = enc["input_ids"].shape[1]
        if n_in > self.max_input_tokens:
            raise ValueError(f"input of {n_in} tokens exceeds the model limit {self.max_input_tokens}; split it first")
        kwargs = {"num_beams": self.beam_size, "max_new_tokens": min(self.max_length, int(n_in * 2) + 10, self.position_limit - 2),
                  "do_sample": False}
        if self.beam_size > 1:
            kwargs["early_stopping"] = True
        if self.no_repeat_ngram_size > 0:  # small models loop ("de la santé de la santé ...")
            kwargs["no_repeat_ngram_size"] = self.no_repeat_ngram_size
        if self.forced_bos_token_id is not None:
            kwargs["forced_bos_token_id"] = self.forced_bos_token_id
        enc = {k: v.to(self.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
        with torch.no_grad():
            return self.model.generate(**enc, **kwargs)

    def translate(self, texts: Sequence[str]) -> List[str]:
        if not texts:
            return []
        out = self.generate_ids(texts)
        return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]

    def save(self, path: Path) -> None:
        path = Path(path)
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)


def forced_bos_id(tokenizer, code: str) -> int:
    """The id of the target-language token: M2M-100 `__fr__`, NLLB `fra_Latn`, mBART `fr_XX`."""
    if hasattr(tokenizer, "get_lang_id"):
        try:
            return int(tokenizer.get_lang_id(code))
        except (KeyError, ValueError):
            pass
    mapping = getattr(tokenizer, "lang_code_to_id", None)
    if isinstance(mapping, dict) and code in mapping:
        return int(mapping[code])
    vocab = tokenizer.get_vocab()
    for candidate in (code, f"__{code}__"):
        if candidate in vocab:
            return int(vocab[candidate])
    raise ValueError(f"target language code '{code}' is not a token of this tokenizer (tried '{code}', '__{code}__')")


def default_max_input_tokens(model, tokenizer) -> int:
    limits = [getattr(model.config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    limits = [int(x) for x in limits if isinstance(x, int) and 0 < x < 100_000]
    return min(limits) if limits else 512
