"""A library's events: its photos grouped by when they were taken and split where their
content changes (`events`), cached per library version and named by date and by the clusters
their photos belong to."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

import numpy as np

from app.analysis.cache import AnalysisCache
from app.analysis.event_topics import StoredEvents, event_topics
from app.analysis.events import EventRange, find_events, with_topics
from app.analysis.library_analysis import AnalysisInputs
from app.analysis.packed_clusters import PackedClusters
from app.analysis.results import Clustering, Event, EventNames, Events
from app.catalog import analysis_vectors, lookups
from app.catalog.change_stamps import IMAGE_VECTORS, TIMES, remembered, stamps

Times = tuple[int, float, str]  # (image id, its date in seconds, its first path): `image_times`

EVENTS = "events"


def events(inputs: AnalysisInputs, clustering: Clustering | None = None, use_cache: bool = True) -> Events:
    """Every event, newest first. Names use `clustering`; by default the default clusters as
    last made, current or not (a new photo's event is named by its dates until they are made
    again: in the window's background, or by `clusters`)."""
    started = time.perf_counter()
    kept, cached = _stored_events(inputs, use_cache)
    if clustering is None:
        from app.analysis.clustering import ClusterParams
        from app.analysis.library_analysis import clusters

        clustering = clusters(inputs, ClusterParams(), stale_ok=True)
    named = _named(kept, PackedClusters.of_clustering(clustering))
    return Events(named, round(time.perf_counter() - started, 3), cached, kept.version)


def event_photos(inputs: AnalysisInputs, event_id: int) -> frozenset[int] | None:
    """The image ids of one event (None: no such event), without naming any (no clusters)."""
    kept, _cached = _stored_events(inputs)
    found = [event["image_ids"] for event in kept.events if _event_id(event) == event_id]
    return frozenset(int(i) for i in found[0]) if found else None


def event_groups(inputs: AnalysisInputs, times: Callable[[], list[Times]] | None = None) -> list[list[int]]:
    """Each event's image ids, oldest first, without naming any (no clusters). `times`: the
    photos' times (`lookups.image_times`) where the caller reads them too (4 s at a million)."""
    kept, _cached = _stored_events(inputs, times=times)
    return [[int(i) for i in event["image_ids"]] for event in kept.events]


def read_once(read: Callable[[], list[Times]]) -> Callable[[], list[Times]]:
    """`read`, called at most once: its answer is kept for the calls after."""
    kept: list[list[Times]] = []

    def once() -> list[Times]:
        if not kept:
            kept.append(read())
        return kept[0]

    return once


def _event_id(event: dict) -> int:
    """An event's id (see `Event.id`): ids number images in the order they were indexed."""
    return int(min(event["image_ids"]))


_kept: dict[str, StoredEvents] = {}  # library -> its events, as last read or made here
_kept_lock = threading.Lock()


def _stored_events(
    inputs: AnalysisInputs, use_cache: bool = True, times: Callable[[], list[Times]] | None = None
) -> tuple[StoredEvents, bool]:
    """The events, oldest first, as cached per library version (computed when stale), and
    whether they came from the cache. This process keeps the last ones it read or made: the
    slider names them again on every move (a million photos' events are 100 MB of JSON)."""
    times = times or read_once(lambda: lookups.image_times(inputs.engine))

    def made() -> str:
        return _version(times(), analysis_vectors.analysis_region_ids(inputs.engine, "image"), inputs.model_key)

    # A million photos' times and ids are read only when their change stamps moved.
    made_from = f"{inputs.model_key}|{stamps(inputs.engine, TIMES, IMAGE_VECTORS)}"
    version = remembered(inputs.engine, EVENTS, made_from, made, not inputs.read_only)
    with _kept_lock:
        kept = _kept.get(str(inputs.folder))
    if use_cache and kept is not None and kept.version == version:
        return kept, True
    cache = AnalysisCache(inputs.folder)
    stored = cache.load(EVENTS, version) if use_cache else None
    cached = stored is not None
    if stored is None:
        stored = _compute(times(), lambda: analysis_vectors.vectors_for_analysis(inputs.engine, "image")[1:])
        cache.save(EVENTS, version, stored)
    kept = StoredEvents(version, stored)
    with _kept_lock:
        _kept.clear()  # one library's at a time
        _kept[str(inputs.folder)] = kept
    return kept, cached


def _version(times: list[tuple[int, float, str]], region_ids: np.ndarray, model_key: str) -> str:
    digest = hashlib.sha1(model_key.encode())
    digest.update(np.sort(region_ids.astype(np.int64)).tobytes())
    digest.update(np.array(sorted((i, t) for i, t, _ in times), dtype=np.float64).tobytes())
    return digest.hexdigest()[:16]


def _compute(
    times: list[tuple[int, float, str]], read_vectors: Callable[[], tuple[np.ndarray, np.ndarray]]
) -> list[dict]:
    """The events of the photos with these times; `read_vectors` gives (image ids, vectors),
    compared where they lie (no copy in the times' order: a million photos' take 2 GB)."""
    if not times:
        return []
    image_ids, vectors = read_vectors()
    wanted = np.fromiter((image_id for image_id, _when, _path in times), np.int64, len(times))
    rows = np.full(len(times), -1, dtype=np.int64)  # each photo's vector row (-1: none yet)
    if len(image_ids):
        by_id = np.argsort(image_ids, kind="stable")
        at = np.minimum(np.searchsorted(image_ids[by_id], wanted), len(by_id) - 1)
        found = image_ids[by_id[at]] == wanted
        rows[found] = by_id[at[found]]
    when = np.fromiter((t for _i, t, _p in times), np.float64, len(times))
    found_events = find_events(when, vectors if vectors.size else None, rows)
    return [_stored(event, times) for event in found_events]


def _stored(event: EventRange, times: list[tuple[int, float, str]]) -> dict:
    return {
        "start": event.start,
        "end": event.end,
        "image_ids": [times[r][0] for r in event.rows],
        "paths": [times[r][2] for r in event.rows],
    }


def _names(kept: StoredEvents, clusters: PackedClusters) -> list[str]:
    """Each event's name, oldest first: its dates, and the clusters most of its photos are in."""
    return with_topics(kept.dates()[0], event_topics(kept, clusters))


def _named(kept: StoredEvents, clusters: PackedClusters) -> list[Event]:
    _dates, starts, ends = kept.dates()
    names = _names(kept, clusters)
    paths, image_ids = kept.members()  # shared by the events of every naming: never changed
    out = [
        Event(first, names[place], starts[place], ends[place], paths[place], image_ids[place])
        for place, first in enumerate(kept.firsts().tolist())
    ]
    return out[::-1]


def window_clusters(
    inputs: AnalysisInputs, strictness: float, known: str = ""
) -> tuple[PackedClusters, Events | EventNames]:
    """The window's clusters at its slider's strictness (the neighbour graph is kept for the
    slider's next move) as arrays (`PackedClusters`: the window makes its records), and the
    events, named after them: only their names when they are the events the window holds
    (`known`, their version)."""
    from app.analysis.library_analysis import packed_clusters

    found = packed_clusters(inputs, strictness)
    started = time.perf_counter()
    kept, cached = _stored_events(inputs)
    if known and kept.version == known:
        names = _names(kept, found)[::-1]
        return found, EventNames(known, names, round(time.perf_counter() - started, 3))
    return found, Events(_named(kept, found), round(time.perf_counter() - started, 3), cached, kept.version)
