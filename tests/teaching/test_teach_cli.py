"""Teaching a name through the command line, with the small CLIP trained on drawn shapes: an
invented word learned from six photos of one class finds that class; nothing else moves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.shapes import average_precision_at_k, write_test_set

TAUGHT = ("green", "triangle")


@pytest.fixture
def shapes_library(cli, tmp_path: Path, shapes_model: str) -> dict[tuple[str, str], list[Path]]:
    photos = write_test_set(tmp_path / "shapes", per_class=8, seed=321)
    result = cli("index", tmp_path / "shapes", "--model", shapes_model, "--json")
    assert result.code == 0, result.err
    return photos


def _ranked(cli, query: str, k: int = 10) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("search", query, "--top-k", str(k), "--json")
    assert result.code == 0, result.err
    return [r["path"] for r in result.json["results"]]


def _class_map(cli, photos) -> dict[tuple[str, str], float]:  # type: ignore[no-untyped-def]
    return {
        cls: average_precision_at_k(_ranked(cli, f"{cls[0]} {cls[1]}"), {str(p) for p in paths}, 8)
        for cls, paths in photos.items()
    }


def test_a_taught_word_finds_its_class_and_leaves_other_searches_alone(cli, shapes_library):
    taught = {str(p) for p in shapes_library[TAUGHT]}
    before_word = average_precision_at_k(_ranked(cli, "blicket"), taught, 10)
    before_classes = _class_map(cli, shapes_library)
    before_lookalike = _ranked(cli, "blicketry", 20)

    examples = shapes_library[TAUGHT][:6]
    result = cli("teach", "blicket", *examples, "--json")
    assert result.code == 0, result.err
    report = result.json
    assert {"name", "examples", "before", "after", "ap", "drift", "seconds"} <= report.keys()
    assert report["name"] == "blicket" and report["examples"] == 6
    assert report["after"]["target"] > report["before"]["target"] + 0.2
    assert report["ap"] >= 0.6 and report["found"] == 6
    assert report["drift"] == 0.0, "a search without the name must not change"

    after_word = average_precision_at_k(_ranked(cli, "blicket"), taught, 10)
    after_classes = _class_map(cli, shapes_library)
    print(f"blicket mAP@10: {before_word:.3f} -> {after_word:.3f}")
    assert before_word < 0.35, "before teaching, the made-up word is near chance"
    assert after_word >= 0.8
    assert abs(np.mean(list(after_classes.values())) - np.mean(list(before_classes.values()))) <= 0.02
    assert _ranked(cli, "blicketry", 20) == before_lookalike, "only the whole word is the taught name"

    # In a sentence and with -terms: the name goes through the text tower with the rest.
    assert set(_ranked(cli, "a photo of a blicket", 6)) <= taught
    ranked = _ranked(cli, "triangle -blicket", 12)
    assert not taught & set(ranked[:8])

    listed = cli("concepts", "--json").json["concepts"]
    assert [(c["name"], c["examples"]) for c in listed] == [("blicket", 6)]
    assert listed[0]["model"].startswith("local-dir:")
    assert cli("status", "--json").json["names"] == 1

    more = cli("teach", "blicket", *shapes_library[TAUGHT][6:], "--add", "--json")
    assert more.code == 0, more.err
    assert more.json["examples"] == 8
    assert cli("concepts", "rename", "blicket", "Wug").code == 0
    assert average_precision_at_k(_ranked(cli, "wug"), taught, 10) >= 0.8
    assert cli("forget", "wug").code == 0
    assert cli("concepts", "--json").json["concepts"] == []
    assert cli("status", "--json").json["names"] == 0
    assert average_precision_at_k(_ranked(cli, "blicket"), taught, 10) == pytest.approx(before_word)


def test_teaching_refuses_what_it_cannot_teach_in_one_line(cli, shapes_library, library_dir, tmp_path):
    photos = [p for paths in shapes_library.values() for p in paths]
    outside = tmp_path / "outside.png"
    outside.write_bytes(photos[0].read_bytes())
    db = sqlite3.connect(library_dir / "catalog.sqlite")
    db.execute("INSERT INTO people(name, hidden) VALUES ('Anna', 0)")
    db.commit()
    db.close()
    assert cli("teach", "blicket", *photos[:6]).code == 0
    cases = {
        ("two photos", *photos[:2]): "at least 3 example photos",
        ("   ", *photos[:3]): "the name is empty",
        ("BLICKET", *photos[10:13]): "already a taught name",
        ("beach", *photos[:3]): "already a word the search understands",
        ("anna", *photos[:3]): "a person's name",
        ("the", *photos[:3]): "common word",
        ("+x", *photos[:3]): "start with + or -",
        ("zorp", outside, *photos[:3]): "not in the library",
    }
    for args, message in cases.items():
        result = cli("teach", *args)
        assert result.code != 0, args
        assert message in result.err and "Traceback" not in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1, result.err
    assert "nothing to add" in cli("teach", "zorp", *photos[:3], "--add").err
    assert "no name 'zorp'" in cli("forget", "zorp").err
    assert [c["name"] for c in cli("concepts", "--json").json["concepts"]] == ["blicket"]


def test_taught_names_are_learned_again_for_a_new_model(cli, shapes_library):
    assert cli("teach", "blicket", *shapes_library[TAUGHT][:4]).code == 0
    switched = cli("index", shapes_library[TAUGHT][0].parent, "--model", "PO-Tiny", "--pretrained", "random", "--json")
    assert switched.code == 0, switched.err
    listed = cli("concepts", "--json").json["concepts"]
    assert listed == [{"name": "blicket", "examples": 4, "photos": 4, "model": "PO-Tiny/random"}]
    assert cli("search", "blicket").code == 0
