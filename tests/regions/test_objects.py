"""Object regions end to end with a small real detector: the score and area filters, the COCO
super-categories, crop embedding, grouping in search, and skipping work already done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.indexing.pipeline import IndexOptions
from app.indexing.run_setup import RunControls
from app.library import Library
from app.ml.detector import DetectionFilter, ObjectDetector
from app.ml.preprocess import to_model_input
from tests.helpers.detector import RGB, ColourBlockDetector, coco_categories

SIZE = (320, 240)


def blocks_photo(path: Path, blocks: list[tuple[str, tuple[float, float, float, float]]], seed: int) -> Path:
    """Grey texture (never a detector colour) with solid blocks at relative boxes."""
    rng = np.random.default_rng(seed)
    w, h = SIZE
    pixels = np.clip(128 + rng.normal(0, 18, (h, w, 1)), 0, 255).repeat(3, axis=2).astype(np.uint8)
    for colour, (x0, y0, x1, y1) in blocks:
        pixels[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)] = RGB[colour]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)  # PNG: the blocks keep their exact colour
    return path


@pytest.fixture
def photos(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "photos"
    return {
        "dog": blocks_photo(folder / "dog.png", [("red", (0.1, 0.1, 0.85, 0.9))], 1),  # 60%: kept
        "small": blocks_photo(folder / "small.png", [("red", (0.4, 0.4, 0.6, 0.6))], 2),  # 4%: too small
        "huge": blocks_photo(folder / "huge.png", [("red", (0.0, 0.0, 1.0, 0.96))], 3),  # 96%: too big
        "person_car": blocks_photo(
            folder / "person_car.png", [("blue", (0.0, 0.0, 0.5, 0.8)), ("yellow", (0.55, 0.3, 1.0, 1.0))], 4
        ),  # person 40% kept; car 31% but scored 0.3: dropped
        "unused": blocks_photo(folder / "unused.png", [("green", (0.2, 0.2, 0.9, 0.9))], 5),  # "N/A": dropped
    }


def colour_detector(rules: DetectionFilter | None = None, version: str = "colour-blocks-1") -> ObjectDetector:
    return ObjectDetector(ColourBlockDetector(), coco_categories(), version, "cpu", rules)


def object_regions(library: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(library / "catalog.sqlite")
    try:
        rows = db.execute(
            "SELECT f.path, r.label, r.text, r.x0, r.y0, r.x1, r.y1, r.confidence, r.id FROM regions r "
            "JOIN files f ON f.image_id = r.image_id WHERE r.kind = 'object' ORDER BY f.path"
        ).fetchall()
    finally:
        db.close()
    out: dict[str, list[tuple]] = {}
    for path, *rest in rows:
        out.setdefault(Path(path).stem, []).append(tuple(rest))
    return out


def index_with(library: Path, folder: Path, detector: ObjectDetector):  # type: ignore[no-untyped-def]
    with Library(library) as lib:
        lib.region_models.use_detector(detector)
        return lib.index([folder], IndexOptions(detect=True, ocr=False)), lib.status().to_json()


def test_filters_and_super_categories(library_dir: Path, photos: dict[str, Path]):
    report, status = index_with(library_dir, photos["dog"].parent, colour_detector())
    assert report.region_images == 5 and report.objects == 2 and report.warnings == []
    found = object_regions(library_dir)
    assert set(found) == {"dog", "person_car"}
    ((label, name, *box, score, _),) = found["dog"]
    assert (label, name, score) == ("animal", "dog", pytest.approx(0.9))
    assert box == pytest.approx([0.1, 0.1, 0.85, 0.9], abs=0.01)
    ((label, name, *box, score, _),) = found["person_car"]
    assert (label, name) == ("person", "person")
    assert box == pytest.approx([0.0, 0.0, 0.5, 0.8], abs=0.01)
    assert status["consistent"] and status["vectors"] == status["index_vectors"] == 5 + 2


def test_each_crop_is_embedded_by_the_image_tower(library_dir: Path, photos: dict[str, Path]):
    index_with(library_dir, photos["dog"].parent, colour_detector())
    ((*_, region_id),) = object_regions(library_dir)["dog"]
    with Library(library_dir) as lib:
        stored = lib.store.reconstruct(region_id)  # type: ignore[union-attr]
        crop = Image.open(photos["dog"]).convert("RGB").crop((32, 24, 272, 216))
        expected = lib.embedder.load().embed_arrays([to_model_input(crop, lib.embedder.input_spec)])[0]
        whole = lib.encoder.image_vector(photos["dog"])
    assert float(stored @ expected) > 0.999
    assert float(stored @ whole) < 0.999  # a crop, not the whole photo again


def test_search_groups_by_photo_and_names_the_object(cli, library_dir: Path, photos: dict[str, Path], tmp_path: Path):
    index_with(library_dir, photos["dog"].parent, colour_detector())
    query = tmp_path / "query.png"
    Image.open(photos["dog"]).convert("RGB").crop((32, 24, 272, 216)).save(query)
    out = cli("search", "--image", query, "--weights", "image=0.5,object=1", "--json")
    assert out.code == 0, out.err
    results = out.json["results"]
    assert len({r["path"] for r in results}) == len(results) == 5  # one entry per photo
    top = results[0]
    assert Path(top["path"]).stem == "dog"
    assert top["region"]["kind"] == "object" and top["region"]["label"] == "animal" and top["region"]["text"] == "dog"
    assert top["region"]["bbox"] == pytest.approx([0.1, 0.1, 0.85, 0.9], abs=0.01)
    assert top["why"] == "object: dog"


def test_done_images_are_skipped_and_a_new_version_replaces_without_duplicates(
    library_dir: Path, photos: dict[str, Path]
):
    folder = photos["dog"].parent
    index_with(library_dir, folder, colour_detector())
    again, _ = index_with(library_dir, folder, colour_detector())
    assert again.region_images == 0 and again.embedded == 0
    stricter = colour_detector(DetectionFilter(min_score=0.85))  # the person (0.8) goes
    redone, status = index_with(library_dir, folder, stricter)
    assert redone.region_images == 5
    found = object_regions(library_dir)
    assert set(found) == {"dog"} and len(found["dog"]) == 1
    assert status["consistent"] and status["vectors"] == status["index_vectors"] == 5 + 1


def test_the_region_pass_steps_aside_for_newer_work_and_continues_later(library_dir: Path, photos: dict[str, Path]):
    folder = photos["dog"].parent
    with Library(library_dir) as lib:
        lib.region_models.use_detector(colour_detector())
        waiting = lib.index([folder], IndexOptions(detect=True, ocr=False), RunControls(defer_regions=lambda: True))
        assert waiting.regions_deferred and not waiting.cancelled and waiting.region_images == 0
        assert waiting.embedded == 5 and lib.status().region_pass.objects_done == 0
        assert lib.interrupted_roots() == []  # if the app closes now, its next start finishes the regions
        later = lib.index([folder], IndexOptions(detect=True, ocr=False))
        assert not later.regions_deferred and later.embedded == 0
        assert later.region_images == 5 and later.objects == 2
        assert lib.status().region_pass.objects_done == 5 and lib.interrupted_roots() is None
