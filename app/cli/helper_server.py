"""The warm helper: a process of the user's own that keeps the command line's code and the
text towers it used loaded, and runs brief commands for `helper_client` one at a time, each
exactly as `main` runs it in a process of its own: the library is opened and closed per
command (its locks, checks and repairs as always), in the client's folder, with the client's
output encodings; only the imports and the loaded text tower are kept between commands.

It listens on a socket in the user's private runtime folder (`helper_address`), answers only
its own user, and leaves once nobody asked for `PHOTO_ORGANIZER_SEARCH_HELPER_IDLE` seconds
(5 minutes), or as soon as its socket is taken away or replaced."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import os
import signal
import socket
import struct
import sys
import time
import traceback
from pathlib import Path

from app.cli.helper_address import idle_seconds
from app.core.collector import collector_paused

_MOST_REQUEST = 1 << 20
REQUEST_SECONDS = 10.0
LOOK_SECONDS = 10.0  # how often an idle helper looks whether its socket is still its own


def serve(address: Path) -> int:
    """Serve brief commands at `address` until idle; at once 0 when another helper serves it."""
    import fcntl

    try:
        held = os.open(address.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        print(f"photo-organizer: error: cannot serve at {address}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return 0
        os.ftruncate(held, 0)
        os.write(held, str(os.getpid()).encode())
        signal.signal(signal.SIGTERM, _leave)  # `kill`, a logout: its socket goes with it
        _warm_up()  # meanwhile commands run in their own processes, as quickly as they would wait
        with contextlib.suppress(FileNotFoundError):
            address.unlink()  # a helper's that was killed: nobody listens on it
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(str(address))
            bound = os.stat(address).st_ino
            listener.listen(16)
            try:
                _answer_until_idle(listener, address, bound)
            finally:
                if _still_ours(address, bound):
                    address.unlink()
    finally:
        os.close(held)
    return 0


_leaving: list[int] = []  # the signal that asked it to leave (mid-command, it leaves after)


def _leave(signum: int, _frame: object) -> None:
    _leaving.append(signum)
    raise SystemExit(0)


def _answer_until_idle(listener: socket.socket, address: Path, bound: int) -> None:
    idle = idle_seconds()
    listener.settimeout(min(idle, LOOK_SECONDS))
    asked = time.monotonic()
    while _still_ours(address, bound) and not _leaving:  # its folder gone, or another helper in its place
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if time.monotonic() - asked >= idle:
                return
            continue
        with collector_paused(), conn:  # closed (the client reads to the end) before collecting
            _answer(conn)
        # What the command left in cycles (its library, engine and pool: about 3,000 objects),
        # collected once its client has the answer: at a million photos, 21 ms of a warm
        # search's 0.12 s when the collector ran again before the reply.
        gc.collect()
        asked = time.monotonic()


def _warm_up() -> None:
    """What every brief command imports, loaded once; and the text tower last searched through
    (`query_text.keep_loaded_towers`: each one loaded is kept)."""
    from app.cli import entry  # noqa: F401 - the commands and the library's code
    from app.ml.query_text import keep_loaded_towers, preload_last_used
    from app.search import library_search, vector_search  # noqa: F401

    keep_loaded_towers()
    preload_last_used()
    gc.collect()
    gc.freeze()  # the code's objects are never walked again by the collector


def _still_ours(address: Path, bound: int) -> bool:
    try:
        return os.stat(address).st_ino == bound
    except OSError:
        return False


def _answer(conn: socket.socket) -> None:
    conn.settimeout(REQUEST_SECONDS)
    try:
        if not _same_user(conn):
            return
        request = _request(conn)
        if request is None:
            return
        conn.settimeout(None)
        code, out, err = _run(request)
        conn.sendall(json.dumps({"code": code, "out": len(out), "err": len(err)}).encode() + b"\n" + out + err)
    except (OSError, ValueError):
        return  # the client went away, or asked nothing readable: it runs the command itself


def _same_user(conn: socket.socket) -> bool:
    """Whether the client is this user (Linux says; elsewhere the private folder does)."""
    peer_credentials = getattr(socket, "SO_PEERCRED", None)
    if peer_credentials is None:
        return True
    _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, peer_credentials, struct.calcsize("3i")))
    return uid == os.getuid()


def _request(conn: socket.socket) -> dict | None:
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(1 << 16)
        if not chunk or len(data) > _MOST_REQUEST:
            return None
        data += chunk
    request = json.loads(data.partition(b"\n")[0])
    argv, cwd = request.get("argv"), request.get("cwd")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv) or not isinstance(cwd, str):
        return None
    return request


def _run(request: dict) -> tuple[int | None, bytes, bytes]:
    """The command run as `main` runs it, its output as the client's streams would hold it;
    code None where it could not be run here (the client's folder is gone)."""
    from app.cli.entry import main

    out, err = io.BytesIO(), io.BytesIO()
    text_out = io.TextIOWrapper(out, *_encoding(request.get("stdout")), write_through=True)
    text_err = io.TextIOWrapper(err, *_encoding(request.get("stderr")), write_through=True)
    try:
        os.chdir(request["cwd"])
    except OSError:
        return None, b"", b""
    time.tzset()  # the computer's time zone as it is now (the words' "July 2023" are local)
    logging.root.handlers.clear()  # `configure_logging` sets them up again, on this command's stderr
    logging.root.setLevel(logging.WARNING)
    try:
        with contextlib.redirect_stdout(text_out), contextlib.redirect_stderr(text_err):
            try:
                code = main(request["argv"])
            except SystemExit as exc:  # `--help`, `--version`
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            except Exception:  # as a process of its own would end: the traceback, status 1
                traceback.print_exc()
                code = 1
            text_out.flush()
            text_err.flush()
    finally:
        logging.root.handlers.clear()
        os.chdir("/")
    if _leaving:  # stopped mid-command: the client runs it itself
        return None, b"", b""
    return code, out.getvalue(), err.getvalue()


def _encoding(given: object) -> tuple[str, str]:
    if isinstance(given, list) and len(given) == 2 and all(isinstance(g, str) for g in given):
        try:
            import codecs

            codecs.lookup(given[0])
            codecs.lookup_error(given[1])
            return given[0], given[1]
        except LookupError:
            pass
    return "utf-8", "strict"
