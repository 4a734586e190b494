"""Clusters and the 3D map of a library, computed on demand and cached per library version."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import numpy as np

from app.analysis.cache import AnalysisCache, library_version
from app.analysis.clustering import NOISE, ClusterParams, cluster
from app.analysis.naming import cluster_name, concept_names, frequent_words
from app.analysis.projection import project_3d
from app.analysis.vocabulary import CONCEPTS
from app.catalog import analysis_vectors, repository

if TYPE_CHECKING:
    from app.library import Library

PROJECTION = "projection"
CUSTOM_NAMES = "cluster-names"
KEEP_NAME_OVERLAP = 0.5


def _cache(library: Library) -> AnalysisCache:
    return AnalysisCache(library.paths.root / "analysis")


def current_version(library: Library, on: str = "image") -> str:
    return library_version(analysis_vectors.analysis_region_ids(library.engine, on), library.spec.key)


def concept_vectors(library: Library) -> np.ndarray:
    """The vocabulary embedded by the library's model (cached per model)."""
    cache = _cache(library)
    name = "vocabulary-" + re.sub(r"[^A-Za-z0-9._-]+", "_", library.spec.key)[:100]
    cached = cache.load_array(name)
    if cached is not None and len(cached) == len(CONCEPTS):
        return cached
    vectors = library.text_vectors(list(CONCEPTS))
    cache.save_array(name, vectors)
    return vectors


def clusters(library: Library, params: ClusterParams, on: str = "image", use_cache: bool = True) -> dict:
    started = time.perf_counter()
    region_ids, image_ids, vectors = analysis_vectors.vectors_for_analysis(library.engine, on)
    version = library_version(region_ids, library.spec.key)
    cache = _cache(library)
    name = f"clusters-{on}-{params.key()}"
    if use_cache:
        cached = cache.load(name, version)
        if cached is not None:
            return {**_with_custom_names(cache, cached), "seconds": round(time.perf_counter() - started, 3), "cached": True}
    result = _compute_clusters(library, params, image_ids, vectors)
    cache.save(name, version, result)
    return {**_with_custom_names(cache, result), "seconds": round(time.perf_counter() - started, 3), "cached": False}


def rename_cluster(library: Library, image_ids: list[int], name: str) -> None:
    """Remember a person's name for the cluster made of `image_ids`.

    Cluster ids change whenever clusters are recomputed, so the name is kept with the members:
    a later cluster that shares at least half its members (Jaccard) with a renamed one keeps it.
    """
    from app.core.errors import ReadOnlyLibraryError

    if library.read_only:
        raise ReadOnlyLibraryError(f"the library at {library.root} is read-only; cluster names cannot be saved there")
    name = " ".join(name.split())
    cache = _cache(library)
    custom = [c for c in (cache.load(CUSTOM_NAMES, "v1") or []) if _overlap(set(c["image_ids"]), set(image_ids)) < KEEP_NAME_OVERLAP]
    if name:
        custom.append({"image_ids": sorted(set(image_ids)), "name": name})
    cache.save(CUSTOM_NAMES, "v1", custom)


def _overlap(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _with_custom_names(cache: AnalysisCache, result: dict) -> dict:
    custom = cache.load(CUSTOM_NAMES, "v1") or []
    if not custom:
        return result
    clusters_out = []
    for c in result["clusters"]:
        members = set(c["image_ids"])
        best = max(custom, key=lambda named: _overlap(members, set(named["image_ids"])))
        if _overlap(members, set(best["image_ids"])) >= KEEP_NAME_OVERLAP:
            c = {**c, "name": best["name"], "renamed": True}
        clusters_out.append(c)
    return {**result, "clusters": clusters_out}


def _compute_clusters(library: Library, params: ClusterParams, image_ids: np.ndarray, vectors: np.ndarray) -> dict:
    outcome = cluster(vectors, params)
    labels = outcome.labels
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(row)
    noise_rows = groups.pop(NOISE, [])
    ordered = sorted(groups.values(), key=lambda rows: (-len(rows), rows[0]))
    infos = repository.images(library.engine, sorted({int(i) for i in image_ids.tolist()}))
    names: list[str] = []
    if ordered:
        centroids = np.vstack([vectors[rows].mean(axis=0) for rows in ordered])
        names = concept_names(centroids, concept_vectors(library), CONCEPTS)
        texts = analysis_vectors.texts_by_image(library.engine, [int(i) for i in image_ids.tolist()])
        names = [
            cluster_name(n, frequent_words([texts.get(int(image_ids[r]), []) for r in rows]))
            for n, rows in zip(names, ordered, strict=True)
        ]

    def paths(rows: list[int]) -> list[str]:
        seen: list[str] = []
        for r in rows:
            info = infos.get(int(image_ids[r]))
            if info and info.paths and info.paths[0] not in seen:
                seen.append(info.paths[0])
        return seen

    result = {
        "algorithm": params.algorithm,
        "params": params.__dict__,
        "clusters": [
            {"id": i, "name": names[i], "size": len(rows), "paths": paths(rows),
             "image_ids": sorted({int(image_ids[r]) for r in rows})}
            for i, rows in enumerate(ordered)
        ],
        "noise": len(noise_rows),
        "noise_paths": paths(noise_rows),
    }
    if outcome.details:
        result["details"] = {k: (v if not isinstance(v, dict) else {str(a): b for a, b in v.items()}) for k, v in outcome.details.items()}
    return result


def projection(library: Library, use_cache: bool = True) -> dict:
    """3D coordinates per image, with each image's cluster id (default DBSCAN) or -1."""
    started = time.perf_counter()
    region_ids, image_ids, vectors = analysis_vectors.vectors_for_analysis(library.engine, "image")
    version = library_version(region_ids, library.spec.key)
    cache = _cache(library)
    result = cache.load(PROJECTION, version) if use_cache else None
    cached = result is not None
    if result is None:
        coords = project_3d(vectors)
        groups = clusters(library, ClusterParams(), "image", use_cache)
        cluster_of = {image_id: c["id"] for c in groups["clusters"] for image_id in c["image_ids"]}
        infos = repository.images(library.engine, [int(i) for i in image_ids.tolist()])
        points = []
        for row, image_id in enumerate(image_ids.tolist()):
            info = infos.get(int(image_id))
            if info is None or not info.paths:
                continue
            x, y, z = (round(float(v), 5) for v in coords[row])
            points.append({"path": info.paths[0], "image_id": int(image_id), "x": x, "y": y, "z": z,
                           "cluster": cluster_of.get(int(image_id), NOISE)})
        result = {"points": points}
        cache.save(PROJECTION, version, result)
    return {**result, "seconds": round(time.perf_counter() - started, 3), "cached": cached}


def freshness(library: Library) -> dict[str, str]:
    """'fresh', 'stale' or 'missing' for the default clusters and the 3D map."""
    version = current_version(library)
    cache = _cache(library)
    out = {}
    for label, name in (("clusters", f"clusters-image-{ClusterParams().key()}"), ("map", PROJECTION)):
        stored = cache.stored_version(name)
        out[label] = "missing" if stored is None else ("fresh" if stored == version else "stale")
    return out
