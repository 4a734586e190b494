"""Model specs in open_clip's own naming, and how the CLI/env defaults resolve to one.

`ViT-B-32` + `laion2b_s34b_b79k`, `hf-hub:org/repo`, `local-dir:/path`; the pretrained tag
`random` means seeded random weights (tests and benchmarks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "ViT-B-32"
DEFAULT_PRETRAINED = "laion2b_s34b_b79k"
RANDOM = "random"
TINY_TEST_MODEL = "PO-Tiny"
MODEL_ENV = "PHOTO_ORGANIZER_MODEL"
PRETRAINED_ENV = "PHOTO_ORGANIZER_PRETRAINED"

HF_HUB = "hf-hub:"
LOCAL_DIR = "local-dir:"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    pretrained: str | None = None

    @property
    def has_schema(self) -> bool:
        return self.name.startswith((HF_HUB, LOCAL_DIR))

    @property
    def is_random(self) -> bool:
        return self.pretrained == RANDOM

    @property
    def key(self) -> str:
        """A stable string naming the vectors this model makes."""
        return self.name if self.has_schema or not self.pretrained else f"{self.name}/{self.pretrained}"

    @classmethod
    def parse(cls, name: str, pretrained: str | None = None) -> ModelSpec:
        name = name.strip()
        if name.startswith(LOCAL_DIR):
            folder = Path(name[len(LOCAL_DIR) :]).expanduser()
            return cls(f"{LOCAL_DIR}{folder.resolve()}", None)
        if name.startswith(HF_HUB):
            return cls(name, None)
        return cls(name, pretrained or DEFAULT_PRETRAINED)

    @classmethod
    def from_key(cls, key: str) -> ModelSpec:
        if key.startswith((HF_HUB, LOCAL_DIR)) or "/" not in key:
            return cls(key, None) if key.startswith((HF_HUB, LOCAL_DIR)) else cls(key, DEFAULT_PRETRAINED)
        name, pretrained = key.split("/", 1)
        return cls(name, pretrained)

    def __str__(self) -> str:
        return self.key


def requested_spec(model: str | None, pretrained: str | None) -> ModelSpec | None:
    """The spec asked for by flags or environment, or None when nothing was asked."""
    model = model or os.environ.get(MODEL_ENV) or None
    pretrained = pretrained or os.environ.get(PRETRAINED_ENV) or None
    if model is None and pretrained is None:
        return None
    return ModelSpec.parse(model or DEFAULT_MODEL, pretrained)


def default_spec() -> ModelSpec:
    return ModelSpec(DEFAULT_MODEL, DEFAULT_PRETRAINED)
