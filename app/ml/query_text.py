"""The text side of a search without torch: the model's text tower exported once per library
and model (`query_export`), run with ONNX Runtime over word embeddings read from a
memory-mapped table, after CLIP's own tokenizer (`clip_tokenizer`). Taught names are read the
way `taught_text` reads them: a marker word whose embedding becomes the name's vector.

A command-line search then starts in well under a second: importing torch and torchvision,
building the model and loading its weights took about five seconds on two cores.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.ml.clip_tokenizer import ClipTokenizer
from app.ml.export_check import CHECK_TEXT, ExportDamaged, check_files, check_vector
from app.ml.onnx_session import onnx_session
from app.ml.spec import LOCAL_DIR, ModelSpec
from app.ml.taught_text import with_markers

FORMAT = 1
TOWER = "text.onnx"  # its weights in text.onnx.data beside it
MERGES = "merges.json"  # the tokenizer's byte-pair merges, quicker to read than open_clip's gzip
TABLE = "token_embedding.npy"
META = "meta.json"
USED = "last-used"  # touched by each search through the export: the one to preload next time


def query_base() -> Path:
    """The user cache's folder of exports (PHOTO_ORGANIZER_QUERY_DIR to move it)."""
    from platformdirs import user_cache_dir

    configured = os.environ.get("PHOTO_ORGANIZER_QUERY_DIR")
    return Path(configured) if configured else Path(user_cache_dir("photo-organizer")) / "query"


def query_folder(spec: ModelSpec) -> Path:
    """Where the query path's files for `spec` live: one folder per model, shared by every
    library using it, in the user cache (PHOTO_ORGANIZER_QUERY_DIR to move it). A local
    model folder's files are fingerprinted, so replaced weights are exported again."""
    base = query_base()
    digest = hashlib.sha1(spec.key.encode())
    if spec.name.startswith(LOCAL_DIR):
        folder = Path(spec.name[len(LOCAL_DIR) :])
        for path in sorted(folder.glob("*")):
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.key).strip("_")[-60:]
    return base / f"{safe}-{digest.hexdigest()[:12]}"


_preloading: dict[Path, tuple[threading.Thread, dict[str, Any]]] = {}
# Towers kept loaded by a long-lived process (the command line's helper), by folder and the
# time their export was written: each library opened anew takes the one already loaded.
_kept: dict[tuple[Path, int], dict[str, Any]] | None = None


def keep_loaded_towers() -> None:
    """From now on, keep each text tower this process loads (its session and tokenizer)."""
    global _kept
    if _kept is None:
        _kept = {}


def _kept_parts(folder: Path) -> dict[str, Any]:
    """Where the session and tokenizer of the export in `folder`, as it is now, are kept (an
    export written since is another entry); a dict of nobody's where this process keeps none."""
    if _kept is None:
        return {}
    try:
        written = (folder / META).stat().st_mtime_ns
    except OSError:
        return {}
    if len(_kept) > 4 and (folder, written) not in _kept:
        _kept.clear()  # models switched back and forth: only the latest stay loaded
    return _kept.setdefault((folder, written), {})


def preload_last_used() -> None:
    """Start reading, in the background, the text tower that the last search went through.
    A command-line search calls this first of all: ONNX Runtime then loads the weights (0.2 s,
    mostly without the GIL) while the library's own code imports, and the search takes that
    session if its model's export is that one. Only the user's own cache is looked at."""
    try:
        marks = [(mark.stat().st_mtime, mark.parent) for mark in query_base().glob(f"*/{USED}")]
    except OSError:
        return
    if not marks:
        return
    folder = max(marks)[1]
    loaded = _kept_parts(folder)
    if "session" in loaded:
        return
    _preloading.clear()  # a newer head start replaces one that no search took

    def load() -> None:
        try:
            loaded["session"] = onnx_session(folder / TOWER)
        except Exception:  # noqa: BLE001 - the search loads it itself, and says why if it fails
            pass

    thread = threading.Thread(target=load, name="preload-query-tower", daemon=True)
    thread.start()
    _preloading[folder] = (thread, loaded)
    atexit.register(thread.join)  # never leave ONNX Runtime mid-load as the interpreter ends


def _preloaded_session(folder: Path) -> Any:
    entry = _preloading.pop(folder, None)
    if entry is None:
        return None
    thread, loaded = entry
    thread.join()
    return loaded.get("session")


