"""Damaged library files: a vector file that is fuzzed, has random bytes among its vectors,
or belongs to another catalog is rebuilt from the catalog; a damaged catalog gets a clear
message, and doctor says (and --repair does) what can be recovered."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.images import photo, save_jpeg


@pytest.fixture
def indexed(cli, tmp_path: Path, library_dir: Path) -> Path:
    photos = tmp_path / "photos"
    for i in range(12):
        save_jpeg(photos / f"p{i:02d}.jpg", photo(300 + i))
    assert cli("index", photos).code == 0
    return photos


def _vector_file(library_dir: Path) -> Path:
    (found,) = library_dir.glob("vectors-*.faiss")
    return found


def _scores_sane(cli) -> None:  # type: ignore[no-untyped-def]
    hits = cli("search", "pattern", "--json")
    assert hits.code == 0, hits.err
    scores = [h["score"] for h in hits.json["results"]]
    assert len(scores) == 12 and all(-1.01 <= s <= 1.01 for s in scores), scores


@pytest.mark.parametrize("where", ["header", "vectors", "footer", "truncated"])
def test_a_damaged_vector_file_is_rebuilt_from_the_catalog(cli, indexed: Path, library_dir: Path, where: str):
    path = _vector_file(library_dir)
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(7)
    if where == "header":
        data[:48] = rng.bytes(48)  # counts and sizes FAISS would believe
    elif where == "vectors":
        middle = len(data) // 2
        data[middle : middle + 64] = rng.bytes(64)
    elif where == "footer":
        data[-20:] = rng.bytes(20)
    else:
        data = data[: len(data) // 3]
    path.write_bytes(bytes(data))
    _scores_sane(cli)
    status = cli("status", "--json").json
    assert status["consistent"] and status["index_vectors"] == 12
    doctor = cli("doctor", "--json").json
    assert doctor["library"]["vector_file_rebuilt"] is None, "the first command already rebuilt and saved it"


def test_a_stale_vector_file_beside_a_new_catalog_never_leaks(cli, indexed: Path, library_dir: Path, tmp_path: Path):
    stale = _vector_file(library_dir)
    kept = stale.read_bytes()
    for name in library_dir.glob("catalog.sqlite*"):
        name.unlink()
    other = tmp_path / "other"
    for i in range(2):
        save_jpeg(other / f"o{i}.jpg", photo(900 + i))
    assert cli("index", other).code == 0
    # As if that run had been killed before its vector file was saved: the old vectors, under
    # the very ids (1, 2) the new catalog gave its regions.
    stale.write_bytes(kept)
    hits = cli("search", "--image", other / "o0.jpg", "--json").json["results"]
    assert [Path(h["path"]).name for h in hits] == ["o0.jpg", "o1.jpg"]
    assert hits[0]["score"] > 0.99, "o0's own vector, not a stale one under its id"
    status = cli("status", "--json").json
    assert status["index_vectors"] == 2 and status["consistent"]


def _damage_table(catalog: Path, table: str) -> None:
    db = sqlite3.connect(catalog)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    db.close()
    with open(catalog, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)


def test_a_damaged_catalog_is_one_line_and_doctor_recovers_what_it_can(cli, indexed: Path, library_dir: Path):
    catalog = library_dir / "catalog.sqlite"
    _damage_table(catalog, "failures")  # a table every index run reads
    run = cli("index", indexed)
    assert run.code == 2 and "Traceback" not in run.err
    assert "damaged" in run.err and "doctor" in run.err, run.err
    doctor = cli("doctor", "--json")
    assert doctor.code == 1 and "Traceback" not in doctor.err, doctor.err
    assert doctor.json["library"]["sqlite_ok"] is False
    assert doctor.json["library"]["readable_rows"]["images"] == 12
    assert "--repair" in doctor.json["recovery"]

    repaired = cli("doctor", "--repair", "--json")
    assert repaired.code == 0, repaired.out + repaired.err
    assert repaired.json["repair"]["copied_rows"]["images"] == 12
    assert Path(repaired.json["repair"]["damaged_catalog_kept_at"]).exists()
    report = cli("index", indexed, "--json").json
    assert report["embedded"] == 0 and report["unchanged"] == 12, "nothing lost: nothing embedded again"
    _scores_sane(cli)
    assert cli("status", "--json").json["consistent"]


def test_a_damaged_page_under_the_files_loses_only_what_was_there(cli, indexed: Path, library_dir: Path):
    catalog = library_dir / "catalog.sqlite"
    shutil.copy2(catalog, library_dir / "before.sqlite")
    _damage_table(catalog, "files")
    search = cli("search", "pattern")
    assert search.code == 2 and "damaged" in search.err and "Traceback" not in search.err, search.err
    assert cli("doctor", "--repair", "--json").code == 0
    report = cli("index", indexed, "--json").json
    assert report["embedded"] == 0, "the photos' content and vectors were kept; only their paths come back"
    assert report["new"] + report["unchanged"] == 12
    _scores_sane(cli)
