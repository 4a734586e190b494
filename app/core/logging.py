"""Logging set-up for the CLI and the GUI (library modules only create loggers)."""

from __future__ import annotations

import logging
import os


def configure_logging(verbose: bool = False) -> None:
    level = (
        logging.DEBUG
        if verbose
        else getattr(logging, os.environ.get("PHOTO_ORGANIZER_LOG", "WARNING").upper(), logging.WARNING)
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_quiet_third_party_root)
    # Third-party libraries are chatty at INFO; keep them quiet unless debugging.
    # (Not "root": that name is the root logger itself, and would silence --verbose.)
    for noisy in ("PIL", "huggingface_hub", "urllib3", "httpx"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def _quiet_third_party_root(record: logging.LogRecord) -> bool:
    # open_clip logs through the root logger ("model initialized randomly", config paths);
    # our own modules never do, so only errors from there are worth a person's attention.
    return record.name != "root" or record.levelno >= logging.ERROR
