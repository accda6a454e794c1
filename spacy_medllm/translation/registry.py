"""Everything the translation subpackage registers with spaCy: the `medllm_translator` factory and
the glossary loader (`spacy_medllm.Glossary.v1`). The `pyproject.toml` entry points name them."""
from typing import List, Optional

from spacy.language import Language
from spacy.util import registry

from .glossary import Glossary
from .pipe import Translator

DEFAULT_CONFIG = {
    "model_name": None,
    "src_lang": "en",
    "tgt_lang": "fr",
    "src_lang_code": None,
    "tgt_lang_code": None,
    "prefix": "",
    "beam_size": 1,
    "no_repeat_ngram_size": 0,
    "max_length": 256,
    "max_input_tokens": None,
    "batch_size": 16,
    "device": "cpu",
    "local_files_only": True,
    "glossary_path": None,
    "protect_labels": ["DRUG"],
    "protect_numbers": True,
    "placeholder": "<ph_{i}>",
    "cache_size": 2048,
    "spans_key": "translation_sents",
    "reference_key": "translation",
}


@Language.factory(
    "medllm_translator",
    default_config=DEFAULT_CONFIG,
    assigns=["doc._.translation", "span._.translation", "span._.translation_span"],
    default_score_weights={"translation_bleu": 1.0, "translation_chrf": 0.0},
)
def make_translator(
    nlp: Language,
    name: str,
    model_name: Optional[str],
    src_lang: str,
    tgt_lang: str,
    src_lang_code: Optional[str],
    tgt_lang_code: Optional[str],
    prefix: str,
    beam_size: int,
    no_repeat_ngram_size: int,
    max_length: int,
    max_input_tokens: Optional[int],
    batch_size: int,
    device: str,
    local_files_only: bool,
    glossary_path: Optional[str],
    protect_labels: List[str],
    protect_numbers: bool,
    placeholder: str,
    cache_size: int,
    spans_key: str,
    reference_key: str,
) -> Translator:
    """Nothing is loaded here: the model loads on first use, in initialize(), or from a saved pipeline."""
    return Translator(
        nlp, name, model_name=model_name, src_lang=src_lang, tgt_lang=tgt_lang, src_lang_code=src_lang_code,
        tgt_lang_code=tgt_lang_code, prefix=prefix, beam_size=beam_size,
        no_repeat_ngram_size=no_repeat_ngram_size, max_length=max_length,
        max_input_tokens=max_input_tokens, batch_size=batch_size, device=device, local_files_only=local_files_only,
        glossary_path=glossary_path, protect_labels=protect_labels, protect_numbers=protect_numbers,
        placeholder=placeholder, cache_size=cache_size, spans_key=spans_key, reference_key=reference_key,
    )


@registry.misc("spacy_medllm.Glossary.v1")
def load_glossary(path: Optional[str] = None) -> Glossary:
    """A glossary from a TSV/JSON file (or an empty one), for `[initialize.components.*.glossary]`."""
    return Glossary.from_file(path) if path else Glossary()
