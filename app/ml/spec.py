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

TEXT_TEMPLATE = "a photo of {}"  # the sentence a search's words are read in, with every model


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
    """The spec asked for by command-line flags, or None when no flag was given.

    Flags are an explicit request (an existing library switches to it); the environment only
    fills in what the flags leave out, and supplies the default for a new library.
    """
    if not model and not pretrained:
        return None
    env_model = os.environ.get(MODEL_ENV) or None
    env_pretrained = os.environ.get(PRETRAINED_ENV) or None
    name = model or env_model or DEFAULT_MODEL
    if pretrained is None and model is not None and model != env_model:
        pretrained = None  # a different architecture: its default tag, not the env's
    else:
        pretrained = pretrained or env_pretrained
    return ModelSpec.parse(name, pretrained)


def default_spec() -> ModelSpec:
    """The model for a new library: $PHOTO_ORGANIZER_MODEL/$PHOTO_ORGANIZER_PRETRAINED, else ViT-B-32."""
    name = os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    return ModelSpec.parse(name, os.environ.get(PRETRAINED_ENV) or None)
