"""The headless command line over the same `Library` the GUI uses (contract: DESIGN.md).

Heavy modules (torch, open_clip, faiss, Qt) are imported inside the commands, so `--help`
is instant. A `UserError` becomes one line on stderr and exit status 2; never a traceback.
`command_line` first offers a brief command to the warm helper (`helper_client`), before
anything else is imported.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["build_parser", "command_line", "main"]


def command_line() -> int:
    """The process's entry (`photo-organizer`, `python -m app`, the bundle)."""
    from app.cli.helper_address import SERVE_ARG

    if sys.argv[1:2] == [SERVE_ARG] and len(sys.argv) == 3:
        from pathlib import Path

        from app.cli.helper_server import serve

        return serve(Path(sys.argv[2]))
    from app.cli.helper_client import answered_by_helper

    answered = answered_by_helper(sys.argv[1:])
    if answered is not None:
        return answered
    from app.cli.entry import command_line as in_this_process

    return in_this_process()


def __getattr__(name: str) -> Any:
    if name == "main":
        from app.cli.entry import main

        return main
    if name == "build_parser":
        from app.cli.parser import build_parser

        return build_parser
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
