"""Query parsing, weights, filters and ranking rules (Qt-free, no model)."""

from __future__ import annotations

import pytest

from app.catalog.records import RegionInfo
from app.core.errors import UserError
from app.search.query import parse_date, parse_formats, parse_query, parse_weights
from app.search.ranking import Candidate, RankingOptions, cut_at_largest_gap, rank, region_weight, score_candidates


def test_plus_minus_and_quotes():
    q = parse_query('beach +"sunset sky" -people -dogs')
    assert (q.text, q.plus, q.minus) == ("beach", ("sunset sky",), ("people", "dogs"))
    assert q.describe() == '"beach" +sunset sky -people -dogs'


@pytest.mark.parametrize("raw", ["", "   ", "-people", "the a of", '"unclosed', "+ -"])
def test_bad_queries(raw):
    with pytest.raises(UserError):
        parse_query(raw)


def test_weights():
    assert parse_weights("image=1, text=0.5,Animal=2") == {"image": 1.0, "text": 0.5, "animal": 2.0}
    for bad in ("", "image", "image=x", "=2", "image=-1", "image=nan"):
        with pytest.raises(UserError):
            parse_weights(bad)


def test_dates_and_types():
    assert parse_date("2021-07-14", end_of_day=True) - parse_date("2021-07-14") > 86000
    assert parse_formats("jpg,PNG,.tiff") == frozenset({"JPEG", "PNG", "TIFF"})
    for bad in (lambda: parse_date("14/07/2021"), lambda: parse_formats("psd")):
        with pytest.raises(UserError):
            bad()


def _region(rid: int, image: int, kind: str = "image", label: str | None = None, text: str | None = None) -> RegionInfo:
    return RegionInfo(rid, image, kind, label, (0, 0, 1, 1), 1.0, text)


def test_weights_group_per_image_and_keyword_bonus():
    candidates = [
        Candidate(_region(1, 10), 0.30),
        Candidate(_region(2, 10, "object", "animal"), 0.32),
        Candidate(_region(3, 11, "text", text="BAKERY"), 0.20),
        Candidate(_region(4, 12), 0.31),
    ]
    weights = {"image": 1.0, "object": 1.0, "text": 1.0, "animal": 0.5}
    assert region_weight(candidates[1].region, weights) == 0.5
    score_candidates(candidates, weights, None, keyword_regions={3}, how="text")
    ranked = rank(candidates, RankingOptions(top_k=10, weights=weights))
    assert [c.region.image_id for c in ranked] == [11, 12, 10]
    assert ranked[0].why == 'ocr keyword: "BAKERY"'
    assert ranked[2].region.region_id == 1, "image 10's best region after weighting is the whole image"


def test_largest_gap_cut():
    assert cut_at_largest_gap([0.9, 0.89, 0.88, 0.5, 0.49, 0.48, 0.47]) == 3
    assert cut_at_largest_gap([0.5, 0.49, 0.48, 0.47, 0.46]) == 5, "no gap stands out: keep all"
    assert cut_at_largest_gap([0.9]) == 1
