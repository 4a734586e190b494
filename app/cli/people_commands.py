"""people: list (the hidden ones too with --hidden), name, merge, remove-face, hide, show."""

from __future__ import annotations

import argparse

from app.cli.common import emit, open_library


def cmd_people(args: argparse.Namespace) -> int:
    from app.core.errors import UserError
    from app.core.paths import display_path

    wanted = {None: 0, "name": 2, "merge": 2, "remove-face": 1, "hide": 1, "show": 1}[args.action]
    if len(args.values) != wanted:
        usage = {
            None: "people [--hidden]",
            "name": "people name ID NAME",
            "merge": "people merge ID ID",
            "remove-face": "people remove-face REGION_ID",
        }
        raise UserError(f"usage: photo-organizer {usage.get(args.action, f'people {args.action} ID')}")
    numbers = args.values if args.action != "name" else args.values[:1]
    if not all(v.strip().lstrip("-").isdigit() for v in numbers):
        raise UserError(f"expected a number, got {' '.join(numbers)!r}; 'photo-organizer people' lists the ids")
    with open_library(args, create=args.action is None) as library:
        if args.action == "name":
            person = library.people.name_person(int(args.values[0]), args.values[1])
            human = f"person {person} is now {' '.join(args.values[1].split())}"
        elif args.action == "merge":
            library.people.merge_people(int(args.values[0]), int(args.values[1]))
            human = f"person {args.values[1]} merged into person {args.values[0]}"
        elif args.action == "remove-face":
            person = library.people.remove_face(int(args.values[0]))
            human = f"face {args.values[0]} left its person for good (now person {person})"
        elif args.action == "hide":
            library.people.hide_person(int(args.values[0]))
            human = (
                f"person {args.values[0]} is hidden ('photo-organizer people show {args.values[0]}' brings them back)"
            )
        elif args.action == "show":
            library.people.show_person(int(args.values[0]))
            human = f"person {args.values[0]} is shown in People again"
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
