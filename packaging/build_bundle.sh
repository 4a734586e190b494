#!/usr/bin/env bash
# Build a one-folder bundle of Photo Organizer with PyInstaller: dist/photo-organizer/
# holds the executable and everything it needs (Python, Qt, torch, the model configs, the
# icon). Run from the repository root after ./run.sh has set up .venv:
#     bash packaging/build_bundle.sh            # CPU torch is smaller: see packaging/README.md
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install -q "pyinstaller>=6.3"
.venv/bin/pyinstaller --noconfirm --clean --onedir --windowed \
  --name photo-organizer \
  --add-data "resources:resources" \
  --add-data "app/ml/model_configs:app/ml/model_configs" \
  --collect-data open_clip \
  --collect-data easyocr \
  --hidden-import app.ui.application \
  --hidden-import pyqtgraph.opengl \
  packaging/launch.py
echo "bundle: dist/photo-organizer/photo-organizer"
