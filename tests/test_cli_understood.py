"""Queries that understand when and where, end to end (#33): photos dated and placed by
exiftool as a phone writes them (Lisbon and Porto in July 2023, Sydney in January 2024, a
camera without GPS in Lisbon); `search --json` says what it understood and filters by it;
`--literal` turns that off; a query with nothing to understand ranks exactly as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.trips import write_trip


@pytest.fixture
def trip(cli, tmp_path: Path) -> Path:
    folder = write_trip(tmp_path / "trip")
    report = cli("index", folder, "--no-detect", "--no-ocr", "--no-faces", "--json")
    assert report.code == 0 and report.json["new"] == 5, report.err
    return folder


def _names(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.code == 0, result.err
    return [Path(r["path"]).name for r in result.json["results"]]


def test_dates_and_places_in_the_words_filter_and_are_said(cli, trip):
    july = cli("search", "tram July 2023", "--json")
    assert sorted(_names(july)) == ["lisbon cafe.jpg", "lisbon castle.jpg", "lisbon tram.jpg", "porto bridge.jpg"]
    assert july.json["understood"] == {
        "after": "2023-07-01",
        "before": "2023-08-01",
        "place": None,
        "people": [],
        "album": None,
        "tag": None,
        "words": "tram",
    }
    lisbon = cli("search", "a photo in Lisbon", "--json")
    assert lisbon.json["understood"]["place"] == "Lisbon" and lisbon.json["understood"]["words"] == "a photo"
    assert sorted(_names(lisbon)) == ["lisbon cafe.jpg", "lisbon castle.jpg", "lisbon tram.jpg"], (
        "the camera without GPS is there too: its place is estimated from its event"
    )
    assert _names(cli("search", "Australia", "--json")) == ["sydney opera.jpg"], "a country alone lists its photos"
    assert _names(cli("search", "in Porto 2023", "--json")) == ["porto bridge.jpg"]
    assert _names(cli("search", "Sydney July 2023", "--json")) == [], "both filters apply"
    human = cli("search", "tram July 2023")
    assert human.code == 0 and human.out.startswith("understood: date July 2023"), human.out


def test_literal_turns_understanding_off_and_plain_queries_rank_as_before(cli, trip):
    literal = cli("search", "tram July 2023", "--literal", "--json")
    assert literal.code == 0 and "understood" not in literal.json
    assert len(_names(literal)) == 5, "every photo ranked by the words, the date among them"
    for query in ("a sunny day", "red tram", "bridge -castle"):
        plain = cli("search", query, "--json").json
        assert plain["understood"]["words"] == query
        as_before = cli("search", query, "--literal", "--json").json
        assert [(r["path"], r["score"]) for r in plain["results"]] == [
            (r["path"], r["score"]) for r in as_before["results"]
        ], "nothing understood: the same photos, the same scores"


def test_a_date_with_words_that_are_only_common_words_lists_the_photos(cli, trip):
    listed = cli("search", "photos from January 2024", "--json")
    assert _names(listed) == ["sydney opera.jpg"]
    assert cli("search", "the", "--json").code != 0, "only common words is still refused"
