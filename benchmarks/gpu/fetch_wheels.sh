#!/usr/bin/env bash
# Run HERE, before a GPU check: the packages the GPU machine's image lacks (it has torch,
# torchvision, numpy, Pillow, pytest, ...; it reaches no registry), as Python 3.12 wheels in
# ./.whl (ignored by git), about 26 MB. Versions from constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
pin() { grep -i -E "^$1==" constraints.txt | head -n1; }
mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \
    "$(pin faiss-cpu)" "$(pin ftfy)" "$(pin open_clip_torch)" "$(pin platformdirs)" "$(pin SQLAlchemy)" \
    "$(pin wcwidth)" greenlet
du -sh .whl
