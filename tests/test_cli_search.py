"""First search paths through the CLI (the search issue adds ranking tests with a trained model)."""

from __future__ import annotations

from tests.helpers.images import photo, save_jpeg


def test_similar_returns_the_near_copy_first(cli, tmp_path):
    root = tmp_path / "photos"
    for i in range(8):
        save_jpeg(root / f"p{i}.jpg", photo(100 + i))
    original = root / "p3.jpg"
    near_copy = root / "p3-small.jpg"
    photo(103).resize((160, 120)).save(near_copy, "JPEG", quality=70)
    cli("index", root, "--json")
    result = cli("similar", original, "--json", "--top-k", "3")
    assert result.code == 0, result.err
    hits = result.json["results"]
    assert hits[0]["path"] == str(near_copy)
    assert all(h["path"] != str(original) for h in hits), "the query photo itself is not a result"
    assert set(hits[0]) >= {"path", "image_id", "score", "region", "why"}
    assert hits[0]["region"]["kind"] == "image" and hits[0]["region"]["bbox"] == [0, 0, 1, 1]


def test_image_query_from_outside_the_library_and_text_query(cli, tmp_path):
    root = tmp_path / "photos"
    for i in range(5):
        save_jpeg(root / f"p{i}.jpg", photo(200 + i))
    cli("index", root, "--json")
    outside = tmp_path / "query.png"
    photo(202).save(outside)
    hits = cli("search", "--image", outside, "--json").json["results"]
    assert hits[0]["path"] == str(root / "p2.jpg")
    text = cli("search", "a red circle", "--json", "--top-k", "2")
    assert text.code == 0 and len(text.json["results"]) == 2
    assert "seconds" in text.json
