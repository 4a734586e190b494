"""What `status` reports about an open library (`Library.status`): counts, whether SQLite and
the vector files agree, the vector index in use, work left over, and what is missing on disk
(files gone, thumbnails gone)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from app.catalog import lookups, meta
from app.catalog.places import count_placed
from app.catalog.records import LibraryStatus
from app.catalog.regions import count_region_state
from app.core.paths import LibraryPaths
from app.vectors import reconcile as reconciling
from app.vectors.library_vectors import PENDING_KEY, LibraryVectors
from app.vectors.reconcile import FACE_DESCRIPTORS


def library_status(
    engine: Engine,
    paths: LibraryPaths,
    vectors: LibraryVectors,
    model: str,
    read_only: bool,
    interrupted: list[Path] | None,
) -> LibraryStatus:
    from app.indexing.missing_counts import missing_counts

    counts = lookups.counts(engine)
    missing = missing_counts(engine, paths, read_only)
    placed, estimated = count_placed(engine)
    store, faces = vectors.store, vectors.faces
    consistent = reconciling.consistent(engine, store) if store is not None else counts.vectors == 0
    if faces is not None:
        consistent = consistent and reconciling.consistent(engine, faces, FACE_DESCRIPTORS)
    return LibraryStatus(
        images=counts.images,
        files=counts.files,
        regions=counts.regions,
        vectors=counts.vectors,
        index_vectors=store.ntotal if store is not None else 0,
        model=model,
        library=str(paths.root),
        read_only=read_only,
        consistent=consistent,
        failures=counts.failures,
        index=store.kind if store is not None else "flat",
        index_lists=store.nlist if store is not None else 0,
        switching_to=meta.get_meta(engine, PENDING_KEY),
        region_pass=count_region_state(engine),
        interrupted=None if interrupted is None else [str(p) for p in interrupted],
        vector_file_rebuilt=store.rebuilt_because if store is not None else None,
        face_vectors=faces.ntotal if faces is not None else 0,
        people=counts.people,
        hidden_people=counts.hidden_people,
        names=counts.names,
        files_missing=missing.files,
        thumbnails_missing=missing.thumbnails,
        videos=counts.videos,
        raw=counts.raw,
        places=placed,
        places_estimated=estimated,
    )
