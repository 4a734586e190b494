"""people: list (the hidden ones too with --hidden), name (--merge), merge, remove-face, hide, show, faces."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli.common import emit, open_library

if TYPE_CHECKING:
    from app.library import Library


MAX_ID = 2**63 - 1  # what SQLite stores; a larger number names nothing


def ids_of(values: list[str], what: str = "ids") -> list[int]:
    """Ids typed on the command line, each a whole number SQLite can hold; else one line."""
    from app.core.errors import UserError

    if not all(v.strip().isdigit() for v in values):
        raise UserError(f"expected a number, got {' '.join(values)!r}; 'photo-organizer people' lists the {what}")
    numbers = [int(v) for v in values]
    if any(n > MAX_ID for n in numbers):
        raise UserError(f"no such id: {' '.join(values)} ('photo-organizer people --json' lists the {what})")
    return numbers


def cmd_people(args: argparse.Namespace) -> int:
    from app.core.errors import UserError
    from app.core.paths import display_path

    wanted = {None: 0, "name": 2, "merge": 2, "remove-face": 1, "hide": 1, "show": 1, "faces": 1}[args.action]
    if len(args.values) != wanted:
        usage = {
            None: "people [--hidden]",
            "name": "people name ID NAME [--merge]",
            "merge": "people merge ID ID",
            "remove-face": "people remove-face FACE_ID",
        }
        raise UserError(f"usage: photo-organizer {usage.get(args.action, f'people {args.action} ID')}")
    numbers = ids_of(args.values if args.action != "name" else args.values[:1])
    with open_library(args) as library:
        if args.action == "faces":
            return _faces_out(args, library, numbers[0])
        if args.action == "name":
            named = library.people.name_person(numbers[0], args.values[1], merge=args.merge)
            human = f"person {named.person_id} is now {named.name}"
            if named.merged is not None:
                human = f"person {named.merged} merged into person {named.person_id} ({named.name}), who had that name"
        elif args.action == "merge":
            library.people.merge_people(numbers[0], numbers[1])
            human = f"person {numbers[1]} merged into person {numbers[0]}"
        elif args.action == "remove-face":
            person = library.people.remove_face(numbers[0])
            human = f"face {numbers[0]} left its person for good (now person {person})"
        elif args.action == "hide":
            library.people.hide_person(numbers[0])
            human = f"person {numbers[0]} is hidden ('photo-organizer people show {numbers[0]}' brings them back)"
        elif args.action == "show":
            library.people.show_person(numbers[0])
            human = f"person {numbers[0]} is shown in People again"
        listed = library.people.all(include_hidden=args.hidden)
    payload = {"people": [p.to_json() for p in listed]}
    if args.action is None:
        human = (
            "\n".join(
                f"{p.id:5d}  {p.name or '(unnamed)'}{'  (hidden)' if p.hidden else ''}"
                f"  {p.faces} face{'s' if p.faces != 1 else ''} in {len(p.photos)} photos"
                f"  e.g. {display_path(p.photos[0]) if p.photos else ''}"
                for p in listed
            )
            or "no people yet (faces are found while indexing)"
        )
    emit(args, payload, human)
    return 0


def _faces_out(args: argparse.Namespace, library: Library, person_id: int) -> int:
    """`people faces ID`: a person's faces with the ids remove-face takes."""
    from app.core.errors import UserError
    from app.core.paths import display_path

    if person_id not in {p.id for p in library.people.all(include_hidden=True)}:
        raise UserError(f"no person with id {person_id}; 'photo-organizer people' lists them")
    faces = library.people.person_faces(person_id)
    paths = library.people.first_paths([f.image_id for f in faces])
    listed = [
        {"face_id": f.region_id, "path": paths.get(f.image_id, ""), "bbox": list(f.bbox), "confirmed": f.confirmed}
        for f in faces
    ]
    human = "\n".join(
        f"{f.region_id:7d}  {'confirmed' if f.confirmed else 'suggested'}  {display_path(paths.get(f.image_id, ''))}"
        for f in faces
    )
    emit(args, {"person": person_id, "faces": listed}, human or "no faces")
    return 0
