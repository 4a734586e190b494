#!/usr/bin/env bash
# Create .venv and install Photo Organizer with the exact tested versions (constraints.txt).
# Safe to run again: it only reinstalls when pyproject.toml or constraints.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON=$candidate; break; fi
  done
fi
"$PYTHON" - <<'PY' || { echo "Photo Organizer needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $PYTHON" >&2
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.setup-stamp
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

pip() { .venv/bin/python -m pip --disable-pip-version-check "$@"; }
echo "installing dependencies into .venv (first time: a few minutes)" >&2
pip install -q --upgrade pip
# torch first and pinned, so no resolver ever swaps in another multi-GB build.
pip install -q -c constraints.txt torch torchvision
pip install -q -c constraints.txt -e ".[test,heic,offline-ocr]"
echo "$want" > "$stamp"
