"""The headless command line over the same `Library` the GUI uses (contract: DESIGN.md).

Heavy modules (torch, open_clip, faiss, Qt) are imported inside the commands, so `--help`
is instant. A `UserError` becomes one line on stderr and exit status 2; never a traceback.
"""

from app.cli.entry import command_line, main
from app.cli.parser import build_parser

__all__ = ["build_parser", "command_line", "main"]
