"""File paths in the catalog, stored losslessly whatever bytes the file system gave them.

POSIX names are bytes; Python hands over the ones that are not UTF-8 with each bad byte as a
lone surrogate (U+DC80..U+DCFF), which SQLite cannot store as text. Such a byte is written as
U+0001 and two hex digits, and U+0001 itself (possible, never seen) as two of them, so every
path round-trips and a folder's encoding stays a prefix of its files' encodings (folder
filters compare prefixes). Paths that are plain UTF-8 without U+0001, i.e. all ordinary ones,
are stored unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

_ESCAPE = "\x01"
_NEEDS_ESCAPE = re.compile("[\x01\ud800-\udfff]")
_ESCAPED = re.compile("\x01(\x01|u[0-9a-f]{4}|[0-9a-f]{2})")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == _ESCAPE:
        return _ESCAPE * 2
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"{_ESCAPE}{code - 0xDC00:02x}"
    return f"{_ESCAPE}u{code:04x}"  # any other lone surrogate (a Windows name)


def _unescape(match: re.Match[str]) -> str:
    body = match.group(1)
    if body == _ESCAPE:
        return _ESCAPE
    if body.startswith("u"):
        return chr(int(body[1:], 16))
    return chr(0xDC00 + int(body, 16))


def encode_path(path: str) -> str:
    """The catalog's text for `path`."""
    return _NEEDS_ESCAPE.sub(_escape, path) if _NEEDS_ESCAPE.search(path) else path


def decode_path(stored: str) -> str:
    """The path `encode_path` made `stored` from."""
    return _ESCAPED.sub(_unescape, stored) if _ESCAPE in stored else stored


class PathText(TypeDecorator[str]):
    """A Text column holding a path: encoded on the way in, decoded on the way out, including
    in comparisons (`==`, `in_`) against the column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return encode_path(value) if isinstance(value, str) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return decode_path(value) if isinstance(value, str) else value
