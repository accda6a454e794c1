"""De-identification benchmark: medllm_deid against Presidio (patterns), philter-lite and scrubadub.

Recall: share of gold PHI spans fully covered by the union of a system's spans (any label: a
de-identifier must remove PHI, whatever it calls it). Precision: share of a system's spans that
overlap gold PHI (spans over non-PHI gold types, such as Presidio's ORGANIZATION or an age under
90, count neither way). Flagged: share of PHI-free texts where the system finds anything.
Intact: share of clinical entities (NegEx dev conditions, the sample notes' PROBLEM/TEST/TREATMENT,
the MACCROBAT dev case reports' PROBLEM/TEST/TREATMENT) that no system span touches. Data: the synthetic held-out notes (``spacy_medllm.deid.synth``,
test split) and a seeded split of presidio_synth_v2 (the part no model trains on).

Usage: python -m benchmarks.deid [--systems medllm,presidio,philter,scrubadub] [--output benchmarks/results/deid_rules.json]
       python -m benchmarks.deid --probe address|phone|name|town [--model M] --output F  (every faker locale's shapes)
       python -m benchmarks.deid --model M --split dev --thresholds 0.2,0.3,0.5 --output F  (the head's threshold)
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PRESIDIO = Path("/work/shared/data/presidio_synth_v2/synth_dataset_v2.json")
NEGEX = Path("/work/shared/data/negex/negex_dev.tsv")
MACCROBAT_DEV = ROOT / "corpus" / "maccrobat" / "dev.spacy"
COMMON_TYPES = ["PERSON", "STREET_ADDRESS", "DATE_TIME", "PHONE_NUMBER", "EMAIL_ADDRESS", "US_SSN", "IP_ADDRESS",
                "CREDIT_CARD", "DOMAIN_NAME"]
Span = Tuple[int, int]


def presidio_split(seed: int = 0, path: Path = PRESIDIO) -> Dict[str, List[dict]]:
    from spacy_medllm.deid.corpus import presidio_split as split

    return split(path, seed)


def synth_split(split: str = "test", n: int = 2000, seed: int = 0) -> List[dict]:
    from spacy_medllm.deid.synth import split_records

    return split_records(split, n, seed)


def negex_conditions(path: Path = NEGEX) -> List[Tuple[str, Span]]:
    out = []
    with open(path, encoding="utf8") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        for row in reader:
            if len(row) < 3:
                continue
            cond, sent = row[1].strip(), row[2]
            i = sent.lower().find(cond.lower())
            if i >= 0:
                out.append((sent, (i, i + len(cond))))
    return out


def sample_entities() -> List[Tuple[str, List[Span]]]:
    out = []
    for split in ("dev", "test"):
        for line in (ROOT / "assets" / "sample" / f"{split}.jsonl").read_text(encoding="utf8").splitlines():
            rec = json.loads(line)
            out.append((rec["text"], [(s["start"], s["end"]) for s in rec["spans"] if s["label"] in ("PROBLEM", "TEST", "TREATMENT")]))
    return out


def maccrobat_entities(path: Path = MACCROBAT_DEV) -> List[Tuple[str, List[Span]]]:
    """The entities of the MACCROBAT case reports held out of the clinical corpus, and so of the
    name lists built from it (``spacy project run maccrobat-corpus`` writes them): real clinical
    text that the known words were not read from. Empty when the file is missing."""
    if not path.exists():
        return []
    import spacy
    from spacy.tokens import DocBin

    docs = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
    return [(d.text, [(e.start_char, e.end_char) for e in d.ents if e.label_ in ("PROBLEM", "TEST", "TREATMENT")]) for d in docs]


# ---- systems: text -> list of (start, end) spans ------------------------------------------------

def medllm_pipeline(model: Optional[str] = None, threshold: Optional[float] = None):
    """The pipeline scored as 'medllm': ``model`` with today's rules (or a blank pipeline with
    ``medllm_deid``), its head's spans kept from ``threshold`` on when given."""
    import spacy

    if model:
        nlp = spacy.load(model)
        if "medllm_deid" not in nlp.pipe_names:
            nlp.add_pipe("medllm_deid")
        else:  # a trained pipeline saved the rules of its day: compare rules and rules + head on today's
            from spacy_medllm.deid.rules import default_rules

            deid = nlp.get_pipe("medllm_deid")
            deid.clear_rules()
            deid.add_rules(default_rules())
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("medllm_deid")
    if threshold is not None:  # the head's spans kept from this score on
        from spacy_medllm.deid.head_training import HEAD, join_rules

        if HEAD not in nlp.pipe_names:
            raise SystemExit(f"--threshold: the pipeline has no {HEAD} (pipes: {', '.join(nlp.pipe_names)})")
        join_rules(nlp, threshold)
    return nlp


