"""Build the assertion training and dev corpora (.spacy) from gold, derived and silver sources.

- gold: the project's sample notes (assertion on every entity), train and dev splits;
- derived: BioScope abstracts and full papers, cue scopes turned into entity labels
  (see spacy_medllm/corpora/bioscope.py), a seeded 90/10 split, capped;
- silver (weak supervision): MTSamples transcriptions, findings located by a trained NER
  (`--ner-model`, `--ner-labels`; the workflow uses the clinical pipeline's PROBLEM entities) or
  else a term list (disease mentions of the NCBI disease training split plus the sample's problem
  terms), labelled by medllm_context on the whole note (so sections count), cut into sentences;
- phrase variants of silver findings (`--phrase-max`): the finding stretched to the clause
  boundary on its left, its right or both ("no erythema" -> "mucosa is moist with no erythema or
  exudates"), relabelled by medllm_context on the sentence. Corpora such as NegEx mark whole
  phrases as the condition; a cue at the phrase's edge negates it, a cue inside a long phrase does
  not, and a classifier only learns that convention from examples of both.
- sentence runs (`--run-max`): 2 or 3 consecutive silver sentences as one unit, one finding
  present and one in another sentence not, with the labels from the whole note: a cue in the unit
  but in another sentence does not apply.
- cue variants of silver findings (`--cue-max`): a rule cue next to a finding swapped for another
  cue of the rule set (any category, same direction: "denies chest pain" -> "-ve for chest pain",
  "possible chest pain"), relabelled by medllm_context. MTSamples uses a few dozen cues; the
  rules know a few hundred, and the classifier can only learn a cue it has seen.
- clinical gold (`--maccrobat DIR`, a `medllm corpus maccrobat` folder): MACCROBAT case reports'
  POLARITY on every PROBLEM / TEST / TREATMENT mention (NEG -> absent, UNCERTAIN / MAYBE_* ->
  possible), cut into sentences; its train split (x `--maccrobat-repeat`) to train, its dev split
  to dev, so the kept epoch is the one that does best on clinical narrative too.
No NegEx row is used: negex_dev.tsv stays an evaluation set.

Usage: medllm assertion-data DATA_DIR OUT_DIR [--bioscope-max N] [--silver-max N] [--phrase-max N]
       [--run-max N] [--cue-max N] [--ner-model PATH [--ner-labels L ...]] [--maccrobat DIR]
"""
import csv
import random
import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional

import spacy
import srsly
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans
from tqdm import tqdm

from ..corpora.errors import ConversionStats
from ..corpora.public import public_path
from ..corpora.readers import read_docs
from .schema import register_extensions
from .sentences import ensure_sentences

csv.field_size_limit(sys.maxsize)


def ncbi_terms(path: Path) -> set:
    terms, current = set(), []
    for line in path.read_text(encoding="utf8").splitlines() + [""]:
        parts = line.split("\t")
        tag = parts[-1] if len(parts) > 1 else "O"
        if current and not tag.startswith("I"):
            terms.add(" ".join(current).lower())
            current = []
        if tag.startswith("B"):
            current = [parts[0]]
        elif tag.startswith("I") and current:
            current.append(parts[0])
    return {t for t in terms if len(t) > 3}


def sentence_docs(doc: Doc, spans) -> list:
    """One doc per sentence that holds an entity, with the entities' labels."""
    out = []
    by_sent = {}
    for span in spans:
        by_sent.setdefault(doc[span.start].sent.start, []).append(span)
    for sent in doc.sents:
        found = by_sent.get(sent.start)
        if not found:
            continue
        sub = sent.as_doc()
        ents = [Span(sub, s.start - sent.start, s.end - sent.start, label=s.label_) for s in found if s.end <= sent.end]
        sub.ents = ents
        sub.spans["assertion"] = [Span(sub, e.start, e.end, label=s._.assertion) for e, s in zip(ents, found)]
        out.append(sub)
    return out


