"""PubTator files: title and abstract lines with tab-separated character-offset mentions."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterator, List, Optional

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ConversionStats, CorpusFormatError
from .spans import set_char_spans


def read_pubtator(
    path: Path,
    nlp: Language,
    stats: ConversionStats,
    *,
    label_map: Optional[Dict[str, str]] = None,
    alignment_mode: str = "strict",
) -> Iterator[Doc]:
    """Text is ``title + " " + abstract``, the offset convention of PubTator.

    Relation lines (``PMID<TAB>CID<TAB>...``) are counted, not used. ``label_map`` maps
    source types to labels (NCBI's SpecificDisease, DiseaseClass... to Disease); a type
    mapped to an empty string is skipped and counted.
    """
    doc_id: Optional[str] = None
    title = abstract = None
    mentions: List[tuple] = []

    def flush() -> Optional[Doc]:
        nonlocal doc_id, title, abstract, mentions
        if doc_id is None:
            return None
        text = (title or "") + " " + (abstract or "") if abstract is not None else (title or "")
        for lineno, start, end, mention, _ in mentions:
            if end > len(text) or text[start:end] != mention:
                raise CorpusFormatError(
                    path, lineno,
                    f"mention offsets {start}-{end} do not match the mention text in document {doc_id}",
                )
        doc = nlp.make_doc(text)
        doc.user_data["id"] = doc_id
        spans = []
        for lineno, start, end, mention, label in mentions:
            if label_map is not None:
                label = label_map.get(label, label)
            if not label:
                stats.skip("label mapped to nothing")
                continue
            spans.append((start, end, label, None))
        set_char_spans(doc, spans, stats, alignment_mode)
        stats.docs += 1
        doc_id, title, abstract, mentions = None, None, None, []
        return doc

    with open(path, encoding="utf8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                doc = flush()
                if doc is not None:
                    yield doc
                continue
            if "|t|" in line[:40] or "|a|" in line[:40]:
                pmid, kind, text = line.split("|", 2)
                if doc_id is not None and pmid != doc_id:
                    doc = flush()
                    if doc is not None:
                        yield doc
                doc_id = pmid
                if kind == "t":
                    title = text
                else:
                    abstract = text
                continue
            cols = line.split("\t")
            if doc_id is None:
                raise CorpusFormatError(path, lineno, "annotation line before any title line")
            if cols[0] != doc_id:
                raise CorpusFormatError(
                    path, lineno, f"annotation for document {cols[0]} inside document {doc_id}"
                )
            if len(cols) >= 2 and not cols[1].isdigit():
                stats.skip("relation line (not an entity)")
                continue
            if len(cols) < 5:
                raise CorpusFormatError(
                    path, lineno,
                    f"expected PMID, start, end, mention, type (5+ tab-separated columns), found {len(cols)}",
                )
            try:
                start, end = int(cols[1]), int(cols[2])
            except ValueError:
                raise CorpusFormatError(path, lineno, "start and end offsets must be integers") from None
            if start >= end:
                raise CorpusFormatError(path, lineno, f"start {start} is not before end {end}")
            mentions.append((lineno, start, end, cols[3], cols[4]))
    doc = flush()
    if doc is not None:
        yield doc
