"""Desktop integration: install (or remove) the launcher and icon for the current user.

Follows the freedesktop.org layout ($XDG_DATA_HOME/applications and icons/hicolor), so the
app appears in the menu and opens with a double click; the launcher runs this very Python, so
it works from the project's virtual environment without anything on PATH.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from app.core.errors import UserError

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DESKTOP_NAME = "photo-organizer.desktop"
ICON_NAME = "photo-organizer.svg"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def frozen() -> bool:
    """Running from the one-folder bundle: sys.executable is the app itself, not Python."""
    return bool(getattr(sys, "frozen", False))


def launcher_paths() -> tuple[Path, Path]:
    base = data_home()
    return base / "applications" / DESKTOP_NAME, base / "icons" / "hicolor" / "scalable" / "apps" / ICON_NAME


def install_launcher() -> list[Path]:
    if not sys.platform.startswith("linux"):
        raise UserError(
            "installing a launcher is supported on Linux desktops; see packaging/README.md for other systems"
        )
    template = RESOURCES / DESKTOP_NAME
    icon = RESOURCES / ICON_NAME
    if not template.is_file() or not icon.is_file():
        raise UserError(f"the launcher files are missing from {RESOURCES}")
    desktop, icon_target = launcher_paths()
    arguments = "gui %F" if frozen() else "-m app gui %F"
    command = f"{shlex.quote(sys.executable)} {arguments}"
    lines = []
    for line in template.read_text().splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command}"
        elif line.startswith("Icon="):
            line = f"Icon={icon_target}"
        lines.append(line)
    lines.append(f"Path={RESOURCES.parent}")
    desktop.parent.mkdir(parents=True, exist_ok=True)
    icon_target.parent.mkdir(parents=True, exist_ok=True)
    desktop.write_text("\n".join(lines) + "\n")
    desktop.chmod(0o755)
    shutil.copyfile(icon, icon_target)
    return [desktop, icon_target]


def uninstall_launcher() -> list[Path]:
    removed = []
    for path in launcher_paths():
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed
