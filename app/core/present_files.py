"""Which of many paths are there, answered by listing their folders once instead of looking at
each file: a million photos in a few thousand folders is a few thousand listings, not a million
`stat` calls (what `status` and every index run ask of the photos and of the thumbnail cache).

A path is there as `os.path.exists` says: a symbolic link counts by what it points to (a link
whose target is gone is missing), and a folder that cannot be listed (a drive not mounted, no
permission) holds nothing.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable

# Below this many of our paths in one folder, looking at each is cheaper than listing the folder
# (which may hold many other files).
LIST_FROM = 8


def present_in(folder: str) -> set[str]:
    """The names in `folder` that exist as `os.path.exists` would say (links followed)."""
    found: set[str] = set()
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.is_symlink() or os.path.exists(entry.path):
                    found.add(entry.name)
    except OSError:
        return set()
    return found


def missing_paths(paths: Iterable[str]) -> list[str]:
    """Those of `paths` that are not there, in the order given."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    ordered = list(paths)
    for path in ordered:
        by_folder[os.path.dirname(path)].append(path)
    missing: set[str] = set()
    for folder, inside in by_folder.items():
        if len(inside) < LIST_FROM:
            missing.update(p for p in inside if not os.path.exists(p))
            continue
        names = present_in(folder)
        missing.update(p for p in inside if os.path.basename(p) not in names)
    return [p for p in ordered if p in missing]
