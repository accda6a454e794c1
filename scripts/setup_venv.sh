#!/usr/bin/env bash
# Create .venv if missing and install this package with the given extras, pinned by constraints.txt
# (which keeps torch on its CPU build). Usage: bash scripts/setup_venv.sh "test"
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[$1]"
