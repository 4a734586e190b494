"""The People view's logic without Qt: a card per person (named first, then unnamed by size),
naming, merging, hiding (and showing the hidden ones, to bring one back), opening a person to
check their faces, "not this person", and showing a person's photos in the gallery. Every change goes through the task manager (it takes the
library's writer lock) and is refused, with a reason, while indexing runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.catalog.people import PersonFace, PersonSummary
from app.controller.cards import FaceCard, PersonCard
from app.controller.changes import Changed, Done
from app.controller.chosen_photos import show_chosen_photos
from app.controller.window_part import WindowPart, WindowParts
from app.controller.window_view import PeopleView
from app.core.paths import frame_thumbnail


class PeopleOrganiser(WindowPart[PeopleView]):
    def __init__(self, parts: WindowParts, refuse_while_busy: Callable[[str], bool]) -> None:
        super().__init__(parts)
        self._refuse = refuse_while_busy
        self.people: dict[int, PersonSummary] = {}  # the hidden ones too
        self.show_hidden = False  # hidden people among the cards (marked), to bring one back
        self.opened: int | None = None  # the person whose faces are open
        self._shown: list[PersonCard] = []

    def refresh(self) -> None:
        library = self._library()
        if library is not None:
            self.tasks.run(lambda: library.people.all(include_hidden=True), self._on_people, self.view.show_error)

    def _on_people(self, listed: list[PersonSummary]) -> None:
        self.people = {p.id: p for p in listed}
        self._show_cards()

    def _show_cards(self) -> None:
        """The cards of the people shown; an open person who is no longer among them closes."""
        self._show(self._cards())
        if self.opened is not None and self.opened not in {c.id for c in self._shown}:
            self.opened = None
            self.view.show_person_faces(None, [])

    def redraw(self) -> None:
        """The cards again when a cover changed (covers come from the gallery's rows, which just
        reloaded; while indexing that is every 1.5 s, and an unchanged list is left alone)."""
        cards = self._cards()
        if cards != self._shown:
            self._show(cards)

    def set_show_hidden(self, show: bool) -> None:
        self.show_hidden = show
        self._show_cards()

    def _cards(self) -> list[PersonCard]:
        return [self._card(p) for p in self.people.values() if self.show_hidden or not p.hidden]

    def _show(self, cards: list[PersonCard]) -> None:
        self._shown = cards
        self.view.show_people(cards, sum(p.hidden for p in self.people.values()))

    def _card(self, person: PersonSummary) -> PersonCard:
        cover = self.browse.entries.get(person.cover_image)
        thumbnail = _at_moment(cover.thumbnail, person.cover_time) if cover is not None else None
        return PersonCard(
            person.id,
            person.name,
            person.faces,
            len(person.photos),
            person.cover,
            thumbnail,
            person.cover_bbox,
            person.hidden,
        )

    def _change(self, what: str, op: Callable[[], object], said: str, then: Callable[[], None] | None = None) -> None:
        library = self._library()
        if library is None or self._refuse(what):
            return

        def work() -> Done:
            op()
            return Done(said, Changed.PEOPLE)

        def done(_done: Done) -> None:
            if self.opened is not None:
                self.open_person(self.opened)
            if then is not None:
                then()

        self.act(work, done)

    def name_taken(self, person_id: int, name: str) -> PersonSummary | None:
        """Another person already called `name` (the window asks before the two become one)."""
        key = " ".join(name.split()).casefold()
        return next((p for p in self.people.values() if p.id != person_id and (p.name or "").casefold() == key), None)

    def name(self, person_id: int, name: str, merge: bool = False) -> None:
        """Name a person; with `merge` (the person said yes), a name another has joins the two."""
        library = self._library()
        shown = " ".join(name.split())
        if library is None or not shown:
            return
        said = f"Named {shown}" if not merge else f"Merged into {shown}"
        self._change("People can be named", lambda: library.people.name_person(person_id, shown, merge), said)

    def merge(self, keep: int, other: int) -> None:
        library = self._library()
        if library is None or keep == other:
            return
        kept = self.people.get(keep)
        label = kept.name if kept is not None and kept.name else "one person"
        self._change("People can be merged", lambda: library.people.merge_people(keep, other), f"Merged into {label}")

    def confirm_all(self, person_id: int) -> None:
        """Every face suggested for this person is theirs (one action, not one by one)."""
        library = self._library()
        if library is not None:
            self._change("Faces can be confirmed", lambda: library.people.confirm_faces(person_id), "Faces confirmed")

    def hide(self, person_id: int) -> None:
        library = self._library()
        if library is not None:
            said = "Hidden from People (Show hidden people brings them back)"
            self._change("People can be hidden", lambda: library.people.hide_person(person_id), said)

    def unhide(self, person_id: int) -> None:
        library = self._library()
        if library is not None:
            self._change("People can be shown", lambda: library.people.show_person(person_id), "Shown in People again")

    def remove_face(self, region_id: int, then: Callable[[], None] | None = None) -> None:
        """'Not this person': the face leaves for good."""
        library = self._library()
        if library is not None:
            said = "That face is no longer in this person (it will not come back)"
            self._change("Faces can be moved", lambda: library.people.remove_face(region_id), said, then)

    def face_is(self, region_id: int, name: str, then: Callable[[], None] | None = None) -> None:
        """'This is <name>' for one face (from the viewer)."""
        library = self._library()
        shown = " ".join(name.split())
        if library is not None and shown:
            self._change(
                "Faces can be named", lambda: library.people.face_is(region_id, shown), f"That face is {shown}", then
            )

    def open_person(self, person_id: int) -> None:
        """A person's faces, to check them (unconfirmed first)."""
        library = self._library()
        if library is None:
            return
        self.opened = person_id

        def done(faces: list[PersonFace]) -> None:
            if self.opened == person_id:
                self.view.show_person_faces(person_id, [self._face_card(f) for f in faces])

        self.tasks.run(lambda: library.people.person_faces(person_id), done, self.view.show_error)

    def _face_card(self, face: PersonFace) -> FaceCard:
        entry = self.browse.entries.get(face.image_id)
        return FaceCard(
            face.region_id,
            face.image_id,
            entry.path if entry is not None else "",
            _at_moment(entry.thumbnail, face.time) if entry is not None else None,
            face.bbox,
            face.confirmed,
        )

    def show_photos(self, person_id: int) -> None:
        """The person's photos in the gallery (as choosing a cluster does)."""
        person = self.people.get(person_id)
        if person is not None:
            name = person.name or "Unnamed person"
            show_chosen_photos(self.view, self.browse, person.image_ids, lambda n: f"{name}: {n} photos")


def _at_moment(thumbnail: Path | str | None, seconds: float | None) -> Path | str | None:
    """A face's picture: its photo's thumbnail, or its video frame's."""
    if thumbnail is None or seconds is None:
        return thumbnail
    return frame_thumbnail(Path(thumbnail), seconds)
