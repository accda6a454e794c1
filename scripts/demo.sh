#!/usr/bin/env bash
# Main job, from a fresh clone: install into .venv, then train, evaluate, package and install the
# demo pipeline on the shipped synthetic sample, and annotate a note with it in a new process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh "project"
.venv/bin/python -m spacy project run demo . "$@"
