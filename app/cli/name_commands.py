"""teach, concepts, forget: names the user teaches the search."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from app.cli.common import EXIT_INTERRUPTED, emit, open_library


class TeachingLine:
    """Training progress on stderr: a rewriting line on a terminal, else one line at the start."""

    def __init__(self, name: str, examples: int, quiet: bool) -> None:
        self._tty = sys.stderr.isatty() and not quiet
        self._last = 0.0
        self._said = quiet
        self._what = f"learning {name!r} from {examples} example{'s' if examples != 1 else ''}"

    def __call__(self, done: int, total: int) -> None:
        if not self._said:
            self._said = True
            if not self._tty:
                print(f"{self._what}…", file=sys.stderr, flush=True)
        if self._tty and (time.monotonic() - self._last > 0.2 or done == total):
            self._last = time.monotonic()
            sys.stderr.write(f"\r{self._what}: {done}/{total}".ljust(70))
            sys.stderr.flush()

    def close(self) -> None:
        if self._tty:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


def cmd_teach(args: argparse.Namespace) -> int:
    from app.cli.common import given_paths
    from app.core.errors import CancelledError, UserError
    from app.teaching.requests import TeachRequest

    photos = given_paths(args.photos)
    if args.steps is not None and not 1 <= args.steps <= 100_000:
        raise UserError("--steps must be between 1 and 100000")
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    line = TeachingLine(" ".join(args.name.split()), len(photos), quiet=args.json)
    try:
        with open_library(args) as library:
            request = TeachRequest(args.name, photos, add=args.add, steps=args.steps)
            report = library.names.teach(request, line, stop.is_set)
    except CancelledError:
        line.close()
        print("photo-organizer: interrupted; nothing was taught (the library is as it was)", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGINT, previous)
        line.close()
    before, after = report.before, report.after
    human = "\n".join(
        [
            report.summary(),
            f"similarity of the examples with 'a photo of {report.name}': {before.target:.3f} -> {after.target:.3f}",
            f"background photos with their captions: {before.background:.3f} -> {after.background:.3f}",
            f"average precision of its examples among all photos: {report.ap:.3f}; learned in {report.seconds:.1f} s",
        ]
    )
    payload = report.to_json()
    emit(args, payload, human)
    return 0


def cmd_concepts(args: argparse.Namespace) -> int:
    from app.core.errors import UserError

    if args.action == "rename" and len(args.values) != 2:
        raise UserError("usage: photo-organizer concepts rename OLD NEW")
    if args.action is None and args.values:
        raise UserError("usage: photo-organizer concepts [rename OLD NEW]")
    with open_library(args) as library:
        if args.action == "rename":
            library.names.rename(args.values[0], args.values[1])
        listed = library.names.to_json()
        model = library.spec.key
    lines = [
        f"{c['name']}  {c['examples']} example{'s' if c['examples'] != 1 else ''}"
        + ("" if c["model"] == model else "  (waiting to be learned for this library's model)")
        for c in listed
    ]
    emit(args, {"concepts": listed}, "\n".join(lines) or "no names taught yet (photo-organizer teach NAME PHOTO...)")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        found = library.names.find(args.name)
        library.names.forget(found.name)
    emit(args, {"forgotten": found.name}, f"forgot {found.name!r}; its photos stay in the library")
    return 0
