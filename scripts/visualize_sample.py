"""The visualize page for notes of the shipped sample with their reference annotations.

Builds Docs from assets/sample/*.jsonl (gold entities with their assertion, the specialty as
doc.cats, the reference French sentences joined as doc._.translation) and writes the same page
`medllm visualize` writes for a pipeline's output. Used for docs/visualize.png:
  python scripts/visualize_sample.py assets/sample/dev.jsonl --n 3 --output visualize.html
  chromium --headless --no-sandbox --hide-scrollbars --window-size=1400,1300 --screenshot=docs/visualize.png visualize.html
"""
import argparse
import json
from pathlib import Path

import spacy
from spacy.tokens import Doc, Span

from spacy_medllm.annotate.visualize import visualize


def sample_docs(path: Path, n: int, skip: int = 0):
    Span.set_extension("assertion", default=None, force=True)
    Doc.set_extension("translation", default=None, force=True)
    nlp = spacy.blank("en")
    lines = path.read_text(encoding="utf8").splitlines()[skip: skip + n]
    docs, ids = [], []
    for line in lines:
        row = json.loads(line)
        doc = nlp.make_doc(row["text"])
        ents = []
        for s in row["spans"]:
            span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
            if span is not None:
                span._.assertion = s["assertion"]
                ents.append(span)
        doc.ents = spacy.util.filter_spans(ents)
        doc.cats = row["cats"]
        doc._.translation = " ".join(t["fr"] for t in row["meta"]["translations"]) or None
        docs.append(doc)
        ids.append(row["id"])
    return docs, ids


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sample", type=Path)
    p.add_argument("--n", type=int, default=3)
    p.add_argument("--skip", type=int, default=0)
    p.add_argument("--output", type=Path, default=Path("visualize.html"))
    args = p.parse_args()
    docs, ids = sample_docs(args.sample, args.n, args.skip)
    visualize(docs, output=args.output, ids=ids,
              title="Reference annotations of synthetic sample notes (assets/sample), drawn by spacy_medllm.visualize")
    print(f"{args.output}: {len(docs)} notes")


if __name__ == "__main__":
    main()