def medllm_system(model: Optional[str] = None, threshold: Optional[float] = None) -> Callable[[List[str]], List[List[Span]]]:
    nlp = medllm_pipeline(model, threshold)

    def run(texts: List[str]) -> List[List[Span]]:
        return [[(r[0], r[1]) for r in doc._.deid_map.replacements] for doc in nlp.pipe(texts, batch_size=32)]

    return run


def threshold_sweep(model: str, thresholds: List[float], split: str = "dev", synth_n: int = 2000) -> dict:
    """medllm_deid's threshold on the head's scores, swept on one encoder pass: every text goes
    through the pipeline once with the head keeping every span down to the lowest threshold, and
    ``medllm_deid`` is rerun on the same docs at each threshold (it reads the head's spans and
    rewrites only its own). Recall and precision on the synthetic and presidio splits and the
    clinical entities left intact, per threshold: the numbers a threshold is chosen by, on dev."""
    nlp = medllm_pipeline(model, min(thresholds))
    names = [name for name, pipe in nlp.pipeline if pipe.__class__.__name__ == "Deidentifier"]
    deid = nlp.get_pipe(names[0])
    sets = {"synth": synth_split(split, synth_n), "presidio": presidio_split()[split]}
    intact = {"negex_conditions": [(t, [s]) for t, s in negex_conditions()], "sample_entities": sample_entities(),
              "maccrobat_dev_entities": maccrobat_entities()}
    docs = {key: list(nlp.pipe([r["text"] for r in records], batch_size=32, disable=names))
            for key, records in sets.items()}
    docs.update({key: list(nlp.pipe([t for t, _ in items], batch_size=32, disable=names))
                 for key, items in intact.items() if items})
    out = {}
    for threshold in sorted(thresholds):
        deid.cfg["threshold"] = threshold
        preds = {key: [[(r[0], r[1]) for r in deid(doc)._.deid_map.replacements] for doc in group]
                 for key, group in docs.items()}
        row = {key: score_phi(records, preds[key]) for key, records in sets.items()}
        row.update({key: score_intact(items, preds[key]) for key, items in intact.items() if items})
        out[str(threshold)] = row
        print(threshold, json.dumps({k: {m: v.get(m) for m in ("recall", "precision", "recall_common_types", "intact")
                                         if m in v} for k, v in row.items()}), file=sys.stderr)
    return {"split": split, "model": model, "thresholds": out}


def presidio_system() -> Callable[[List[str]], List[List[Span]]]:
    """Presidio Analyzer with its pattern recognizers only, on a blank spaCy pipeline (no model download)."""
    import tempfile

    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankEngine(SpacyNlpEngine):
        def load(self):
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=engine)
    for rec in list(registry.recognizers):
        if rec.__class__.__name__ in ("SpacyRecognizer", "TransformersRecognizer", "StanzaRecognizer"):
            registry.remove_recognizer(rec.name)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])
    del tempfile

    def run(texts):
        return [[(r.start, r.end) for r in analyzer.analyze(text=t, language="en")] for t in texts]

    return run


