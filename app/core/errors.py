"""Errors a person can act on, kept apart from bugs.

A `UserError` carries a one-line message meant for the person using the app; the CLI prints it
without a traceback and the GUI shows it in a dialog. Anything else is a bug.
"""


class UserError(Exception):
    """A problem with the input or the environment that the user can fix."""


class LibraryBusyError(UserError):
    """Another process is writing to the library."""


class ModelUnavailableError(UserError):
    """Model weights are missing and cannot be downloaded."""


class CancelledError(Exception):
    """Raised inside long work when the caller asked it to stop."""
