"""The batch loop behind `medllm annotate`: read, skip what is done, pipe, write per batch.

One `nlp.pipe(..., as_tuples=True)` runs over the whole stream (so `--n-process` workers start
once). If the pipeline raises on some note, the notes it had taken but not returned are run one
by one, the failing ones go to the errors file, and a fresh `nlp.pipe` takes the rest.
"""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Union

from spacy.language import Language

from .notes import Note, NoteError, Skipped
from .pipe import safe_pipe
from .records import doc_record
from .sources import NoteReader
from .writers import ErrorLog, default_errors_path, make_writer, output_format


@dataclass
class Summary:
    output: str
    format: str
    errors_file: str
    processed: int = 0
    entities: int = 0
    phi: int = 0
    words: int = 0
    chars: int = 0
    errors: int = 0
    errors_by_kind: Dict[str, int] = field(default_factory=dict)
    errors_written: int = 0
    skipped: Dict[str, int] = field(default_factory=dict)
    fallback_decoded: int = 0
    repaired: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    notes_per_second: float = 0.0
    words_per_second: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> List[str]:
        phi = f", {self.phi:,} PHI spans replaced" if self.phi else ""
        out = [f"processed {self.processed:,} notes ({self.entities:,} entities{phi}, {self.words:,} words) -> {self.output}"]
        if self.skipped:
            out.append("skipped " + "; ".join(f"{n:,} {reason}" for reason, n in sorted(self.skipped.items())))
        if self.errors:
            kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(self.errors_by_kind.items()))
            out.append(f"errors {self.errors:,} ({kinds}) -> {self.errors_file}"
                       + (f" ({self.errors_written:,} new)" if self.errors_written != self.errors else ""))
        else:
            out.append("errors 0")
        if self.fallback_decoded:
            out.append(f"{self.fallback_decoded:,} notes were not valid UTF-8 and were decoded with the fallback encoding (flagged in their records)")
        if self.repaired:
            out.append(f"resume: {self.repaired}")
        out.append(f"time {self.seconds:.1f} s, {self.notes_per_second:,.1f} notes/s, {self.words_per_second:,.0f} words/s")
        return out


def _threads_for_workers(n_process: int) -> Optional[int]:
    """Give each worker its share of the cores instead of every worker taking all of them."""
    if n_process <= 1 or "torch" not in sys.modules:
        return None
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // n_process))
    return before


