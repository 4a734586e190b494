"""Albums, stars, favourites, rejects and tags from the command line: `album create|add|remove|
rename|delete`, `albums`, `rate`, `favourite`, `reject`, `tag add|remove`, `tags`."""

from __future__ import annotations

import argparse

from app.cli.common import emit, given_paths, open_library
from app.cli.sidecar_commands import with_sidecars
from app.core.errors import UserError


def _photos(count: int) -> str:
    return f"{count} photo{'s' if count != 1 else ''}"


def cmd_album(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        organising = library.organising
        action = args.action
        if action == "create":
            _no_paths(args, "album create NAME")
            name = organising.create_album(args.name)
            emit(args, {"album": name, "created": True}, f"created the album {name}")
        elif action in ("add", "remove"):
            if not args.paths:
                raise UserError(f"name the photos: album {action} NAME PATH...")
            image_ids = organising.images_at(given_paths(args.paths))
            if action == "add":
                changed = organising.add_to_album(args.name, image_ids)
                human = f"added {_photos(changed.photos)} to {args.name}"
                if changed.photos < len(image_ids):
                    human += f" ({len(image_ids) - changed.photos} already in it)"
            else:
                changed = organising.remove_from_album(args.name, image_ids)
                human = f"took {_photos(changed.photos)} out of {args.name} (they stay in the library)"
            emit(args, {"album": args.name, "added" if action == "add" else "removed": changed.photos}, human)
        elif action == "rename":
            if len(args.paths) != 1:
                raise UserError("give the old name and the new one: album rename OLD NEW")
            name = organising.rename_album(args.name, args.paths[0])
            emit(args, {"album": name, "renamed_from": args.name}, f"renamed {args.name} to {name}")
        else:  # delete
            _no_paths(args, "album delete NAME")
            gone = organising.delete_album(args.name)
            more = f" and {len(gone) - 1} album{'s' if len(gone) != 2 else ''} inside it" if len(gone) > 1 else ""
            emit(args, {"deleted": gone}, f"deleted the album {gone[0]}{more}; its photos stay in the library")
    return 0


def _no_paths(args: argparse.Namespace, usage: str) -> None:
    if args.paths:
        raise UserError(f"unexpected {args.paths[0]!r}: {usage}")


def cmd_albums(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        found = library.organising.albums()
    lines = [
        f"{a.count:>7}  {a.name}{'  (smart)' if a.smart else ''}{'  (ordered by hand)' if a.by_hand else ''}"
        for a in found
    ]
    human = "\n".join(lines) or "no albums yet (photo-organizer album create NAME)"
    emit(args, {"albums": [a.to_json() for a in found]}, human)
    return 0


def cmd_rate(args: argparse.Namespace) -> int:
    from app.catalog.photo_marks import checked_stars

    stars = checked_stars(args.stars)
    with open_library(args) as library:
        changed = library.organising.rate(library.organising.images_at(given_paths(args.paths)), stars)
    said = f"{stars} star{'s' if stars != 1 else ''}" if stars else "no stars"
    payload = with_sidecars(args, library, {"photos": changed.photos, "stars": stars})
    emit(args, payload, f"{_photos(changed.photos)} now have {said}")
    return 0


def cmd_favourite(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        changed = library.organising.set_favourite(library.organising.images_at(given_paths(args.paths)), not args.off)
    said = "no longer favourites" if args.off else "marked as favourites"
    payload = with_sidecars(args, library, {"photos": changed.photos, "favourite": not args.off})
    emit(args, payload, f"{_photos(changed.photos)} {said}")
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        changed = library.organising.set_rejected(library.organising.images_at(given_paths(args.paths)), not args.off)
    said = "no longer rejected" if args.off else "rejected (the files are not touched)"
    payload = with_sidecars(args, library, {"photos": changed.photos, "rejected": not args.off})
    emit(args, payload, f"{_photos(changed.photos)} {said}")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        image_ids = library.organising.images_at(given_paths(args.paths))
        if args.action == "add":
            changed = library.organising.add_tag(args.tag, image_ids)
            human = f"tagged {_photos(changed.photos)} {changed.names[0]}"
        else:
            changed = library.organising.remove_tag(args.tag, image_ids)
            human = f"took the tag {args.tag.strip()} off {_photos(changed.photos)}"
    payload = {"tag": changed.names[0] if changed.names else args.tag, "photos": changed.photos}
    emit(args, with_sidecars(args, library, payload), human)
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        found = library.organising.tags()
    human = "\n".join(f"{t.count:>7}  {t.name}" for t in found) or "no tags yet (photo-organizer tag add TAG PATH...)"
    emit(args, {"tags": [t.to_json() for t in found]}, human)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Copies of the originals, or resized JPEGs, in a folder: all or nothing."""
    import sys

    from app.catalog.folders import indexed_roots
    from app.core.paths import display_path
    from app.library_export import checked_destination, checked_size, export_photos

    size = checked_size(args.size)
    if bool(args.album) == bool(args.paths):
        raise UserError("name what to export: export DEST --album NAME, or export DEST PATH...")
    with open_library(args) as library:
        organising = library.organising
        if args.album:
            album, image_ids = organising.album_photos(args.album)
            if not image_ids:
                raise UserError(f"the album {album.name!r} holds no photos of the library; nothing to export")
        else:
            image_ids = organising.images_at(given_paths(args.paths))
        destination = checked_destination(args.destination, library.root, indexed_roots(library.engine))
        shown = sys.stderr.isatty() and not args.json

        def progress(done: int, total: int) -> None:
            if shown:
                sys.stderr.write(f"\rexporting {done}/{total}")
                sys.stderr.flush()

        report = export_photos(library.engine, image_ids, destination, size, progress)
        if shown:
            sys.stderr.write("\n")
    human = f"exported {_photos(len(report.exported))} to {display_path(str(destination))}"
    if report.resized:
        human += f" ({report.resized} resized to {size} px" + (
            f", {report.copied} copied as they are)" if report.copied else ")"
        )
    if report.missing:
        human += f"; {len(report.missing)} no longer on disk (index their folders again)"
    emit(args, report.to_json(), human)
    return 0


def cmd_memories(args: argparse.Namespace) -> int:
    from datetime import date

    from app.analysis.library_analysis import AnalysisInputs
    from app.analysis.memories import memories
    from app.core.paths import display_path

    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise UserError(f"cannot read the date {args.date!r}: write YYYY-MM-DD") from None
    with open_library(args) as library:
        found = memories(AnalysisInputs.of(library), day)
    lines = []
    for memory in found.cards:
        lines.append(f"{memory.title}  ({_photos(len(memory.paths))})")
        lines.extend(f"    {display_path(p)}" for p in memory.paths[:5])
        if len(memory.paths) > 5:
            lines.append(f"    … and {len(memory.paths) - 5} more")
    human = (
        "\n".join(lines)
        or f"no memories for {day.isoformat()} yet: photos from this day in earlier years, and recent events, show here"
    )
    emit(args, found.to_json(), human)
    return 0
