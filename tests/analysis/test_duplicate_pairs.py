"""Duplicate candidates and pixel prints as arrays: the windows made by matrix products are the
windows PIL's crops and resizes make; the candidate pairs taken off FAISS's arrays are the pairs
a plain loop over each photo's neighbours finds."""

from __future__ import annotations

import faiss
import numpy as np
import pytest
from PIL import Image

from app.analysis.duplicate_pairs import CANDIDATE_SIMILARITY, NEIGHBOURS, PairScores, candidate_pairs
from app.analysis.duplicate_pixels import SCALES, SIDE, STEP, WORKING, _windows
from tests.helpers.duplicate_corpus import real_photo


@pytest.mark.parametrize("name", ["chelsea.png", "motorcycle_left.png"])
def test_windows_are_the_ones_pil_cuts_and_resizes(name):
    photo = real_photo(name).convert("L")
    scale = WORKING / max(photo.size)
    grey = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.BOX)
    w, h = grey.size
    expected = []
    for size in SCALES:
        steps = int(round((1.0 - size) / STEP))
        for ox in range(steps + 1):
            for oy in range(steps + 1):
                box = (ox * STEP * w, oy * STEP * h, (ox * STEP + size) * w, (oy * STEP + size) * h)
                expected.append(np.asarray(grey.resize((SIDE, SIDE), Image.Resampling.BILINEAR, box=box), np.float32))
    found = _windows(np.asarray(grey, np.float32))
    assert found.shape == (35, SIDE * SIDE)
    difference = np.abs(found - np.stack(expected).reshape(len(expected), -1))
    # PIL works in 8-bit fixed point, rounding between its two passes: a grey level or so.
    assert difference.max() <= 2.0 and difference.mean() < 0.5


def _reference_pairs(
    index: faiss.Index, vectors: np.ndarray, image_ids: np.ndarray, rows: np.ndarray
) -> dict[tuple[int, int], float]:
    """Each photo's closest neighbours above the threshold, one photo and one pair at a time
    (as the scan did before its arrays)."""
    out: dict[tuple[int, int], float] = {}
    for row in rows:
        lims, sims, ids = index.range_search(vectors[row : row + 1], CANDIDATE_SIMILARITY)
        for j in np.argsort(-sims, kind="stable")[: NEIGHBOURS + 1]:
            if ids[j] != row:
                a, b = sorted((int(image_ids[row]), int(image_ids[ids[j]])))
                out.setdefault((a, b), float(sims[j]))
    return out


def test_candidate_pairs_are_each_photos_closest_neighbours_once():
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(12, 64)).astype(np.float32)
    vectors = centres[rng.integers(0, 12, 900)] + rng.normal(scale=0.045, size=(900, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    image_ids = np.arange(900, dtype=np.int64) * 3 + 5
    rows = rng.choice(900, 400, replace=False)
    index = faiss.IndexFlatIP(64)
    index.add(vectors)
    a, b, similarity = candidate_pairs(index, vectors, image_ids, rows)
    expected = _reference_pairs(index, vectors, image_ids, rows)
    assert len(expected) > 1000, "crowded neighbourhoods, where the closest NEIGHBOURS are a choice"
    assert {(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)} == set(expected)
    assert len(a) == len(expected) and np.all(a < b)
    for x, y, s in zip(a.tolist(), b.tolist(), similarity.tolist(), strict=True):
        assert s == pytest.approx(expected[(x, y)], abs=1e-4)


def test_a_large_librarys_candidates_found_list_by_list_are_the_exact_ones(monkeypatch):
    # Topics of groups of near copies, as a library holds them, in an IVF index of 169 lists: a
    # topic's groups straddle its lists, and each list's photos meet those of its PROBES nearest
    # lists only (half as many lists find 96% of the pairs).
    from app.analysis import neighbours

    monkeypatch.setattr(neighbours, "EXACT_LIMIT", 1_000)
    rng = np.random.default_rng(11)
    topics = rng.normal(size=(30, 64))
    groups = np.vstack([topic + rng.normal(scale=0.4, size=(20, 64)) for topic in topics])
    vectors = np.vstack([group + rng.normal(scale=0.3, size=(12, 64)) for group in groups])
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    image_ids = np.arange(len(vectors), dtype=np.int64) * 2 + 1
    rows = rng.choice(len(vectors), 4_000, replace=False)
    index = neighbours.index_for(vectors, compact=True)
    assert isinstance(index, faiss.IndexIVF) and index.nlist > 100
    flat = faiss.IndexFlatIP(64)
    flat.add(vectors)
    listed = candidate_pairs(index, vectors, image_ids, rows)
    exact = candidate_pairs(flat, vectors, image_ids, rows)
    assert len(exact[0]) > 50_000
    found, expected = set(zip(*listed[:2], strict=True)), set(zip(*exact[:2], strict=True))
    assert len(found & expected) >= 0.999 * len(expected) and len(found - expected) <= 0.001 * len(expected)
    assert np.all(listed[0] < listed[1])


def test_pair_scores_filter_join_and_iterate():
    pairs = PairScores.of(
        {
            "a": [1, 2, 3],
            "b": [4, 5, 6],
            "similarity": [0.9, 0.95, 0.99],
            "pixels": [0.5, 0.92, 0.99],
            "brightness": [0.0, 0.01, 0.02],
            "colour": [0.0, 0.0, 0.01],
        }
    )
    strong = pairs.at_least(0.9)
    assert [(p.a, p.b) for p in strong] == [(2, 5), (3, 6)]
    assert len(strong.joined(PairScores.empty())) == 2 and len(PairScores.empty()) == 0
