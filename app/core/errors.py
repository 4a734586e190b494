"""Errors a person can act on, kept apart from bugs.

A `UserError` carries a one-line message meant for the person using the app; the CLI prints it
without a traceback and the GUI shows it in a dialog. Anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Callable


class UserError(Exception):
    """A problem with the input or the environment that the user can fix."""


class LibraryBusyError(UserError):
    """Another process is writing to the library."""


class ModelUnavailableError(UserError):
    """Model weights are missing and cannot be downloaded."""


class CancelledError(Exception):
    """Raised inside long work when the caller asked it to stop."""


def raise_if_stopped(should_stop: Callable[[], bool] | None, why: str) -> None:
    """Raise CancelledError(`why`) once `should_stop()` says the work is no longer wanted."""
    if should_stop is not None and should_stop():
        raise CancelledError(why)


class LibraryStorageError(UserError):
    """The library's own folder cannot be written (full disk, no free inodes, permissions,
    read-only media): never a fault of a photo. What was committed stays consistent."""


class ReadOnlyLibraryError(UserError):
    """A change was asked of a library opened read-only (read-only media, a shared folder)."""


class CatalogDamagedError(UserError):
    """The catalog's SQLite file is damaged; `doctor` says what can be recovered."""


class UntrustedModelError(UserError):
    """The library names a model to download or load that the user has not chosen."""


class UntrustedDataError(UserError):
    """Something read from a library folder is malformed or hostile and was refused."""
