"""A search result as the CLI and the UI see it."""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog.records import RegionInfo


@dataclass(frozen=True)
class SearchHit:
    image_id: int
    path: str
    score: float
    region: RegionInfo
    why: str
    content_hash: str = ""  # names the thumbnail, so showing a hit needs no catalog query
    pair: str | None = None  # the RAW of a RAW+JPEG pair shown as its JPEG (`search.shots`)

    def to_json(self) -> dict:
        r = self.region
        return {
            "path": self.path,
            "image_id": self.image_id,
            "score": round(self.score, 4),
            "region": {
                "kind": r.kind,
                "label": r.label,
                "bbox": [round(v, 4) for v in r.bbox],
                "text": r.text,
                "time": r.time,  # seconds into a video (a frame), else null
            },
            "why": self.why,
            "pair": self.pair,
        }
