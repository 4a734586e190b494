"""Clusters and the 3D map of a library, computed on demand and cached per library version."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Engine

from app.analysis.after_reply import after_reply
from app.analysis.cache import AnalysisCache
from app.analysis.cluster_groups import Groups, NameMemory, concept_names_of, member_ids, members_of, row_paths_of
from app.analysis.clustering import NOISE, ClusterParams, RadiusGraph, cluster
from app.analysis.clustering import Clustering as Labels
from app.analysis.naming import cluster_name, frequent_words
from app.analysis.packed_clusters import KEEP_NAME_OVERLAP, PackedClusters, kept_names
from app.analysis.projection import project_3d
from app.analysis.results import Clustering, MapPoints
from app.catalog import analysis_vectors, lookups
from app.catalog.analysis_vectors import library_version, photos_version
from app.catalog.change_stamps import TIMES, stamps
from app.ml.vocabulary import CONCEPTS

if TYPE_CHECKING:
    from app.library import Library


@dataclass(frozen=True)
class AnalysisInputs:
    """What the analyses read from a library: its catalog, its model's name, where results
    are cached, and the model's text side (for naming clusters), loaded only when needed."""

    engine: Engine
    folder: Path  # the analysis cache
    model_key: str
    read_only: bool
    embed_texts: Callable[[Sequence[str]], np.ndarray]
    thumbnails: Path = Path()  # the thumbnail cache (duplicates compare their pixels)

    @classmethod
    def of(cls, library: Library) -> AnalysisInputs:
        return cls(
            library.engine,
            library.paths.root / "analysis",
            library.spec.key,
            library.read_only,
            library.encoder.text_vectors,
            library.paths.thumbnails,
        )


PROJECTION = "projection"
CUSTOM_NAMES = "cluster-names"


def _cache(inputs: AnalysisInputs) -> AnalysisCache:
    return AnalysisCache(inputs.folder)


def current_version(inputs: AnalysisInputs, on: str = "image") -> str:
    """The library version the analyses of `on` regions are cached under: made from their ids,
    read again only when the whole-image vectors' change stamp moved (for photos)."""

    if on == "image":
        return photos_version(inputs.engine, inputs.model_key, not inputs.read_only)
    return library_version(analysis_vectors.analysis_region_ids(inputs.engine, on), inputs.model_key)


def concept_vectors(inputs: AnalysisInputs) -> np.ndarray:
    """The vocabulary embedded by the library's model (cached per model)."""
    cache = _cache(inputs)
    name = "vocabulary-" + re.sub(r"[^A-Za-z0-9._-]+", "_", inputs.model_key)[:100]
    cached = cache.load_array(name)
    if cached is not None and len(cached) == len(CONCEPTS):
        return cached
    vectors = inputs.embed_texts(list(CONCEPTS))
    cache.save_array(name, vectors)
    return vectors


def clusters(
    inputs: AnalysisInputs,
    params: ClusterParams,
    on: str = "image",
    use_cache: bool = True,
    keep_graph: bool = False,
    stale_ok: bool = False,
) -> Clustering:
    """Groups of similar photos, each named (CLIP zero-shot plus frequent OCR words, or the
    person's own name); cached per library version. `keep_graph` keeps DBSCAN's neighbour
    graph, at the loosest strictness, in memory: the window's slider re-clusters from it.
    `stale_ok`: the clusters last made are good enough, whatever came or went since (they
    name events: at a million photos clustering again takes minutes); made when none are."""
    started = time.perf_counter()
    found, cached = _found(inputs, params, on, use_cache, keep_graph, stale_ok)
    result = found if isinstance(found, dict) else found.to_json()
    seconds = round(time.perf_counter() - started, 3)
    return Clustering.from_json(_with_custom_names(_cache(inputs), result), seconds, cached, made=not cached)


def packed_clusters(inputs: AnalysisInputs, strictness: float) -> PackedClusters:
    """The window's clusters of its photos at its slider's strictness, as arrays: the
    neighbour graph is kept for the slider's next move, and the paths the cache holds are
    looked up only once the window has its answer (see `after_reply`)."""
    started = time.perf_counter()
    found, cached = _found(inputs, ClusterParams(strictness=strictness), "image", True, True, False)
    packed = PackedClusters.of_json(found) if isinstance(found, dict) else found.packed()
    named = packed.named(_cache(inputs).load(CUSTOM_NAMES, "v1") or [])
    return replace(named, seconds=round(time.perf_counter() - started, 3), cached=cached)


