"""Downloading model weights with progress a person can watch (and cancel), into a file that
only appears, by rename, once it is complete."""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

# (bytes so far, total bytes or 0 when the server does not say); may raise
# app.core.errors.CancelledError to stop the download
DownloadProgress = Callable[[int, int], None]

CHUNK = 1 << 20


class DownloadFailed(Exception):
    """The server could not be reached, refused, or the transfer broke off."""


def download_file(url: str, dest: Path, progress: DownloadProgress | None = None, timeout: float = 30.0) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + f".{os.getpid()}.part")
    request = urllib.request.Request(url, headers={"User-Agent": "photo-organizer"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            if progress is not None:
                progress(0, total)
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        if total and done != total:
            raise DownloadFailed(f"the transfer broke off at {done} of {total} bytes")
        os.replace(partial, dest)
        return dest
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise DownloadFailed(f"{url}: {getattr(exc, 'reason', exc)}") from exc
    finally:
        partial.unlink(missing_ok=True)
