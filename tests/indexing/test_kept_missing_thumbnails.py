"""An index run keeps the list of missing thumbnails itself, so neither it nor the next `status`
lists the whole cache (2-4 s each at a million photos): from the list that held at its start,
and the photos it added. What it cannot know (a list that did not hold at its start, a
thumbnail taken away after it) is found by listing, as before."""

from __future__ import annotations

import pytest

from app.core.paths import LibraryPaths
from app.indexing import missing_counts, missing_thumbnails, thumbnail_repair
from tests.helpers.images import photo, save_jpeg


@pytest.fixture
def listings(monkeypatch):  # type: ignore[no-untyped-def]
    """How many times the whole cache was listed, by `status` or by an index run."""
    done: list[int] = []
    real = thumbnail_repair.listed_missing_thumbnails

    def counted(engine, paths):  # type: ignore[no-untyped-def]
        done.append(1)
        return real(engine, paths)

    monkeypatch.setattr(thumbnail_repair, "listed_missing_thumbnails", counted)
    return done


def _thumbnails_missing(cli) -> int:  # type: ignore[no-untyped-def]
    return int(cli("status", "--json").json["thumbnails_missing"])


def _add(cli, folder, *seeds) -> None:  # type: ignore[no-untyped-def]
    for seed in seeds:
        save_jpeg(folder / f"IMG_{seed}.jpg", photo(seed))
    assert cli("index", folder).code == 0


def test_runs_that_add_photos_keep_the_list_and_status_reads_it(cli, tmp_path, library_dir, listings):
    # Straight after the run that wrote them, as the window asks: no wait for the folders to settle.
    _add(cli, tmp_path / "first", 1, 2, 3)
    assert listings == [1], "no list held before the first run: it lists once, at its end"
    assert _thumbnails_missing(cli) == 0
    _add(cli, tmp_path / "second", 4, 5)
    _add(cli, tmp_path / "third", 6)
    assert _thumbnails_missing(cli) == 0
    assert listings == [1], "each run began from the list the one before it kept"
    kept = missing_counts.load_kept(missing_counts.kept_file(LibraryPaths(library_dir)))
    assert kept["thumbnails"]["by"] == "index" and kept["thumbnails"]["hashes"] == []


def test_a_thumbnail_that_cannot_be_made_again_stays_counted_without_listing(
    cli, tmp_path, library_dir, listings, monkeypatch
):
    monkeypatch.setattr(missing_thumbnails, "SETTLE_NS", 0)  # a listed count trusted at once, as a while later
    _add(cli, tmp_path / "first", 1, 2)
    # A thumbnail goes, and the photos' files now hold other content: nothing can make it again
    # (their folder is not indexed again).
    gone = sorted((library_dir / "thumbnails").rglob("*.jpg"))[0]
    gone.unlink()
    for seed in (1, 2):
        save_jpeg(tmp_path / "first" / f"IMG_{seed}.jpg", photo(90 + seed))
    missing_before = _thumbnails_missing(cli)
    assert missing_before == 1
    assert listings == [1, 1], "a thumbnail taken away by someone else: status lists the cache"
    _add(cli, tmp_path / "second", 3)
    assert listings == [1, 1], "the list status kept held at the run's start"
    _add(cli, tmp_path / "third", 4)
    assert _thumbnails_missing(cli) == missing_before
    assert listings == [1, 1]
    thumbnail_of_another = sorted(p for p in (library_dir / "thumbnails").rglob("*.jpg") if p != gone)[-1]
    thumbnail_of_another.unlink()
    assert _thumbnails_missing(cli) == missing_before + 1, "taken away after the run: it shows at once"
    assert listings == [1, 1, 1]


def test_a_run_that_began_without_a_list_lists_and_makes_what_it_can(cli, tmp_path, library_dir, listings):
    _add(cli, tmp_path / "first", 1, 2)
    for thumbnail in (library_dir / "thumbnails").rglob("*.jpg"):
        thumbnail.unlink()
    _add(cli, tmp_path / "second", 3)
    assert listings == [1, 1], "the cache changed since the kept list: the run lists it"
    assert _thumbnails_missing(cli) == 0, "both made again from their photos"
    assert listings == [1, 1]