def _found(
    inputs: AnalysisInputs, params: ClusterParams, on: str, use_cache: bool, keep_graph: bool, stale_ok: bool
) -> tuple[dict | MadeClusters, bool]:
    """The clusters as cached (and True), or made now (and False; cached once the reply has gone)."""
    cache = _cache(inputs)
    name = f"clusters-{on}-{params.key()}"
    stored = cache.stored_version(name) if stale_ok and use_cache else None
    # Whether the cached clusters are current needs only the ids: no vector is read for them.
    version = stored or current_version(inputs, on)
    result = _cached_clusters(cache, on, params, version) if use_cache else None
    if result is not None:
        return result, True
    if stored is not None:
        version = current_version(inputs, on)
    slider = keep_graph and params.algorithm == "dbscan" and params.eps is None
    kept = _kept_graph(inputs, on, version, params.min_samples) if slider else None
    if kept is None:
        region_ids, image_ids, vectors = analysis_vectors.vectors_for_analysis(inputs.engine, on)
        version = library_version(region_ids, inputs.model_key)
        if slider:
            kept = _keep_graph(inputs, on, version, KeptGraph(image_ids, vectors, params.min_samples))
    if kept is not None:
        image_ids, vectors = kept.image_ids, kept.vectors
        labels = kept.graph.clustering(params.min_samples, params.strictness)
    else:
        labels = cluster(vectors, params)
    made = MadeClusters(inputs, params, image_ids, vectors, labels, kept)
    kind = _params_kind(params)
    # The window waits for the clusters only; a later move of the slider saves over these.
    after_reply(lambda: cache.save(name, version, made.to_json(), kind), key=name)
    return made, False


class KeptGraph:
    """What the slider re-clusters from, kept in memory: the neighbour graph at its loosest
    radius, and the photos' ids and vectors (half precision: they only name the clusters), so
    a move of the slider reads no vector from the catalog."""

    def __init__(self, image_ids: np.ndarray, vectors: np.ndarray, min_samples: int) -> None:
        graph = RadiusGraph.build(vectors, None, min_samples, loose=True)
        nested = min_samples <= 2  # then the groups at one strictness nest in a looser one's
        self.graph = graph.single_linkage() if nested else graph
        self.image_ids, self.vectors, self.min_samples = image_ids, vectors.astype(np.float16), min_samples
        self.names = NameMemory() if nested else None
        self.row_paths: dict[str, np.ndarray] = {}  # by the files' change stamp: the last one


_graphs: dict[tuple[str, str], tuple[str, KeptGraph]] = {}  # (library, on) -> (version, what is kept)
_graphs_lock = threading.Lock()


def _kept_graph(inputs: AnalysisInputs, on: str, version: str, min_samples: int) -> KeptGraph | None:
    """The graph kept for this library version (one per library and region kind: a newer
    version replaces the older), if any."""
    with _graphs_lock:
        kept = _graphs.get((str(inputs.folder), on))
    return kept[1] if kept is not None and kept[0] == version and kept[1].min_samples == min_samples else None


def _keep_graph(inputs: AnalysisInputs, on: str, version: str, kept: KeptGraph) -> KeptGraph:
    with _graphs_lock:
        _graphs[(str(inputs.folder), on)] = (version, kept)
    return kept


def _params_json(params: ClusterParams) -> dict:
    return dict(params.__dict__)


def _cached_clusters(cache: AnalysisCache, on: str, params: ClusterParams, version: str) -> dict | None:
    """The clusters cached for this library version with exactly these parameters (a file
    per algorithm holds the default strictness, and another the one last moved to), else None."""
    found = cache.load(f"clusters-{on}-{params.key()}", version, _params_kind(params))
    return found if found is not None and found.get("params") == _params_json(params) else None


