#!/usr/bin/env bash
# The whole suite: OpenGL tests (marked gl) under Xvfb with xcb, everything else offscreen.
#   scripts/test.sh            everything (what CI runs)
#   scripts/test.sh --quick    the development lane: no test marked slow (pytest arguments may follow)
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1

marks_gl="gl"
marks_rest="not gl"
if [ "${1:-}" = "--quick" ]; then
  shift
  marks_gl="gl and not slow"
  marks_rest="not gl and not slow"
fi

# House rules a tool keeps: lint, format, types and the layers (pyproject.toml holds each
# tool's settings, the import contract included).
.venv/bin/ruff check app tests benchmarks packaging || exit 1
.venv/bin/ruff format --check app tests benchmarks packaging || exit 1
.venv/bin/mypy || exit 1
.venv/bin/lint-imports || exit 1

gl=0
if .venv/bin/python -m pytest -m "$marks_gl" --collect-only -q -p no:cacheprovider "$@" >/dev/null 2>&1; then
  xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb \
    .venv/bin/python -m pytest -m "$marks_gl" -p no:cacheprovider "$@"
  gl=$?
fi

QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m "$marks_rest" -p no:cacheprovider "$@"
status=$?

[ "$status" -ne 0 ] && exit "$status"
exit "$gl"
