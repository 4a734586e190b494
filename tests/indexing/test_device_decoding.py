"""JPEGs decoded on the model's device (nvjpeg on CUDA; here the same code on the CPU through
torchvision): the header check that decides which files go there, the pixels that come back
(upright, thumbnail, model input) against the Pillow path, the fallback for what the device
refuses, and a whole library indexed that way against one indexed as always."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.paths import LibraryPaths
from app.indexing.batch_embedding import BatchEmbedding
from app.indexing.decoding import FileContent, _decode, jpeg_for_device, read_file, thumbnail_jpeg
from app.indexing.outcomes import Encoded
from app.indexing.run_setup import IndexOptions
from app.indexing.scanner import ScannedFile
from app.ml.device_jpeg import decode_on_device
from app.ml.embedder import ClipEmbedder
from app.ml.spec import ModelSpec
from tests.helpers.images import exif_with, make_broken_set, photo, save_jpeg
from tests.helpers.library_runs import catalog_of, index_folder, mixed_folder, status_of


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


# nvjpeg itself where a GPU is at hand (`pytest tests/indexing/test_device_decoding.py` on a
# GPU machine checks it against Pillow); the same code on the CPU everywhere.
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not _has_cuda(), reason="no CUDA GPU here"))]


@pytest.fixture(scope="module", params=DEVICES)
def embedder(request: pytest.FixtureRequest) -> ClipEmbedder:
    return ClipEmbedder(ModelSpec("PO-Tiny", "random"), device=request.param).load()


def _quadrants(size: tuple[int, int]) -> Image.Image:
    """A picture whose every turn and mirror looks different: four flat colours, one per corner."""
    w, h = size
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (220, 30, 30)
    a[: h // 2, w // 2 :] = (30, 200, 40)
    a[h // 2 :, : w // 2] = (40, 40, 210)
    a[h // 2 :, w // 2 :] = (230, 220, 60)
    return Image.fromarray(a)


def _content(path: Path) -> FileContent:
    return read_file(str(path))


def test_the_header_check_sends_only_whole_ycbcr_jpegs_to_the_device(tmp_path: Path):
    camera = save_jpeg(
        tmp_path / "camera.jpg",
        photo(1, (400, 300)),
        exif=exif_with(orientation=6, date="2021:07:14 10:30:00", camera=("Canon", "Canon EOS 80D")).tobytes(),
    )
    header = jpeg_for_device(_content(camera))
    assert header is not None and header.orientation == 6
    facts = _decode(_content(camera), ClipEmbedder(ModelSpec("PO-Tiny", "random"), device="cpu").load().input_spec)[
        0
    ].facts
    assert header.facts == facts  # size as a person sees it (turned), date and camera as Pillow reads them
    assert (header.facts.width, header.facts.height) == (300, 400)

    grey = save_jpeg(tmp_path / "grey.jpg", photo(2).convert("L"))
    progressive = save_jpeg(tmp_path / "progressive.jpg", photo(3), progressive=True)
    padded = tmp_path / "padded.jpg"
    padded.write_bytes(camera.read_bytes() + b"\x00" * 100)  # zeros after the end marker
    for taken in (grey, progressive, padded):
        assert jpeg_for_device(_content(taken)) is not None, taken.name

    cmyk = tmp_path / "cmyk.jpg"
    photo(4).convert("CMYK").save(cmyk, "JPEG")
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(camera.read_bytes()[: camera.stat().st_size // 2])
    motion = tmp_path / "motion.jpg"  # a motion photo: a video after the JPEG
    motion.write_bytes(camera.read_bytes() + b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    png = tmp_path / "photo.jpg"
    photo(5).save(png, "PNG")  # misnamed
    for refused in (cmyk, truncated, motion, png):
        assert jpeg_for_device(_content(refused)) is None, refused.name


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_device_pixels_match_pillows(embedder: ClipEmbedder, tmp_path: Path, orientation: int):
    """Turned as EXIF says, and the thumbnail and model input within a few levels of Pillow's
    (the two resample differently: Pillow from a reduced decode, the device from the whole)."""
    path = save_jpeg(tmp_path / "q.jpg", _quadrants((1200, 800)), exif=exif_with(orientation=orientation).tobytes())
    content = _content(path)
    header = jpeg_for_device(content)
    assert header is not None
    spec = embedder.input_spec
    assert spec is not None
    expected, thumb = _decode(content, spec)

    batch = decode_on_device([content.data], [header.orientation], spec, embedder.device)
    assert batch.failed == []
    got_input = batch.pixels[0].cpu().numpy()
    assert got_input.shape == expected.model_input.shape
    assert np.abs(got_input.astype(int) - expected.model_input.astype(int)).mean() < 4
    got_thumb = Image.open(io.BytesIO(batch.thumbnail_files()[0]))
    assert got_thumb.size == thumb.size
    pillow_thumb = Image.open(io.BytesIO(thumbnail_jpeg(thumb)))
    assert np.abs(np.asarray(got_thumb, int) - np.asarray(pillow_thumb, int)).mean() < 4


def test_what_the_device_refuses_is_decoded_here_or_failed_with_pillows_reason(embedder: ClipEmbedder, tmp_path: Path):
    good = _content(save_jpeg(tmp_path / "good.jpg", photo(7, (640, 480))))
    other = _content(save_jpeg(tmp_path / "other.jpg", photo(8, (480, 640))))
    garbage = FileContent(str(tmp_path / "bad.jpg"), 40, 1, b"\xff\xd8" + b"\x17" * 36 + b"\xff\xd9", "f" * 64)
    spec = embedder.input_spec
    assert spec is not None

    batch = decode_on_device([good.data, garbage.data, other.data], [None, None, None], spec, embedder.device)
    assert batch.failed == [1] and batch.pixels.shape[0] == 2 and len(batch.thumbnails) == 2

    paths = LibraryPaths(tmp_path / "library")
    header = jpeg_for_device(good)
    assert header is not None  # the garbage passes as the good one's twin, as a damaged file would
    encoded = [
        Encoded(ScannedFile(c.path, c.size, c.mtime_ns), c, jpeg_for_device(c) or header)
        for c in (good, garbage, other)
    ]
    started = BatchEmbedding(embedder, paths).start(encoded)
    assert [s.path for s, _ in started.rows] == [good.path, other.path]
    assert [(f.scanned.path, f.reason) for f in started.failed] == [
        (garbage.path, "not a recognised image format (unknown type or corrupt header)")
    ]
    vectors = started.vectors()
    assert vectors.shape == (2, embedder.dim)
    here = embedder.embed_arrays([_decode(c, spec)[0].model_input for c in (good, other)])
    assert (vectors * here).sum(axis=1).min() > 0.98
    for c in (good, other):
        assert paths.thumbnail(c.content_hash).exists()


@pytest.mark.slow
@pytest.mark.parametrize("processes", ["0", "1"])
@pytest.mark.parametrize("device", DEVICES)
def test_a_library_indexed_with_device_decoding_is_the_library_indexed_as_always(
    tmp_path: Path, processes: str, device: str
):
    photos = tmp_path / "photos"
    mixed_folder(photos)
    for orientation in range(1, 9):
        save_jpeg(
            photos / "turned" / f"{orientation}.jpg", _quadrants((640, 480)), exif=exif_with(orientation).tobytes()
        )
    for i in range(10):
        save_jpeg(photos / "large" / f"{i}.jpg", photo(900 + i, (800, 600)))
    make_broken_set(photos / "more broken")
    as_always, on_device = tmp_path / "as-always", tmp_path / "on-device"
    env = {"PHOTO_ORGANIZER_DECODE_PROCESSES": processes}
    here = index_folder(photos, as_always, "--batch-size", "8", **env)
    there = index_folder(
        photos, on_device, "--batch-size", "8", "--device", device, **env, PHOTO_ORGANIZER_DEVICE_DECODE="1"
    )
    for key in ("scanned", "new", "failed", "embedded", "moved", "unchanged"):
        assert there[key] == here[key], (key, here, there)

    a, b = catalog_of(as_always), catalog_of(on_device)
    for key in ("images", "files", "failures"):
        assert a[key] == b[key], key
    thumbs_a, thumbs_b = a["thumbnails"], b["thumbnails"]
    assert isinstance(thumbs_a, dict) and isinstance(thumbs_b, dict) and thumbs_a.keys() == thumbs_b.keys()
    for name, data in thumbs_a.items():
        assert Image.open(io.BytesIO(thumbs_b[name])).size == Image.open(io.BytesIO(data)).size, name
    # The device resized the larger JPEGs' thumbnails (other pixels, other bytes); a photo
    # smaller than a thumbnail is stored as decoded, by the same libjpeg-turbo either way.
    made_there = sum(thumbs_b[name] != data for name, data in thumbs_a.items())
    assert 8 + 10 <= made_there < len(thumbs_a), made_there
    vectors_a, vectors_b = a["vectors"], b["vectors"]
    assert isinstance(vectors_a, dict) and isinstance(vectors_b, dict) and vectors_a.keys() == vectors_b.keys()
    agreement = min(float(np.dot(vectors_a[h], vectors_b[h])) for h in vectors_a)
    assert agreement > 0.98, agreement
    status = status_of(on_device)
    assert status["consistent"] is True and status["images"] == status["index_vectors"] == here["embedded"]
    again = index_folder(photos, on_device, "--device", device, **env, PHOTO_ORGANIZER_DEVICE_DECODE="1")
    assert again["embedded"] == 0 and again["new"] == 0


@pytest.mark.parametrize(
    ("env", "device", "expected"),
    [
        (None, "cuda", True),  # measured level with 16 decode processes, ahead with fewer
        (None, "cuda:1", True),
        (None, "cpu", False),
        ("0", "cuda", False),
        ("1", "cpu", True),
        ("  ", "cuda", True),  # blank is unset
    ],
)
def test_jpegs_are_decoded_on_cuda_unless_switched_off(monkeypatch, env, device, expected):
    if env is None:
        monkeypatch.delenv("PHOTO_ORGANIZER_DEVICE_DECODE", raising=False)
    else:
        monkeypatch.setenv("PHOTO_ORGANIZER_DEVICE_DECODE", env)
    assert IndexOptions().decodes_on_device(device) is expected
