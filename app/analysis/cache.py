"""Analysis results cached in the library folder, each tagged with the library version it was
computed from; a different version means stale (photos added or removed, model switched)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


_VERSION_HEAD = re.compile(rb'\{"version": "([0-9a-f]{1,40})", (?:"kind": "([0-9a-f]{1,40})", )?"result": ')


class AnalysisCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def load(self, name: str, version: str, kind: str | None = None) -> Any | None:
        """The result saved with this version (and `kind`, where given: which of the results
        one file holds in turn, such as the clusters at one strictness), else None."""
        head = self._head(name)
        if head is not None and (head[0] != version or (kind is not None and head[1] != kind)):
            return None  # stale, or another kind: not parsed (a million photos' clusters are 100 MB of JSON)
        try:
            stored = json.loads(self._path(name).read_text())
        except (OSError, ValueError):
            return None
        if stored.get("version") != version or (kind is not None and stored.get("kind") != kind):
            return None
        return stored.get("result")

    def stored_version(self, name: str) -> str | None:
        head = self._head(name)
        if head is not None:
            return head[0]
        try:
            return json.loads(self._path(name).read_text()).get("version")
        except (OSError, ValueError):
            return None

    def _head(self, name: str) -> tuple[str, str | None] | None:
        """The version and kind `save` wrote at the start of a whole file (it ends with its
        closing brace), read without parsing the rest; None when the file does not look so."""
        try:
            with self._path(name).open("rb") as stored:
                head = stored.read(128)
                stored.seek(-1, os.SEEK_END)
                last = stored.read(1)
        except (OSError, ValueError):
            return None
        found = _VERSION_HEAD.match(head)
        if not found or last != b"}":
            return None
        return found.group(1).decode(), found.group(2).decode() if found.group(2) else None

    def save(self, name: str, version: str, result: Any, kind: str | None = None) -> None:
        """Best effort: a read-only or full library still answers, it only computes again.
        `kind`: a short hex name `load` checks before it parses the file."""
        path = self._path(name)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        head = {"version": version} if kind is None else {"version": version, "kind": kind}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({**head, "result": result}))
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot cache %s in %s: %s", name, self.folder, exc.strerror or exc)
            with contextlib.suppress(OSError):
                tmp.unlink()

    def load_array(self, name: str) -> np.ndarray | None:
        try:
            return np.load(self.folder / f"{name}.npy")
        except (OSError, ValueError):
            return None

    def save_array(self, name: str, array: np.ndarray) -> None:
        path = self.folder / f"{name}.npy"
        tmp = self.folder / f"{name}.{os.getpid()}.tmp.npy"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.save(tmp, array)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot cache %s in %s: %s", name, self.folder, exc.strerror or exc)

    def load_arrays(self, name: str, version: str) -> dict[str, np.ndarray] | None:
        """Named arrays saved by `save_arrays` with this version (None: none, or another)."""
        try:
            with np.load(self.folder / f"{name}.npz", allow_pickle=False) as stored:
                if str(stored["version"]) != version:
                    return None
                return {key: stored[key] for key in stored.files if key != "version"}
        except (OSError, ValueError, KeyError, EOFError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("cannot read cached %s in %s: %s", name, self.folder, exc)
            return None

    def save_arrays(self, name: str, version: str, arrays: dict[str, np.ndarray]) -> None:
        """Best effort, as `save`; written whole, then moved into place."""
        path = self.folder / f"{name}.npz"
        tmp = self.folder / f"{name}.{os.getpid()}.tmp.npz"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.savez(tmp, allow_pickle=False, **{**arrays, "version": np.array(version)})
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot cache %s in %s: %s", name, self.folder, exc.strerror or exc)
            with contextlib.suppress(OSError):
                tmp.unlink()

    def forget(self, name: str) -> None:
        """Drops a result kept as JSON (another format replaced it); best effort."""
        with contextlib.suppress(OSError):
            self._path(name).unlink()
