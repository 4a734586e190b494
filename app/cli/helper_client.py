"""A brief command (`search`, `similar`, `status`) answered by the warm helper, when one is
listening for this user and settings (`helper_address`); after a brief command that ran in its
own process, a helper is started for the next ones. Anything amiss (no helper, a helper that
goes away mid-answer, a reply that does not add up) and the command runs here as it always did:
the helper only ever saves time. Standard library only, imported before anything else."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli.helper_address import SERVE_ARG, helper_address

# Commands a person runs often and waits on, each over within seconds: they run with the cycle
# collector paused (`entry.command_line`), and a helper answers them warm.
BRIEF_COMMANDS = frozenset({"search", "similar", "status"})
CONNECT_SECONDS = 1.0
ANSWER_SECONDS = 600.0  # a first search through torch exports the text tower: tens of seconds
_MOST_HEADER = 1 << 16
# The address as this process started: importing the app's code sets settings of its own
# (OMP_WAIT_POLICY), which a helper started after the command must not be told apart by.
_address_at_start: list[Path | None] = []


def served(argv: Sequence[str]) -> bool:
    """Whether the helper may run this command: a brief one that changes nothing the person
    decides (a search saved as a smart album runs in its own process). Help runs in the
    client's own process, laid out for its terminal's width."""
    if not argv or argv[0] not in BRIEF_COMMANDS:
        return False
    return not any(_saves(a) or a in ("-h", "--help") for a in argv)


def _saves(arg: str) -> bool:
    """`--save-as`, or an abbreviation argparse would take for it (`--save`)."""
    name = arg.split("=")[0]
    return len(name) > 3 and "--save-as".startswith(name)


def answered_by_helper(argv: Sequence[str]) -> int | None:
    """Run `argv` in the helper and write its output here: its exit status, or None where no
    helper ran it (the caller runs it itself)."""
    if not served(argv):
        return None
    address = _address()
    if address is None:
        return None
    try:
        reply = _ask(address, argv)
    except (OSError, ValueError):
        return None
    except KeyboardInterrupt:  # Ctrl+C while it ran: as the command says it in its own process
        from app.cli.common import EXIT_INTERRUPTED

        print("photo-organizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if reply is None:
        return None
    code, out, err = reply
    try:
        _write(sys.stderr, err)
        _write(sys.stdout, out)
    except BrokenPipeError:  # `| head` stopped reading, as the command's own output allows
        return 0
    return code


def start_helper(argv: Sequence[str]) -> None:
    """After `argv` ran in this process: start a helper for the next brief commands, unless
    helpers are off, one is listening already, or this command is not one it would run."""
    if not served(argv):
        return
    address = _address()
    if address is None or listening(address):
        return
    import subprocess

    frozen = getattr(sys, "frozen", False)  # the bundle: its executable is the command line
    own, home = ([sys.executable], "/") if frozen else ([sys.executable, "-m", "app"], str(Path(__file__).parents[2]))
    try:
        subprocess.Popen(
            [*own, SERVE_ARG, str(address)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not the terminal's: Ctrl-C there never reaches it
            close_fds=True,
            cwd=home,  # where `app` imports from
        )
    except OSError:
        pass  # the next command runs in its own process, as this one did


def _address() -> Path | None:
    if not _address_at_start:
        _address_at_start.append(helper_address())
    return _address_at_start[0]


def listening(address: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_SECONDS)
        try:
            probe.connect(str(address))
        except OSError:
            return False
    return True


def _ask(address: Path, argv: Sequence[str]) -> tuple[int, bytes, bytes] | None:
    request = {
        "argv": list(argv),
        "cwd": os.getcwd(),
        "stdout": [getattr(sys.stdout, "encoding", None) or "utf-8", getattr(sys.stdout, "errors", None) or "strict"],
        "stderr": [getattr(sys.stderr, "encoding", None) or "utf-8", "backslashreplace"],
    }
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(CONNECT_SECONDS)
        conn.connect(str(address))
        conn.settimeout(ANSWER_SECONDS)
        conn.sendall(json.dumps(request).encode() + b"\n")
        conn.shutdown(socket.SHUT_WR)
        parts = []
        while chunk := conn.recv(1 << 20):
            parts.append(chunk)
    data = b"".join(parts)
    header, newline, body = data.partition(b"\n")
    if not newline or len(header) > _MOST_HEADER:
        return None  # the helper went away before it answered
    head = json.loads(header)
    code, out, err = head.get("code"), head.get("out"), head.get("err")
    if not isinstance(code, int) or not isinstance(out, int) or not isinstance(err, int) or out + err != len(body):
        return None
    return code, body[:out], body[out:]


def _write(stream: object, data: bytes) -> None:
    if not data:
        return
    stream.flush()  # type: ignore[attr-defined]
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        raw.write(data)
        raw.flush()
    else:  # a stream without bytes underneath (replaced in-process): its own text
        stream.write(data.decode(getattr(stream, "encoding", None) or "utf-8", "replace"))  # type: ignore[attr-defined]
        stream.flush()  # type: ignore[attr-defined]
