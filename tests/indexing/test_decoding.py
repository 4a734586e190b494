"""Decoding odd, broken and hostile files."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.indexing.decoding import DecodeError, decode, read_file, to_rgb
from app.ml.preprocess import InputSpec
from tests.helpers.images import make_broken_set, make_valid_set

SPEC = InputSpec(64, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> dict[str, Path]:
    return make_valid_set(tmp_path_factory.mktemp("valid"))


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> dict[str, Path]:
    return make_broken_set(tmp_path_factory.mktemp("broken"))


def test_every_odd_but_valid_image_decodes(valid, tmp_path):
    for name, path in valid.items():
        thumb = tmp_path / f"{name}.jpg"
        decoded = decode(read_file(str(path)), SPEC, thumb)
        assert decoded.model_input.shape == (64, 64, 3), name
        assert decoded.model_input.dtype == np.uint8
        with Image.open(thumb) as t:
            assert min(t.size) <= 256 and t.mode == "RGB", name


def test_rotation_16bit_alpha_and_exif(valid):
    rotated = decode(read_file(str(valid["rotated"])), SPEC, None)
    assert (rotated.facts.width, rotated.facts.height) == (200, 300)
    sixteen = decode(read_file(str(valid["16bit"])), SPEC, None)
    assert 20 < sixteen.model_input.mean() < 235, "16-bit must be scaled, not clipped to white"
    exif = decode(read_file(str(valid["exif"])), SPEC, None)
    assert exif.facts.camera == "Canon EOS 80D" and exif.facts.taken_at is not None
    assert decode(read_file(str(valid["panorama"])), SPEC, None).facts.width == 12000


def test_transparency_is_composited_on_white():
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert to_rgb(rgba).getpixel((0, 0)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty", "empty file"),
        ("truncated", "truncated"),
        ("text", "not a recognised image"),
        ("random", "not a recognised image"),
        ("bomb", "decompression bomb"),
    ],
)
def test_broken_files_raise_readable_reasons(broken, name, reason):
    with pytest.raises(DecodeError, match=reason):
        decode(read_file(str(broken[name])), SPEC, None)


def test_the_bomb_message_quotes_our_limit_not_pillows(tmp_path):
    from tests.helpers.images import png_header_only

    for size, shown in ((15_000, "225 MP"), (30_000, "900 MP")):  # Pillow warns past 200 MP, refuses past 400
        path = png_header_only(tmp_path / f"{size}.png", size, size)
        with pytest.raises(DecodeError) as caught:
            decode(read_file(str(path)), SPEC, None)
        assert str(caught.value) == f"refused as a possible decompression bomb: {shown} is over the 200 MP limit"


def test_an_unreadable_file_is_not_called_bad(tmp_path, monkeypatch):
    from app.indexing.decoding import UnreadableError
    from tests.helpers.images import photo, save_jpeg

    path = save_jpeg(tmp_path / "a.jpg", photo(1))
    real_open = os.open

    def eio(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(path):
            raise OSError(5, "Input/output error")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", eio)
    with pytest.raises(UnreadableError, match="Input/output error"):
        read_file(str(path))


def test_same_bytes_same_hash(valid, tmp_path):
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(valid["plain"].read_bytes())
    assert read_file(str(copy)).content_hash == read_file(str(valid["plain"])).content_hash


def test_heic_is_indexed_when_pillow_heif_is_installed(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    from tests.helpers.images import photo

    path = tmp_path / "phone.heic"
    photo(77, (120, 90)).save(path, format="HEIF", quality=80)
    decoded = decode(read_file(str(path)), SPEC, tmp_path / "thumb.jpg")
    assert (decoded.facts.width, decoded.facts.height, decoded.facts.format) == (120, 90, "HEIF")


def _heic_from(tmp_path: Path, name: str, thumbnail: bool) -> Path:
    """A camera-like HEIC made by libheif's own encoder (heif-enc, from libheif-examples),
    with or without the embedded 320 px thumbnail phones write."""
    import shutil
    import subprocess

    from tests.helpers.images import photo

    if shutil.which("heif-enc") is None:
        pytest.skip("heif-enc (Debian package libheif-examples) is not installed; ./run.sh test installs it")
    source = tmp_path / f"{name}.png"
    photo(31, (1600, 1200)).save(source)
    target = tmp_path / f"{name}.heic"
    subprocess.run(
        ["heif-enc", "-q", "80", *(["-t", "320"] if thumbnail else []), "-o", str(target), str(source)],
        check=True,
        capture_output=True,
    )
    return target


def test_a_heic_with_an_embedded_thumbnail_is_read_from_it(tmp_path):
    pytest.importorskip("pillow_heif")
    spec = InputSpec(224, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    with_thumb = decode(read_file(str(_heic_from(tmp_path, "thumb", True))), spec, tmp_path / "a.jpg")
    without = decode(read_file(str(_heic_from(tmp_path, "plain", False))), spec, tmp_path / "b.jpg")
    # Both report the photo's own size; only the one without a thumbnail decodes all of it.
    assert (
        (with_thumb.facts.width, with_thumb.facts.height) == (without.facts.width, without.facts.height) == (1600, 1200)
    )
    assert Image.open(tmp_path / "a.jpg").size == (320, 240)  # the embedded thumbnail, as it is
    assert Image.open(tmp_path / "b.jpg").size == (341, 256)  # the full photo, shrunk
    # The model sees the same scene either way.
    a, b = (d.model_input.astype(np.float32) for d in (with_thumb, without))
    assert a.shape == b.shape == (224, 224, 3) and np.abs(a - b).mean() < 6


def test_a_fifo_in_a_photos_place_never_hangs(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(DecodeError, match="not a regular file"):
        read_file(str(fifo))


def test_odd_metadata_is_quiet_and_oversized_metadata_is_named(tmp_path, recwarn):
    import struct

    from PIL import PngImagePlugin

    from tests.helpers.images import photo

    buf = io.BytesIO()
    photo(3).save(buf, "JPEG")
    jpeg = buf.getvalue()
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + b"\x00" * 20  # 65535 entries, 20 bytes
    segment = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    (tmp_path / "bad-exif.jpg").write_bytes(jpeg[:2] + segment + jpeg[2:])
    decoded = decode(read_file(str(tmp_path / "bad-exif.jpg")), SPEC, None)
    assert decoded.facts.width == 320 and not [w for w in recwarn if "EXIF" in str(w.message)]
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "A" * 20_000_000, zip=True)
    photo(4).save(tmp_path / "long-comment.png", pnginfo=info)
    with pytest.raises(DecodeError, match="block of text or metadata too large to read safely"):
        decode(read_file(str(tmp_path / "long-comment.png")), SPEC, None)