def load_query_text(spec: ModelSpec) -> QueryText | None:
    """The exported text tower for `spec`, or None where there is none or it cannot be read;
    one whose files were damaged raises ExportDamaged (the caller rebuilds it)."""
    folder = query_folder(spec)
    if not (folder / META).is_file():
        return None
    try:
        found = QueryText(folder)
    except ExportDamaged:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportDamaged(f"{folder / META} cannot be read ({exc})") from None
    return found if found.model_key == spec.key else None


def text_file_names(files: object) -> list[str]:
    """The files of the text side an export's meta lists (its graph, weights, table, merges)."""
    names = sorted(n for n in files if n.startswith((TOWER, MERGES, TABLE))) if isinstance(files, dict) else []
    return names if {TOWER, MERGES, TABLE} <= set(names) else [TOWER, MERGES, TABLE]


class QueryText:
    """Text vectors (unit length) from an exported text tower."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / META).read_text())
        if meta.get("format") != FORMAT:
            raise ValueError(f"{folder} holds an export of another format")
        check_files(folder, meta.get("files"), text_file_names(meta.get("files")))
        self._check = meta.get("check")
        self._verified = False
        self.folder = folder
        self.model_key = str(meta["model"])
        self.width = int(meta["width"])
        self.markers = {str(k): int(v) for k, v in meta["markers"].items()}
        self._context = int(meta["context_length"])
        self._tokenizer: ClipTokenizer | None = None  # made on the first words: `status` never needs it
        self.table = np.load(folder / TABLE, mmap_mode="r", allow_pickle=False)
        if self.table.ndim != 2 or self.table.shape[1] != self.width:
            raise ValueError(f"{folder / TABLE} does not match its model")
        self._session: Any = None
        self._lock = threading.Lock()

    def tokenizer(self) -> ClipTokenizer:
        with self._lock:
            if self._tokenizer is None:
                kept = _kept_parts(self.folder)
                self._tokenizer = kept.get("tokenizer") or ClipTokenizer(self._context, self._read_merges())
                kept["tokenizer"] = self._tokenizer
            return self._tokenizer

    def _read_merges(self) -> list[str]:
        """The byte-pair merges (0.7 MB of JSON), read only where no tokenizer made from them is
        kept: their size and checksum were checked with the export's other files."""
        path = self.folder / MERGES
        try:
            merges = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ExportDamaged(f"{path} cannot be read ({exc})") from None
        if not isinstance(merges, list):
            raise ExportDamaged(f"{path} is not a list of merges")
        return [str(m) for m in merges]

    def _run(self, embedded: np.ndarray, eot: np.ndarray) -> np.ndarray:
        with self._lock:
            if self._session is None:
                kept = _kept_parts(self.folder)
                self._session = (
                    kept.get("session") or _preloaded_session(self.folder) or onnx_session(self.folder / TOWER)
                )
                kept["session"] = self._session
            session = self._session
        (features,) = session.run(None, {"embedded": embedded, "eot": eot})
        return np.asarray(features, dtype=np.float32)

    def verify(self) -> None:
        """Raise ExportDamaged unless the tower still gives the vector it gave at export (once,
        and once for a tower this process keeps: the warm helper's searches ran it twice)."""
        if self._verified:
            return
        kept = _kept_parts(self.folder)
        if not kept.get("verified"):
            check_vector(self._embed([CHECK_TEXT])[0], self._check, "text")
            kept["verified"] = True
        self._verified = True

    def embed_texts(self, texts: Sequence[str], names: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Unit text vectors, as `ClipEmbedder.embed_texts` gives them (taught names included)."""
        self.verify()
        return self._embed(texts, names)

    def _embed(self, texts: Sequence[str], names: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        rewritten, marker_of_text = with_markers(texts, list(names or {}), self.markers)
        tokens = self.tokenizer()(rewritten)
        length = max(1, int((tokens != 0).any(axis=0).nonzero()[0].max(initial=0)) + 1)
        tokens = tokens[:, :length]
        embedded = np.asarray(self.table[tokens], dtype=np.float32)
        for row, (marker, found) in enumerate(marker_of_text):
            if marker < 0 or names is None:
                continue
            positions = np.flatnonzero(tokens[row] == marker)
            for col, name in zip(positions, found, strict=False):  # a long text may lose its tail
                embedded[row, col] = np.asarray(names[name], dtype=np.float32)
        features = self._run(embedded, tokens.argmax(axis=1).astype(np.int64))
        try:
            (self.folder / USED).touch()
        except OSError:  # a read-only cache only loses the head start
            pass
        return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
