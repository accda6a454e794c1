"""Everything the textcat subpackage registers with spaCy: the ``medllm_hf_textcat``,
``medllm_textcat`` and ``medllm_textcat_multilabel`` factories, their scorers, the fused
architecture, the threshold-tuning callback, and the readers (``[corpora]`` in a training config)
for CSV/JSONL classification corpora. The ``pyproject.toml`` entry points name the functions here."""
import logging
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional

import spacy.pipeline.textcat  # noqa: F401 -- registers "textcat", whose defaults medllm_textcat reuses
import spacy.pipeline.textcat_multilabel  # noqa: F401 -- likewise for medllm_textcat_multilabel
from spacy.language import Language
from spacy.scorer import Scorer
from spacy.training import Example
from spacy.util import registry
from thinc.api import Model

from ..corpora.errors import ConversionStats
from ..corpora.textcat import read_textcat_docs
from .fused import build_fused_textcat, build_fused_textcat_v2
from .hf import HFTextCategorizer
from .ngrams import build_note_ngrams_textcat, note_ngrams
from .partial import score_labelled_cats
from .thresholds import TunedMultiLabelTextCategorizer, TunedTextCategorizer

logger = logging.getLogger("spacy_medllm")

registry.architectures.register("spacy_medllm.TextCatFused.v1", func=build_fused_textcat)
registry.architectures.register("spacy_medllm.TextCatFused.v2", func=build_fused_textcat_v2)
registry.architectures.register("spacy_medllm.TextCatNoteNgrams.v1", func=build_note_ngrams_textcat)
registry.layers.register("spacy_medllm.note_ngrams.v1", func=note_ngrams)


class TextcatCorpus:
    """Examples with gold ``doc.cats``; rows skipped in a pass are reported once, by reason."""

    def __init__(self, path: Path, fmt: str, limit: int = 0, **options):
        self.path = Path(path)
        self.fmt = fmt
        self.limit = limit
        self.options = options
        self.last_stats: Optional[ConversionStats] = None

    def __call__(self, nlp: Language) -> Iterator[Example]:
        stats = ConversionStats()
        for i, ref in enumerate(read_textcat_docs(self.path, nlp, stats, fmt=self.fmt, **self.options)):
            if self.limit and i >= self.limit:
                break
            yield Example(nlp.make_doc(ref.text), ref)
        self.last_stats = stats
        if stats.n_skipped:
            logger.warning("%s: skipped %d rows (%s)", self.path, stats.n_skipped,
                           ", ".join(f"{n} {r}" for r, n in sorted(stats.skipped.items())))


def _reader(fmt, path, text_column, label_columns, labels, multi_label, label_separator, skip_invalid, limit):
    return TextcatCorpus(
        path, fmt, limit, text_column=text_column, label_columns=label_columns, labels=labels,
        multi_label=multi_label, label_separator=label_separator, skip_invalid=skip_invalid,
    )


@registry.readers("spacy_medllm.TextcatCsvReader.v1")
def textcat_csv_reader(
    path: Path, text_column: str = "text", label_columns: List[str] = ["label"], labels: Optional[List[str]] = None,
    multi_label: bool = False, label_separator: Optional[str] = None, skip_invalid: bool = False, limit: int = 0,
) -> Callable[[Language], Iterable[Example]]:
    return _reader("csv", path, text_column, label_columns, labels, multi_label, label_separator, skip_invalid, limit)


@registry.readers("spacy_medllm.TextcatJsonlReader.v1")
def textcat_jsonl_reader(
    path: Path, text_column: str = "text", label_columns: List[str] = ["label"], labels: Optional[List[str]] = None,
    multi_label: bool = False, label_separator: Optional[str] = None, skip_invalid: bool = False, limit: int = 0,
) -> Callable[[Language], Iterable[Example]]:
    return _reader("jsonl", path, text_column, label_columns, labels, multi_label, label_separator, skip_invalid, limit)


def _score_cats(examples, **kwargs):
    return Scorer.score_cats(examples, "cats", **kwargs)


@registry.scorers("spacy_medllm.hf_textcat_scorer.v1")
def make_hf_textcat_scorer() -> Callable:
    """spaCy's ``Scorer.score_cats`` on ``doc.cats``; the component passes labels,
    multi_label and threshold."""
    return _score_cats

# ``model`` has no default: it names the checkpoint (hub name or local directory).
DEFAULT_HF_TEXTCAT_CONFIG = {
    "label_map": {},
    "multi_label": None,
    "threshold": 0.5,
    "max_length": 512,
    "stride": 128,
    "aggregate": "mean",
    "batch_size": 8,
    "local_files_only": True,
    "scorer": {"@scorers": "spacy_medllm.hf_textcat_scorer.v1"},
}


