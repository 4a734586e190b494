"""A real freedesktop.org trash in a test's own folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def use_trash_in(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make `folder` the XDG data home, so files moved to the trash land in `folder`/Trash (the
    same device as the test's photos). send2trash reads the variable once, when first imported:
    its module's copies are set too. Returns the trash folder."""
    import send2trash.plat_other as freedesktop

    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    monkeypatch.setattr(freedesktop, "XDG_DATA_HOME", os.fsencode(folder))
    monkeypatch.setattr(freedesktop, "HOMETRASH_B", os.fsencode(folder / "Trash"))
    monkeypatch.setattr(freedesktop, "HOMETRASH", str(folder / "Trash"))
    return folder / "Trash"
