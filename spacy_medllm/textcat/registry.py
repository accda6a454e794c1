"""spaCy readers (``[corpora]`` in a training config) for CSV/JSONL classification corpora."""
import logging
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Optional

from spacy.language import Language
from spacy.training import Example
from spacy.util import registry

from ..corpora.errors import ConversionStats
from .readers import read_textcat_docs

logger = logging.getLogger("spacy_medllm")


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
