"""Annotate one note with an installed pipeline, in a fresh process, with no spacy_medllm import.

This is what a user of the packaged pipeline does: `spacy.load("en_medllm_clinical")`.
Usage: python scripts/annotate_note.py en_medllm_clinical assets/example_note.txt
"""
import sys

import spacy

assert "spacy_medllm" not in sys.modules
nlp = spacy.load(sys.argv[1])
text = open(sys.argv[2], encoding="utf8").read()
doc = nlp(text)
print(f"{sys.argv[1]}: pipeline {nlp.pipe_names}, {len(doc)} tokens, {len(doc.ents)} entities")
for ent in doc.ents:
    assertion = getattr(ent._, "assertion", None) if ent.has_extension("assertion") else None
    print(f"  {ent.start_char:>5}-{ent.end_char:<5} {ent.label_:<10} {assertion or '':<12} {ent.text}")
if doc.cats:
    top = sorted(doc.cats.items(), key=lambda kv: -kv[1])[:2]
    print("  note category: " + ", ".join(f"{label} {score:.2f}" for label, score in top))
if doc.has_extension("translation") and doc._.translation:
    print(f"  translation: {len(doc._.translation)} characters")
if not doc.ents:
    sys.exit("no entities found: the pipeline did not learn anything")
