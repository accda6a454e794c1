#!/usr/bin/env bash
# Test command, from a fresh clone: install into .venv with the test extras, then run pytest.
# Extra arguments go to pytest (for example `-m "not slow"` for the fast unit tests only).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
exec .venv/bin/python -m pytest "$@"
