"""A library's quick searches: its model's text tower exported for reading words without torch
(`app.ml.query_text`), found for the model the library uses now, warmed, and prepared once
per model where it is missing or damaged. Searches answer through torch wherever it is not
ready."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.ml.export_check import ExportDamaged
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
    """The quick path of one library's searches. An export found damaged (its files not as
    written, or no longer giving the vectors it gave torch) is not used: searches answer through
    torch, the warning is said once, and `prepare()` exports it again."""

    def __init__(self, spec: Callable[[], ModelSpec], embedder: Callable[[], ClipEmbedder]) -> None:
        self._spec = spec
        self._embedder = embedder
        self._found: QueryText | None = None
        self._image: QueryImage | None = None  # loaded with the text tower's folder
        self._lock = threading.RLock()  # a damaged export is recorded while it is being loaded
        self._damage: dict[str, str] = {}  # "text" / "image" -> why that export is not used

    @property
    def ready(self) -> bool:
        """Whether the export was found already (a search reads words without loading anything)."""
        return self._found is not None

    @property
    def damage(self) -> str | None:
        """Why an export that was found is not used (until `prepare()` makes it again), or None."""
        return next(iter(self._damage.values()), None)

    def text(self) -> QueryText | None:
        """The exported text tower of the library's model, or None where there is none (or it is
        damaged)."""
        from app.ml.query_text import load_query_text

        spec = self._spec()
        if not is_chosen(spec) or switched_off() or "text" in self._damage:
            return None  # a model this user did not choose answers nothing (invariant 10)
        with self._lock:
            found = self._found
            if found is None or found.model_key != spec.key:
                try:
                    found = self._found = load_query_text(spec)
                except ExportDamaged as exc:
                    self._damaged("text", str(exc))
                    return None
            return found

    def image(self) -> QueryImage | None:
        """The exported image tower of the library's model (a query photo from outside the
        library), or None where there is none (or it is damaged)."""
        from app.ml.query_image import load_query_image

        found = self.text()
        if found is None or "image" in self._damage:
            return None
        with self._lock:
            image = self._image
            if image is None or image.folder != found.folder or image.model_key != found.model_key:
                try:
                    image = self._image = load_query_image(found.folder, found.model_key)
                except ExportDamaged as exc:
                    self._damaged("image", str(exc))
                    return None
            return image

    def failed(self, part: str, error: BaseException) -> None:
        """The `part` ("text" or "image") export failed while answering: it is not used again
        until prepared anew."""
        self._damaged(part, str(error) or type(error).__name__)

    def _damaged(self, part: str, why: str) -> None:
        with self._lock:
            if part not in self._damage:
                log.warning(
                    "the quick-search files are damaged (%s); searching through the model, and preparing them again",
                    " ".join(why.split())[:300],
                )
            self._damage[part] = why
            self._found = None if part == "text" else self._found
            self._image = None

    def state(self, run: bool = True) -> str:
        """For `status` and `doctor`: "ready" (words, and photos from outside), "words only",
        "not prepared" (searches load the model until it is), "damaged" (searches load the
        model; the next search or index run prepares it again) or "off".

        Loading checks each file's size and checksum; `run` also runs each tower once on its
        check input (`doctor`). `status` leaves that out: starting ONNX Runtime for both towers
        took 1.8 s of its 2.9 s at 100k photos, and a search still runs the check before its
        first answer, falling back to the model if it fails."""
        if switched_off():
            return "off"
        for part, load in (("text", self.text), ("image", self.image)):
            found = load()
            if found is not None and run:
                try:
                    found.verify()
                except Exception as exc:  # noqa: BLE001 - whatever ONNX Runtime says of a damaged file
                    self.failed(part, exc)
            if part in self._damage:
                return "damaged"
            if found is None:
                return "not prepared" if part == "text" else "words only"
        return "ready"

    def warm(self) -> bool:
        """Load the export and run it once, so the first search is quick (the window does this
        as it opens). False where there is no export to warm."""
        found = self.text()
        if found is None:
            return False
        try:
            found.embed_texts(["a photo"])
        except Exception as exc:  # noqa: BLE001 - searches go through torch, and it is prepared again
            self.failed("text", exc)
            return False
        return True

    def prepare(self, starting: Callable[[], None] | None = None) -> bool:
        """Export the model's text tower when it is not exported yet, or was found damaged (once
        per model; seconds, the model loaded), calling `starting` first when it does. Whether an
        export is ready. Never raises: searches still answer through torch without it."""
        from app.ml.query_text import query_folder

        if self.text() is not None and not self._damage:
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
        with self._lock:
            self._damage.clear()
            self._found = self._image = None
        return done and self.text() is not None


class QueryEncoder:
    """What a search reads its query with (`SearchSources`): words as "a photo of ...", taught
    names included, and photo files (inside the library or not); through the exports when the
    model is not in memory (no torch to import), else the model. An export that fails is left
    for torch, and prepared again by the next search or index."""

    def __init__(
        self,
        queries: QuickQueries,
        embedder: Callable[[], ClipEmbedder],
        torch_loaded: Callable[[], bool],
        names: Callable[[], Mapping[str, np.ndarray]],
    ) -> None:
        self._queries = queries
        self._embedder = embedder
        self._torch_loaded = torch_loaded
        self._names = names

    def text_vectors(self, texts: Sequence[str]) -> np.ndarray:
        from app.ml.spec import TEXT_TEMPLATE

        sentences = [TEXT_TEMPLATE.format(t) for t in texts]
        exported = None if self._torch_loaded() else self._queries.text()
        if exported is not None:
            try:
                return exported.embed_texts(sentences, self._names())
            except Exception as exc:  # noqa: BLE001 - whatever ONNX Runtime says of damaged files
                self._queries.failed("text", exc)
        return self._embedder().embed_texts(sentences, self._names())

    def image_vector(self, path: Path | str) -> np.ndarray:
        from app.core.errors import UserError
        from app.search.query_image import embed_image_file

        exported = None if self._torch_loaded() else self._queries.image()
        if exported is not None:
            try:
                return embed_image_file(lambda: exported, path)
            except UserError:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever ONNX Runtime says of damaged files
                self._queries.failed("image", exc)
        return embed_image_file(self._embedder().load, path)


def _unwritable(folder: Path) -> str | None:
    """Why files cannot be written in `folder` (made if missing), or None if they can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryDirectory(dir=folder).cleanup()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
