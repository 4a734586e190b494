#!/usr/bin/env bash
# Run ON THE GPU MACHINE (the device tool), with .whl carried (benchmarks/gpu/fetch_wheels.sh):
#   run(command="bash benchmarks/gpu/check.sh", carry=[".whl"], timeout_s=540)
# It checks nvjpeg decoding against Pillow (the device-decoding tests on CUDA) and the shared
# memory the decode processes hand files over in (sized to what /dev/shm has), then measures
# indexing on CUDA: decoding in processes against decoding on the GPU, with the stage figures.
# Everything it prints is also under $OUT (tests.log, index_bench.json).
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT="${OUT:-/tmp/gpu-check}"
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH="/tmp/site:$PWD"
nvidia-smi -L; nproc; df -h /dev/shm; python3 -c "import torch, torchvision; print(torch.__version__, torchvision.__version__, torch.cuda.get_device_name())"
timeout 180 python3 -m pytest -q -p no:cacheprovider -p no:qt -rs tests/indexing/test_device_decoding.py \
    tests/indexing/test_byte_arena.py 2>&1 | tee "$OUT/tests.log"
timeout 420 python3 benchmarks/index_bench.py --device cuda --count "${COUNT:-2048}" --repeat 1 --device-decode \
    --data /tmp/bench-jpegs 2>&1 | tee "$OUT/index_bench.json"
