#!/usr/bin/env bash
# The whole suite: Qt-free and plain-widget tests offscreen, OpenGL tests under Xvfb (xcb).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1

QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m "not gl" -p no:cacheprovider "$@"
status=$?

# pytest exits 5 when it collects nothing; an empty OpenGL selection is not a failure.
xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb \
  .venv/bin/python -m pytest -m gl -p no:cacheprovider "$@"
gl=$?
[ "$gl" -eq 5 ] && gl=0

[ "$status" -ne 0 ] && exit "$status"
exit "$gl"
