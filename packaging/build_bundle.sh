#!/usr/bin/env bash
# Build the one-folder bundle of Photo Organizer with PyInstaller: dist/photo-organizer/ holds
# the executable and everything it needs (Python, Qt and its plugins, torch, open_clip's configs
# and vocabulary, EasyOCR with its English weights, the text gate's model, dlib's face models,
# pyqtgraph's OpenGL pieces, the icon). Run from a clone; it sets up .venv first:
#     bash packaging/build_bundle.sh            # then: bash packaging/smoke_test.sh
# See packaging/README.md for what the folder weighs and where it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt pyinstaller pyinstaller-hooks-contrib
# The folder is about 5 GB copied from the venv. PHOTO_ORGANIZER_BUNDLE_LINKS=1 hard-links those
# files instead (packaging/pyinstaller_linked.py: same bytes, no second 5 GB; CI uses it).
rm -rf dist/photo-organizer build/pyinstaller
pyinstaller=(.venv/bin/pyinstaller)
need_mb=7000
if [ "${PHOTO_ORGANIZER_BUNDLE_LINKS:-0}" = "1" ]; then
  pyinstaller=(.venv/bin/python packaging/pyinstaller_linked.py)
  need_mb=1500
fi
free_mb=$(df -Pm . | awk 'NR == 2 {print $4}')
if [ "$free_mb" -lt "$need_mb" ]; then
  echo "build_bundle: only ${free_mb} MB free here; building the bundle needs about ${need_mb} MB" >&2
  exit 1
fi
started=$(date +%s)
# --paths .: the venv holds the app as an editable install, through an import finder that
# PyInstaller cannot follow; the source tree itself is the app.
# torchvision 0.29 ships its operators (nms, roi_align) as _C_stable and its decoders as
# image_stable; the hook still names the old modules, so both are named here.
# triton is torch's compiler for GPU kernels (~900 MB); the app never compiles, on CPU or CUDA.
# setuptools (with pkg_resources) comes only through torch's C++ extension builder, which the app
# never runs, and its run-time hook imported it as every command started: 0.1 s each.
"${pyinstaller[@]}" --noconfirm --clean --onedir --windowed --log-level WARN \
  --name photo-organizer \
  --distpath dist --workpath build/pyinstaller --specpath build \
  --paths . \
  --add-data "$PWD/resources:resources" \
  --add-data "$PWD/app/ml/model_configs:app/ml/model_configs" \
  --add-data "$PWD/app/ml/text_gate_model:app/ml/text_gate_model" \
  --collect-submodules app \
  --collect-data open_clip \
  --collect-data easyocr \
  --collect-data easyocr_en_models \
  --collect-data face_recognition_models \
  --collect-all av \
  --hidden-import reverse_geocode \
  --collect-data reverse_geocode \
  --copy-metadata reverse_geocode \
  --additional-hooks-dir "$PWD/packaging/hooks" \
  --hidden-import torchvision._C_stable \
  --hidden-import torchvision.image_stable \
  --hidden-import pyqtgraph.opengl \
  --exclude-module triton \
  --exclude-module tkinter \
  --exclude-module ray \
  --exclude-module pyarrow \
  --exclude-module pandas \
  --exclude-module dateparser \
  --exclude-module setuptools \
  --exclude-module pkg_resources \
  --exclude-module _distutils_hack \
  packaging/launch.py
strip_candidates=$(find dist/photo-organizer -name '*.so*' -type f | wc -l)
echo "bundle: dist/photo-organizer/photo-organizer ($(du -sh dist/photo-organizer | cut -f1), $(find dist/photo-organizer -type f | wc -l) files, $strip_candidates shared libraries) in $(( $(date +%s) - started )) s"
