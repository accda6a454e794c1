"""Benchmarks of a translation pipeline: BLEU/chrF vs copying the source, and protected-item survival."""
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from ..corpora.errors import CorpusFormatError
from ..corpora.jsonl import iter_json_lines
from .metrics import corpus_scores
from .protect import find_protected


def translate_sentences(nlp, sentences: Sequence[str], batch_size: int = 64) -> List[str]:
    """Each input is one sentence: set it as a single sentence so the fallback sentencizer cannot split it."""
    docs = []
    for text in sentences:
        doc = nlp.make_doc(text)
        for i, tok in enumerate(doc):
            tok.is_sent_start = i == 0
        docs.append(doc)
    return [d._.translation for d in nlp.pipe(docs, batch_size=batch_size)]


def bleu_report(nlp, pairs: Sequence[Tuple[str, str]], name: str = "translator") -> Dict:
    srcs, refs = [s for s, _ in pairs], [t for _, t in pairs]
    translator = nlp.get_pipe("medllm_translator")
    translator.cache.clear()
    start = time.time()
    hyps = translate_sentences(nlp, srcs)
    seconds = time.time() - start
    return {
        name: corpus_scores(hyps, refs),
        "copy_source": corpus_scores(srcs, refs),
        "sentences": len(pairs),
        "seconds": seconds,
        "placeholder_stats": dict(translator.stats),
    }, hyps


def protection_report(nlp, records: Sequence[Dict]) -> Dict:
    """Share of protected items (numbers/doses/dates, glossary terms, DRUG entities) found verbatim in the output.

    `records`: {"text": str, "drugs": [names]} (drugs optional); each sentence is one doc.
    """

    translator = nlp.get_pipe("medllm_translator")
    translator.cache.clear()
    before = dict(translator.stats)
    docs = []
    for rec in records:
        doc = nlp.make_doc(rec["text"])
        for i, tok in enumerate(doc):
            tok.is_sent_start = i == 0
        ents = []
        for name in rec.get("drugs", []):
            i = rec["text"].find(name)
            span = doc.char_span(i, i + len(name), label="DRUG") if i >= 0 else None
            if span is None:
                raise ValueError(f"drug '{name}' is not a token-aligned substring of its sentence")
            ents.append(span)
        doc.ents = ents
        docs.append(doc)
    by_kind: Dict[str, List[int]] = {}
    failures = 0
    for doc in nlp.pipe(docs, batch_size=64):
        expected = _expected_items(doc, translator)
        for kind, target in expected:
            ok = doc._.translation.count(target) >= sum(1 for k, t in expected if t == target)
            by_kind.setdefault(kind, [0, 0])
            by_kind[kind][0] += int(ok)
            by_kind[kind][1] += 1
            failures += int(not ok)
    total = sum(v[1] for v in by_kind.values())
    kept = sum(v[0] for v in by_kind.values())
    stats = {k: translator.stats[k] - before.get(k, 0) for k in translator.stats}
    return {
        "items": total, "exact_in_output": kept, "share": kept / total if total else None,
        "by_kind": {k: {"items": v[1], "exact": v[0], "share": v[0] / v[1]} for k, v in sorted(by_kind.items())},
        "placeholder_stats": stats,
        "placeholders_dropped_or_garbled_rate": stats["missing"] / stats["placeholders"] if stats["placeholders"] else None,
        "sentences_recovered_by_fallback": stats["fallback_sentences"],
        "sentences": len(docs),
    }


def _expected_items(doc, translator) -> List[Tuple[str, str]]:
    """What the component promised to protect, recomputed independently of its own bookkeeping."""
    items = []
    for ent in doc.ents:
        if ent.label_ in translator.protect_labels:
            items.append((f"entity:{ent.label_}", ent.text))
    taken = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in translator.protect_labels]
    for s, e, tgt in translator.glossary.find(doc.text):
        if not any(s < b and a < e for a, b in taken):
            items.append(("glossary", tgt))
            taken.append((s, e))
    if translator.protect_numbers:
        for s, e in find_protected(doc.text):
            if not any(s < b and a < e for a, b in taken):
                items.append(("number", doc.text[s:e]))
    return items


def read_records(path: Path) -> List[Dict]:
    out = []
    for i, rec in iter_json_lines(Path(path)):
        if "text" not in rec and "src" not in rec:
            raise CorpusFormatError(path, i, "expected a 'text' or 'src' field")
        out.append({"text": rec.get("text", rec.get("src")), "drugs": rec.get("drugs", [])})
    return out
