"""Albums, stars, favourites, rejects and tags from the window, without Qt: the Albums list,
an album's photos in the gallery, every change on the photos picked (refused while indexing
runs, as every change to the library is), Undo for the last change, and export as long work
(progress and Cancel in the status bar; all or nothing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.catalog.albums import AlbumSummary
from app.controller.cards import AlbumCard
from app.controller.changes import Changed, Done
from app.controller.chosen_photos import show_chosen_photos
from app.controller.names import LongWork
from app.controller.window_part import WindowPart, WindowParts
from app.controller.window_view import OrganisingView
from app.core.errors import CancelledError
from app.indexing.report import IndexProgress
from app.search.saved_search import DEFAULT_SMART_RESULTS

if TYPE_CHECKING:
    from app.catalog.photo_marks import PhotoMarks
    from app.library import Library
    from app.search.request import SearchRequest


@dataclass(frozen=True)
class Undo:
    """How to take the last change back: what to say, and the change that does it."""

    said: str
    change: Callable[[Library], object]
    changed: Changed


def _photos(count: int) -> str:
    return f"{count:,} photo{'s' if count != 1 else ''}"


class Organising(WindowPart[OrganisingView]):
    def __init__(self, parts: WindowParts, refuse_while_busy: Callable[[str], bool], work: LongWork) -> None:
        super().__init__(parts)
        self._refuse = refuse_while_busy
        self._work = work
        self.albums: list[AlbumSummary] = []
        self.undo_step: Undo | None = None
        self._album_shown: tuple[str, tuple[int, ...]] | None = None  # an album's name and its photos shown

    # --- the Albums list ------------------------------------------------------------------------

    def refresh(self) -> None:
        library = self._library()
        if library is not None:
            self.tasks.run(library.organising.albums, self._on_albums, self.view.show_error)

    def _on_albums(self, albums: list[AlbumSummary]) -> None:
        self.albums = albums
        self.view.show_albums([AlbumCard(a.name, a.count, a.smart, a.by_hand) for a in albums])

    def album_names(self) -> list[str]:
        return [a.name for a in self.albums]

    def show_album(self, name: str) -> None:
        """An album's photos in the gallery (its sub-albums' too), in the album's order."""
        library = self._library()
        if library is None:
            return

        def shown(found: tuple[AlbumSummary, list[int]]) -> None:
            album, image_ids = found
            show_chosen_photos(
                self.view, self.browse, image_ids, lambda n: f"{album.name}: {_photos(n)} · Esc shows all"
            )
            self._album_shown = (album.name, tuple(image_ids)) if not album.smart else None

        self.tasks.run(lambda: library.organising.album_photos(name), shown, self.view.show_error)

    def album_showing(self) -> str | None:
        """The album (of photos, not a smart one) whose photos the gallery shows now, if any."""
        shown = self._album_shown
        if shown is None or self.browse.showing != "photos" or self.browse.chosen_images != shown[1]:
            return None
        return shown[0]

    def move_in_album(self, image_ids: Sequence[int], to_start: bool) -> None:
        """Move photos to the start or the end of the album showing: it is then ordered by hand."""
        name, shown = self.album_showing(), self._album_shown
        if name is None or shown is None:
            return
        ids = list(image_ids)
        before = next((i for i in shown[1] if i not in set(ids)), None) if to_start else None

        def undo(library: Library) -> Undo:
            album, order = library.organising.album_photos(name)

            def back(lib: Library) -> None:
                lib.organising.move_in_album(name, order, None)
                lib.organising.set_album_order(name, album.by_hand)

            return Undo(f"moving photos in {name}", back, Changed.ALBUMS)

        def change(library: Library) -> str:
            library.organising.move_in_album(name, ids, before)
            return f"Moved {_photos(len(ids))} to the {'start' if to_start else 'end'} of {name} (ordered by hand now)"

        self._change("Albums can be changed", change, Changed.ALBUMS, undo, lambda: self.show_album(name))

    def set_album_order(self, name: str, by_hand: bool) -> None:
        def undo(_library: Library) -> Undo:
            return Undo(
                f"ordering {name}", lambda lib: lib.organising.set_album_order(name, not by_hand), Changed.ALBUMS
            )

        def change(library: Library) -> str:
            library.organising.set_album_order(name, by_hand)
            return f"{name} is ordered {'by hand' if by_hand else 'by date'}"

        again = (lambda: self.show_album(name)) if self.album_showing() == name else None
        self._change("Albums can be changed", change, Changed.ALBUMS, undo, again)

    # --- changes ------------------------------------------------------------------------------------

    def _change(
        self,
        what: str,
        change: Callable[[Library], str],
        changed: Changed,
        undo: Callable[[Library], Undo | None] | None = None,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Run `change` (it returns what to say) under the refusal rules; `undo`, read just
        before it on the same worker, says how to take it back; `then` runs once it is done."""
        library = self._library()
        if library is None or self._refuse(what):
            return

        steps: list[Undo | None] = []

        def work() -> Done:
            steps.append(undo(library) if undo is not None else None)
            library.sidecars.last = None
            said = change(library)
            sidecars = library.sidecars.last  # written when the person turned that on
            return Done(f"{said} · {sidecars.said()}" if sidecars is not None and sidecars.said() else said, changed)

        def remember(_done: Done) -> None:
            self.undo_step = steps[0] if steps else None
            if then is not None:
                then()

        self.act(work, remember)

    def create_album(self, name: str, image_ids: Sequence[int] = ()) -> None:
        def change(library: Library) -> str:
            made = library.organising.create_album(name)
            if image_ids:
                library.organising.add_to_album(made, image_ids)
            return f"Made the album {made}" + (f" with {_photos(len(image_ids))}" if image_ids else "")

        def undo(_library: Library) -> Undo:
            return Undo(f"the album {name}", lambda lib: lib.organising.delete_album(name), Changed.ALBUMS)

        self._change("Albums can be made", change, Changed.ALBUMS, undo)

    def save_search(self, name: str, request: SearchRequest | None) -> None:
        """The search showing, kept as a smart album: it runs again each time it is shown."""
        if request is None:
            self.view.say("Search for something first: a smart album keeps a search and fills itself from it")
            return

        def change(library: Library) -> str:
            made = library.organising.save_search(name, replace(request, top_k=DEFAULT_SMART_RESULTS))
            return f"Saved the search as the smart album {made}: it fills itself each time it is shown"

        def undo(_library: Library) -> Undo:
            return Undo(f"the smart album {name}", lambda lib: lib.organising.delete_album(name), Changed.ALBUMS)

        self._change("Albums can be made", change, Changed.ALBUMS, undo)

    def add_to_album(self, name: str, image_ids: Sequence[int]) -> None:
        ids = list(image_ids)

        def undo(library: Library) -> Undo:
            _album, inside = library.organising.album_photos(name)
            new = [i for i in ids if i not in set(inside)]
            return Undo(f"adding to {name}", lambda lib: lib.organising.remove_from_album(name, new), Changed.ALBUMS)

        def change(library: Library) -> str:
            added = library.organising.add_to_album(name, ids).photos
            return f"Added {_photos(added)} to {name}" + (
                f" ({len(ids) - added} already in it)" if added < len(ids) else ""
            )

        self._change("Albums can be changed", change, Changed.ALBUMS, undo)

    def remove_from_album(self, name: str, image_ids: Sequence[int]) -> None:
        ids = list(image_ids)

        def undo(library: Library) -> Undo:
            _album, inside = library.organising.album_photos(name)
            were = [i for i in ids if i in set(inside)]
            return Undo(
                f"taking photos out of {name}",
                lambda lib: lib.organising.add_to_album(name, were),
                Changed.ALBUMS | Changed.PHOTOS,
            )

        def change(library: Library) -> str:
            gone = library.organising.remove_from_album(name, ids).photos
            return f"Took {_photos(gone)} out of {name} (they stay in the library)"

        self._change("Albums can be changed", change, Changed.ALBUMS | Changed.PHOTOS, undo)

    def rename_album(self, old: str, new: str) -> None:
        def change(library: Library) -> str:
            made = library.organising.rename_album(old, new)
            return f"Renamed {old} to {made}"

        def undo(_library: Library) -> Undo:
            cleaned = " ".join(new.split())
            return Undo(f"renaming {old}", lambda lib: lib.organising.rename_album(cleaned, old), Changed.ALBUMS)

        self._change("Albums can be renamed", change, Changed.ALBUMS, undo)

    def delete_album(self, name: str) -> None:
        def undo(library: Library) -> Undo:
            kept = library.organising.kept_albums(name)  # own photos, order and searches, inside ones too
            return Undo(f"deleting {name}", lambda lib: lib.organising.restore_albums(kept), Changed.ALBUMS)

        def change(library: Library) -> str:
            gone = library.organising.delete_album(name)
            inside = f" and {len(gone) - 1} inside it" if len(gone) > 1 else ""
            return f"Deleted the album {gone[0]}{inside} (its photos stay in the library)"

        self._change("Albums can be deleted", change, Changed.ALBUMS, undo)

    def _marks_undo(self, image_ids: list[int], what: str) -> Callable[[Library], Undo]:
        """Undo for stars, favourites and rejects: every photo's marks as they were."""

        def undo(library: Library) -> Undo:
            before = library.organising.marks(image_ids)

            def back(lib: Library) -> None:
                from app.catalog.photo_marks import PhotoMarks

                groups: dict[PhotoMarks, list[int]] = {}
                for image_id in image_ids:
                    groups.setdefault(before.get(image_id, PhotoMarks()), []).append(image_id)
                for marks, ids in groups.items():
                    lib.organising.rate(ids, marks.stars)
                    lib.organising.set_favourite(ids, marks.favourite)
                    lib.organising.set_rejected(ids, marks.rejected)

            return Undo(what, back, Changed.MARKS)

        return undo

    def rate(self, image_ids: Sequence[int], stars: int) -> None:
        ids = list(image_ids)
        if not ids:
            return
        said = f"{stars} star{'s' if stars != 1 else ''}" if stars else "no stars"

        def change(library: Library) -> str:
            library.organising.rate(ids, stars)
            return f"{_photos(len(ids))}: {said} (Ctrl+Z undoes)"

        self._change("Photos can be rated", change, Changed.MARKS, self._marks_undo(ids, "the stars"))

    def toggle_favourite(self, image_ids: Sequence[int], marks: dict[int, PhotoMarks]) -> None:
        """Favourites: all of them once, or none when all already were."""
        ids = list(image_ids)
        if not ids:
            return
        on = not all(marks.get(i) is not None and marks[i].favourite for i in ids)

        def change(library: Library) -> str:
            library.organising.set_favourite(ids, on)
            return f"{_photos(len(ids))} {'marked as favourites' if on else 'no longer favourites'}"

        self._change("Favourites can be marked", change, Changed.MARKS, self._marks_undo(ids, "the favourite"))

    def toggle_rejected(self, image_ids: Sequence[int], marks: dict[int, PhotoMarks]) -> None:
        ids = list(image_ids)
        if not ids:
            return
        on = not all(marks.get(i) is not None and marks[i].rejected for i in ids)

        def change(library: Library) -> str:
            library.organising.set_rejected(ids, on)
            return f"{_photos(len(ids))} {'rejected (the files are not touched)' if on else 'no longer rejected'}"

        self._change("Photos can be rejected", change, Changed.MARKS, self._marks_undo(ids, "the reject"))

    def tag(self, image_ids: Sequence[int], tag: str) -> None:
        ids = list(image_ids)
        if not ids or not tag.strip():
            return

        def undo(library: Library) -> Undo:
            from app.catalog.tags import tags_of

            had = tags_of(library.engine, ids)
            key = " ".join(tag.split()).casefold()
            new = [i for i in ids if key not in {t.casefold() for t in had.get(i, [])}]
            return Undo(
                f"tagging {tag}", lambda lib: lib.organising.remove_tag(tag, new) if new else None, Changed.MARKS
            )

        def change(library: Library) -> str:
            changed = library.organising.add_tag(tag, ids)
            return f"Tagged {_photos(len(ids))} {changed.names[0]}"

        self._change("Photos can be tagged", change, Changed.MARKS, undo)

    def tag_names(self) -> list[str]:
        library = self._library()
        if library is None:
            return []
        from app.catalog.tags import tag_names

        return tag_names(library.engine)

    def undo(self) -> None:
        """Take the last change back (once)."""
        step, self.undo_step = self.undo_step, None
        library = self._library()
        if step is None or library is None:
            self.view.say("Nothing to undo")
            return
        if self._refuse("Changes can be undone"):
            self.undo_step = step
            return

        def work() -> Done:
            step.change(library)
            return Done(f"Undid {step.said}", step.changed)

        showing = self.album_showing()  # an album on screen shows the change taken back
        self.act(work, (lambda _done: self.show_album(showing)) if showing else None)

    # --- export ---------------------------------------------------------------------------------------

    def export_album(self, name: str, destination: Path, size: int | None) -> None:
        """An album's photos (its sub-albums' too) exported."""
        library = self._library()
        if library is not None:
            self.tasks.run(
                lambda: library.organising.album_photos(name)[1],
                lambda ids: self.export(ids, destination, size),
                self.view.show_error,
            )

    def export(self, image_ids: Sequence[int], destination: Path, size: int | None) -> None:
        """Copy photos out (long work: progress, Cancel; all or nothing)."""
        library = self._library()
        ids = list(image_ids)
        if library is None or not ids:
            return
        work = self._work
        if work.queue.running:
            work.queue.wait_with(lambda: self.export(ids, destination, size))
            self.view.say("The export starts once the current work is done")
            return
        from app.catalog.folders import indexed_roots
        from app.library_export import checked_destination, checked_size, export_photos

        stop = work.queue.begin()
        self.view.work_started(f"Exporting {_photos(len(ids))} to {destination}…", pausable=False)

        def run() -> str:
            checked_size(size)
            where = checked_destination(destination, library.root, indexed_roots(library.engine))

            def progress(done: int, total: int) -> None:
                work.report_progress(IndexProgress("exporting", done, total))

            report = export_photos(library.engine, ids, where, size, progress, stop.is_set)
            missing = f"; {len(report.missing)} no longer on disk" if report.missing else ""
            return f"Exported {_photos(len(report.exported))} to {where}{missing}"

        def done(said: str) -> None:
            work.ended()
            self.view.say(said)

        def failed(error: BaseException) -> None:
            work.ended()
            if isinstance(error, CancelledError):
                self.view.say("Export cancelled: nothing was exported")
            else:
                self.view.show_error(error)

        self.tasks.run(run, done, failed)
