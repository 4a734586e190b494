"""Models: the CLIP embedder (open_clip). torch is imported lazily, only when a model loads."""

import os

# Idle OpenMP threads sleep instead of spinning, so the decoding threads that share the cores
# with inference get them back: +5% model-only and +10% pipeline throughput on 2 cores (see
# benchmarks/index_bench.py). Must be set before torch first loads; a user's setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
