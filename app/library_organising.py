"""What a person decides about photos (`Library.organising`): albums (nested, smart ones too),
favourites, stars, rejects and tags. Photos are named by path (a file, or a folder for every
photo below it); a path the library does not hold refuses the whole change, so nothing is ever
half-done. Every change runs under the library's writer lock, in one transaction."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, select

from app.catalog import albums, photo_marks, tags
from app.catalog.albums import AlbumSummary
from app.catalog.photo_marks import PhotoMarks
from app.catalog.schema import FileRow
from app.catalog.sql_helpers import path_under
from app.catalog.tags import TagSummary
from app.core.errors import UserError
from app.core.paths import absolute_path, display_path
from app.search.request import SearchRequest
from app.search.results import SearchHit
from app.search.saved_search import saved_search, search_of

Writing = Callable[[str, str | None], contextlib.AbstractContextManager[None]]  # the library's writer lock
Search = Callable[[SearchRequest], list[SearchHit]]  # the library's search (a smart album's photos)
Decided = Callable[[Sequence[int]], object]  # after a decision about photos (their XMP sidecars follow)


@dataclass(frozen=True)
class Changed:
    """What a change did: to how many photos, and the names it touched (as kept)."""

    photos: int
    names: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"photos": self.photos, "names": list(self.names)}


class LibraryOrganising:
    def __init__(self, engine: Engine, writing: Writing, search: Search, decided: Decided) -> None:
        self.engine = engine
        self._writing = writing
        self._search = search
        self._decided = decided

    # --- photos by path --------------------------------------------------------------------------

    def images_at(self, paths: Sequence[Path | str]) -> list[int]:
        """The photos at these paths (a folder: every photo below it), in the order given; any
        path the library does not hold is refused, naming it."""
        found: list[int] = []
        missing: list[str] = []
        with self.engine.connect() as conn:
            for given in paths:
                path = absolute_path(given)
                ids = list(
                    conn.execute(
                        select(FileRow.image_id).where(path_under(FileRow.path, [path])).order_by(FileRow.path)
                    ).scalars()
                )
                if not ids:
                    missing.append(display_path(path))
                found.extend(ids)
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise UserError(f"not in the library: {missing[0]}{more}; `photo-organizer index` adds photos")
        return list(dict.fromkeys(found))

    # --- albums ------------------------------------------------------------------------------------

    def create_album(self, name: str) -> str:
        with self._writing("create an album", None):
            return albums.create_album(self.engine, name)

    def save_search(self, name: str, request: SearchRequest) -> str:
        """A smart album keeping this search: it runs again each time the album is shown."""
        kept = saved_search(request.checked())
        search_of(kept, name)  # what it keeps reads back as a search
        with self._writing("create an album", None):
            return albums.create_album(self.engine, name, json.dumps(kept))

    def add_to_album(self, name: str, image_ids: Sequence[int]) -> Changed:
        with self._writing("change an album", None):
            return Changed(albums.add_to_album(self.engine, name, image_ids), (name,))

    def remove_from_album(self, name: str, image_ids: Sequence[int]) -> Changed:
        with self._writing("change an album", None):
            return Changed(albums.remove_from_album(self.engine, name, image_ids), (name,))

    def rename_album(self, old: str, new: str) -> str:
        with self._writing("rename an album", None):
            return albums.rename_album(self.engine, old, new)

    def delete_album(self, name: str) -> list[str]:
        with self._writing("delete an album", None):
            return albums.delete_album(self.engine, name)

    def set_album_order(self, name: str, by_hand: bool) -> None:
        with self._writing("change an album", None):
            albums.set_order(self.engine, name, by_hand)

    def move_in_album(self, name: str, image_ids: Sequence[int], before: int | None) -> None:
        with self._writing("change an album", None):
            albums.move_in_album(self.engine, name, image_ids, before)

    def kept_albums(self, name: str) -> list[albums.KeptAlbum]:
        return albums.kept_albums(self.engine, name)

    def restore_albums(self, kept: Sequence[albums.KeptAlbum]) -> None:
        with self._writing("bring albums back", None):
            albums.restore_albums(self.engine, kept)

    def albums(self) -> list[AlbumSummary]:
        """Every album with its count; a smart album's search runs for it (one whose search
        cannot run now, say before any photo has a vector, counts none)."""
        found = []
        for album in albums.album_summaries(self.engine):
            if album.smart:
                with contextlib.suppress(UserError):
                    album = replace(album, count=len(self._smart_photos(album)))
            found.append(album)
        return found

    def album_photos(self, name: str) -> tuple[AlbumSummary, list[int]]:
        """An album and its photos: a smart album's are what its search finds now, best first."""
        album, image_ids = albums.album_photos(self.engine, name)
        if album.smart:
            image_ids = self._smart_photos(album)
            album = replace(album, count=len(image_ids))
        return album, image_ids

    def _smart_photos(self, album: AlbumSummary) -> list[int]:
        kept = albums.kept_search(self.engine, album.name)
        return [hit.image_id for hit in self._search(search_of(kept, album.name))]

    # --- marks ---------------------------------------------------------------------------------------

    def rate(self, image_ids: Sequence[int], stars: int) -> Changed:
        photo_marks.checked_stars(stars)
        with self._writing("rate photos", None):
            changed = Changed(photo_marks.set_marks(self.engine, image_ids, stars=stars))
        self._decided(image_ids)
        return changed

    def set_favourite(self, image_ids: Sequence[int], on: bool) -> Changed:
        with self._writing("mark favourites", None):
            changed = Changed(photo_marks.set_marks(self.engine, image_ids, favourite=int(on)))
        self._decided(image_ids)
        return changed

    def set_rejected(self, image_ids: Sequence[int], on: bool) -> Changed:
        with self._writing("reject photos", None):
            changed = Changed(photo_marks.set_marks(self.engine, image_ids, rejected=int(on)))
        self._decided(image_ids)
        return changed

    def marks(self, image_ids: Sequence[int]) -> dict[int, PhotoMarks]:
        return photo_marks.marks_of(self.engine, image_ids)

    # --- tags --------------------------------------------------------------------------------------------

    def add_tag(self, tag: str, image_ids: Sequence[int]) -> Changed:
        with self._writing("tag photos", None):
            name, added = tags.add_tag(self.engine, tag, image_ids)
        self._decided(image_ids)
        return Changed(added, (name,))

    def remove_tag(self, tag: str, image_ids: Sequence[int]) -> Changed:
        with self._writing("untag photos", None):
            changed = Changed(tags.remove_tag(self.engine, tag, image_ids), (tag,))
        self._decided(image_ids)
        return changed

    def tags(self) -> list[TagSummary]:
        return tags.tag_summaries(self.engine)