def annotate(
    nlp: Language,
    inputs: Iterable[Union[str, Path]],
    output: Union[str, Path],
    *,
    fmt: Optional[str] = None,
    errors_path: Optional[Union[str, Path]] = None,
    reader: Optional[NoteReader] = None,
    n_process: int = 1,
    batch_size: int = 64,
    resume: bool = False,
    overwrite: bool = False,
    entity_text: bool = False,
    spans_key: Optional[str] = None,
    progress: bool = True,
    show_text: bool = False,
    log: Optional[Callable[[str], None]] = None,
    deid: bool = False,
) -> Summary:
    """Annotate every note in `inputs` with `nlp` into `output`; see `medllm annotate --help`.

    With `deid`, each record holds the de-identified text (from `medllm_deid`) and its offsets
    refer to that text (see `spacy_medllm.deid.records`).
    """
    from tqdm import tqdm

    log = log or (lambda msg: print(msg, file=sys.stderr))
    inputs = [Path(p) for p in inputs]
    output = Path(output)
    reader = reader or NoteReader()
    fmt = output_format(output, fmt)
    errors_path = Path(errors_path) if errors_path else default_errors_path(output)
    writer = make_writer(output, fmt, entity_text=entity_text)
    done = writer.open(resume=resume, overwrite=overwrite)
    errlog = ErrorLog(errors_path)
    errlog.open(resume=resume)
    summary = Summary(str(output), fmt, str(errors_path), repaired=writer.repair_note)
    if writer.repair_note:
        log(f"{output}: {writer.repair_note}")
    if done:
        log(f"{output}: resuming, {len(done):,} notes already done")
    nlp.max_length = max(nlp.max_length, reader.max_chars + 1)
    skipped: Counter = Counter()
    error_kinds: Counter = Counter()
    shown_errors = [0]
    out_buf: List = []
    err_buf: List[dict] = []
    bar = tqdm(total=reader.count(inputs), unit="note", disable=not progress, dynamic_ncols=True,
               smoothing=0.1, file=sys.stderr)
    start, cpu_start = time.perf_counter(), time.process_time()

    def flush() -> None:
        if out_buf:
            writer.write_batch(out_buf)
            out_buf.clear()
        if err_buf:
            errlog.write_batch(err_buf)
            err_buf.clear()

    def record_error(error: NoteError, detail: str = "") -> None:
        error_kinds[error.kind] += 1
        err_buf.append(error.to_dict())
        if shown_errors[0] < 10:
            where = error.source + (f":{error.line}" if error.line else "")
            log(f"error: {where} (id {error.id}): {error.reason}" + (f" [{detail}]" if detail and show_text else ""))
        elif shown_errors[0] == 10:
            log(f"more errors: see {errors_path}")
        shown_errors[0] += 1
        bar.update(1)
        if len(err_buf) >= batch_size:
            flush()

    def pending() -> Iterator[Note]:
        seen = set()
        for item in reader.read(inputs):
            if isinstance(item, Skipped):
                skipped[item.reason] += 1
                continue
            if isinstance(item, NoteError):
                record_error(item)
                continue
            if item.id in seen:
                record_error(NoteError(item.id, item.source, "duplicate-id",
                                       "id already used by an earlier note of this run", line=item.line, row=item.row))
                continue
            seen.add(item.id)
            if item.id in done:
                skipped["already in the output (resume)"] += 1
                bar.update(1)
                continue
            yield item

    def emit(note: Note, doc) -> None:
        record = doc_record(doc, note, entity_text=entity_text and not deid, spans_key=spans_key)
        summary.words += note.n_words
        summary.chars += len(note.text)
        if note.encoding not in ("utf-8", "utf-8-sig", "utf-16"):
            summary.fallback_decoded += 1
        if deid:
            from ..deid.records import deid_record

            note, record = deid_record(doc, note, record, entity_text=entity_text)
            summary.phi += len(record["spans"]["phi"])
        out_buf.append((note, record))
        summary.processed += 1
        summary.entities += len(record["entities"])
        bar.update(1)
        if len(out_buf) >= batch_size:
            flush()
            elapsed = time.perf_counter() - start
            bar.set_postfix_str(f"{summary.words / max(elapsed, 1e-9):,.0f} words/s", refresh=False)

    def failed(note: Note, err: Exception) -> None:
        record_error(NoteError(note.id, note.source, "pipeline-error", f"the pipeline raised {type(err).__name__}",
                               line=note.line, row=note.row), detail=str(err)[:300])

    def restart(err: Exception, n: int) -> None:
        log(f"the pipeline raised {type(err).__name__}; running {n} notes one by one to find the cause")

    threads_before = _threads_for_workers(n_process)
    try:
        for note, doc in safe_pipe(nlp, pending(), batch_size=batch_size, n_process=n_process,
                                   on_failure=failed, on_restart=restart):
            emit(note, doc)
        flush()
    finally:  # no flush here: a batch half-written by a failing write must not be written twice
        writer.close()
        errlog.close()
        bar.close()
        if threads_before is not None:
            import torch

            torch.set_num_threads(threads_before)
    summary.seconds = time.perf_counter() - start
    summary.cpu_seconds = time.process_time() - cpu_start  # this process only, not --n-process workers
    summary.skipped = dict(skipped)
    summary.errors = sum(error_kinds.values())
    summary.errors_by_kind = dict(error_kinds)
    summary.errors_written = errlog.written
    summary.notes_per_second = summary.processed / max(summary.seconds, 1e-9)
    summary.words_per_second = summary.words / max(summary.seconds, 1e-9)
    return summary
