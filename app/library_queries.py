"""A library's quick searches: its model's text tower exported for reading words without torch
(`app.ml.query_text`), found for the model the library uses now, warmed, and prepared once
per model where it is missing. Searches answer through torch wherever it is not ready."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.ml.model_choice import is_chosen
from app.ml.spec import ModelSpec

if TYPE_CHECKING:
    from app.ml.embedder import ClipEmbedder
    from app.ml.query_image import QueryImage
    from app.ml.query_text import QueryText

log = logging.getLogger(__name__)


def switched_off() -> bool:
    return os.environ.get("PHOTO_ORGANIZER_QUICK_SEARCH") == "0"


class QuickQueries:
    def __init__(self, spec: Callable[[], ModelSpec], embedder: Callable[[], ClipEmbedder]) -> None:
        self._spec = spec
        self._embedder = embedder
        self._found: QueryText | None = None
        self._image: QueryImage | None = None  # loaded with the text tower's folder
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Whether the export was found already (a search reads words without loading anything)."""
        return self._found is not None

    def text(self) -> QueryText | None:
        """The exported text tower of the library's model, or None where there is none."""
        from app.ml.query_text import load_query_text

        spec = self._spec()
        if not is_chosen(spec) or switched_off():
            return None  # a model this user did not choose answers nothing (invariant 10)
        with self._lock:
            found = self._found
            if found is None or found.model_key != spec.key:
                found = self._found = load_query_text(spec)
            return found

    def image(self) -> QueryImage | None:
        """The exported image tower of the library's model (a query photo from outside the
        library), or None where there is none."""
        from app.ml.query_image import load_query_image

        found = self.text()
        if found is None:
            return None
        with self._lock:
            image = self._image
            if image is None or image.folder != found.folder or image.model_key != found.model_key:
                image = self._image = load_query_image(found.folder, found.model_key)
            return image

    def state(self) -> str:
        """For `status`: "ready" (words, and photos from outside), "words only", "not
        prepared" (searches load the model until it is) or "off"."""
        if switched_off():
            return "off"
        if self.text() is None:
            return "not prepared"
        return "ready" if self.image() is not None else "words only"

    def warm(self) -> bool:
        """Load the export and run it once, so the first search is quick (the window does this
        as it opens). False where there is no export to warm."""
        found = self.text()
        if found is None:
            return False
        found.embed_texts(["a photo"])
        return True

    def prepare(self, starting: Callable[[], None] | None = None) -> bool:
        """Export the model's text tower when it is not exported yet (once per model; seconds,
        the model loaded), calling `starting` first when it does. Whether an export is ready.
        Never raises: searches still answer through torch without it."""
        from app.ml.query_text import query_folder

        if self.text() is not None:
            return True
        spec = self._spec()
        if switched_off() or not is_chosen(spec):
            return False
        folder = query_folder(spec)
        refused = _unwritable(folder.parent)
        if refused is not None:  # found before the model loads: a search is not held up for nothing
            log.warning("cannot prepare quick searches in %s: %s", folder.parent, refused)
            return False
        if starting is not None:
            starting()
        try:
            from app.ml.query_export import export_text_tower

            done = export_text_tower(self._embedder(), folder)
        except Exception as exc:  # noqa: BLE001 - a quick path missing is never an error
            log.warning("could not prepare quick searches for %s: %s", spec.key, exc)
            return False
        return done and self.text() is not None


def _unwritable(folder: Path) -> str | None:
    """Why files cannot be written in `folder` (made if missing), or None if they can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryDirectory(dir=folder).cleanup()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
