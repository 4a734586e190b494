#!/usr/bin/env bash
# The whole suite: OpenGL tests (marked gl) under Xvfb with xcb, everything else offscreen.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1

# House rules a tool keeps: lint, format, types and the layers (pyproject.toml holds each
# tool's settings, the import contract included).
.venv/bin/ruff check app tests benchmarks packaging || exit 1
.venv/bin/ruff format --check app tests benchmarks packaging || exit 1
.venv/bin/mypy || exit 1
.venv/bin/lint-imports || exit 1

gl=0
if .venv/bin/python -m pytest -m gl --collect-only -q -p no:cacheprovider "$@" >/dev/null 2>&1; then
  xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb \
    .venv/bin/python -m pytest -m gl -p no:cacheprovider "$@"
  gl=$?
fi

QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m "not gl" -p no:cacheprovider "$@"
status=$?

[ "$status" -ne 0 ] && exit "$status"
exit "$gl"