def _params_kind(params: ClusterParams) -> str:
    """The parameters' digest, at the head of the cached file: a slider move at a million
    photos finds the file holds another strictness without parsing it (0.5 s)."""
    return hashlib.sha1(json.dumps(_params_json(params), sort_keys=True).encode()).hexdigest()[:16]


def rename_cluster(inputs: AnalysisInputs, image_ids: list[int], name: str) -> None:
    """Remember a person's name for the cluster made of `image_ids`.

    Cluster ids change whenever clusters are recomputed, so the name is kept with the members:
    a later cluster that shares at least half its members (Jaccard) with a renamed one keeps it.
    """
    from app.core.errors import ReadOnlyLibraryError

    if inputs.read_only:
        raise ReadOnlyLibraryError(
            f"the library at {inputs.folder.parent} is read-only; cluster names cannot be saved there"
        )
    name = " ".join(name.split())
    cache = _cache(inputs)
    custom = [
        c
        for c in (cache.load(CUSTOM_NAMES, "v1") or [])
        if _overlap(set(c["image_ids"]), set(image_ids)) < KEEP_NAME_OVERLAP
    ]
    if name:
        custom.append({"image_ids": sorted(set(image_ids)), "name": name})
    cache.save(CUSTOM_NAMES, "v1", custom)


