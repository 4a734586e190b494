"""Running a command: parse, dispatch, and turn a UserError into one line on stderr."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
from collections.abc import Sequence

from app.cli.analysis_commands import cmd_clusters, cmd_duplicates, cmd_evaluate, cmd_events, cmd_project
from app.cli.common import EXIT_INTERRUPTED, EXIT_USER_ERROR, catalog_failure, emit, one_line
from app.cli.helper_client import BRIEF_COMMANDS, start_helper
from app.cli.library_commands import (
    cmd_doctor,
    cmd_gui,
    cmd_index,
    cmd_install_launcher,
    cmd_remove,
    cmd_search,
    cmd_similar,
    cmd_status,
)
from app.cli.name_commands import cmd_concepts, cmd_forget, cmd_teach
from app.cli.organise_commands import (
    cmd_album,
    cmd_albums,
    cmd_export,
    cmd_favourite,
    cmd_memories,
    cmd_rate,
    cmd_reject,
    cmd_tag,
    cmd_tags,
)
from app.cli.parser import UnreadableCommand, build_parser
from app.cli.people_commands import cmd_people
from app.cli.place_commands import cmd_places
from app.cli.sidecar_commands import cmd_sidecars
from app.cli.trash_command import cmd_trash
from app.core.collector import collector_paused


def command_line() -> int:
    """The process's entry (`photo-organizer`, `python -m app`, the bundle): `main` over the
    process's arguments, with Python's cycle collector kept out of what nobody waits for.

    A brief command runs with the collector paused: while its modules import (SQLAlchemy,
    numpy, FAISS, ONNX Runtime) the heap only grows, and each full collection walks all of it
    again, 0.1 s of a 0.8 s search; what it leaves behind is freed by reference counting, or
    when the process ends a second later. Longer commands collect as usual. After any
    command, the heap is frozen: the interpreter's teardown would otherwise walk it several
    times (0.15 s after a search) only to give back memory the process gives back anyway.
    `atexit` handlers, flushing and the finalizers of what reference counting frees run as
    always; only cycles still held at exit go uncollected, which Python never promised."""
    brief = len(sys.argv) > 1 and sys.argv[1] in BRIEF_COMMANDS
    with collector_paused() if brief else contextlib.nullcontext():
        code = main()
        gc.freeze()  # before the collector runs again: its next pass would walk the whole heap
    if brief:
        sys.stdout.flush()
        start_helper(sys.argv[1:])  # the next brief commands answered warm (`helper_client`)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        argv = ["gui"]
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UnreadableCommand as exc:
        # argparse's own words, as it says them; with --json, as {"error": ...} on stdout too.
        print(f"{exc.prog}: error: {exc}", file=sys.stderr)
        if "--json" in argv:
            sys.stdout.write(json.dumps({"error": str(exc)}) + "\n")
        return EXIT_USER_ERROR
    if args.command is None:
        parser.print_help()
        return 0
    from app.core.errors import UserError
    from app.core.logging import configure_logging

    configure_logging(getattr(args, "verbose", False))
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        return _failed(args, str(exc))
    except Exception as exc:
        # The catalog failing mid-command (a damaged page, a full disk): one line, no traceback.
        error = catalog_failure(exc, args)
        if error is None:
            raise
        return _failed(args, str(error))
    except KeyboardInterrupt:
        print("photo-organizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


def _failed(args: argparse.Namespace, message: str) -> int:
    """One line on stderr; with --json, the same as {"error": ...} on stdout (a script reads one
    JSON object whatever happened)."""
    print(f"photo-organizer: error: {one_line(message)}", file=sys.stderr)
    if getattr(args, "json", False):
        sys.stdout.flush()
        emit(args, {"error": message}, "")
    return EXIT_USER_ERROR


COMMANDS = {
    "gui": cmd_gui,
    "install-launcher": cmd_install_launcher,
    "index": cmd_index,
    "status": cmd_status,
    "places": cmd_places,
    "album": cmd_album,
    "albums": cmd_albums,
    "rate": cmd_rate,
    "favourite": cmd_favourite,
    "reject": cmd_reject,
    "tag": cmd_tag,
    "tags": cmd_tags,
    "export": cmd_export,
    "memories": cmd_memories,
    "sidecars": cmd_sidecars,
    "search": cmd_search,
    "similar": cmd_similar,
    "doctor": cmd_doctor,
    "clusters": cmd_clusters,
    "project": cmd_project,
    "evaluate": cmd_evaluate,
    "remove": cmd_remove,
    "people": cmd_people,
    "teach": cmd_teach,
    "concepts": cmd_concepts,
    "forget": cmd_forget,
    "duplicates": cmd_duplicates,
    "events": cmd_events,
    "trash": cmd_trash,
}
