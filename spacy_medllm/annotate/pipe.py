"""`nlp.pipe` over notes that one bad note cannot stop."""
from __future__ import annotations

from collections import deque
from typing import Callable, Iterable, Iterator, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from .notes import Note, pipeline_text


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
