"""Every model has one shape (`InferenceModel`): loaded once however many threads ask at once,
a failed load said in one sentence that names the model and tried again next time, and a
model whose weights are broken leaves indexing going on without it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.core.errors import ModelUnavailableError, UserError
from app.ml import faces
from app.ml.detector import ObjectDetector
from app.ml.embedder import ClipEmbedder
from app.ml.faces import FaceModels
from app.ml.inference_model import InferenceModel
from app.ml.ocr import TextReader
from app.ml.text_gate import TextGate
from tests.helpers.faces import people_folder


class Counted(InferenceModel):
    what = "the counted model"

    def __init__(self, fail_times: int = 0, error: Exception | None = None) -> None:
        super().__init__()
        self.loads = 0
        self.fail_times = fail_times
        self.error = error or RuntimeError("CUDA error: out of memory\n(a long traceback line)")

    def _load(self) -> None:
        self.loads += 1
        time.sleep(0.05)  # long enough for every thread to arrive while the first loads
        if self.loads <= self.fail_times:
            raise self.error


def test_many_threads_asking_at_once_load_it_once():
    model = Counted()
    barrier = threading.Barrier(8)
    got: list[InferenceModel] = []

    def ask() -> None:
        barrier.wait()
        got.append(model.load())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert model.loads == 1 and model.loaded
    assert len(got) == 8 and all(g is model for g in got)
    assert model.load() is model and model.loads == 1, "loaded stays loaded"


def test_a_failed_load_names_the_model_and_its_cause_and_is_tried_again():
    model = Counted(fail_times=1)
    with pytest.raises(ModelUnavailableError) as caught:
        model.load()
    assert str(caught.value) == "the counted model could not be loaded: CUDA error: out of memory"
    assert not model.loaded
    assert model.load().loaded and model.loads == 2, "weights put right meanwhile are found"


def test_a_sentence_already_meant_for_a_person_passes_unchanged():
    said = UserError("install the thing with pip install thing")
    with pytest.raises(UserError) as caught:
        Counted(fail_times=1, error=said).load()
    assert caught.value is said


def test_a_bug_is_not_dressed_up_as_a_missing_model():
    with pytest.raises(KeyError):
        Counted(fail_times=1, error=KeyError("bug")).load()


@pytest.mark.parametrize("model", [ClipEmbedder, ObjectDetector, TextReader, TextGate, FaceModels])
def test_every_model_of_the_app_has_the_one_shape(model):
    assert issubclass(model, InferenceModel)
    assert "load" not in vars(model), "loading goes through InferenceModel.load"
    assert model.what != InferenceModel.what, "errors name the model"


def _broken_face_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "broken-face-models"
    folder.mkdir()
    for name in (faces.LANDMARKS_FILE, faces.DESCRIPTOR_FILE):
        (folder / name).write_bytes(b"not a dlib model")  # a download cut short, a disk error
    monkeypatch.setattr(faces, "models_folder", lambda: folder)


def test_damaged_face_weights_are_one_clear_sentence(tmp_path, monkeypatch):
    _broken_face_weights(tmp_path, monkeypatch)
    with pytest.raises(ModelUnavailableError, match=r"^the face models could not be loaded: "):
        FaceModels().load()


def test_indexing_goes_on_without_face_models_it_cannot_load(cli, tmp_path, monkeypatch):
    _broken_face_weights(tmp_path, monkeypatch)
    monkeypatch.setenv("PHOTO_ORGANIZER_FACES", "1")
    folder = people_folder(tmp_path / "people")
    report = cli("index", folder, "--no-detect", "--no-ocr", "--json")
    assert report.code == 0, report.err
    assert report.json["embedded"] == 9 and report.json["faces"] == 0
    assert any(w.startswith("the face models could not be loaded") for w in report.json["warnings"])
    assert "Traceback" not in report.err
    status = cli("status", "--json").json
    assert status["consistent"] and status["vectors"] == 9
