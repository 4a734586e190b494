"""The launcher installs into the user's XDG folders and runs this Python."""

from __future__ import annotations

import sys

from app.launcher import launcher_paths


def test_install_and_uninstall_launcher(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    result = cli("install-launcher")
    assert result.code == 0, result.err
    desktop, icon = launcher_paths()
    assert desktop.is_file() and icon.is_file()
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entry["Exec"] == f"{sys.executable} -m app gui %F"
    assert entry["Icon"] == str(icon) and entry["Type"] == "Application" and entry["Terminal"] == "false"
    assert icon.read_text().startswith("<svg")
    assert cli("install-launcher", "--uninstall").code == 0
    assert not desktop.exists() and not icon.exists()


def test_the_bundle_launcher_runs_the_bundle_itself(cli, tmp_path, monkeypatch):
    """Frozen, sys.executable is the app: `-m app` would be taken for a command it lacks."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/Photo Organizer/photo-organizer")
    assert cli("install-launcher").code == 0
    desktop, _ = launcher_paths()
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entry["Exec"] == "'/opt/Photo Organizer/photo-organizer' gui %F"
