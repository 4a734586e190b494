"""Ranking with a model whose towers truly agree (trained in the session on drawn shapes),
through the real pipeline and the CLI: text, image, combined and +/- queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers.shapes import CLASSES, average_precision_at_k, draw, write_test_set


@pytest.fixture
def shapes_library(cli, tmp_path: Path, shapes_model: str) -> dict[tuple[str, str], list[Path]]:
    photos = write_test_set(tmp_path / "shapes", per_class=4, seed=123)
    result = cli("index", tmp_path / "shapes", "--model", shapes_model, "--json")
    assert result.code == 0, result.err
    assert result.json["embedded"] == 4 * len(CLASSES)
    return photos


def _paths(cli, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli(*args, "--json")
    assert result.code == 0, result.err
    return [r["path"] for r in result.json["results"]]


def test_text_queries_rank_the_described_shapes_first(cli, shapes_library):
    aps = []
    for (colour, shape), paths in shapes_library.items():
        ranked = _paths(cli, "search", f"{colour} {shape}", "--top-k", "10")
        aps.append(average_precision_at_k(ranked, {str(p) for p in paths}, 5))
    mean_ap = float(np.mean(aps))
    print(f"text->image mAP@5 = {mean_ap:.3f} (chance ~ {1 / len(CLASSES):.3f})")
    assert mean_ap >= 0.8


def test_image_queries_from_outside_the_library(cli, shapes_library, tmp_path):
    rng = np.random.default_rng(999)
    aps = []
    for (colour, shape), paths in shapes_library.items():
        query = tmp_path / f"query-{colour}-{shape}.png"
        draw(colour, shape, rng, 100).save(query)
        ranked = _paths(cli, "search", "--image", query, "--top-k", "10")
        aps.append(average_precision_at_k(ranked, {str(p) for p in paths}, 5))
    mean_ap = float(np.mean(aps))
    print(f"image->image mAP@5 = {mean_ap:.3f}")
    assert mean_ap >= 0.8


def test_combined_text_and_image(cli, shapes_library, tmp_path):
    # An example of a blue circle plus the word "red": red circles satisfy both.
    query = tmp_path / "blue-circle.png"
    draw("blue", "circle", np.random.default_rng(5), 100).save(query)
    ranked = _paths(cli, "search", "red", "--image", query, "--top-k", "4")
    red_circles = {str(p) for p in shapes_library[("red", "circle")]}
    assert sum(p in red_circles for p in ranked) >= 3


def test_plus_term_narrows_and_minus_term_pushes_down(cli, shapes_library):
    red_circles = {str(p) for p in shapes_library[("red", "circle")]}
    ranked = _paths(cli, "search", "red +circle", "--top-k", "4")
    assert sum(p in red_circles for p in ranked) >= 3

    reds = {str(p) for (c, _), ps in shapes_library.items() if c == "red" for p in ps}
    plain = _paths(cli, "search", "circle", "--top-k", "48")
    minus = _paths(cli, "search", "circle -red", "--top-k", "48")

    def mean_rank(ranked: list[str]) -> float:
        return float(np.mean([ranked.index(p) for p in red_circles]))

    assert mean_rank(minus) > mean_rank(plain) + 4, "-red must push red circles down"
    assert not reds & set(minus[:8]), "no red photo among the first circles once -red is asked"


def test_similar_puts_the_same_shape_and_colour_first(cli, shapes_library):
    paths = shapes_library[("green", "triangle")]
    ranked = _paths(cli, "similar", paths[0], "--top-k", "3")
    assert set(ranked) == {str(p) for p in paths[1:]}


def test_region_weights_and_threshold(cli, shapes_library):
    everything = cli("search", "yellow square", "--top-k", "48", "--json").json["results"]
    assert len(everything) == 48
    top = everything[0]["score"]
    kept = cli("search", "yellow square", "--top-k", "48", "--threshold", str(top - 1e-4), "--json").json["results"]
    assert len(kept) == 1
    halved = cli("search", "yellow square", "--weights", "image=0.5", "--json").json["results"]
    assert abs(halved[0]["score"] - top / 2) < 1e-3
    assert everything[0]["why"] == 'text: "yellow square"'


def test_auto_cut_keeps_the_clear_winners_and_drops_the_tail(cli, shapes_library):
    for colour, shape in (("blue", "triangle"), ("red", "circle"), ("green", "square")):
        results = cli("search", f"{colour} {shape}", "--top-k", "48", "--auto-cut", "--json").json["results"]
        kept = {r["path"] for r in results}
        assert {str(p) for p in shapes_library[(colour, shape)]} <= kept
        assert len(results) <= 8, f"{colour} {shape}: the tail of {48 - 4} other photos is cut"
