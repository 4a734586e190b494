"""The warm helper of brief commands (`app.cli.helper_*`): a search after a search is answered
by it, with byte for byte the output the command gives in a process of its own, photos indexed
meanwhile included; it serves only its own settings, leaves when idle, when stopped or when its
socket goes, and a client whose helper fails runs the command itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import helper_client
from app.cli.helper_address import SERVE_ARG
from tests.helpers.images import photo, save_jpeg

ODD = "été 'quoted' \N{SNOWMAN}.jpg"


@pytest.fixture
def run_dir() -> Iterator[Path]:
    """A runtime folder with a short path (a socket's path is at most 104 bytes long)."""
    run = Path(tempfile.mkdtemp(prefix="po-run-", dir="/tmp"))
    yield run
    shutil.rmtree(run, ignore_errors=True)


def _environment(run: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "XDG_RUNTIME_DIR": str(run), "PHOTO_ORGANIZER_SEARCH_HELPER": "1", **extra}


def _command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    """`photo-organizer ARGS` as its own process, importing with -X importtime: its stderr then
    names every module it imported itself (a client answered by the helper imports no SQLAlchemy)."""
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "app", *args], env=env, capture_output=True, timeout=300
    )


def _helpers(run: Path) -> list[Path]:
    return sorted(run.glob("photo-organizer-*/*.sock"))


def _wait_listening(run: Path, count: int = 1) -> list[Path]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = [s for s in _helpers(run) if helper_client.listening(s)]
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no helper listening in {run}")


def _pid(address: Path) -> int:
    return int(address.with_suffix(".lock").read_text())


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def stop_helpers(run_dir):
    yield
    for address in run_dir.glob("photo-organizer-*/*.lock"):
        try:
            os.kill(int(address.read_text()), signal.SIGKILL)
        except (ValueError, ProcessLookupError):
            pass


def _own_imports(run: subprocess.CompletedProcess[bytes]) -> str:
    return "\n".join(line for line in run.stderr.decode().splitlines() if line.startswith("import time:"))


def test_a_search_after_a_search_is_answered_warm_as_its_own_process_would(
    cli, library_dir, tmp_path, run_dir, stop_helpers
):
    root = tmp_path / "photos"
    for i in range(6):
        save_jpeg(root / f"p{i}.jpg", photo(300 + i))
    save_jpeg(root / ODD, photo(399))
    assert cli("index", root).code == 0
    env = _environment(run_dir)
    words = ("search", "a red circle", "--top-k", "10")

    first = _command(env, *words)  # in its own process; it starts a helper as it ends
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    assert "sqlalchemy" in _own_imports(first)
    (address,) = _wait_listening(run_dir)
    assert address.parent.stat().st_mode & 0o777 == 0o700

    warm = _command(env, *words)
    assert warm.returncode == 0, warm.stderr.decode()[-2000:]
    assert "sqlalchemy" not in _own_imports(warm), "answered by the helper, not in its own process"
    assert warm.stdout == first.stdout and ODD in warm.stdout.decode()
    assert _helpers(run_dir) == [address], "one helper for one user and settings"

    # Photos indexed meanwhile (by another process, the writer) are found by the next warm search.
    save_jpeg(root / "new one.jpg", photo(310))
    assert cli("index", root).code == 0
    cold_env = {**env, "PHOTO_ORGANIZER_SEARCH_HELPER": "0"}
    for args in (("search", "a red circle", "--top-k", "10", "--json"), ("similar", str(root / "p3.jpg"), "--json")):
        warm, cold = _command(env, *args), _command(cold_env, *args)
        assert warm.returncode == cold.returncode == 0
        assert "sqlalchemy" not in _own_imports(warm) and "sqlalchemy" in _own_imports(cold)
        found, expected = json.loads(warm.stdout), json.loads(cold.stdout)
        assert found["results"] == expected["results"]
        assert str(root / "new one.jpg") in {hit["path"] for hit in found["results"]}

    # A failing command fails the same way: the same message, status and JSON error.
    missing = ("search", "--image", str(tmp_path / "no such.jpg"), "--json")
    warm, cold = _command(env, *missing), _command(cold_env, *missing)
    assert warm.returncode == cold.returncode == 2
    assert warm.stdout == cold.stdout and b"no such.jpg" in warm.stdout

    # Other settings: not this helper's to answer (the command runs in its own process).
    other = _command({**env, "PHOTO_ORGANIZER_LANGUAGES": "fr"}, *words)
    assert other.returncode == 0 and "sqlalchemy" in _own_imports(other)

    # A search saved as a smart album changes the library: never through the helper.
    saved = _command(env, "search", "a red circle", "--save-as", "Red")
    assert saved.returncode == 0 and "sqlalchemy" in _own_imports(saved)

    pid = _pid(address)
    os.kill(pid, signal.SIGTERM)
    assert _gone(pid, 30) and not address.exists(), "stopped, it takes its socket away"