def sentence_runs(doc: Doc, spans, max_tokens: int = 100) -> list:
    """Runs of 2 or 3 consecutive sentences made one unit, where a finding in one sentence is
    present and one in another is not. The labels stay those the rules gave with the true
    boundaries, so a cue does not reach across them. Clinical text is often split badly (wrapped
    lines, lists, no full stops) and NegEx rows hold several sentences; sentence-sized training
    units never show a cue that is in the unit but out of the finding's scope."""
    sents = list(doc.sents)
    index = {sent.start: i for i, sent in enumerate(sents)}
    by_sent: dict = {}
    for span in spans:
        sent = doc[span.start].sent
        if span.end <= sent.end:
            by_sent.setdefault(index[sent.start], []).append(span)
    out = []
    for i, n in ((i, n) for i in range(len(sents) - 1) for n in (2, 3)):
        run = sents[i:i + n]
        if len(run) < n:
            continue
        start, end = run[0].start, run[-1].end
        found = [(j, s) for j in range(i, i + len(run)) for s in by_sent.get(j, [])]
        present = {j for j, s in found if s._.assertion == "present"}
        other = {j for j, s in found if s._.assertion != "present"}
        if not any(j != k for j in present for k in other) or end - start > max_tokens:
            continue
        sub = doc[start:end].as_doc()
        for token in sub:
            token.is_sent_start = token.i == 0
        sub.ents = [Span(sub, s.start - start, s.end - start, label=s.label_) for _, s in found]
        sub.spans["assertion"] = [Span(sub, s.start - start, s.end - start, label=s._.assertion) for _, s in found]
        out.append(sub)
    return out


def gold_sentence_docs(path: Path, vocab) -> list:
    """Sentence docs of a DocBin whose ``doc.spans["assertion"]`` labels its entities (MACCROBAT)."""
    register_extensions()
    out = []
    for doc in DocBin().from_disk(path).get_docs(vocab):
        ensure_sentences(doc)
        gold = {(s.start, s.end): s.label_ for s in doc.spans.get("assertion", [])}
        for ent in doc.ents:
            ent._.assertion = gold.get((ent.start, ent.end), "present")
        out.extend(sentence_docs(doc, list(doc.ents)))
    return out


def silver(nlp, data_dir: Path, sample_dir: Path, limit: int, rng: random.Random, stats: Counter,
           ner=None, runs: Optional[list] = None, ner_labels=None) -> list:
    """Findings from a trained NER (``ner``) or, without one, from the term list; ``runs``, when
    given, collects the notes' sentence runs."""
    terms = ncbi_terms(public_path(data_dir, "ncbi", "train"))
    for rec in srsly.read_jsonl(sample_dir / "train.jsonl"):
        terms.update(rec["text"][s["start"]:s["end"]].lower() for s in rec["spans"] if s["label"] == "PROBLEM")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("FINDING", [nlp.make_doc(t) for t in sorted(terms)])
    context = nlp.get_pipe("medllm_context")
    with open(public_path(data_dir, "mtsamples", "all"), encoding="utf8", newline="") as f:
        texts = sorted({row["transcription"] for row in csv.DictReader(f) if row.get("transcription", "").strip()})
    rng.shuffle(texts)
    docs = []
    for text in tqdm(texts, desc="silver", unit="note"):
        if len(docs) >= limit:
            break
        doc = nlp.make_doc(text[:20000])
        ensure_sentences(doc)
        if ner is not None:
            found = ner(text[:20000])
            doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in found.ents
                        if doc.char_span(e.start_char, e.end_char) is not None
                        and (not ner_labels or e.label_ in ner_labels)]
        else:
            doc.ents = filter_spans([Span(doc, s, e, label="FINDING") for _, s, e in matcher(doc)])
        context(doc)
        stats.update(f"silver findings {e._.assertion}" for e in doc.ents)
        docs.extend(sentence_docs(doc, list(doc.ents)))
        if runs is not None:
            runs.extend(sentence_runs(doc, list(doc.ents)))
        stats["silver notes"] += 1
    # Keep every non-present sentence and as many all-present ones, so rules' rarer labels count.
    marked = [d for d in docs if any(s.label_ != "present" for s in d.spans["assertion"])]
    plain = [d for d in docs if all(s.label_ == "present" for s in d.spans["assertion"])]
    rng.shuffle(plain)
    return (marked + plain[: len(marked)])[:limit]


