"""Settings in one typed object, from the environment (the GUI's settings dialog writes the same)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    # Past this many vectors, search switches from exact (flat) to an IVF index trained on the
    # library: flat answers 100k vectors in ~15 ms on 2 cores, but grows linearly.
    ivf_threshold: int = 200_000

    @classmethod
    def from_env(cls) -> Settings:
        return cls(ivf_threshold=_int_env("PHOTO_ORGANIZER_IVF_THRESHOLD", cls.ivf_threshold))