def philter_system() -> Callable[[List[str]], List[List[Span]]]:
    """philter-lite with its packaged filters. Its POS filters need NLTK's tagger data, which cannot be
    downloaded here: a shape tagger stands in (capitalized -> NNP, digits -> CD, else NN)."""
    import os
    import re

    import philter_lite
    from philter_lite import philter as ph
    from philter_lite.coordinate_map import PUNCTUATION_MATCHER

    def pos(text):
        words = ph._get_clean(text)
        return [(w, "CD" if re.fullmatch(r"\d+", w) else "NNP" if w[:1].isupper() else "NN") for w in words]

    ph._get_pos = pos
    filters = philter_lite.load_filters(os.path.join(os.path.dirname(philter_lite.__file__), "configs", "philter_delta.toml"))

    def run(texts):
        out = []
        for t in texts:
            include, _, _ = philter_lite.detect_phi(t, patterns=filters)
            # philter's include map holds the text it keeps; the rest (but punctuation and space) is
            # PHI, read the way its own transform_text_asterisk reads it
            phi = [False] * len(t)
            i = 0
            while i < len(t):
                if include.does_exist(i):
                    i = include.get_coords(i)[1]
                    continue
                phi[i] = not PUNCTUATION_MATCHER.match(t[i])
                i += 1
            spans, start = [], None
            for i in range(len(t) + 1):
                on = i < len(t) and phi[i]
                if on and start is None:
                    start = i
                elif not on and start is not None:
                    spans.append((start, i))
                    start = None
            out.append(spans)
        return out

    return run


def scrubadub_system() -> Callable[[List[str]], List[List[Span]]]:
    import scrubadub

    scrubber = scrubadub.Scrubber()

    def run(texts):
        return [[(f.beg, f.end) for f in scrubber.iter_filth(t)] for t in texts]

    return run


SYSTEMS = {"medllm": medllm_system, "presidio": presidio_system, "philter": philter_system, "scrubadub": scrubadub_system}


# ---- scoring ----------------------------------------------------------------------------------

# presidio_synth_v2 writes an empty field of an address as the literal "nan" ("BODØ nan"): no PHI.
_EMPTY_FIELD = re.compile(r"(?<!\w)nan(?!\w)")


def fully_covered(span: Span, predicted: List[Span], text: str) -> bool:
    """Every non-space character of the gold span lies inside some predicted span (but for
    punctuation and the generator's "nan" for an empty field)."""
    empty = {c for m in _EMPTY_FIELD.finditer(text, *span) for c in range(m.start(), m.end())}
    need = [c for c in range(*span) if not text[c].isspace() and text[c] not in ",." and c not in empty]
    if not need:
        return True
    for c in need:
        if not any(s <= c < e for s, e in predicted):
            return False
    return True


def overlaps(span: Span, others: Iterable[Span]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in others)


def score_phi(records: List[dict], predictions: List[List[Span]]) -> dict:
    by_label, by_type = defaultdict(Counter), defaultdict(Counter)
    tp_pred = fp_pred = flagged = phi_free = 0
    for rec, pred in zip(records, predictions):
        gold = [(s["start"], s["end"]) for s in rec["spans"]]
        ignore = [(s["start"], s["end"]) for s in rec.get("ignore", [])]
        for s in rec["spans"]:
            hit = fully_covered((s["start"], s["end"]), pred, rec["text"])
            by_label[s["label"]]["hit" if hit else "miss"] += 1
            if "type" in s:
                by_type[s["type"]]["hit" if hit else "miss"] += 1
        for p in pred:
            if overlaps(p, gold):
                tp_pred += 1
            elif not overlaps(p, ignore):
                fp_pred += 1
        if rec.get("phi_free"):
            phi_free += 1
            flagged += bool([p for p in pred if not overlaps(p, ignore)])

    def recall(counter):
        n = counter["hit"] + counter["miss"]
        return {"recall": round(counter["hit"] / n, 4) if n else None, "n": n}

    total = Counter()
    for c in by_label.values():
        total.update(c)
    out = {"recall": recall(total)["recall"], "n_phi": recall(total)["n"],
           "precision": round(tp_pred / (tp_pred + fp_pred), 4) if tp_pred + fp_pred else None,
           "n_predicted": tp_pred + fp_pred, "phi_free_texts": phi_free,
           "phi_free_flagged": round(flagged / phi_free, 4) if phi_free else None,
           "per_label": {k: recall(v) for k, v in sorted(by_label.items())}}
    if by_type:
        out["per_type"] = {k: recall(v) for k, v in sorted(by_type.items())}
        common = Counter()
        for k in COMMON_TYPES:
            common.update(by_type.get(k, Counter()))
        out["recall_common_types"] = recall(common)["recall"]
    return out


