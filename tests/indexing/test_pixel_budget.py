"""Decodes share a budget of pixels, so a handful of 196 MP PNGs cannot exhaust memory together."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app.indexing import pixel_budget
from app.indexing.decoding import decode, read_file
from app.indexing.pixel_budget import PixelBudget
from app.ml.preprocess import InputSpec
from tests.helpers.images import photo, save_jpeg

SPEC = InputSpec(64, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))


def test_decodes_wait_for_pixels_and_an_oversized_one_runs_alone():
    budget = PixelBudget(100)
    in_use: list[int] = []
    most = [0]
    lock = threading.Lock()

    def work(pixels: int) -> None:
        with budget.held(pixels):
            with lock:
                in_use.append(pixels)
                most[0] = max(most[0], sum(in_use))
            time.sleep(0.02)
            with lock:
                in_use.remove(pixels)

    sizes = [60, 60, 30, 250, 40, 40, 90, 10] * 3
    threads = [threading.Thread(target=work, args=(n,)) for n in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads), "nothing starves"
    assert most[0] == 250, "only an image larger than the whole budget ever exceeds it, alone"
    assert budget.peak == 250


def test_the_decoder_holds_the_image_pixels_while_it_decodes(tmp_path: Path, monkeypatch):
    budget = PixelBudget(10**9)
    monkeypatch.setattr(pixel_budget, "_budget", budget)
    path = save_jpeg(tmp_path / "wide.jpg", photo(1, (2000, 1500)))
    decode(read_file(str(path)), SPEC, None)
    # JPEG draft mode decodes at 1/8 here: what is held is what is decoded, not the header size.
    assert 0 < budget.peak <= 2000 * 1500 // 16
    png = tmp_path / "big.png"
    photo(2, (1200, 1000)).save(png)
    decode(read_file(str(png)), SPEC, None)
    assert budget.peak == 1200 * 1000, "a PNG decodes whole, so it holds all its pixels"


def test_the_default_budget_fits_the_largest_image_and_follows_the_setting(monkeypatch):
    assert pixel_budget.default_budget() >= pixel_budget.MIN_BUDGET
    monkeypatch.setenv(pixel_budget.BUDGET_ENV, "12345")
    assert pixel_budget.default_budget() == 12345
