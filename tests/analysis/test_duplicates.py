"""Duplicates on a corpus of real photos with known answers: exact copies, the same photo in
other files, bursts and hard negatives, through the command line; then moving the others to a
real (freedesktop.org) trash."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.helpers.duplicate_corpus import Corpus, build_corpus
from tests.helpers.trash import use_trash_in


@pytest.fixture
def corpus(cli, tmp_path: Path) -> Corpus:
    found = build_corpus(tmp_path / "photos")
    assert cli("index", found.root).code == 0
    return found


def _pairs(groups) -> set[frozenset[str]]:  # type: ignore[no-untyped-def]
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}


def _as_listed(paths: set[str], corpus: Corpus) -> set[str]:
    """A member of the same-photo or burst tiers is listed by one path per photo: a photo with
    exact copies goes by the one that is kept (not the backup)."""
    copies = {p: next(q for q in group if "/backup/" not in q) for group in corpus.exact for p in group}
    return {copies.get(p, p) for p in paths}


def test_the_three_tiers_on_real_photos(cli, corpus):
    result = cli("duplicates", "--json")
    assert result.code == 0, result.err
    groups = result.json["groups"]
    assert all(set(g) == {"tier", "keep", "paths", "why"} for g in groups)
    assert all(g["keep"] in g["paths"] and g["why"] for g in groups)
    by_tier = {t: [set(g["paths"]) for g in groups if g["tier"] == t] for t in ("exact", "same", "burst")}

    assert by_tier["exact"] == corpus.exact
    for tier, truth in (("same", corpus.same), ("burst", corpus.burst)):
        found, expected = _pairs(by_tier[tier]), _pairs([_as_listed(g, corpus) for g in truth])
        precision = len(found & expected) / max(1, len(found))
        recall = len(found & expected) / max(1, len(expected))
        print(f"{tier}: precision {precision:.3f}, recall {recall:.3f} ({len(expected)} pairs)")
        assert precision >= 0.98 and recall >= 0.95, tier
    same_pairs = _pairs(by_tier["same"])
    assert not same_pairs & _pairs(corpus.burst), "a burst is never the same photo"
    assert not same_pairs & {frozenset(p) for p in corpus.never_same}, "nor two views of a scene"

    keepers = {g["keep"] for g in groups if g["tier"] == "same"}
    assert keepers == {_as_listed({o}, corpus).pop() for o in corpus.originals}, "the original is kept"
    assert (
        sorted(g["why"] for g in groups if g["tier"] == "burst")
        == ["sharpest of 3 shots"] + ["sharpest of 4 shots"] * 2
    )

    only = cli("duplicates", "--tier", "burst", "--json").json["groups"]
    assert [set(g["paths"]) for g in only] == by_tier["burst"]


def test_a_second_scan_compares_only_new_photos(cli, corpus, tmp_path):
    assert cli("duplicates", "--json").json["compared"] > 0
    assert cli("duplicates", "--json").json["compared"] == 0
    from PIL import Image

    china = next(p for p in corpus.originals if p.endswith("china.jpg"))
    again = tmp_path / "later" / "china-q60.jpg"
    again.parent.mkdir()
    with Image.open(china) as image:
        image.save(again, quality=60, exif=image.info.get("exif", b""))
    assert cli("index", again.parent).code == 0
    result = cli("duplicates", "--tier", "same", "--json").json
    assert result["compared"] == 1
    assert any(str(again) in g["paths"] and china in g["paths"] for g in result["groups"])


def test_a_bad_strictness_gets_one_line(cli, corpus):
    result = cli("duplicates", "--strictness", "2")
    assert result.code != 0 and "between 0 (loose) and 1" in result.err and "Traceback" not in result.err


def test_moving_the_others_to_the_trash(corpus, library_dir, tmp_path, monkeypatch):
    from app.core.errors import UserError
    from app.library import Library

    trash = use_trash_in(tmp_path / "xdg", monkeypatch)
    group = next(g for g in corpus.same if any("chelsea" in p for p in g))
    keep = next(p for p in group if p in corpus.originals)
    others = sorted(group - {keep})
    before = snapshot(corpus.root)
    with Library(library_dir) as library:
        with pytest.raises(UserError, match="not in the library"):
            library.edits.move_to_trash([*others, str(tmp_path / "elsewhere.jpg")], keep)
        assert snapshot(corpus.root) == before, "a refused request moves nothing"
        report = library.edits.move_to_trash(others, keep)
        assert report.moved == others and report.failed == []
        status = library.status()
        assert status.consistent and status.files == sum(1 for p in before) - len(others)
        assert all(library.gallery() and p not in {row[1] for row in library.gallery()} for p in others)
    assert sorted(os.listdir(trash / "files")) == sorted(Path(p).name for p in others)
    assert sorted(os.listdir(trash / "info")) == sorted(f"{Path(p).name}.trashinfo" for p in others)
    after = snapshot(corpus.root)
    assert set(before) - set(after) == set(others), "only those files left their folders"
    assert all(after[p] == before[p] for p in after), "and nothing else changed"


def test_strictness_runs_from_loose_to_strict_through_the_defaults():
    from app.analysis.duplicates import DuplicateParams

    loose, middle, strict = (DuplicateParams.from_strictness(s) for s in (0.0, 0.5, 1.0))
    assert middle == DuplicateParams()
    assert loose.same < middle.same < strict.same < 1.0, "strict still finds re-encodes (0.999)"
    assert loose.burst < middle.burst < strict.burst and loose.burst_seconds > strict.burst_seconds


def test_thumbnails_away_for_a_scan_lose_no_groups_for_good(cli, corpus, library_dir, tmp_path):
    """Pairs skipped for want of a thumbnail are not recorded as compared: the groups come back
    with the thumbnails, and an index run makes missing thumbnails again (doctor counts them)."""
    expected = {frozenset(g["paths"]) for g in cli("duplicates", "--tier", "same", "--json").json["groups"]}
    assert expected
    import shutil

    for fresh in (True, False):
        shutil.rmtree(library_dir / "analysis", ignore_errors=True)
        away = tmp_path / "thumbnails-away"
        (library_dir / "thumbnails").rename(away)
        missing = cli("doctor", "--json").json["library"]["thumbnails_missing"]
        assert missing == cli("status", "--json").json["images"] > 0
        assert cli("duplicates", "--tier", "same", "--json").json["groups"] == []
        if fresh:
            away.rename(library_dir / "thumbnails")  # put back by hand
        else:
            shutil.rmtree(away)
            report = cli("index", corpus.root, "--json").json  # made again from the photos
            assert report["thumbnails_restored"] == missing and report["embedded"] == 0
            assert cli("status", "--json").json["thumbnails_missing"] == 0
        again = {frozenset(g["paths"]) for g in cli("duplicates", "--tier", "same", "--json").json["groups"]}
        assert again == expected


def test_a_scan_with_nothing_new_reads_no_vector_and_old_pairs_are_scanned_again(cli, corpus, library_dir, monkeypatch):
    first = cli("duplicates", "--json").json
    assert first["compared"] > 0
    assert (library_dir / "analysis" / "duplicate-pairs.npz").exists()

    def no_vectors(*_args, **_kwargs):
        raise AssertionError("a scan with nothing new read the vectors")

    with monkeypatch.context() as patched:
        patched.setattr("app.catalog.analysis_vectors.vectors_for_analysis", no_vectors)
        again = cli("duplicates", "--json").json
    assert again["compared"] == 0 and again["groups"] == first["groups"]

    (library_dir / "analysis" / "duplicate-pairs.npz").unlink()
    old = library_dir / "analysis" / "duplicate-pairs.json"
    old.write_text(json.dumps({"version": "old|v2", "result": {"compared": [], "pairs": []}}))
    rescanned = cli("duplicates", "--json").json
    assert rescanned["compared"] == first["compared"] and rescanned["groups"] == first["groups"]
    assert not old.exists(), "the older format's pairs are dropped, not left beside the new"
