"""A library's people (`Library.people`): listing them, naming, merging, hiding and showing
again, a face's corrections ("This is…", "Not this person"), a person's faces and the faces in
a photo, and photos with a face like one. Every change takes the library's writer lock (face
grouping writes while indexing) and is refused, with a reason, on a read-only library."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import Engine

from app.catalog import people
from app.catalog.people import FaceInImage, Naming, PersonFace, PersonSummary
from app.core.errors import UserError
from app.search.results import SearchHit
from app.vectors.store import VectorStore

T = TypeVar("T")


class Edit(Protocol):
    """Runs a change under the library's writer lock, or raises a UserError saying why not."""

    def __call__(self, what: str, change: Callable[[], T], /) -> T: ...


class LibraryPeople:
    """`edit(what, change)` runs a change under the writer lock (or says why it cannot);
    `faces()` is the face descriptors' vector store, if any."""

    def __init__(
        self,
        engine: Engine,
        edit: Edit,
        faces: Callable[[], VectorStore | None],
        decided: Callable[[Sequence[int]], object] = lambda _ids: None,
    ) -> None:
        self.engine = engine
        self._edit = edit
        self._faces = faces
        self._decided = decided  # a person's photos after a name changed (their XMP sidecars follow)

    def _named(self, name: str) -> None:
        self._decided(sorted(people.images_with_person(self.engine, name)))

    def all(self, include_hidden: bool = False) -> list[PersonSummary]:
        """People by their faces (the hidden ones too if asked): named first, then unnamed by size."""
        return people.people(self.engine, include_hidden)

    def name_person(self, person_id: int, name: str, merge: bool = False) -> Naming:
        """Name a person (their faces count as confirmed). A name another person has already is
        refused with a reason, unless `merge`: then the two become one (the report says so)."""
        naming = self._edit("name people", lambda: people.name_person(self.engine, person_id, name, merge))
        self._named(naming.name)
        return naming

    def person_with_name(self, name: str, other_than: int) -> tuple[int, str] | None:
        """(id, name) of another person already called `name`, or None."""
        return people.person_with_name(self.engine, name, other_than)

    def merge_people(self, keep: int, other: int) -> None:
        self._edit("merge people", lambda: people.merge_people(self.engine, keep, other))
        self._decided(sorted({face.image_id for face in people.person_faces(self.engine, keep)}))

    def remove_face(self, region_id: int) -> int:
        """'Not this person': the face leaves its person for good; returns its new person."""
        person_id = self._edit("change people", lambda: people.remove_face(self.engine, region_id))
        self._decided(sorted({face.image_id for face in people.person_faces(self.engine, person_id)}))
        return person_id

    def face_is(self, region_id: int, name: str) -> int:
        """'This is <name>' for one face (confirmed); returns the person's id."""
        person_id = self._edit("name faces", lambda: people.face_is(self.engine, region_id, name))
        self._named(name)
        return person_id

    def confirm_faces(self, person_id: int) -> int:
        """Confirm every face suggested for a person at once; returns how many."""
        return self._edit("confirm faces", lambda: people.confirm_faces(self.engine, person_id))

    def hide_person(self, person_id: int) -> None:
        self._edit("hide people", lambda: people.set_hidden(self.engine, person_id, True))

    def show_person(self, person_id: int) -> None:
        """A hidden person back in People."""
        self._edit("show people", lambda: people.set_hidden(self.engine, person_id, False))

    def person_faces(self, person_id: int) -> list[PersonFace]:
        return people.person_faces(self.engine, person_id)

    def first_paths(self, image_ids: list[int]) -> dict[int, str]:
        """image id -> one path of it, for listing faces."""
        from app.catalog.lookups import first_paths

        wanted = set(image_ids)
        return {i: p for i, p in first_paths(self.engine).items() if i in wanted}

    def faces_in_image(self, image_id: int) -> list[FaceInImage]:
        return people.faces_in_image(self.engine, image_id)

    def similar_faces(self, region_id: int, top_k: int = 200) -> list[SearchHit]:
        """Photos with a face like this one (the same person, by face descriptor), closest first."""
        from app.search.face_search import similar_faces

        store = self._faces()
        if store is None or store.ntotal == 0:
            raise UserError("no faces have been found in this library yet")
        return similar_faces(self.engine, store, region_id, top_k)
