"""The analysis cache: a result is returned only for its version, and the version is read from
the file's head without parsing a large result."""

from __future__ import annotations

from pathlib import Path

from app.analysis.cache import AnalysisCache


def test_a_result_comes_back_for_its_version_only(tmp_path: Path):
    cache = AnalysisCache(tmp_path / "analysis")
    cache.save("clusters", "0123456789abcdef", {"clusters": [1, 2]})
    assert cache.load("clusters", "0123456789abcdef") == {"clusters": [1, 2]}
    assert cache.load("clusters", "fedcba9876543210") is None
    assert cache.stored_version("clusters") == "0123456789abcdef"
    cache.save("names", "v1", ["kept"])  # not a hex version: read the whole file
    assert cache.stored_version("names") == "v1" and cache.load("names", "v1") == ["kept"]
    assert cache.load("missing", "v1") is None and cache.stored_version("missing") is None


def test_the_version_is_read_from_the_head_and_a_damaged_file_is_never_trusted(tmp_path: Path):
    cache = AnalysisCache(tmp_path)
    path = tmp_path / "projection.json"
    # A stale file is not parsed: its body may be anything.
    path.write_text('{"version": "0123456789abcdef", "result": not json at all}')
    assert cache.stored_version("projection") == "0123456789abcdef"
    assert cache.load("projection", "fedcba9876543210") is None
    assert cache.load("projection", "0123456789abcdef") is None, "the current version is parsed, and fails"
    path.write_text('{"version": "0123456789abcdef", "result": [1, 2')  # cut short by a full disk
    assert cache.stored_version("projection") is None and cache.load("projection", "0123456789abcdef") is None
    path.write_bytes(b"")
    assert cache.stored_version("projection") is None and cache.load("projection", "0123456789abcdef") is None


def test_a_result_of_another_kind_is_refused_from_the_head_without_parsing_it(tmp_path: Path):
    cache = AnalysisCache(tmp_path)
    cache.save("clusters", "0123456789abcdef", {"strictness": 0.5}, kind="aa11")
    assert cache.load("clusters", "0123456789abcdef", "aa11") == {"strictness": 0.5}
    assert cache.load("clusters", "0123456789abcdef") == {"strictness": 0.5}, "any kind, when none is asked"
    assert cache.load("clusters", "0123456789abcdef", "bb22") is None
    assert cache.stored_version("clusters") == "0123456789abcdef"
    path = tmp_path / "clusters.json"
    # Another kind's body is never parsed: it may be anything.
    path.write_text('{"version": "0123456789abcdef", "kind": "aa11", "result": not json at all}')
    assert cache.load("clusters", "0123456789abcdef", "bb22") is None
    assert cache.stored_version("clusters") == "0123456789abcdef"
    # A file saved before kinds (or by hand) has none: it is parsed, and no kind matches it.
    path.write_text('{"version": "0123456789abcdef", "result": {"strictness": 0.5}}')
    assert cache.load("clusters", "0123456789abcdef", "aa11") is None
    assert cache.load("clusters", "0123456789abcdef") == {"strictness": 0.5}
