"""What the analyses return to the CLI and the window: groups of photos and map points, as
plain frozen records (their JSON forms are the command line's contract)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cluster:
    id: int
    name: str
    size: int
    paths: list[str]  # each photo's first path; none in the window's form (`PackedClusters.clustering`)
    image_ids: list[int]
    renamed: bool = False  # the name is the person's own, kept through recomputation

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "size": self.size,
            "paths": self.paths,
            "image_ids": self.image_ids,
        }
        if self.renamed:
            out["renamed"] = True
        return out


@dataclass(frozen=True)
class Clustering:
    clusters: list[Cluster]
    noise: int  # photos in no group
    noise_paths: list[str]
    algorithm: str = "dbscan"
    params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] | None = None  # k-means: elbow and silhouette per k
    radius: dict[str, Any] | None = None  # DBSCAN's: eps, and how it was chosen
    seconds: float = 0.0
    cached: bool = False
    noise_ids: list[int] | None = None  # the photos in no group (None: known by their paths only)

    @classmethod
    def from_json(
        cls, data: dict[str, Any], seconds: float = 0.0, cached: bool = False, made: bool = False
    ) -> Clustering:
        """`made`: `data` was just made here, not read from a file, so its lists are taken as
        they are (at a million photos, checking and copying them took half a second)."""
        checked: Callable[[list], list] = (lambda x: x) if made else (lambda ids: [int(i) for i in ids])
        noise_ids = data.get("noise_ids")
        return cls(
            [
                Cluster(
                    int(c["id"]),
                    str(c["name"]),
                    int(c["size"]),
                    c["paths"] if made else list(c["paths"]),
                    checked(c["image_ids"]),
                    bool(c.get("renamed")),
                )
                for c in data.get("clusters", [])
            ],
            int(data.get("noise", 0)),
            list(data.get("noise_paths", [])),
            str(data.get("algorithm", "dbscan")),
            dict(data.get("params", {})),
            data.get("details"),
            data.get("radius"),
            seconds,
            cached,
            checked(noise_ids) if isinstance(noise_ids, list) else None,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "algorithm": self.algorithm,
            "params": self.params,
            "clusters": [c.to_json() for c in self.clusters],
            "noise": self.noise,
            "noise_paths": self.noise_paths,
        }
        if self.radius:
            out["radius"] = self.radius
        if self.details:
            out["details"] = self.details
        out["seconds"] = self.seconds
        return out


@dataclass(frozen=True)
class MapPoint:
    path: str
    image_id: int
    x: float
    y: float
    z: float
    cluster: int  # the default clustering's group, or -1

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "image_id": self.image_id,
            "x": self.x,
            "y": self.y,
            "z": self.z,
            "cluster": self.cluster,
        }


@dataclass(frozen=True)
class MapPoints:
    points: list[MapPoint]
    seconds: float = 0.0
    cached: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any], seconds: float = 0.0, cached: bool = False) -> MapPoints:
        return cls(
            [
                MapPoint(p["path"], int(p["image_id"]), p["x"], p["y"], p["z"], int(p["cluster"]))
                for p in data["points"]
            ],
            seconds,
            cached,
        )

    def to_json(self) -> dict[str, Any]:
        return {"points": [p.to_json() for p in self.points], "seconds": self.seconds}


@dataclass(frozen=True)
class Event:
    """Photos taken close together: its name (dates and what they show), first and last time
    (ISO 8601, local), and its photos oldest first."""

    # Its first-indexed photo's image id: it stays as photos come, older ones included (those
    # get higher image ids), and changes only when that photo leaves the event.
    id: int
    name: str
    start: str
    end: str
    paths: list[str]
    image_ids: list[int]

    @property
    def size(self) -> int:
        return len(self.image_ids)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "start": self.start,
            "end": self.end,
            "size": self.size,
            "paths": self.paths,
            "image_ids": self.image_ids,
        }


@dataclass(frozen=True)
class Events:
    events: list[Event]  # newest first
    seconds: float = 0.0
    cached: bool = False
    version: str = ""  # of the events found (their names aside): see `EventNames`

    def named(self, names: EventNames) -> Events:
        """These events under `names` (given for these same events, in this order)."""
        if names.version != self.version or len(names.names) != len(self.events):
            raise ValueError("the names are for other events")
        pairs = zip(self.events, names.names, strict=True)
        return Events(
            [Event(e.id, n, e.start, e.end, e.paths, e.image_ids) for e, n in pairs], names.seconds, True, self.version
        )

    def to_json(self) -> dict[str, Any]:
        return {"events": [e.to_json() for e in self.events], "seconds": self.seconds}


@dataclass(frozen=True)
class EventNames:
    """Only the names of events the window holds already (the same `version`), newest first:
    a move of the strictness slider names the events again and changes nothing else in them."""

    version: str
    names: list[str]
    seconds: float = 0.0
