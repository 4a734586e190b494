"""What an action changed, so that one place refreshes the views that show it (Anki's
`OpChanges`): an action's work returns a `Done`, the sentence for the status bar and the
`Changed` flags; `WindowController.apply` reads the flags and reloads each view that shows one
of them, and no other. A new kind of thing (albums, places) is a new flag and one line there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto


class Changed(Flag):
    NOTHING = 0
    PHOTOS = auto()  # photos came, went or changed: the gallery, clusters, events, the map
    FOLDERS = auto()  # the Library list: folders and their counts
    PEOPLE = auto()  # people, their faces, names and covers
    NAMES = auto()  # taught names: a search that used one runs again
    DUPLICATES = auto()  # the duplicate groups
    MARKS = auto()  # stars, favourites, rejects, tags: the gallery's badges
    ALBUMS = auto()  # the Albums list and its counts
    # Photos left the library: everything that counts or shows them.
    PHOTOS_LEFT = PHOTOS | FOLDERS | PEOPLE | NAMES | DUPLICATES | MARKS | ALBUMS
    EVERYTHING = PHOTOS_LEFT


@dataclass(frozen=True)
class Done:
    """The end of an action: what to say (nothing when empty) and what it changed."""

    said: str = ""
    changed: Changed = Changed.NOTHING