CLAUSE_PUNCT = {",", ";", ":", ".", "(", ")"}


def phrase_variants(docs: list, context, rng: random.Random, limit: int, stats: Counter) -> list:
    """One single-entity doc per variant, labelled by the rules on that sentence alone."""
    out = []
    for sub in docs:
        if len(out) >= limit:
            break
        if not sub.ents:
            continue
        ent = rng.choice(list(sub.ents))
        left = ent.start
        while left > 0 and sub[left - 1].text not in CLAUSE_PUNCT:
            left -= 1
        right = ent.end
        while right < len(sub) and sub[right].text not in CLAUSE_PUNCT:
            right += 1
        options = {(left, ent.end), (ent.start, right), (left, right)} - {(ent.start, ent.end)}
        options = sorted(o for o in options if o[1] - o[0] <= 30)
        if not options:
            continue
        start, end = rng.choice(options)
        doc = sub.copy()
        doc.spans.clear()
        doc.ents = [Span(doc, start, end, label=ent.label_)]
        context(doc)
        span = doc.ents[0]
        doc.spans["assertion"] = [Span(doc, start, end, label=span._.assertion)]
        out.append(doc)
        stats[f"phrase variants {span._.assertion}"] += 1
    return out


SWAP_CATEGORIES = ("NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HYPOTHETICAL", "HISTORICAL", "FAMILY")


def _cue_pool(engine) -> dict:
    """direction -> category -> the literal cues of the rule set (patterns are not swapped in)."""
    pool: dict = {}
    for rule in engine.rules:
        if rule.pattern is None and rule.category.upper() in SWAP_CATEGORIES and rule.direction.upper() in ("FORWARD", "BACKWARD"):
            pool.setdefault(rule.direction.upper(), {}).setdefault(rule.category.upper(), []).append(rule.literal)
    return pool


def _match_case(literal: str, original: str) -> str:
    if original.isupper() and any(c.isalpha() for c in original):
        return literal.upper()
    if original[:1].isupper():
        return literal[:1].upper() + literal[1:]
    return literal


def cue_variants(docs: list, context, rng: random.Random, limit: int, stats: Counter, near: int = 4) -> list:
    """One doc per variant: a cue within ``near`` tokens of a finding replaced by another rule cue of
    the same direction, the category drawn first so rare ones (family, hypothetical) are not
    swamped; every finding in the sentence is relabelled by the rules."""
    engine = context.engine
    pool = _cue_pool(engine)
    out = []
    for sub in docs:
        if len(out) >= limit:
            break
        ents = list(sub.ents)
        if not ents:
            continue
        choices = []
        for i, start, end in engine.matcher(sub):
            rule = engine.rules[i]
            direction = rule.direction.upper()
            if rule.category.upper() not in SWAP_CATEGORIES or direction not in pool:
                continue
            if any(e.start < end and start < e.end for e in ents):
                continue  # a cue inside a finding: the phrase variants cover those
            if direction == "FORWARD" and any(0 <= e.start - end <= near for e in ents):
                choices.append((start, end, direction))
            elif direction == "BACKWARD" and any(0 <= start - e.end <= near for e in ents):
                choices.append((start, end, direction))
        if not choices:
            continue
        start, end, direction = rng.choice(choices)
        category = rng.choice(sorted(pool[direction]))
        old = sub[start:end].text
        literal = rng.choice([c for c in pool[direction][category] if c != old.lower()] or [old])
        literal = _match_case(literal, old)
        a, b = sub[start].idx, sub[end - 1].idx + len(sub[end - 1].text)
        text = sub.text[:a] + literal + sub.text[b:]
        shift = len(literal) - (b - a)
        doc = context.nlp.make_doc(text)
        spans = []
        for e in ents:
            lo = e.start_char + (shift if e.start_char >= b else 0)
            spans.append(doc.char_span(lo, lo + len(e.text), label=e.label_))
        if any(s is None for s in spans):
            stats["cue variants skipped (finding no longer on token boundaries)"] += 1
            continue
        doc.ents = spans
        context(doc)
        doc.spans["assertion"] = [Span(doc, s.start, s.end, label=s._.assertion) for s in doc.ents]
        out.append(doc)
        stats[f"cue variants {category.lower()}"] += 1
    return out


