"""Running the CLI the way a user's machine would: subject to permission bits, in its own process.

The suite runs as root in CI, and root reads and writes through any permission bits. Tests
about permissions run the command through `setpriv` with every capability dropped (no
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER): still uid 0, so the checkout and its
virtual environment stay reachable wherever CI puts them (even below a 700 home), but a folder
or file whose owner bits say no is refused, as it would be to its owner on a user's machine.
Run as an ordinary user already, the command runs unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def is_root() -> bool:
    return os.geteuid() == 0


def as_user_prefix() -> list[str]:
    if not is_root():
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("setpriv (util-linux) is needed to drop root's capabilities in tests")
    return [setpriv, "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"]


@contextmanager
def user_folder() -> Iterator[Path]:
    """A scratch folder for a test's photos and libraries (removed afterwards, whatever its modes)."""
    folder = Path(tempfile.mkdtemp(prefix="po-user-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            try:
                if not path.is_symlink():
                    path.chmod(0o755 if path.is_dir() else 0o644)
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code, self.out, self.err = proc.returncode, proc.stdout, proc.stderr

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"exit {self.code}\nstdout: {self.out[-2000:]}\nstderr: {self.err[-4000:]}"


def run_cli(
    args: Sequence[object], home: Path, as_user: bool = True, prefix: Sequence[str] = (), timeout: float = 300
) -> Run:
    """`photo-organizer ARGS` in a child process (without root's capabilities unless told not to)."""
    env = {**os.environ, "HOME": str(home), "PHOTO_ORGANIZER_CONFIG_DIR": str(home / ".config-po")}
    env.pop("PHOTO_ORGANIZER_LIBRARY", None)
    command = [*prefix, *(as_user_prefix() if as_user else []), sys.executable, "-m", "app", *map(str, args)]
    return Run(subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd=home))


def shell_in_mount_namespace(script: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace (tmpfs mounts for full or read-only
    storage, gone with it). Needs root with CAP_SYS_ADMIN; callers skip otherwise."""
    env = {
        **os.environ,
        "HOME": str(home),
        "PHOTO_ORGANIZER_CONFIG_DIR": str(home / ".config-po"),
        "PY": sys.executable,
    }
    env.pop("PHOTO_ORGANIZER_LIBRARY", None)
    return subprocess.run(
        ["unshare", "-m", "sh", "-euc", script], env=env, capture_output=True, text=True, timeout=timeout, cwd=home
    )


def can_mount() -> bool:
    if not is_root() or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            "mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=1m tmpfs /tmp",
        ],
        capture_output=True,
    )
    return probe.returncode == 0
