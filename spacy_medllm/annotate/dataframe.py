"""pandas in, pandas out: the same records as `medllm annotate`, one row per entity or per note."""
from __future__ import annotations

from typing import Optional

from spacy.language import Language

from .pipe import annotate_values
from .records import FLAGS, record_entities

LEVELS = ("entity", "note")


def annotate_dataframe(
    df,
    text_column: str,
    nlp: Language,
    *,
    level: str = "entity",
    id_column: Optional[str] = None,
    batch_size: int = 64,
    n_process: int = 1,
    max_chars: int = 100_000,
    entity_text: bool = True,
    spans_key: Optional[str] = None,
):
    """Annotate `df[text_column]`; returns a new DataFrame.

    level="entity": one row per entity (id, start, end, label, [text], assertion, flags, layer).
    level="note": one row per input row (id, n_entities, entities, cats, [translation]).
    A row that cannot be annotated (None, NaN, not a string, empty, too long, or the pipeline
    failed) is never dropped: it gets a row with `error` set, and `result.attrs` counts them
    ("n_notes", "n_errors", "errors").
    """
    import pandas as pd

    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r} in the DataFrame")
    if id_column is not None and id_column not in df.columns:
        raise KeyError(f"no column {id_column!r} in the DataFrame")
    ids = list(df[id_column]) if id_column else list(df.index)
    results = annotate_values(nlp, df[text_column], max_chars=max_chars, batch_size=batch_size, n_process=n_process,
                              entity_text=entity_text, spans_key=spans_key)
    errors = {pos: problem.reason for pos, (_, problem) in enumerate(results) if problem is not None}
    id_name = id_column or "id"
    rows = []
    for pos, (record, _) in enumerate(results):
        error = errors.get(pos)
        if level == "note":
            row = {id_name: ids[pos], "error": error}
            if record is not None:
                row.update(n_entities=len(record["entities"]), entities=record["entities"], cats=record["cats"])
                if spans_key is not None:
                    row["spans"] = record["spans"][spans_key]
                if "translation" in record:
                    row["translation"] = record["translation"]
            rows.append(row)
        elif record is None:
            rows.append({id_name: ids[pos], "error": error})
        else:
            rows.extend({id_name: ids[pos], "error": None, **ent} for ent in record_entities(record))
    columns = [id_name, "error"]
    if level == "entity":
        columns += ["layer", "start", "end", "label"] + (["text"] if entity_text else []) + ["assertion", *FLAGS]
    else:
        columns += ["n_entities", "entities", "cats"] + (["spans"] if spans_key else [])
    out = pd.DataFrame(rows)
    for col in columns:
        if col not in out.columns:
            out[col] = None
    out = out[[c for c in columns if c in out.columns] + [c for c in out.columns if c not in columns]]
    if level == "note":
        out["n_entities"] = out["n_entities"].astype("Int64")
    else:
        for col in ("start", "end"):
            out[col] = out[col].astype("Int64")
    out.attrs.update(n_notes=len(df), n_errors=len(errors),
                     errors=[{id_name: ids[pos], "row": pos, "reason": reason} for pos, reason in sorted(errors.items())])
    return out