def score_intact(items: List[Tuple[str, List[Span]]], predictions: List[List[Span]]) -> dict:
    n = intact = 0
    for (text, ents), pred in zip(items, predictions):
        for ent in ents:
            n += 1
            intact += not overlaps(ent, pred)
    return {"entities": n, "intact": round(intact / n, 4) if n else None}


def speed_notes(source: str, n_notes: Optional[int] = None) -> List[str]:
    """The notes timed: ``sample`` (the project's sample notes, short; at most 150, there are 74) or
    ``mtsamples`` (whole MTSamples transcriptions, the first 100 distinct by default, as
    ``benchmarks.speed`` reads them)."""
    if source == "sample":
        return [t for t, _ in sample_entities()][:n_notes or 150]
    if source == "mtsamples":
        from benchmarks.speed import MTSAMPLES, read_notes

        if not MTSAMPLES.exists():
            raise SystemExit(f"--speed-notes mtsamples: {MTSAMPLES} not found")
        return read_notes(MTSAMPLES, n_notes or 100)
    raise SystemExit(f"--speed-notes: unknown source {source!r} (sample or mtsamples)")


def speed(pipeline: str, repeats: int = 3, n_notes: Optional[int] = None, with_pipeline: Optional[str] = None,
          notes: str = "sample") -> dict:
    """The clinical pipeline's time on whole notes with and without medllm_deid, side by side:
    runs alternate (without, with) and each takes the median of ``repeats``. ``with_pipeline``: the
    same pipeline with de-identification already in it (the trained head + medllm_deid) instead of
    ``pipeline`` + the rules."""
    import statistics

    import spacy

    texts = speed_notes(notes, n_notes)
    plain = spacy.load(pipeline)
    with_deid = spacy.load(with_pipeline or pipeline)
    if "medllm_deid" not in with_deid.pipe_names:
        with_deid.add_pipe("medllm_deid")
    alone = spacy.blank("en")
    alone.add_pipe("medllm_deid")
    times: Dict[str, List[float]] = {"without": [], "with": [], "deid_alone": []}
    for nlp in (plain, with_deid, alone):  # warm up
        list(nlp.pipe(texts[:8]))
    for _ in range(repeats):
        for key, nlp in (("without", plain), ("with", with_deid), ("deid_alone", alone)):
            start = time.perf_counter()
            for _doc in nlp.pipe(texts, batch_size=32):
                pass
            times[key].append(time.perf_counter() - start)
    without, with_ = statistics.median(times["without"]), statistics.median(times["with"])
    # Each pipe of the pipeline with de-identification timed in one pass (component by component
    # over the same docs): what the de-id pipes take beside the rest, free of the drift between
    # two loaded pipelines that the side-by-side runs carry.
    deid_pipes = [n for n in with_deid.pipe_names if n in ("medllm_deid", "deid_spancat")]
    per_pipe: Dict[str, List[float]] = {name: [] for name in ["make_doc"] + with_deid.pipe_names}
    for _ in range(repeats):
        start = time.perf_counter()
        docs = [with_deid.make_doc(t) for t in texts]
        per_pipe["make_doc"].append(time.perf_counter() - start)
        for name, proc in with_deid.pipeline:
            start = time.perf_counter()
            docs = list(proc.pipe(docs, batch_size=32)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            per_pipe[name].append(time.perf_counter() - start)
    pipe_seconds = {name: round(statistics.median(v), 4) for name, v in per_pipe.items()}
    rest = sum(v for k, v in pipe_seconds.items() if k not in deid_pipes)
    return {"pipeline": pipeline, "with_pipeline": with_pipeline or f"{pipeline} + medllm_deid (rules)",
            "pipes_with": with_deid.pipe_names, "notes_source": notes, "notes": len(texts), "chars": sum(map(len, texts)),
            "words": sum(len(t.split()) for t in texts), "repeats": repeats,
            "seconds_without": round(without, 3), "seconds_with": round(with_, 3),
            "added_share": round(with_ / without - 1, 4),
            # each round's own ratio (its two runs back to back), less moved by load that drifts
            "added_share_round_median": round(statistics.median(w / o for w, o in zip(times["with"], times["without"])) - 1, 4),
            "deid_alone_share": round(statistics.median(times["deid_alone"]) / without, 4),
            "pipe_seconds": pipe_seconds, "added_share_by_pipe": round(sum(pipe_seconds[k] for k in deid_pipes) / rest, 4),
            "runs": times, "pipe_runs": per_pipe}


def suggester_coverage(path: str, spans_key: str = "phi_model", max_size: int = 8) -> dict:
    """Share of a DocBin's gold PHI spans that the head's candidate suggester can propose (v1, and
    v2 with ``skip_plain_words``), and the candidates per token against spaCy's plain n-grams.
    ``path`` may also name the notes the speed benchmark times (``sample``, ``mtsamples``): no gold
    there, only the candidate counts."""
    import spacy
    from spacy.tokens import DocBin

    from spacy_medllm.deid.suggester import phi_ngram_suggester

    nlp = spacy.blank("en")
    gold = reachable = reachable_v2 = reachable_plain = tokens = candidates = candidates_v2 = plain = 0
    if path in ("sample", "mtsamples"):
        docs = (nlp.make_doc(t) for t in speed_notes(path))
    else:
        docs = DocBin().from_disk(path).get_docs(nlp.vocab)
    for doc in docs:
        found = {tuple(r) for r in phi_ngram_suggester([doc], 1, max_size).dataXd.tolist()}
        found_v2 = {tuple(r) for r in phi_ngram_suggester([doc], 1, max_size, skip_plain_words=True).dataXd.tolist()}
        spans = [(s.start, s.end) for s in doc.spans.get(spans_key, [])]
        gold += len(spans)
        reachable += sum(s in found for s in spans)
        reachable_v2 += sum(s in found_v2 for s in spans)
        candidates_v2 += len(found_v2)
        reachable_plain += sum(e - b <= max_size for b, e in spans)
        tokens += len(doc)
        candidates += len(found)
        plain += sum(max(0, len(doc) - k + 1) for k in range(1, max_size + 1))
    return {"docbin": str(path), "gold_spans": gold, "reachable": round(reachable / gold, 4) if gold else None,
            "reachable_plain_ngrams": round(reachable_plain / gold, 4) if gold else None,
            "candidates_per_token": round(candidates / max(1, tokens), 3),
            "reachable_skip_plain_words": round(reachable_v2 / gold, 4) if gold else None,
            "candidates_per_token_skip_plain_words": round(candidates_v2 / max(1, tokens), 3),
            "plain_ngrams_per_token": round(plain / max(1, tokens), 3)}


MACCROBAT_TXT = Path("/work/shared/data/maccrobat/brat")


def rule_hits(prefixes: List[str], top: int = 15) -> dict:
    """Where rules whose name starts with one of ``prefixes`` fire in real notes that carry no PHI
    to find: the distinct MTSamples transcriptions and the MACCROBAT case reports (both public)."""
    from benchmarks.speed import MTSAMPLES, read_notes
    from spacy_medllm.deid.rules import DEFAULT_CLINICAL_WORDS, LABELS, CompiledRules, default_rules

    rules = CompiledRules(default_rules(), list(LABELS), DEFAULT_CLINICAL_WORDS)
    corpora = {"mtsamples": read_notes(MTSAMPLES, 10 ** 6),
               "maccrobat": [p.read_text(encoding="utf8") for p in sorted(MACCROBAT_TXT.glob("*.txt"))]}
    if MACCROBAT_DEV.exists():  # the held-out reports: no word of theirs went into the name lists
        corpora["maccrobat_dev"] = [text for text, _ in maccrobat_entities()]
    out = {"rules": prefixes}
    for name, texts in corpora.items():
        docs_hit, spans = 0, Counter()
        for text in texts:
            found = [text[s:e] for s, e, _, rule, _ in rules.find(text) if any(rule.startswith(p) for p in prefixes)]
            docs_hit += bool(found)
            spans.update(found)
        out[name] = {"docs": len(texts), "docs_with_a_hit": docs_hit, "hits": sum(spans.values()),
                     "top_spans": spans.most_common(top)}
    return out


PROBE_TEMPLATES = {
    "address": ["Please forward the records to {A}.", "Home address on file: {A}",
                "She was discharged home to {A} with her daughter.", "New address {A}, effective next month.",
                "Contact the family at {A} if needed."],
    "name": ["Her sister {A} visited today.", "Spoke with {A} about the results.", "{A} is the health care proxy.",
             "Next of kin: {A}", "The patient's son, {A}, was present.", "Letter copied to {A} at the practice.",
             "Discussed with {A} and the family.", "Seen together with {A} in clinic."],
    "town": ["She grew up in {A}.", "Visiting from {A} for the summer.", "Lives in {A} with her husband.",
             "Transferred from a hospital in {A}.", "Retired teacher from {A}, lives alone.", "Moved to {A} last year."],
    "phone": ["Please call her daughter at {A} after discharge.", "Daughter's number: {A}", "He can be reached on {A}.",
              "Callback number {A}", "Her cell is {A}, evenings only.", "Wife (phone {A}) was updated."],
}


def _latin_greek_cyrillic(text: str) -> bool:
    import unicodedata

    return all(unicodedata.name(c, "").startswith(("LATIN", "GREEK", "CYRILLIC")) for c in text if c.isalpha())


def probe_records(kind: str = "address", n_per_locale: int = 12, seed: int = 11) -> List[dict]:
    """Addresses, phone numbers, names or towns of every faker locale that has its own provider for
    them (all but phones: written in Latin, Greek or Cyrillic script), in sentences of the probe's own
    (none of presidio's templates, none of the generator's). An address's lines are joined by a
    comma or a line break, and each line is one gold span; a phone number is one span."""
    import random

    from faker.config import AVAILABLE_LOCALES

    from spacy_medllm.deid.surrogate import stable_faker
    from spacy_medllm.deid.synth import LOCALES

    def value(fake) -> str:
        if kind == "name":  # a first and a last name: titles and credentials are no PHI to score
            return f"{fake.first_name()} {fake.last_name()}"
        if kind == "town":
            return fake.city()
        return fake.street_address() if kind == "address" else fake.phone_number()

    fallback = stable_faker("en_US")
    fallback.seed_instance(0)
    fallback_value = value(fallback)
    records = []
    for locale in sorted(AVAILABLE_LOCALES):
        try:
            fake = stable_faker(locale)
            fake.seed_instance(0)
            if locale != "en_US" and value(fake) == fallback_value:
                continue  # no provider of its own: en_US values again
            fake.seed_instance(seed)
            rng = random.Random(f"{locale}-{seed}")
            batch = []
            for _ in range(n_per_locale):
                if kind == "address":
                    lines = [line.strip(" ,") for line in fake.address().split("\n") if line.strip(" ,")]
                    if not all(map(_latin_greek_cyrillic, lines)):
                        raise ValueError(locale)
                else:
                    lines = [value(fake)]
                    if kind in ("name", "town") and not _latin_greek_cyrillic(lines[0]):
                        raise ValueError(locale)
                joiner = rng.choice([", ", "\n"])
                template = rng.choice(PROBE_TEMPLATES[kind])
                pos = template.index("{A}")
                spans = []
                for line in lines:
                    spans.append({"start": pos, "end": pos + len(line), "type": kind})
                    pos += len(line) + len(joiner)
                batch.append({"locale": locale, "trained": locale in LOCALES,
                              "text": template.replace("{A}", joiner.join(lines)), "spans": spans})
            records += batch
        except (ValueError, AttributeError, ImportError):
            continue  # another script, or a locale faker cannot build here
    return records


def probe(kind: str = "address", model: Optional[str] = None, n_per_locale: int = 12, seed: int = 11) -> dict:
    """Share of address lines (phone numbers, names, towns) fully covered, per locale and over the locales the
    head's generator draws from ("trained") and the others: a check on shapes the tuning split never
    showed. For addresses, the first line (the street) is also scored alone."""
    records = probe_records(kind, n_per_locale, seed)
    preds = medllm_system(model)([r["text"] for r in records])
    per_locale: Dict[str, Counter] = defaultdict(Counter)
    groups: Dict[str, Counter] = defaultdict(Counter)
    for record, pred in zip(records, preds):
        group = "trained_locales" if record["trained"] else "other_locales"
        for i, span in enumerate(record["spans"]):
            covered = fully_covered((span["start"], span["end"]), pred, record["text"])
            for counter in (per_locale[record["locale"]], groups[group], groups["all"]):
                counter["spans"] += 1
                counter["covered"] += covered
                if i == 0:
                    counter["first_lines"] += 1
                    counter["first_covered"] += covered

    def rates(c: Counter) -> dict:
        out = {"spans": c["spans"], "recall": round(c["covered"] / c["spans"], 4)}
        if kind == "address":
            out.update(street_lines=c["first_lines"], street_recall=round(c["first_covered"] / c["first_lines"], 4))
        return out

    return {"kind": kind, "model": model, "n_per_locale": n_per_locale, "seed": seed, "records": len(records),
            "locales": len(per_locale), **{g: rates(c) for g, c in groups.items()},
            "per_locale": {loc: rates(c) for loc, c in sorted(per_locale.items())}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", default="medllm,presidio,philter,scrubadub")
    parser.add_argument("--model", default=None, help="A pipeline with medllm_deid (and a trained head) for 'medllm'")
    parser.add_argument("--threshold", type=float, default=None,
                        help="medllm_deid's threshold on the head's scores for this run (default: the pipeline's)")
    parser.add_argument("--thresholds", default=None,
                        help="With --model: only sweep medllm_deid's threshold on the head's scores (comma-separated) on --split")
    parser.add_argument("--synth-n", type=int, default=2000)
    parser.add_argument("--split", default="test", help="test (report) or dev (tune)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "deid_rules.json"))
    parser.add_argument("--speed-pipeline", default=None, help="Only measure the time medllm_deid adds to this pipeline")
    parser.add_argument("--speed-repeats", type=int, default=3, help="With --speed-pipeline: alternating rounds (median)")
    parser.add_argument("--speed-with", default=None,
                        help="With --speed-pipeline: the same pipeline with its de-identification (head + medllm_deid)")
    parser.add_argument("--speed-notes", default="sample", choices=["sample", "mtsamples"],
                        help="With --speed-pipeline: the project's sample notes or whole MTSamples transcriptions")
    parser.add_argument("--speed-n", type=int, default=None, help="With --speed-pipeline: how many notes (150 / 100)")
    parser.add_argument("--suggester-coverage", default=None,
                        help="Only measure how many gold spans of this .spacy the head's suggester can propose "
                             "('sample' or 'mtsamples': candidate counts on the notes the speed benchmark times)")
    parser.add_argument("--rule-hits", default=None,
                        help="Only count where the rules with these comma-separated name prefixes fire in "
                             "MTSamples and MACCROBAT (real notes, no PHI to find)")
    parser.add_argument("--probe", default=None, choices=["address", "phone", "name", "town"],
                        help="Only score addresses (each line), phone numbers, names or towns of every faker locale, in sentences "
                             "of the probe's own, with --model or the rules")
    parser.add_argument("--probe-n", type=int, default=12, help="With --probe: values per locale")
    parser.add_argument("--probe-seed", type=int, default=11,
                        help="With --probe: faker's seed (11 drew the values the rules were tuned on; others are fresh draws)")
    args = parser.parse_args(argv)
    if args.thresholds:
        if not args.model:
            raise SystemExit("--thresholds needs --model (a pipeline with the trained head)")
        res = threshold_sweep(args.model, [float(t) for t in args.thresholds.split(",") if t], args.split, args.synth_n)
        res["command"] = "python -m benchmarks.deid " + " ".join(argv if argv is not None else sys.argv[1:])
        Path(args.output).write_text(json.dumps(res, indent=2) + "\n", encoding="utf8")
        return 0
    if args.probe:
        res = probe(args.probe, args.model, args.probe_n, args.probe_seed)
        res["command"] = "python -m benchmarks.deid " + " ".join(argv if argv is not None else sys.argv[1:])
        Path(args.output).write_text(json.dumps(res, indent=2) + "\n", encoding="utf8")
        print(json.dumps({k: v for k, v in res.items() if k != "per_locale"}), file=sys.stderr)
        return 0
    if args.rule_hits:
        res = rule_hits([p for p in args.rule_hits.split(",") if p])
        res["command"] = "python -m benchmarks.deid " + " ".join(argv if argv is not None else sys.argv[1:])
        Path(args.output).write_text(json.dumps(res, indent=2) + "\n", encoding="utf8")
        print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "top_spans"} for k, v in res.items()
                          if isinstance(v, dict)}), file=sys.stderr)
        return 0
    if args.suggester_coverage:
        res = suggester_coverage(args.suggester_coverage)
        res["command"] = "python -m benchmarks.deid " + " ".join(argv if argv is not None else sys.argv[1:])
        Path(args.output).write_text(json.dumps(res, indent=2) + "\n", encoding="utf8")
        print(json.dumps(res), file=sys.stderr)
        return 0
    if args.speed_pipeline:
        res = speed(args.speed_pipeline, repeats=args.speed_repeats, with_pipeline=args.speed_with,
                    notes=args.speed_notes, n_notes=args.speed_n)
        res["command"] = "python -m benchmarks.deid " + " ".join(argv if argv is not None else sys.argv[1:])
        Path(args.output).write_text(json.dumps(res, indent=2) + "\n", encoding="utf8")
        print(json.dumps({k: v for k, v in res.items() if k != "runs"}), file=sys.stderr)
        return 0

    datasets = {"synth": synth_split(args.split, args.synth_n), "presidio": presidio_split()[args.split]}
    negex = negex_conditions()
    sample = sample_entities()
    maccrobat = maccrobat_entities()
    if not maccrobat:
        print(f"{MACCROBAT_DEV}: missing (spacy project run maccrobat-corpus); its entities are not scored", file=sys.stderr)
    results = {"command": "python -m benchmarks.deid " + " ".join(argv if argv is not None else sys.argv[1:]),
               "split": args.split, "model": args.model, "systems": {}}
    for name in args.systems.split(","):
        try:
            system = medllm_system(args.model, args.threshold) if name == "medllm" else SYSTEMS[name]()
        except ImportError as err:
            print(f"{name}: not installed ({err}); skipped", file=sys.stderr)
            continue
        res: dict = {}
        for key, records in datasets.items():
            start = time.perf_counter()
            preds = system([r["text"] for r in records])
            res[key] = score_phi(records, preds)
            res[key]["seconds"] = round(time.perf_counter() - start, 2)
        res["negex_conditions"] = score_intact([(t, [s]) for t, s in negex], system([t for t, _ in negex]))
        res["negex_conditions"]["sentences_flagged"] = round(
            sum(bool(p) for p in system([t for t, _ in negex])) / max(1, len(negex)), 4)
        res["sample_entities"] = score_intact(sample, system([t for t, _ in sample]))
        if maccrobat:
            res["maccrobat_dev_entities"] = score_intact(maccrobat, system([t for t, _ in maccrobat]))
        results["systems"][name] = res
        print(name, json.dumps({k: {m: v.get(m) for m in ("recall", "precision", "phi_free_flagged", "recall_common_types", "intact")
                                    if m in v} for k, v in res.items()}), file=sys.stderr)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf8")
    print(f"-> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
