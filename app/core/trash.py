"""Moving a user's files to the system trash, where they can be restored: the one way this app
ever changes a user's files, and only on an explicit, confirmed action (DESIGN.md invariant 11).
Never a permanent delete: where the system has no trash for a file, the file stays."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class TrashReport:
    moved: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why it stayed)


def move_to_trash(paths: Sequence[str]) -> TrashReport:
    """Each of `paths` to the trash (freedesktop.org on Linux, the Recycle Bin, the macOS Trash);
    a file that cannot go stays where it is, with the reason."""
    from send2trash import send2trash
    from send2trash.exceptions import TrashPermissionError

    report = TrashReport()
    for path in paths:
        if not os.path.lexists(path):
            report.failed.append((path, "it is no longer there"))
            continue
        try:
            send2trash(path)
        except TrashPermissionError as exc:
            report.failed.append((path, f"no trash can take it on that drive ({exc.strerror or exc})"))
        except OSError as exc:
            report.failed.append((path, exc.strerror or str(exc)))
        else:
            report.moved.append(path)
    return report
