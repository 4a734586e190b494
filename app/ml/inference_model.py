"""The one shape every model here has: made cheaply, loaded once on first need, then asked.

CLIP, the object detector, the text reader and its gate, and the face models each subclass
`InferenceModel` and put their loading in `_load`. `load()` is idempotent and thread-safe (the
region pass, the window and the CLI may all ask at once: only the first loads), returns the
model for chaining, and turns whatever a failed load raises into a `ModelUnavailableError`
that names the model and the cause, so the CLI and the window say it in one line and the
region pass goes on without that model. A failed load is tried again on the next `load()`
(weights installed meanwhile are found).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import ClassVar, Self

from app.core.errors import ModelUnavailableError, UserError


class InferenceModel(ABC):
    what: ClassVar[str] = "the model"  # how errors name it: "the object detector"

    def __init__(self) -> None:
        self._load_lock = threading.Lock()
        self._ready = False

    @property
    def loaded(self) -> bool:
        return self._ready

    def load(self) -> Self:
        if self._ready:
            return self
        with self._load_lock:
            if not self._ready:
                try:
                    self._load()
                except UserError:
                    raise  # already a sentence for a person
                except (ImportError, OSError, RuntimeError, ValueError) as exc:
                    raise ModelUnavailableError(f"{self.what} could not be loaded: {_cause(exc)}") from exc
                self._ready = True
        return self

    @abstractmethod
    def _load(self) -> None:
        """Load the weights (called once, under the lock; raise to say it cannot)."""


def _cause(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
