"""trash: the Duplicates view's "Move the others to the Trash" as a command, with the same checks
(each file still the one indexed; none the kept photo under another path) and a confirmation:
without --yes it lists what would move and asks, and with no terminal to ask on it refuses."""

from __future__ import annotations

import argparse
import os
import sys

from app.cli.common import emit, given_paths, one_line, open_library


def cmd_trash(args: argparse.Namespace) -> int:
    from app.core.paths import display_path
    from app.core.trash import TrashReport

    paths = [os.path.abspath(p) for p in given_paths(args.paths)]
    keep = os.path.abspath(given_paths([args.keep])[0])
    with open_library(args) as library:
        refused = library.edits.trash_refusals(paths, keep)
        if refused:
            report = TrashReport([], refused)
        else:
            if not args.yes:
                _confirm(list(dict.fromkeys(paths)), keep)
            report = library.edits.move_to_trash(paths, keep)
    lines = [f"moved to the trash: {display_path(p)}" for p in report.moved]
    lines += [f"stayed: {display_path(p)} ({one_line(why)})" for p, why in report.failed]
    if report.failed and not report.moved:
        lines.append("nothing was moved")
    emit(args, report.to_json(), "\n".join(lines))
    return 0 if not report.failed else 1


def _confirm(paths: list[str], keep: str) -> None:
    from app.core.errors import UserError
    from app.core.paths import display_path

    if not sys.stdin.isatty():
        raise UserError("not moving anything without a confirmation: add --yes, or run it on a terminal to be asked")
    listing = "\n".join(f"  {display_path(p)}" for p in paths)
    sys.stderr.write(
        f"Move {len(paths)} file{'s' if len(paths) != 1 else ''} to the Trash (they can be restored from there)?\n"
        f"{listing}\nkeeping {display_path(keep)}\n[y/N] "
    )
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise UserError("nothing was moved")
