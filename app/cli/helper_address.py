"""Where the warm helper of brief commands listens (`helper_client`, `helper_server`).

A command-line search spends most of its half second importing (SQLAlchemy, numpy, FAISS, ONNX
Runtime) and loading the text tower; a helper that keeps them loaded for a few minutes after
a search answers the next one in a tenth of that. One helper serves one user with one set of
code, settings and rights: its address is made from all of them, so a client whose
environment, code, user, groups or capabilities differ never reaches a helper that has
others (it gets one of its own). Standard library only: a client decides in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path

HELPER_ENV = "PHOTO_ORGANIZER_SEARCH_HELPER"  # "0": no helper, every command runs in its own process
IDLE_ENV = "PHOTO_ORGANIZER_SEARCH_HELPER_IDLE"  # seconds a helper waits for the next command
DEFAULT_IDLE_SECONDS = 300.0
SERVE_ARG = "--serve-brief-commands"  # the helper's own process: `photo-organizer --serve-brief-commands ADDRESS`

_LONGEST_ADDRESS = 104  # bytes in a socket's path (macOS; Linux allows 108)

# What the app reads from the environment: settings, folders, languages, threads, model hubs.
_SETTING_PREFIXES = ("PHOTO_ORGANIZER_", "XDG_", "HF_", "LC_", "PYTHON", "OMP_", "MKL_", "OPENBLAS_", "CUDA_")
_SETTING_NAMES = frozenset({"HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "PATH"})


def enabled() -> bool:
    return os.environ.get(HELPER_ENV, "1").strip() != "0" and hasattr(os, "getuid") and sys.platform != "win32"


def idle_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_SECONDS)))
    except ValueError:
        return DEFAULT_IDLE_SECONDS


def helper_address() -> Path | None:
    """The socket of the helper for this process's user, rights, code and settings; None when
    helpers are switched off or this user's folder for them cannot be trusted."""
    if not enabled():
        return None
    folder = _private_folder()
    if folder is None:
        return None
    who = [os.getuid(), os.geteuid(), os.getgid(), sorted(os.getgroups()), _capabilities()]
    settings = sorted((k, v) for k, v in os.environ.items() if k in _SETTING_NAMES or k.startswith(_SETTING_PREFIXES))
    key = json.dumps([who, settings, sys.executable, _code_stamp()])
    address = folder / f"{hashlib.sha1(key.encode()).hexdigest()[:24]}.sock"
    return address if len(os.fsencode(address)) < _LONGEST_ADDRESS else None


def _private_folder() -> Path | None:
    """The user's runtime folder for helpers, made private to the user; None where it exists
    but is not a folder of this user's that only they can use (someone else's in /tmp)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    folder = Path(base) / f"photo-organizer-{os.getuid()}"
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        found = os.lstat(folder)
    except OSError:
        return None
    mine = stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077
    return folder if mine else None


def _capabilities() -> str:
    """The process's effective capabilities (Linux): a client that dropped some is not served
    by a helper that kept them."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            return next((line.split()[1] for line in status if line.startswith("CapEff:")), "")
    except OSError:
        return ""


def _code_stamp() -> str:
    """The app's code and installed packages as they are on disk: a helper started before an
    update or a reinstall is never asked again (it leaves once idle)."""
    digest = hashlib.sha1()
    if getattr(sys, "frozen", False):  # the bundle: its code is inside the executable
        found = os.stat(sys.executable)
        return f"{sys.executable}:{found.st_mtime_ns}:{found.st_size}"
    folders = [str(Path(__file__).resolve().parents[1])]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    found = entry.stat()
                    digest.update(f"{entry.path}:{found.st_mtime_ns}:{found.st_size};".encode())
    for place in sys.path:
        if place.endswith("-packages"):
            try:
                digest.update(f"{place}:{os.stat(place).st_mtime_ns};".encode())
            except OSError:
                pass
    return digest.hexdigest()