def test_a_helper_leaves_when_idle_or_when_its_socket_is_taken(run_dir, stop_helpers):
    env = _environment(run_dir, PHOTO_ORGANIZER_SEARCH_HELPER_IDLE="2")
    folder = run_dir / "photo-organizer-test"
    folder.mkdir(mode=0o700)
    address = folder / "idle.sock"
    helper = subprocess.Popen([sys.executable, "-m", "app", SERVE_ARG, str(address)], env=env)
    assert _wait_listening(run_dir) == [address]
    assert helper.wait(timeout=60) == 0 and not address.exists()

    env["PHOTO_ORGANIZER_SEARCH_HELPER_IDLE"] = "600"
    helper = subprocess.Popen([sys.executable, "-m", "app", SERVE_ARG, str(address)], env=env)
    assert _wait_listening(run_dir) == [address]
    again = subprocess.run([sys.executable, "-m", "app", SERVE_ARG, str(address)], env=env, timeout=60)
    assert again.returncode == 0 and helper.poll() is None, "a second helper for the same address leaves at once"
    address.unlink()  # its folder cleaned away
    assert helper.wait(timeout=60) == 0


@pytest.mark.parametrize("reply", [b"", b"not json\n", b'{"code": 0, "out": 5, "err": 0}\nabc'])
def test_a_client_whose_helper_fails_runs_the_command_itself(tmp_path, monkeypatch, capsys, reply):
    address = tmp_path / "h.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(address))
    listener.listen(1)

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(1 << 16)
            conn.sendall(reply)

    thread = threading.Thread(target=answer)
    thread.start()
    monkeypatch.setattr(helper_client, "_address_at_start", [address])
    assert helper_client.answered_by_helper(["search", "a dog"]) is None
    thread.join(timeout=10)
    listener.close()
    assert capsys.readouterr() == ("", ""), "nothing half-written: the command's own output follows"


def test_no_helper_for_a_folder_others_can_use_or_when_switched_off(run_dir, monkeypatch):
    from app.cli.helper_address import helper_address

    run = run_dir
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setenv("PHOTO_ORGANIZER_SEARCH_HELPER", "1")
    found = helper_address()
    assert found is not None and found.parent == run / f"photo-organizer-{os.getuid()}"
    assert helper_address() == found, "the same settings, the same helper"
    monkeypatch.setenv("PHOTO_ORGANIZER_LANGUAGES", "de")
    assert helper_address() != found
    found.parent.chmod(0o755)  # others could connect, or put a socket of theirs there
    assert helper_address() is None
    found.parent.chmod(0o700)
    if os.getuid() == 0:
        os.chown(found.parent, 4321, 4321)  # someone else's folder
        assert helper_address() is None
        os.chown(found.parent, 0, 0)
    monkeypatch.setenv("PHOTO_ORGANIZER_SEARCH_HELPER", "0")
    assert helper_address() is None
    assert not helper_client.served(["search", "a dog", "--save-as", "Dogs"])
    assert not helper_client.served(["search", "a dog", "--save=Dogs"]), "argparse takes abbreviations"
    assert not helper_client.served(["index", "photos"]) and helper_client.served(["status", "--json"])
    assert not helper_client.served(["search", "--help"]), "help is laid out for the client's terminal"


def test_ctrl_c_while_the_helper_runs_the_command_says_so_as_the_command_would(tmp_path):
    address = tmp_path / "slow.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(address))
    listener.listen(1)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.cli import helper_client\n"
        f"helper_client._address_at_start.append(Path({str(address)!r}))\n"
        "sys.exit(helper_client.answered_by_helper(['search', 'a dog']))"
    )
    client = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    conn, _ = listener.accept()  # a helper that never answers
    conn.recv(1 << 16)
    client.send_signal(signal.SIGINT)
    out, err = client.communicate(timeout=60)
    conn.close()
    listener.close()
    assert client.returncode == 130 and err.decode().strip() == "photo-organizer: interrupted" and out == b""


def test_the_helper_collects_what_a_command_left_only_after_its_client_has_the_answer(monkeypatch):
    """The collector stays paused through the command and its reply, and the connection is
    closed (the client reads to its end) before the cycles the command left are collected."""
    import gc

    from app.cli import helper_server

    events: list[tuple[str, bool]] = []

    class Connection:
        def __enter__(self) -> Connection:
            return self

        def __exit__(self, *_exc: object) -> None:
            events.append(("closed", gc.isenabled()))

    class Listener:
        def settimeout(self, _seconds: float) -> None:
            pass

        def accept(self) -> tuple[Connection, None]:
            return Connection(), None

    monkeypatch.setattr(helper_server, "_still_ours", lambda _address, _bound: not events)  # one command
    monkeypatch.setattr(helper_server, "_answer", lambda _conn: events.append(("answered", gc.isenabled())))
    monkeypatch.setattr(gc, "collect", lambda *_args: events.append(("collected", gc.isenabled())) or 0)
    assert gc.isenabled()
    helper_server._answer_until_idle(Listener(), Path("unused"), 0)  # type: ignore[arg-type]
    assert events == [("answered", False), ("closed", False), ("collected", True)]


def test_commands_answered_in_one_process_share_one_parser(monkeypatch, capsys):
    """The helper answers each command through `main`, with the parser it built once."""
    from app.cli import entry, parser

    parser.build_parser.cache_clear()
    made: list[object] = []
    build = parser.Parser.__init__
    monkeypatch.setattr(
        parser.Parser, "__init__", lambda self, *a, **k: made.append(k.get("prog")) or build(self, *a, **k)
    )
    assert entry.main(["search", "--top-k", "none"]) == entry.main(["search", "--top-k", "none"]) == 2  # unreadable
    assert made.count("photo-organizer") == 1
    assert capsys.readouterr().err.count("invalid int value") == 2
