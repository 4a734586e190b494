"""Filters, OCR keyword blending and the automatic IVF switch, end to end."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from app.catalog import lookups
from app.catalog.regions import NewRegion, add_regions
from app.library import Library
from app.vectors.ivf import choose_nlist
from tests.helpers.images import exif_with, photo, save_jpeg


def _library_with_folders(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "photos"
    save_jpeg(root / "2019" / "a.jpg", photo(1), exif=exif_with(date="2019:05:01 10:00:00").tobytes())
    save_jpeg(root / "2019" / "b.jpg", photo(2), exif=exif_with(date="2019:08:01 10:00:00").tobytes())
    save_jpeg(root / "2023" / "c.jpg", photo(3), exif=exif_with(date="2023:02:01 10:00:00").tobytes())
    photo(4).save(root / "2023" / "d.png")
    os.utime(root / "2023" / "d.png", (1_700_000_000, 1_700_000_000))  # 2023-11-14, no EXIF
    assert cli("index", root, "--json").code == 0
    return root


def _names(result) -> set[str]:  # type: ignore[no-untyped-def]
    assert result.code == 0, result.err
    return {Path(r["path"]).name for r in result.json["results"]}


def test_folder_date_and_type_filters(cli, tmp_path):
    root = _library_with_folders(cli, tmp_path)
    assert _names(cli("search", "forest", "--folder", root / "2019", "--json")) == {"a.jpg", "b.jpg"}
    assert _names(cli("search", "forest", "--after", "2019-06-01", "--before", "2023-03-01", "--json")) == {
        "b.jpg",
        "c.jpg",
    }
    assert _names(cli("search", "forest", "--after", "2023-11-01", "--json")) == {"d.png"}, "file time when no EXIF"
    assert _names(cli("search", "forest", "--type", "png", "--json")) == {"d.png"}
    assert _names(cli("similar", root / "2019" / "a.jpg", "--folder", root / "2023", "--json")) == {"c.jpg", "d.png"}
    empty = cli("search", "forest", "--folder", tmp_path / "elsewhere", "--json")
    assert empty.code == 0 and empty.json["results"] == []


def test_ocr_keyword_hits_are_blended_in_and_explained(cli, tmp_path, library_dir):
    root = _library_with_folders(cli, tmp_path)
    with Library(library_dir) as library:
        image_id = lookups.image_id_for_path(library.engine, str(root / "2019" / "b.jpg"))
        vector = library.encoder.text_vectors(["BAKERY"])[0]
        [region_id] = add_regions(
            library.engine, [NewRegion(image_id, "text", None, (0.1, 0.2, 0.6, 0.4), 0.9, "BAKERY", vector.tobytes())]
        )
        library.store.add(np.array([region_id]), vector[None, :])
        library.store.save()
    result = cli("search", "bakery", "--json")
    top = result.json["results"][0]
    assert Path(top["path"]).name == "b.jpg"
    assert top["why"] == 'ocr keyword: "BAKERY"'
    assert top["region"] == {
        "kind": "text",
        "label": None,
        "bbox": [0.1, 0.2, 0.6, 0.4],
        "text": "BAKERY",
        "time": None,
    }
    # Removing the image removes its text from the keyword index too.
    (root / "2019" / "b.jpg").unlink()
    cli("index", root)
    assert all(r["why"] != 'ocr keyword: "BAKERY"' for r in cli("search", "bakery", "--json").json["results"])


def test_ivf_takes_over_past_the_threshold_and_search_still_finds(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTO_ORGANIZER_IVF_THRESHOLD", "40")
    root = tmp_path / "photos"
    for i in range(48):
        save_jpeg(root / f"p{i:02d}.jpg", photo(400 + i, (160, 120)))
    cli("index", root)
    status = cli("status", "--json").json
    assert status["index"] == "ivf" and status["consistent"]
    assert status["vectors"] == status["index_vectors"] == 48
    near = root / "near.jpg"
    photo(410, (160, 120)).resize((120, 90)).save(near, "JPEG", quality=75)
    cli("index", root)
    hits = cli("similar", root / "p10.jpg", "--top-k", "1", "--json").json["results"]
    assert Path(hits[0]["path"]).name == "near.jpg"
    assert cli("status", "--json").json["index_lists"] == 16
    # The library grows past twice what the lists were trained on: they are trained again.
    for i in range(48, 140):
        save_jpeg(root / f"p{i:03d}.jpg", photo(400 + i, (160, 120)))
    cli("index", root)
    status = cli("status", "--json").json
    assert status["index"] == "ivf" and status["consistent"] and status["index_vectors"] == 141
    assert status["index_lists"] == choose_nlist(141) > 16
    hits = cli("similar", root / "p10.jpg", "--top-k", "1", "--json").json["results"]
    assert Path(hits[0]["path"]).name == "near.jpg"
    for i in range(48, 140):
        (root / f"p{i:03d}.jpg").unlink()
    for i in range(30):
        (root / f"p{i:02d}.jpg").unlink()
    cli("index", root)
    status = cli("status", "--json").json
    assert status["index"] == "flat" and status["consistent"] and status["index_vectors"] == 19
