"""Events: photos grouped by gaps in the time they were taken, split where the content changes;
named by date and by their clusters; `events --json` and searching within an event."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.analysis.events import (
    SHARP,
    SIDE,
    SMALLEST_PART,
    EventRange,
    content_splits,
    date_phrase,
    event_names,
    find_events,
    time_boundaries,
    typical_distance,
    window_distances,
)
from tests.helpers.dated_photos import at, series, shoot, shoot_five_events


def test_gaps_that_stand_out_end_events_and_bursts_never_do():
    times = np.array(
        series("2024-05-11 10:00:00", 8, 120)  # a morning, a photo every two minutes
        + series("2024-05-11 10:20:00", 4, 1)  # a burst
        + series("2024-05-11 15:30:00", 6, 180)  # the afternoon, after a long lunch
        + series("2024-05-13 09:00:00", 5, 60)  # another day
        + series("2024-05-14 22:00:00", 4, 3600)  # a night out, past midnight
    )
    ends = time_boundaries(times)
    assert ends == [11, 17, 22]
    found = find_events(times, None)
    assert [len(e.rows) for e in found] == [12, 6, 5, 4]
    assert found[0].start == times[0] and found[0].end == times[11]
    # Photos in any order: the events hold the same photos, oldest event first.
    shuffled = np.random.default_rng(0).permutation(len(times))
    again = find_events(times[shuffled], None)
    assert [sorted(shuffled[e.rows].tolist()) for e in again] == [sorted(e.rows) for e in found]


def test_a_day_of_one_photo_a_day_is_one_event_each():
    times = np.array(series("2024-05-01 12:00:00", 7, 86400))
    assert len(find_events(times, None)) == 7


def test_files_saved_in_one_second_do_not_make_an_hour_stand_out():
    """Photos without a date taken, copied in one go, share a file time; beside them, an
    evening of one photo an hour is still one evening."""
    evening = series("2024-05-14 22:00:00", 4, 3600)
    copied = [at("2026-11-30 12:00:00") + i * 0.001 for i in range(12)]
    assert [len(e.rows) for e in find_events(np.array(evening + copied), None)] == [4, 12]


def test_a_sharp_change_of_content_splits_and_a_burst_of_one_thing_does_not():
    rng = np.random.default_rng(1)
    beach, museum = rng.normal(size=(2, 32))
    photos = np.vstack([beach + 0.3 * rng.normal(size=(9, 32)), museum + 0.3 * rng.normal(size=(7, 32))])
    photos /= np.linalg.norm(photos, axis=1, keepdims=True)
    assert content_splits(photos, 0.2) == [8]
    assert content_splits(photos[:9], 0.2) == [], "one kind of photo never splits"
    assert content_splits(photos[:4], 0.0) == [], "too few photos to split"
    times = np.array(series("2024-05-11 10:00:00", 16, 60))
    assert [len(e.rows) for e in find_events(times, photos)] == [9, 7]
    # A photo without a vector yet (a zero row) joins the event around it.
    photos[3] = 0.0
    assert [len(e.rows) for e in find_events(times, photos)] == [9, 7]


def test_window_distances_are_the_same_made_block_by_block():
    vectors = np.random.default_rng(3).normal(size=(50, 8))
    whole = window_distances(vectors, block=1000)
    assert np.allclose(window_distances(vectors, block=7), whole)
    before, after = vectors[15:21].sum(axis=0), vectors[21:27].sum(axis=0)
    expected = 1 - before @ after / np.linalg.norm(before) / np.linalg.norm(after)
    assert whole[20] == pytest.approx(expected)


def _splits_by_definition(vectors: np.ndarray, sharp: float) -> list[int]:
    """`content_splits` as its docstring says it, every position looked at, every window summed."""

    def distance(i: int, start: int) -> float:
        before = vectors[max(start, i + 1 - SIDE) : i + 1].sum(axis=0)
        after = vectors[i + 1 : i + 1 + SIDE].sum(axis=0)
        return 1.0 - float(before @ after) / max(float(np.linalg.norm(before) * np.linalg.norm(after)), 1e-12)

    cuts: list[int] = []
    start, i, last = 0, SMALLEST_PART - 1, len(vectors) - SMALLEST_PART - 1
    while len(vectors) >= 2 * SMALLEST_PART and i <= last:
        ahead = range(i, min(i + SIDE, last + 1))
        peak = ahead[int(np.argmax([distance(j, start) for j in ahead]))]
        if distance(i, start) < sharp or peak != i:
            i = i + 1 if distance(i, start) < sharp else peak
            continue
        cuts.append(i)
        start, i = i + 1, i + SMALLEST_PART
    return cuts


def _events_part_by_part(times: np.ndarray, vectors: np.ndarray) -> list[list[int]]:
    """Each time part split on its own, as the definition reads (no pass over every part)."""
    order = np.argsort(times, kind="stable")
    present = np.flatnonzero((vectors.astype(np.float64) ** 2).sum(axis=1) > 0)
    sharp = SHARP * typical_distance(vectors, rows=present)
    found, start = [], 0
    for end in [*time_boundaries(times[order]), len(order) - 1]:
        part = order[start : end + 1]
        cuts: list[int] = []
        if len(part) >= 2 * SMALLEST_PART:
            with_vector = np.flatnonzero(np.abs(vectors[part]).sum(axis=1) > 0)
            cuts = [int(with_vector[c]) for c in _splits_by_definition(vectors[part][with_vector], sharp)]
        piece = 0
        for cut in [*cuts, len(part) - 1]:
            found.append(part[piece : cut + 1].tolist())
            piece = cut + 1
        start = end + 1
    return found


def test_every_part_split_in_one_pass_is_split_as_the_definition_says():
    """Thousands of photos in hundreds of time parts, topics changing inside them, some photos
    without a vector, the vectors stored in another order than the photos: the one pass over
    every part (and its skipping of positions below `sharp`) cuts where the definition does."""
    rng = np.random.default_rng(11)
    n = 3_000
    gaps = rng.choice([30.0, 90.0, 240.0, 2 * 3600.0, 9 * 3600.0], size=n, p=[0.4, 0.3, 0.2, 0.06, 0.04])
    times = 1.7e9 + np.cumsum(gaps)
    topics = rng.normal(size=(40, 64))
    topic = np.repeat(rng.integers(0, 40, n // 4 + 1), rng.integers(2, 7, n // 4 + 1))[:n]
    topic = np.concatenate([topic, np.zeros(max(0, n - len(topic)), np.int64)])
    photos = (topics[topic] + 0.35 * rng.normal(size=(n, 64))).astype(np.float32)
    photos /= np.linalg.norm(photos, axis=1, keepdims=True)
    photos[rng.choice(n, 60, replace=False)] = 0.0  # not embedded yet
    shuffled = rng.permutation(n)
    expected = _events_part_by_part(times[shuffled], photos[shuffled])
    assert len(expected) > len(find_events(times, None)) + 100, "content splits many time parts"

    assert [e.rows for e in find_events(times[shuffled], photos[shuffled])] == expected
    stored = rng.permutation(n)  # vector row r holds photo stored[r]
    rows = np.argsort(stored)
    unembedded = np.flatnonzero(~photos[shuffled].any(axis=1))
    rows[unembedded[::2]] = -1  # half of them have no row at all, the others a zero row
    assert [e.rows for e in find_events(times[shuffled], photos[shuffled][stored], rows)] == expected


def test_names_say_when_and_what():
    saturday = at("2024-05-11 10:00:00")
    assert date_phrase(saturday, saturday + 600) == "Saturday 11 May 2024"
    assert date_phrase(saturday, at("2024-05-13 10:00:00")) == "11–13 May 2024"
    assert date_phrase(at("2024-05-30 10:00:00"), at("2024-06-02 10:00:00")) == "30 May – 2 June 2024"
    assert date_phrase(at("2023-12-30 10:00:00"), at("2024-01-02 10:00:00")) == "30 December 2023 – 2 January 2024"
    ranges = [
        EventRange([], saturday, saturday + 60),
        EventRange([], at("2024-05-11 15:00:00"), at("2024-05-11 16:00:00")),
        EventRange([], at("2024-05-11 15:30:00"), at("2024-05-11 16:30:00")),
        EventRange([], at("2024-05-12 09:00:00"), at("2024-05-12 09:30:00")),
    ]
    assert event_names(ranges, [["beach", "dogs"], [], ["food"], []]) == [
        "Saturday 11 May 2024, morning — beach & dogs",
        "Saturday 11 May 2024, 15:00",
        "Saturday 11 May 2024, 15:30 — food",
        "Sunday 12 May 2024",
    ]


# --- through the command line, on photos with EXIF dates ---------------------------------------


@pytest.fixture
def dated_library(cli, tmp_path: Path, shapes_model: str) -> tuple[Path, list[list[str]]]:
    library = tmp_path / "library"
    expected = shoot_five_events(tmp_path / "camera")
    assert (
        cli("index", tmp_path / "camera", "--model", shapes_model, "--library", library, "--no-detect", "--no-ocr").code
        == 0
    )
    return library, expected


def test_events_on_the_command_line(cli, dated_library):
    library, expected = dated_library
    result = cli("events", "--library", library, "--json")
    assert result.code == 0, result.err
    events = result.json["events"]
    print([(e["id"], e["name"], e["size"]) for e in events])
    assert [sorted(e["paths"]) for e in reversed(events)] == [sorted(group) for group in expected], "newest first"
    ids = [e["id"] for e in events]
    assert len(set(ids)) == 5 and all(isinstance(i, int) for i in ids)
    names = [e["name"] for e in reversed(events)]
    assert names[0].startswith("Saturday 11 May 2024, morning") and names[1].startswith(
        "Saturday 11 May 2024, afternoon"
    )
    assert names[2].startswith("Monday 13 May 2024, 09:00") and names[3].startswith("Monday 13 May 2024, 09:12")
    assert names[4].startswith("14–15 May 2024")
    assert events[-1]["start"] == "2024-05-11T10:00:00" and events[-1]["end"] == "2024-05-11T10:20:03"
    assert set(events[0]) >= {"id", "name", "start", "end", "size", "paths"}
    clusters = cli("clusters", "--library", library, "--json").json["clusters"]
    for event in events:  # named after the clusters most of its photos are in
        topics = event["name"].split(" — ")[1].split(" & ") if " — " in event["name"] else []
        for topic in topics:
            holding = [c for c in clusters if c["name"] == topic]
            assert sum(len(set(c["paths"]) & set(event["paths"])) for c in holding) >= event["size"] / 4
    human = cli("events", "--library", library).out
    assert f"{ids[0]:4d}      4  {events[0]['name']}" in human


def test_an_event_keeps_its_id_when_older_photos_come(cli, dated_library, tmp_path: Path, shapes_model: str):
    library, expected = dated_library
    before = {e["id"]: sorted(e["paths"]) for e in cli("events", "--library", library, "--json").json["events"]}
    # A day of photos from a week earlier, indexed after the others.
    rng = np.random.default_rng(8)
    older = shoot(tmp_path / "camera" / "older", "red", "square", series("2024-05-04 12:00:00", 5, 60), rng)
    indexed = cli(
        "index", tmp_path / "camera", "--model", shapes_model, "--library", library, "--no-detect", "--no-ocr"
    )
    assert indexed.code == 0, indexed.err
    made = library / "analysis" / "clusters-image-dbscan-epsauto-min2.json"
    clustered = (made.read_bytes(), made.stat().st_mtime_ns)
    found = cli("events", "--library", library, "--json").json["events"]
    after = {e["id"]: sorted(e["paths"]) for e in found}
    assert sorted(older) in after.values()
    assert {i: after[i] for i in before} == before, "every earlier event keeps its id and its photos"
    # Named by the clusters as last made, not clustered again (minutes at a million photos):
    # the new day is named by its dates until the clusters are made again.
    assert (made.read_bytes(), made.stat().st_mtime_ns) == clustered
    assert next(e["name"] for e in found if sorted(e["paths"]) == sorted(older)) == "Saturday 4 May 2024"
    assert cli("clusters", "--library", library, "--json").code == 0
    assert made.read_bytes() != clustered[0], "made again for the photos added"
    blue = next(i for i, paths in before.items() if paths == sorted(expected[1]))
    found = cli("search", "blue square", "--event", str(blue), "--library", library, "--top-k", "50", "--json")
    assert found.code == 0 and {r["path"] for r in found.json["results"]} <= set(expected[1]), found.err


def test_searching_within_an_event(cli, dated_library):
    library, expected = dated_library
    blue = cli("events", "--library", library, "--json").json["events"][3]
    assert sorted(blue["paths"]) == sorted(expected[1])
    found = cli("search", "blue square", "--event", str(blue["id"]), "--library", library, "--top-k", "50", "--json")
    assert found.code == 0, found.err
    paths = [r["path"] for r in found.json["results"]]
    assert paths and set(paths) <= set(blue["paths"])
    similar = cli("similar", expected[0][0], "--event", str(blue["id"]), "--library", library, "--json").json
    assert {r["path"] for r in similar["results"]} <= set(blue["paths"])
    missing = cli("search", "blue", "--event", "99", "--library", library)
    assert missing.code == 2 and missing.err.startswith("photo-organizer: error: there is no event 99")


# --- dates no camera could have taken -----------------------------------------------------------

ODD_DATES = ["0001:01:01 00:00:00", "9999:12:31 23:59:59", "1800:01:01 00:00:00", "2024:13:45 99:99:99", "garbage"]


def test_impossible_dates_taken_are_not_dates(cli, tmp_path: Path):
    """A camera clock never set (0001-01-01), a broken tag: the photo is dated by its file, and
    events, the viewer's details and date filters all work."""
    import os
    import sqlite3

    from tests.helpers.images import exif_with, photo, save_jpeg

    library = tmp_path / "library"
    folder = tmp_path / "odd"
    for i, date in enumerate([*ODD_DATES, "2024:05:11 10:00:00"]):
        save_jpeg(folder / f"d{i}.jpg", photo(70 + i), exif=exif_with(date=date).tobytes())
    future = folder / "d0.jpg"
    os.utime(future, (4e10, 4e10))  # and a file time in the year 3237
    assert cli("index", folder, "--library", library).code == 0
    db = sqlite3.connect(library / "catalog.sqlite")
    taken = [t for (t,) in db.execute("SELECT taken_at FROM images")]
    assert sorted(t for t in taken if t is not None) == [at("2024-05-11 10:00:00")], "only the real date is kept"
    # A library indexed before the check holds such dates: they are read as no date.
    db.execute("UPDATE images SET taken_at = -62135596800.0 WHERE taken_at IS NULL")
    db.commit()
    db.close()
    events = cli("events", "--library", library, "--json")
    assert events.code == 0 and "Traceback" not in events.err, events.err
    assert sum(e["size"] for e in events.json["events"]) == 6
    assert all(e["start"] < "2200" for e in events.json["events"])
    # Dated by their files (this year, and 2262 for the one from the future), not the year 1.
    found = cli("search", "wine", "--library", library, "--before", "2024-05-12", "--json", "--threshold", "-1")
    assert found.code == 0, found.err
    assert {r["path"] for r in found.json["results"]} == {str(folder / "d5.jpg")}


