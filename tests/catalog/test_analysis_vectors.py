"""The analyses' vectors, read from the catalog in batches into one array."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update

from app.catalog import analysis_vectors
from app.catalog.schema import RegionRow
from tests.helpers.images import photo, save_jpeg


def test_batches_give_every_vector_once_in_region_order(cli, tmp_path: Path, library_dir: Path, monkeypatch):
    from app.library import Library

    for i in range(7):
        save_jpeg(tmp_path / "photos" / f"p{i}.jpg", photo(400 + i))
    assert cli("index", tmp_path / "photos").code == 0
    library = Library(library_dir)
    try:
        whole = analysis_vectors.vectors_for_analysis(library.engine)
        monkeypatch.setattr(analysis_vectors, "READ_ROWS", 3)  # 3 + 3 + 1 rows
        batched = analysis_vectors.vectors_for_analysis(library.engine)
        stored = analysis_vectors.stored_vectors(library.engine, whole[0].tolist())
        assert len(whole[0]) == 7 and np.array_equal(whole[0], np.sort(whole[0]))
        for one, other in zip(whole, batched, strict=True):
            assert np.array_equal(one, other)
        assert all(np.array_equal(whole[2][k], stored[int(r)]) for k, r in enumerate(whole[0]))
        assert analysis_vectors.vectors_for_analysis(library.engine, "object")[2].shape == (0, 0)
        with library.engine.begin() as conn:  # a model switch half done: a shorter vector
            conn.execute(update(RegionRow).where(RegionRow.id == int(whole[0][-1])).values(vector=b"\0" * 16))
        with pytest.raises(ValueError, match="two sizes"):
            analysis_vectors.vectors_for_analysis(library.engine)
    finally:
        library.close()
