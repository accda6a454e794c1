#!/usr/bin/env bash
# Test command, from a fresh clone: install into .venv with the test extras, then run pytest.
# Extra arguments go to pytest (for example `-m "not slow"` for the fast unit tests only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh "test"
exec .venv/bin/python -m pytest "$@"
