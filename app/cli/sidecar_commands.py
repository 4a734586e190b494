"""XMP sidecars from the command line: `sidecars status` (what waits to be written, what could
not be) and `sidecars write [PATH...]` (the waiting ones, or those of these photos). Decisions
made with `rate`, `favourite`, `reject` and `tag` write their sidecars at once when
PHOTO_ORGANIZER_WRITE_SIDECARS=1."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import emit, given_paths, open_library
from app.core.paths import display_path


def cmd_sidecars(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        if args.action == "status":
            status = library.sidecars.status()
            lines = [
                f"writing sidecars: {'on' if status['writing'] else 'off (PHOTO_ORGANIZER_WRITE_SIDECARS=1 turns it on)'}",
                f"written {status['written']}, waiting {status['pending']}, left as they are {status['failed']}",
                *(f"  {p['state']}: {display_path(p['path'])}: {p['reason']}" for p in status["problems"]),
                *(
                    f"  conflict: {display_path(c['path'])}: another app says {c['name']}, this library {c['name_here']}"
                    for c in status["conflicts"]
                ),
            ]
            emit(args, status, "\n".join(lines))
            return 0
        image_ids = library.organising.images_at(given_paths(args.paths)) if args.paths else None
        report = library.sidecars.write(image_ids)
    human = f"wrote {len(report.written)} sidecar{'s' if len(report.written) != 1 else ''}"
    emit(args, report.to_json(), human + (f"; {report.said()}" if report.said() else ""))
    return 0 if not report.pending and not report.failed else 1


def with_sidecars(args: argparse.Namespace, library: object, payload: dict) -> dict:
    """A decision's output, with its sidecars' (when writing them is on) and a line on stderr
    for those that could not be written."""
    report = getattr(getattr(library, "sidecars", None), "last", None)
    if report is None:
        return payload
    if report.said() and not args.json:
        sys.stderr.write(f"photo-organizer: {report.said()}\n")
    return {**payload, "sidecars": report.to_json()}