def build_assertion_data(
    data_dir: Path, out_dir: Path, *, sample_dir: Path = Path("assets/sample"), bioscope_max: int = 3000,
    silver_max: int = 3000, phrase_max: int = 1500, cue_max: int = 0, run_max: int = 0, seed: int = 0,
    ner_model: Optional[str] = None, ner_labels: Optional[List[str]] = None,
    maccrobat_dir: Optional[Path] = None, maccrobat_repeat: int = 1,
) -> dict:
    """Write OUT_DIR/{train,dev}.spacy and stats.json; return the counts and label counts."""
    data_dir, out_dir, sample_dir = Path(data_dir), Path(out_dir), Path(sample_dir)
    rng = random.Random(seed)
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_context")
    counts = Counter()
    train, dev = [], []
    for split, target in (("train", train), ("dev", dev)):
        docs = list(read_docs(sample_dir / f"{split}.jsonl", "jsonl", nlp, ConversionStats()))
        target.extend(docs)
        counts[f"sample {split} docs"] = len(docs)
    bio = []
    for part in ("abstracts", "full_papers"):
        bio.extend(read_docs(public_path(data_dir, "bioscope", part), "bioscope", nlp, ConversionStats(), seed=seed))
    cued = [d for d in bio if any(s.label_ != "present" for s in d.spans["assertion"])]
    rest = [d for d in bio if all(s.label_ == "present" for s in d.spans["assertion"])]
    rng.shuffle(cued)
    rng.shuffle(rest)
    bio = cued[: bioscope_max * 2 // 3] + rest[: bioscope_max // 3]
    rng.shuffle(bio)
    n_dev = len(bio) // 10
    dev.extend(bio[:n_dev])
    train.extend(bio[n_dev:])
    counts["bioscope train docs"], counts["bioscope dev docs"] = len(bio) - n_dev, n_dev
    if maccrobat_dir:
        for split, target, repeat in (("train", train, maccrobat_repeat), ("dev", dev, 1)):
            docs = gold_sentence_docs(Path(maccrobat_dir) / f"{split}.spacy", nlp.vocab)
            target.extend(docs * repeat)
            counts[f"maccrobat {split} docs"] = len(docs) * repeat
    ner = None
    if ner_model:  # only what finds entities: the pipeline's own assertion and textcat are not needed
        ner = spacy.load(ner_model)
        ner.select_pipes(enable=[n for n in ner.pipe_names if n in ("transformer", "tok2vec", "ner")])
    runs: Optional[list] = [] if run_max else None
    sil = silver(nlp, data_dir, sample_dir, silver_max, rng, counts, ner, runs, ner_labels)
    train.extend(sil)
    counts["silver train docs"] = len(sil)
    if runs is not None:
        random.Random(seed).shuffle(runs)  # not ``rng``: the other sources stay the same
        train.extend(runs[: run_max])
        counts["sentence run train docs"] = len(runs[: run_max])
        counts["sentence runs found"] = len(runs)
    phrases = phrase_variants(sil, nlp.get_pipe("medllm_context"), rng, phrase_max, counts)
    train.extend(phrases)
    counts["phrase variant train docs"] = len(phrases)
    if cue_max:
        shuffled = list(sil)
        rng.shuffle(shuffled)
        cues = cue_variants(shuffled, nlp.get_pipe("medllm_context"), rng, cue_max, counts)
        train.extend(cues)
        counts["cue variant train docs"] = len(cues)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = {}
    for split, docs in (("train", train), ("dev", dev)):
        rng.shuffle(docs)
        DocBin(docs=docs, store_user_data=False).to_disk(out_dir / f"{split}.spacy")
        labels[split] = dict(Counter(s.label_ for d in docs for s in d.spans.get("assertion", [])))
    srsly.write_json(out_dir / "stats.json", {"counts": dict(counts), "labels": labels})
    return {"counts": dict(counts), "labels": labels}

