"""A library's events: its photos grouped by when they were taken and split where their
content changes (`events`), cached per library version and named by date and by the clusters
their photos belong to."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import numpy as np

from app.analysis.cache import AnalysisCache
from app.analysis.events import EventRange, event_names, find_events
from app.analysis.library_analysis import AnalysisInputs
from app.analysis.results import Clustering, Event, Events
from app.catalog import analysis_vectors, lookups
from app.catalog.change_stamps import IMAGE_VECTORS, TIMES, remembered, stamps

EVENTS = "events"
TOPICS = 2  # cluster names in an event's name
TOPIC_SHARE = 0.25  # a cluster names an event when it holds this share of its photos


def events(inputs: AnalysisInputs, clustering: Clustering | None = None, use_cache: bool = True) -> Events:
    """Every event, newest first. Names use `clustering` (the default clusters when None)."""
    started = time.perf_counter()
    stored, cached = _stored_events(inputs, use_cache)
    if clustering is None:
        from app.analysis.clustering import ClusterParams
        from app.analysis.library_analysis import clusters

        clustering = clusters(inputs, ClusterParams())
    named = _named(stored, clustering)
    return Events(named, round(time.perf_counter() - started, 3), cached)


def event_photos(inputs: AnalysisInputs, event_id: int) -> frozenset[int] | None:
    """The image ids of one event (None: no such event), without naming any (no clusters)."""
    stored, _cached = _stored_events(inputs)
    found = [event["image_ids"] for event in stored if _event_id(event) == event_id]
    return frozenset(int(i) for i in found[0]) if found else None


def event_groups(inputs: AnalysisInputs) -> list[list[int]]:
    """Each event's image ids, oldest first, without naming any (no clusters)."""
    stored, _cached = _stored_events(inputs)
    return [[int(i) for i in event["image_ids"]] for event in stored]


def _event_id(event: dict) -> int:
    """An event's id (see `Event.id`): ids number images in the order they were indexed."""
    return int(min(event["image_ids"]))


def _stored_events(inputs: AnalysisInputs, use_cache: bool = True) -> tuple[list[dict], bool]:
    """The events, oldest first, as cached per library version (computed when stale), and
    whether they came from the cache."""
    read: list[list[tuple[int, float, str]]] = []  # the times, read at most once

    def times() -> list[tuple[int, float, str]]:
        if not read:
            read.append(lookups.image_times(inputs.engine))
        return read[0]

    def made() -> str:
        return _version(times(), analysis_vectors.analysis_region_ids(inputs.engine, "image"), inputs.model_key)

    # A million photos' times and ids are read only when their change stamps moved.
    made_from = f"{inputs.model_key}|{stamps(inputs.engine, TIMES, IMAGE_VECTORS)}"
    version = remembered(inputs.engine, EVENTS, made_from, made, not inputs.read_only)
    cache = AnalysisCache(inputs.folder)
    stored = cache.load(EVENTS, version) if use_cache else None
    if stored is not None:
        return stored, True
    stored = _compute(times(), lambda: analysis_vectors.vectors_for_analysis(inputs.engine, "image")[1:])
    cache.save(EVENTS, version, stored)
    return stored, False


def _version(times: list[tuple[int, float, str]], region_ids: np.ndarray, model_key: str) -> str:
    digest = hashlib.sha1(model_key.encode())
    digest.update(np.sort(region_ids.astype(np.int64)).tobytes())
    digest.update(np.array(sorted((i, t) for i, t, _ in times), dtype=np.float64).tobytes())
    return digest.hexdigest()[:16]


def _compute(
    times: list[tuple[int, float, str]], read_vectors: Callable[[], tuple[np.ndarray, np.ndarray]]
) -> list[dict]:
    """The events of the photos with these times; `read_vectors` gives (image ids, vectors),
    read here so that only the copy in the times' order outlives this function's start."""
    if not times:
        return []
    image_ids, vectors = read_vectors()
    row_of = {int(image_id): row for row, image_id in enumerate(image_ids.tolist())}
    rows = np.fromiter((row_of.get(image_id, -1) for image_id, _when, _path in times), np.int64, len(times))
    ordered = None
    if vectors.size:
        ordered = vectors[np.maximum(rows, 0)]
        ordered[rows < 0] = 0.0  # a photo without a vector: a zero row
    del vectors, row_of
    found = find_events(np.array([t for _i, t, _p in times]), ordered)
    return [_stored(event, times) for event in found]


def _stored(event: EventRange, times: list[tuple[int, float, str]]) -> dict:
    return {
        "start": event.start,
        "end": event.end,
        "image_ids": [times[r][0] for r in event.rows],
        "paths": [times[r][2] for r in event.rows],
    }


def _named(stored: list[dict], clustering: Clustering) -> list[Event]:
    cluster_of = {image_id: c.name for c in clustering.clusters for image_id in c.image_ids}
    ranges, topics = [], []
    for event in stored:
        ranges.append(EventRange([], event["start"], event["end"]))
        counts = Counter(cluster_of[i] for i in event["image_ids"] if i in cluster_of)
        least = max(2, TOPIC_SHARE * len(event["image_ids"]))
        topics.append([name for name, count in counts.most_common(TOPICS) if count >= least])
    names = event_names(ranges, topics)
    out = [
        Event(
            _event_id(e),
            names[place],
            _iso(e["start"]),
            _iso(e["end"]),
            list(e["paths"]),
            [int(i) for i in e["image_ids"]],
        )
        for place, e in enumerate(stored)
    ]
    return out[::-1]


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment).isoformat(timespec="seconds")


def window_clusters(inputs: AnalysisInputs, strictness: float) -> tuple[Clustering, Events]:
    """The window's clusters at its slider's strictness (the neighbour graph is kept for the
    slider's next move), and the events, named after them."""
    from app.analysis.clustering import ClusterParams
    from app.analysis.library_analysis import clusters

    found = clusters(inputs, ClusterParams(strictness=strictness), keep_graph=True)
    return found, events(inputs, found)
