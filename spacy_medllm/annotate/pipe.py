"""`nlp.pipe` over notes that one bad note cannot stop."""
from __future__ import annotations

from collections import deque
from typing import Callable, Iterable, Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .notes import DEFAULT_FALLBACK_ENCODING, Note, NoteProblem, check_text, decode, pipeline_text
from .records import doc_record


def safe_pipe(
    nlp: Language,
    notes: Iterable[Note],
    *,
    batch_size: int = 64,
    n_process: int = 1,
    on_failure: Callable[[Note, Exception], None],
    on_restart: Callable[[Exception, int], None] = lambda err, n: None,
) -> Iterator[Tuple[Note, Doc]]:
    """(note, doc) in input order. The pipeline gets `pipeline_text(note.text)`.

    One `nlp.pipe(..., as_tuples=True)` runs over the whole stream. If it raises, the notes it
    had taken but not returned are run one at a time (`on_failure` gets those that still fail)
    and a fresh `nlp.pipe` takes the rest; an error with no note in flight is re-raised.
    """
    notes = iter(notes)
    in_flight: deque = deque()

    def feed():
        for note in notes:
            text, changes = pipeline_text(note.text)
            note.warnings.extend(changes)
            in_flight.append((note, text))
            yield text, note.id

    while True:
        try:
            for doc, note_id in nlp.pipe(feed(), as_tuples=True, batch_size=batch_size, n_process=n_process):
                note, _ = in_flight.popleft()
                if note.id != note_id:
                    raise RuntimeError("nlp.pipe returned notes out of order")
                yield note, doc
            return
        except Exception as err:
            if not in_flight:
                raise
            failed = list(in_flight)
            in_flight.clear()
            on_restart(err, len(failed))
            for note, text in failed:
                try:
                    doc = nlp(text)
                except Exception as note_err:
                    on_failure(note, note_err)
                    continue
                yield note, doc


def annotate_values(
    nlp: Language,
    values: Iterable,
    *,
    max_chars: int = 100_000,
    batch_size: int = 64,
    n_process: int = 1,
    entity_text: bool = False,
    spans_key: Optional[str] = None,
    decode_bytes: bool = False,
    fallback_encoding: Optional[str] = DEFAULT_FALLBACK_ENCODING,
    source: str = "dataframe",
) -> List[Tuple[Optional[dict], Optional[NoteProblem]]]:
    """(record, None) or (None, problem) for each value, in order: the code `annotate_dataframe`
    and `annotate_spark` share with `medllm annotate` (same checks, `safe_pipe`, `doc_record`).

    A value is the note's text; with `decode_bytes`, bytes (a file's content) are decoded as
    `medllm annotate` decodes files (else they are an error, not a string). Record ids are the positions as strings: the caller puts its own ids back.
    """
    values = list(values)
    nlp.max_length = max(nlp.max_length, max_chars + 1)
    results: List[Tuple[Optional[dict], Optional[NoteProblem]]] = [(None, None)] * len(values)

    def notes() -> Iterator[Note]:
        for pos, value in enumerate(values):
            try:
                encoding = None
                if decode_bytes and isinstance(value, (bytes, bytearray)):
                    if len(value) > 4 * max_chars + 4:  # no encoding takes more than 4 bytes a character
                        raise NoteProblem("too-long", f"file has {len(value):,} bytes, over --max-chars {max_chars:,}")
                    value, encoding = decode(bytes(value), fallback_encoding)
                text = check_text(value, max_chars)
            except NoteProblem as err:
                results[pos] = (None, err)
                continue
            note = Note(str(pos), text, source, row=pos, encoding=encoding)
            if encoding == fallback_encoding and encoding not in (None, "utf-8", "utf-8-sig"):
                note.warnings.append(f"not valid UTF-8: decoded as {encoding}")
            yield note

    def failed(note: Note, err: Exception) -> None:
        results[int(note.id)] = (None, NoteProblem("pipeline-error", f"the pipeline raised {type(err).__name__}"))

    for note, doc in safe_pipe(nlp, notes(), batch_size=batch_size, n_process=n_process, on_failure=failed):
        record = doc_record(doc, note, entity_text=entity_text, spans_key=spans_key)
        results[int(note.id)] = (record, None)
    return results
