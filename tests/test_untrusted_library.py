"""A library folder from someone else is data, never instructions (DESIGN.md invariant 10):
it cannot make the app write outside itself, nor download or load a model this user did not
choose."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.library import Library
from app.ml.spec import ModelSpec
from tests.helpers.images import photo, save_jpeg
from tests.helpers.models import save_tiny_model


@pytest.fixture
def indexed(cli, tmp_path: Path, library_dir: Path) -> Path:
    photos = tmp_path / "photos"
    for i in range(4):
        save_jpeg(photos / f"p{i}.jpg", photo(400 + i))
    assert cli("index", photos).code == 0
    return photos


def _catalog(library_dir: Path, sql: str, *params: object) -> None:
    db = sqlite3.connect(library_dir / "catalog.sqlite")
    db.execute(sql, params)
    db.commit()
    db.close()


def test_a_hostile_content_hash_cannot_make_the_app_write_outside_the_library(
    indexed: Path, library_dir: Path, tmp_path: Path
):
    import uuid

    name = f"escaped-{uuid.uuid4().hex}"
    _catalog(library_dir, f"UPDATE images SET content_hash = '../../../{name}' WHERE id = 1")
    outside = (library_dir / "thumbnails" / ".." / f"../../../{name}.jpg").resolve()
    for thumb in (library_dir / "thumbnails").rglob("*.jpg"):
        thumb.unlink()  # the switch would rebuild thumbnails from the originals
    other = ModelSpec.parse(f"local-dir:{save_tiny_model(tmp_path / 'other')}")
    with Library(library_dir, other) as lib:
        lib.index([])
        assert lib.stored_model == other.key, "the switch completed around the bad row"
        assert len(lib.gallery()) == 3, "the bad row is not shown, and names no file"
    assert not outside.exists()
    assert {p.resolve().parent.parent for p in (library_dir / "thumbnails").rglob("*.jpg")} == {
        (library_dir / "thumbnails").resolve()
    }


@pytest.mark.parametrize("stored", ["hf-hub:somebody/repo", "local-dir:models/evil", "local-dir:/elsewhere/model"])
def test_a_model_named_by_the_library_is_not_fetched_or_loaded_unless_chosen(
    cli, indexed: Path, library_dir: Path, tmp_path: Path, monkeypatch, stored: str
):
    save_tiny_model(tmp_path / "models" / "evil")
    monkeypatch.chdir(tmp_path)  # where a relative local-dir would point
    _catalog(library_dir, "UPDATE meta SET value = ? WHERE key = 'model'", stored)
    for command in (["search", "pattern"], ["search", "--image", indexed / "p0.jpg"]):
        run = cli(*command)
        assert run.code == 2 and stored in run.err and "--model" in run.err, run.err
    assert cli("status", "--json").json["model"] == stored, "looking needs no model"
    assert cli("similar", indexed / "p0.jpg").code == 0, "stored vectors need no model"
    from app.ml.model_choice import is_chosen

    assert not is_chosen(ModelSpec.from_key(stored))


def test_a_model_chosen_once_is_remembered(cli, indexed: Path, library_dir: Path, tmp_path: Path):
    folder = save_tiny_model(tmp_path / "mine")
    key = ModelSpec.parse(f"local-dir:{folder}").key
    assert cli("index", indexed, "--model", key).code == 0  # an explicit choice: switch to it
    assert cli("search", "pattern").code == 0, "the user chose it; the library may use it"
    from app.ml.model_choice import is_chosen

    assert is_chosen(ModelSpec.from_key(key))
