"""PyInstaller, with the one-folder bundle's files hard-linked from where the build found them
instead of copied: the same bytes in the same places, without a second 5 GB on the disk.

    .venv/bin/python packaging/pyinstaller_linked.py PYINSTALLER-ARGUMENTS...

packaging/build_bundle.sh runs it when PHOTO_ORGANIZER_BUNDLE_LINKS=1 (CI does, on a machine
whose free disk varies). Only COLLECT's copies are linked (the folder's final assembly); the
executable itself is still written fresh, since PyInstaller appends to what it copied there.
A file that cannot be linked (another file system) is copied as usual. Leave it off for a
folder you will edit in place: a linked file is the virtual environment's file.
"""

from __future__ import annotations

import os
import shutil
import sys
import types
from typing import Any

from PyInstaller.__main__ import run
from PyInstaller.building import api


def _linked_shutil() -> types.SimpleNamespace:
    """`shutil` as api.py sees it, whose copyfile links while COLLECT assembles."""
    state = {"collecting": False}

    def copyfile(src: str, dst: str, *args: Any, **kwargs: Any) -> str:
        if state["collecting"]:
            try:
                os.link(os.path.realpath(src), dst)  # link() itself would link a symlink, not its file
                return dst
            except OSError:
                pass
        return shutil.copyfile(src, dst, *args, **kwargs)

    namespace = types.SimpleNamespace(
        **{name: getattr(shutil, name) for name in dir(shutil) if not name.startswith("__")}
    )
    namespace.copyfile = copyfile
    namespace.state = state
    return namespace


def main() -> None:
    linked = _linked_shutil()
    api.shutil = linked  # type: ignore[assignment]
    assemble = api.COLLECT.assemble

    def assemble_linked(self: api.COLLECT) -> None:
        linked.state["collecting"] = True
        try:
            assemble(self)
        finally:
            linked.state["collecting"] = False

    api.COLLECT.assemble = assemble_linked  # type: ignore[method-assign]
    sys.argv[0] = "pyinstaller"
    run()


if __name__ == "__main__":
    main()