def _overlap(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _with_custom_names(cache: AnalysisCache, result: dict) -> dict:
    custom = cache.load(CUSTOM_NAMES, "v1") or []
    if not custom:
        return result
    packed = PackedClusters.of_json(result)
    kept = kept_names(custom, packed.image_ids, packed.bounds)
    named = [{**c, "name": kept[g], "renamed": True} if g in kept else c for g, c in enumerate(result["clusters"])]
    return {**result, "clusters": named}


def _groups(outcome: Labels) -> tuple[list[list[int]], list[int], dict]:
    """Rows per group, largest first (a group's id is its place here), the rows in no group,
    and the algorithm's details."""
    groups = Groups.of(outcome.labels)
    return groups.lists(), groups.noise.tolist(), outcome.details


_paths: dict[str, tuple[str, dict[int, str]]] = {}  # library -> (its files' change stamp, first paths)
_paths_lock = threading.Lock()


def _first_paths(inputs: AnalysisInputs) -> dict[int, str]:
    """Each photo's first path, kept while the files' change stamp holds: a move of the slider
    names its clusters' photos again (a million paths read took 3.4 s)."""
    stamp = stamps(inputs.engine, TIMES)
    with _paths_lock:
        kept = _paths.get(str(inputs.folder))
    if kept is not None and kept[0] == stamp:
        return kept[1]
    found = lookups.first_paths(inputs.engine)
    with _paths_lock:
        _paths.clear()  # one library's at a time
        _paths[str(inputs.folder)] = (stamp, found)
    return found


class MadeClusters:
    """Clusters just made from a clustering's labels: their groups, names and photos at once;
    their photos' paths (which the cache and the command line show) only when asked."""

    def __init__(
        self,
        inputs: AnalysisInputs,
        params: ClusterParams,
        image_ids: np.ndarray,
        vectors: np.ndarray,
        outcome: Labels,
        kept: KeptGraph | None = None,  # the slider's graph, with the names it made and the rows' paths it looked up
    ) -> None:
        self.inputs, self.params, self.image_ids, self.outcome, self.kept = inputs, params, image_ids, outcome, kept
        self.groups = groups = Groups.of(outcome.labels)
        self.members = member_ids(groups, image_ids)
        self.names: list[str] = []
        self._json: dict | None = None
        if len(groups):
            memory = kept.names if kept is not None else None
            self.names = concept_names_of(groups, vectors, lambda: concept_vectors(inputs), CONCEPTS, memory)
            texts = analysis_vectors.texts_by_image(inputs.engine, image_ids.tolist())
            if texts:  # most photos have no words
                of_rows = image_ids[groups.rows].tolist()
                for g, (a, b) in enumerate(pairwise(groups.bounds.tolist())):
                    said = [texts.get(i, []) for i in of_rows[a:b]]
                    if any(said):
                        self.names[g] = cluster_name(self.names[g], frequent_words(said))

    def packed(self) -> PackedClusters:
        members = self.members
        radius = self.outcome.radius.to_json() if self.outcome.radius is not None else None
        return PackedClusters(
            self.names,
            self.groups.sizes,
            members.ids,
            members.bounds,
            len(self.groups.noise),
            members.noise,
            algorithm=self.params.algorithm,
            params=_params_json(self.params),
            details=self._details(),
            radius=radius,
        )

    def to_json(self) -> dict:
        """What is cached, and what the command line's records are made from (made once)."""
        if self._json is not None:
            return self._json
        kept, groups = self.kept, self.groups
        stamp = stamps(self.inputs.engine, TIMES)
        row_paths = kept.row_paths.get(stamp) if kept is not None else None
        if row_paths is None:
            row_paths = row_paths_of(self.image_ids, _first_paths(self.inputs))
            if kept is not None:
                kept.row_paths = {stamp: row_paths}
        members = members_of(groups, self.image_ids, row_paths, self.members)
        result = {
            "algorithm": self.params.algorithm,
            "params": _params_json(self.params),
            "clusters": [
                {
                    "id": g,
                    "name": self.names[g],
                    "size": size,
                    "paths": members.paths[g],
                    "image_ids": members.image_ids[g],
                }
                for g, size in enumerate(groups.sizes.tolist())
            ],
            "noise": len(groups.noise),
            "noise_paths": members.noise_paths,
            "noise_ids": members.noise_ids,
        }
        if self.outcome.radius is not None:
            result["radius"] = self.outcome.radius.to_json()
        details = self._details()
        if details:
            result["details"] = details
        self._json = result
        return result

    def _details(self) -> dict | None:
        details = self.outcome.details
        if not details:
            return None
        return {k: (v if not isinstance(v, dict) else {str(a): b for a, b in v.items()}) for k, v in details.items()}


def projection(inputs: AnalysisInputs, use_cache: bool = True) -> MapPoints:
    """3D coordinates per image, with each image's cluster id (default DBSCAN) or -1. Only the
    grouping is needed, not the names (which load the model): the map shows without them."""
    started = time.perf_counter()
    cache = _cache(inputs)
    result = cache.load(PROJECTION, current_version(inputs)) if use_cache else None  # no vector read
    cached = result is not None
    if result is None:
        region_ids, image_ids, vectors = analysis_vectors.vectors_for_analysis(inputs.engine, "image")
        version = library_version(region_ids, inputs.model_key)
        coords = project_3d(vectors)
        cluster_of = _default_groups(cache, version)
        if cluster_of is None:
            ordered, _noise, _details = _groups(cluster(vectors, ClusterParams()))
            cluster_of = {int(image_ids[r]): group for group, rows in enumerate(ordered) for r in rows}
        del vectors
        first_paths = _first_paths(inputs)
        points = []
        for row, image_id in enumerate(image_ids.tolist()):
            path = first_paths.get(int(image_id))
            if path is None:
                continue
            x, y, z = (round(float(v), 5) for v in coords[row])
            points.append(
                {
                    "path": path,
                    "image_id": int(image_id),
                    "x": x,
                    "y": y,
                    "z": z,
                    "cluster": cluster_of.get(int(image_id), NOISE),
                }
            )
        result = {"points": points}
        cache.save(PROJECTION, version, result)
    return MapPoints.from_json(result, round(time.perf_counter() - started, 3), cached)


def _default_groups(cache: AnalysisCache, version: str) -> dict[int, int] | None:
    """Each photo's group in the default clusters of this library version, when they are
    cached (at a million photos, clustering again takes minutes), else None."""
    found = _cached_clusters(cache, "image", ClusterParams(), version)
    if found is None:
        return None
    return {int(image_id): int(c["id"]) for c in found["clusters"] for image_id in c["image_ids"]}


def freshness(inputs: AnalysisInputs) -> dict[str, str]:
    """'fresh', 'stale' or 'missing' for the default clusters and the 3D map."""
    version = current_version(inputs)
    cache = _cache(inputs)
    out = {}
    for label, name in (("clusters", f"clusters-image-{ClusterParams().key()}"), ("map", PROJECTION)):
        stored = cache.stored_version(name)
        out[label] = "missing" if stored is None else ("fresh" if stored == version else "stale")
    return out
