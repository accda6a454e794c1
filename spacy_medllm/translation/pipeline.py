"""A spaCy pipeline around a translation checkpoint: what `medllm translate-pipeline` writes."""
from typing import Optional, Sequence


def build_pipeline(model_dir: str, *, glossary: Optional[str] = None, beam_size: int = 1, lang: str = "en",
                   protect_labels: Sequence[str] = ("DRUG",), batch_size: int = 16, **cfg):
    """A blank pipeline holding only medllm_translator, with the model loaded (so to_disk stores it)."""
    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe("medllm_translator", config={"model_name": str(model_dir), "glossary_path": glossary,
                                              "beam_size": beam_size, "protect_labels": list(protect_labels),
                                              "batch_size": batch_size, **cfg})
    nlp.initialize()
    return nlp