def _taken(path: Path, seed: int, when: str, offset: str | None = None) -> Path:
    from PIL import Image

    from tests.helpers.images import photo

    exif = Image.Exif()
    sub = exif.get_ifd(0x8769)
    sub[36867] = when  # DateTimeOriginal
    if offset is not None:
        sub[0x9011] = offset  # OffsetTimeOriginal, as cameras since EXIF 2.31 write it
    path.parent.mkdir(parents=True, exist_ok=True)
    photo(seed).save(path, "JPEG", exif=exif)
    return path


def test_the_offset_a_camera_records_places_photos_in_time(cli, tmp_path):
    """23:30 in Kiribati (+14:00) and 23:30 on Baker Island (-12:00) are 26 hours apart: two
    events, not one night's."""
    for n, (zone, offset) in enumerate((("kiribati", "+14:00"), ("baker", "-12:00"))):
        for k in range(3):
            _taken(tmp_path / "trip" / f"{zone}-{k}.jpg", 10 * n + k, f"2024:07:01 23:3{k}:00", offset)
    assert cli("index", tmp_path / "trip").code == 0
    events = cli("events", "--json").json["events"]
    assert sorted(sorted(Path(p).name.split("-")[0] for p in e["paths"]) for e in events) == [
        ["baker"] * 3,
        ["kiribati"] * 3,
    ]
    kiribati = next(e for e in events if "kiribati" in e["paths"][0])
    baker = next(e for e in events if "baker" in e["paths"][0])
    assert kiribati["start"] < baker["start"]


def test_dates_from_a_clock_set_to_the_future_do_not_date_photos(cli, tmp_path, library_dir):
    import sqlite3

    for n, year in enumerate((2099, 2150)):
        _taken(tmp_path / "odd" / f"future-{year}.jpg", n, f"{year}:01:01 10:00:00")
    _taken(tmp_path / "odd" / "real.jpg", 5, "2021:06:01 10:00:00")
    assert cli("index", tmp_path / "odd").code == 0
    later = cli("search", "red", "--after", "2090-01-01", "--json").json["results"]
    assert later == [], "2099 and 2150 are not dates the photos were taken"
    now = cli("search", "red", "--after", "2025-01-01", "--json").json["results"]
    assert sorted(Path(r["path"]).name for r in now) == ["future-2099.jpg", "future-2150.jpg"], "their file time"
    # A library that stored such a date before this check: not used either.
    with sqlite3.connect(library_dir / "catalog.sqlite") as db:
        db.execute("UPDATE images SET taken_at = 5680281600")  # 2150-01-01
    assert cli("search", "red", "--after", "2090-01-01", "--json").json["results"] == []