@Language.factory(
    "medllm_hf_textcat",
    assigns=["doc.cats"],
    default_config=DEFAULT_HF_TEXTCAT_CONFIG,
    default_score_weights={"cats_score": 1.0, "cats_macro_f": None, "cats_micro_f": None},
)
def make_hf_textcat(
    nlp: Language,
    name: str,
    model: str,
    label_map: Dict[str, str],
    multi_label: Optional[bool],
    threshold: float,
    max_length: int,
    stride: int,
    aggregate: str,
    batch_size: int,
    local_files_only: bool,
    scorer: Optional[Callable],
) -> HFTextCategorizer:
    """``model`` is a checkpoint name or directory; ``label_map`` renames its id2label labels;
    ``multi_label=None`` follows the checkpoint's ``problem_type``."""
    return HFTextCategorizer(
        nlp, name, model=model, label_map=label_map, multi_label=multi_label, threshold=threshold,
        max_length=max_length, stride=stride, aggregate=aggregate, batch_size=batch_size,
        local_files_only=local_files_only, scorer=scorer,
    )


@registry.scorers("spacy_medllm.textcat_scorer.v1")
def make_labelled_textcat_scorer() -> Callable:
    """``spacy.textcat_scorer.v2`` restricted to docs that have a reference class."""
    return score_labelled_cats


# spaCy's own textcat defaults (model, threshold, score weights); only the scorer differs.
_TEXTCAT_META = Language.get_factory_meta("textcat")
DEFAULT_PARTIAL_TEXTCAT_CONFIG = {
    **{k: v for k, v in _TEXTCAT_META.default_config.items() if k in ("threshold", "model")},
    "scorer": {"@scorers": "spacy_medllm.textcat_scorer.v1"},
    "loss": "mse",
}


@Language.factory(
    "medllm_textcat",
    assigns=["doc.cats"],
    default_config=DEFAULT_PARTIAL_TEXTCAT_CONFIG,
    default_score_weights=dict(_TEXTCAT_META.default_score_weights),
)
def make_partial_textcat(
    nlp: Language, name: str, model: Model, threshold: float, scorer: Optional[Callable], loss: str = "mse",
) -> TunedTextCategorizer:
    """Exclusive ``textcat`` that skips notes without a class, for training on a mix of
    classified notes and entity-only corpora in one pipeline; per-label offsets once tuned;
    ``loss`` "mse" (spaCy's) or "cross_entropy" (thresholds.py)."""
    pipe = TunedTextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)
    pipe.set_loss(loss)
    return pipe


_MULTILABEL_META = Language.get_factory_meta("textcat_multilabel")


@Language.factory(
    "medllm_textcat_multilabel",
    assigns=["doc.cats"],
    default_config={**_MULTILABEL_META.default_config, "loss": "mse"},
    default_score_weights=dict(_MULTILABEL_META.default_score_weights),
)
def make_tuned_multilabel_textcat(
    nlp: Language, name: str, model: Model, threshold: float, scorer: Optional[Callable], loss: str = "mse",
) -> TunedMultiLabelTextCategorizer:
    """spaCy's ``textcat_multilabel`` whose per-label thresholds, once tuned, are saved with it
    and applied to ``doc.cats``; ``loss`` "mse" (spaCy's) or "cross_entropy" (thresholds.py)."""
    pipe = TunedMultiLabelTextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)
    pipe.set_loss(loss)
    return pipe


@registry.callbacks("spacy_medllm.tune_thresholds.v1")
def make_tune_thresholds_callback(
    path: Path, components: Optional[List[str]] = None, batch_size: int = 16, limit: int = 0,
) -> Callable[[Language], Language]:
    """A ``[training.before_to_disk]`` callback: before each checkpoint is saved, tune the
    thresholds of the medllm textcat components on the labelled corpus at ``path`` (a .spacy
    file, e.g. the whole-note dev split), so model-best is saved with them. The dev scores logged
    during training after the first checkpoint use the previous checkpoint's thresholds."""
    from spacy.tokens import DocBin

    from .thresholds import tune_pipeline

    def before_to_disk(nlp: Language) -> Language:
        refs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        refs = refs[:limit] if limit else refs
        tuned = tune_pipeline(nlp, [Example(nlp.make_doc(r.text), r) for r in refs], components, batch_size)
        logger.info("tuned thresholds on %s: %s", path, {k: len(v) for k, v in tuned.items()})
        return nlp

    return before_to_disk
