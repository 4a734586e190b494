"""What the command line logs: details with --verbose, and open_clip's chatter never."""

from __future__ import annotations

import subprocess
import sys

_SHOW = """
import logging, sys
from app.core.logging import configure_logging
configure_logging(verbose=sys.argv[1] == "verbose")
logging.getLogger("app.indexing.pipeline").info("a detail of ours")
logging.getLogger("app.indexing.pipeline").warning("a warning of ours")
logging.getLogger().info("open_clip's progress, through the root logger")
"""


def _logged(mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", _SHOW, mode], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_verbose_shows_details_and_the_default_only_warnings():
    verbose = _logged("verbose")
    assert "a detail of ours" in verbose and "a warning of ours" in verbose
    assert "open_clip" not in verbose
    quiet = _logged("quiet")
    assert "a detail of ours" not in quiet and "a warning of ours" in quiet
