"""Bad input gets one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.images import photo, save_jpeg


@pytest.fixture
def indexed(cli, tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    for i in range(3):
        save_jpeg(root / f"p{i}.jpg", photo(i))
    assert cli("index", root, "--json").code == 0
    return root


def _assert_clean_error(result) -> None:  # type: ignore[no-untyped-def]
    assert result.code != 0
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("photo-organizer: error:"), result.err


@pytest.mark.parametrize(
    "args",
    [
        ("index", "/no/such/folder"),
        ("search", "beach"),  # empty library
        ("similar", "/no/such.jpg"),
    ],
)
def test_errors_on_an_empty_library(cli, args):
    _assert_clean_error(cli(*args))


@pytest.mark.parametrize(
    "args",
    [
        ("search",),
        ("search", "   "),
        ("search", "the of a"),
        ("search", "--", "-people"),
        ("search", "beach", "--after", "yesterday"),
        ("search", "beach", "--type", "psd"),
        ("search", "beach", "--image-weight", "2"),
        ("search", "beach", "--weights", "image=lots"),
        ("search", "beach", "--weights", "=1"),
        ("search", "beach", "--top-k", "0"),
        ("search", "beach", "--threshold", "nan"),
        ("search", "beach", "--threshold", "inf"),
        ("search", "beach", "--image-weight", "nan"),
        ("search", 'beach "sunset'),
        ("similar", "/no/such.jpg", "--threshold", "nan"),
        ("index", ""),
        ("search", "--image", "/no/such.jpg"),
        ("similar", "/no/such.jpg"),
        ("index", "/no/such/folder"),
    ],
)
def test_bad_queries(cli, indexed, args):
    _assert_clean_error(cli(*args))


def test_query_image_that_is_not_an_image(cli, indexed, tmp_path):
    fake = tmp_path / "fake.jpg"
    fake.write_text("hello")
    _assert_clean_error(cli("search", "--image", fake))


def test_library_path_that_is_a_file(cli, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    _assert_clean_error(cli("status", "--library", target))


def test_another_model_on_an_existing_library(cli, indexed):
    _assert_clean_error(cli("search", "beach", "--model", "ViT-B-32", "--pretrained", "random"))


def test_unknown_architecture_and_tag(cli, tmp_path):
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    _assert_clean_error(cli("index", tmp_path / "p", "--model", "No-Such-Net"))
    _assert_clean_error(cli("index", tmp_path / "p", "--model", "ViT-B-32", "--pretrained", "nope"))


def test_missing_weights_offline_says_what_to_do(cli, tmp_path):
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    result = cli("index", tmp_path / "p", "--model", "ViT-B-32", "--pretrained", "laion2b_s34b_b79k")
    _assert_clean_error(result)
    assert "local-dir:" in result.err


def test_help_is_instant_and_imports_no_torch():
    code = "import sys, app.cli; app.cli.build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert out.stdout.strip() == "False"


def test_a_mistyped_setting_in_the_environment_is_no_traceback(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from app.indexing.run_setup import _decode_niceness

    assert [_decode_niceness(v) for v in ("abc", "", None, "5", "25", "-3")] == [10, 10, 10, 5, 19, 0]
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    monkeypatch.setenv("PHOTO_ORGANIZER_DECODE_NICE", "ten")
    done = cli("index", tmp_path / "p", "--json")
    assert done.code == 0 and done.json["embedded"] == 1, done.err


@pytest.mark.parametrize(
    "args, said",
    [
        (["search", "--bogus", "--json"], "unrecognized arguments: --bogus"),
        (["search", "dog", "--top-k", "x", "--json"], "argument --top-k: invalid int value: 'x'"),
        (["trash", "a.jpg", "--json"], "the following arguments are required: --keep"),
    ],
)
def test_a_command_line_argparse_cannot_read_is_json_too(cli, args, said):
    result = cli(*args)
    assert result.code == 2 and said in result.err and "error:" in result.err
    assert result.json == {"error": said}
