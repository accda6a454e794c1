"""spaCy readers (``[corpora]`` in a training config) over the project's formats."""

import logging
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from .errors import ConversionStats
from .readers import read_docs

logger = logging.getLogger("spacy_medllm")


class MedllmCorpus:
    """Examples read straight from a source file, skipped spans reported once per pass."""

    def __init__(self, path: Path, fmt: str, limit: int = 0, **options):
        self.path = Path(path)
        self.fmt = fmt
        self.limit = limit
        self.options = options

    def __call__(self, nlp: Language) -> Iterator[Example]:
        stats = ConversionStats()
        for i, ref in enumerate(read_docs(self.path, self.fmt, nlp, stats, **self.options)):
            if self.limit and i >= self.limit:
                break
            yield Example(nlp.make_doc(ref.text), ref)
        if stats.n_skipped:
            logger.warning("%s: %s", self.path, stats.summary())


@registry.readers("spacy_medllm.ConllReader.v1")
def conll_reader(path: Path, n_sents: int = 1, limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    return MedllmCorpus(path, "conll", limit, n_sents=n_sents)


@registry.readers("spacy_medllm.PubTatorReader.v1")
def pubtator_reader(
    path: Path, label_map: Optional[Dict[str, str]] = None, alignment_mode: str = "strict", limit: int = 0
) -> Callable[[Language], Iterable[Example]]:
    return MedllmCorpus(path, "pubtator", limit, label_map=label_map, alignment_mode=alignment_mode)


@registry.readers("spacy_medllm.BratReader.v1")
def brat_reader(path: Path, alignment_mode: str = "strict", limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    return MedllmCorpus(path, "brat", limit, alignment_mode=alignment_mode)


@registry.readers("spacy_medllm.I2b2Reader.v1")
def i2b2_reader(path: Path, alignment_mode: str = "strict", limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    return MedllmCorpus(path, "i2b2", limit, alignment_mode=alignment_mode)


@registry.readers("spacy_medllm.JsonlReader.v1")
def jsonl_reader(path: Path, alignment_mode: str = "strict", limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    return MedllmCorpus(path, "jsonl", limit, alignment_mode=alignment_mode)


class GoldEntitiesCorpus:
    """A ``.spacy`` corpus whose predicted docs carry the reference entities (and span group), and
    its sentence boundaries where it has them.

    For training and evaluating assertion on its own: the entities are given, as in the i2b2
    assertion task and the NegEx evaluation, so the score is not mixed with NER errors.
    """

    def __init__(self, path: Optional[Path], spans_key: Optional[str] = None, limit: int = 0):
        from spacy.training import Corpus

        if path is None:
            raise ValueError("GoldEntitiesCorpus: no path given (set [paths.train] / [paths.dev])")
        self.corpus = Corpus(path, limit=limit)
        self.spans_key = spans_key

    def __call__(self, nlp: Language) -> Iterator[Example]:
        for eg in self.corpus(nlp):
            pred, ref = eg.predicted, eg.reference
            ents = [pred.char_span(e.start_char, e.end_char, label=e.label_, alignment_mode="expand") for e in ref.ents]
            pred.ents = [e for e in ents if e is not None]
            _copy_sentences(ref, pred)
            if self.spans_key and self.spans_key in ref.spans:
                group = [pred.char_span(s.start_char, s.end_char, label=s.label_, alignment_mode="expand")
                         for s in ref.spans[self.spans_key]]
                pred.spans[self.spans_key] = [s for s in group if s is not None]
            yield eg


def _copy_sentences(ref: Doc, pred: Doc) -> None:
    """The reference's sentence boundaries, where it has them: the unit a finding is judged in is
    part of the given input, as in the NegEx rows (a row is one unit, whatever it holds)."""
    if not ref.has_annotation("SENT_START"):
        return
    starts = {t.idx for t in ref if t.is_sent_start}
    for token in pred:
        token.is_sent_start = token.i == 0 or token.idx in starts


@registry.readers("spacy_medllm.GoldEntitiesCorpus.v1")
def gold_entities_corpus(
    path: Optional[Path], spans_key: Optional[str] = None, limit: int = 0
) -> Callable[[Language], Iterable[Example]]:
    if path is None:  # filled in later by --paths.train; validation builds the reader early
        return lambda nlp: iter(())
    return GoldEntitiesCorpus(path, spans_key, limit)
