"""Shared fixtures: every test runs against the tiny random-weight model in a temp library."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pytest

os.environ["PHOTO_ORGANIZER_MODEL"] = "PO-Tiny"
os.environ["PHOTO_ORGANIZER_PRETRAINED"] = "random"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["PHOTO_ORGANIZER_OFFLINE"] = "1"
# Each command in a process of its own, as the tests mean it; `test_cli_helper` starts helpers.
os.environ["PHOTO_ORGANIZER_SEARCH_HELPER"] = "0"
# The region pass (detector + OCR) costs about a second per photo: tests that are about it
# switch it on; all others index whole images only.
os.environ["PHOTO_ORGANIZER_DETECT"] = "0"
os.environ["PHOTO_ORGANIZER_OCR"] = "0"
os.environ["PHOTO_ORGANIZER_FACES"] = "0"  # the face tests switch it on
# Models the user chose (app.ml.model_choice) are remembered here, never in the real home.
os.environ["PHOTO_ORGANIZER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="po-test-config-")
# Text towers exported for quick searches: once per model in this session, not in the user's cache.
os.environ["PHOTO_ORGANIZER_QUERY_DIR"] = tempfile.mkdtemp(prefix="po-test-query-")


@pytest.fixture
def library_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lib = tmp_path / "library"
    monkeypatch.setenv("PHOTO_ORGANIZER_LIBRARY", str(lib))
    return lib


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], library_dir: Path):
    """Run the CLI in-process (same code path as the console script) and capture its output."""
    from app.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Content hash and mtime of every file below `folder` (links not followed)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        out[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


@pytest.fixture(scope="session")
def shapes_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A tiny CLIP trained in this session on drawn shapes: the `--model` value for it."""
    from tests.helpers.shapes import train_shapes_model

    folder = train_shapes_model(tmp_path_factory.mktemp("shapes-model") / "model")
    return f"local-dir:{folder}"


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """PO-Tiny with a pretrained tag 'served' whose weights live on a local hub."""
    import open_clip

    from app.ml.embedder import register_builtin_models
    from tests.helpers.weights_server import REPO, publish_tiny_model, serving

    register_builtin_models()
    served = publish_tiny_model(tmp_path / "hub")
    monkeypatch.setitem(open_clip.pretrained._PRETRAINED, "PO-Tiny", {"served": {"hf_hub": f"{REPO}/", "url": ""}})
    monkeypatch.setenv("PHOTO_ORGANIZER_MODEL", "PO-Tiny")
    monkeypatch.setenv("PHOTO_ORGANIZER_PRETRAINED", "served")
    monkeypatch.setenv("PHOTO_ORGANIZER_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("PHOTO_ORGANIZER_OFFLINE", raising=False)
    with serving(tmp_path / "hub") as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        yield served
