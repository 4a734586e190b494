"""Running the CLI the way a user's machine would: as an ordinary user, in its own process.

The suite runs as root in CI, and root reads and writes through any permission bits. Tests
about permissions run the command through `setpriv` as `nobody` (with no capabilities), in a
folder that user can reach; run as an ordinary user already, they run it unchanged.
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

NOBODY = 65534


def is_root() -> bool:
    return os.geteuid() == 0


def as_user_prefix() -> list[str]:
    if not is_root():
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError("setpriv (util-linux) is needed to drop root privileges in tests")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]


@contextmanager
def user_folder() -> Iterator[Path]:
    """A folder the unprivileged user owns (pytest's own tmp folders are root's, mode 700)."""
    folder = Path(tempfile.mkdtemp(prefix="po-user-", dir="/tmp"))
    folder.chmod(0o755)
    if is_root():
        os.chown(folder, NOBODY, NOBODY)
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


def give_to_user(*paths: Path) -> None:
    """Hand files the test made (as root) to the unprivileged user."""
    if not is_root():
        return
    for top in paths:
        for path in [top, *top.rglob("*")] if top.is_dir() else [top]:
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code, self.out, self.err = proc.returncode, proc.stdout, proc.stderr

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"exit {self.code}\nstdout: {self.out[-2000:]}\nstderr: {self.err[-4000:]}"


def run_cli(args: Sequence[object], home: Path, as_user: bool = True, prefix: Sequence[str] = (), timeout: float = 300) -> Run:
    """`photo-organizer ARGS` in a child process (as the unprivileged user unless told not to)."""
    env = {**os.environ, "HOME": str(home), "PHOTO_ORGANIZER_CONFIG_DIR": str(home / ".config-po")}
    env.pop("PHOTO_ORGANIZER_LIBRARY", None)
    command = [*prefix, *(as_user_prefix() if as_user else []), sys.executable, "-m", "app", *map(str, args)]
    return Run(subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd=home))


def shell_in_mount_namespace(script: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace (tmpfs mounts for full or read-only
    storage, gone with it). Needs root with CAP_SYS_ADMIN; callers skip otherwise."""
    env = {**os.environ, "HOME": str(home), "PHOTO_ORGANIZER_CONFIG_DIR": str(home / ".config-po"), "PY": sys.executable}
    env.pop("PHOTO_ORGANIZER_LIBRARY", None)
    return subprocess.run(["unshare", "-m", "sh", "-euc", script], env=env, capture_output=True, text=True, timeout=timeout, cwd=home)


def can_mount() -> bool:
    if not is_root() or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=1m tmpfs /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0
