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


def test_an_apostrophe_is_part_of_a_word(cli, tmp_path):
    from app.catalog.search_lookups import keyword_regions  # noqa: F401 - the keyword path runs too

    root = tmp_path / "photos"
    for i in range(3):
        save_jpeg(root / f"p{i}.jpg", photo(250 + i))
    cli("index", root)
    for query in ("dog's", "mom's birthday", 'beach +"mom\'s party" -people'):
        result = cli("search", query, "--json")
        assert result.code == 0, (query, result.err)
        assert len(result.json["results"]) == 3


def test_a_library_inside_the_indexed_folder_says_so(cli, tmp_path):
    root = tmp_path / "photos"
    save_jpeg(root / "a.jpg", photo(1))
    save_jpeg(root / "lib" / "kept-here.jpg", photo(2))  # inside the library folder: not indexed
    result = cli("index", root, "--library", root / "lib", "--json")
    assert result.code == 0 and result.json["new"] == 1
    assert "library's own folder" in result.err and "not indexed" in result.err
