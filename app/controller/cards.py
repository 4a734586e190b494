"""What the window's parts show, as plain frozen records the controller fills and the view
lays out: people and their faces, taught names, duplicate groups. Apart from the parts that make
them, so the view's protocol (`window_view`) can name them without importing the parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.teaching.requests import MIN_EXAMPLES


@dataclass(frozen=True)
class PersonCard:
    """A person as the People view shows them: a face (cropped from a thumbnail), a name or
    none yet, how many faces and photos."""

    id: int
    name: str | None
    faces: int
    photos: int
    cover_region: int
    cover_thumbnail: Path | str | None
    cover_bbox: tuple[float, float, float, float]
    hidden: bool = False

    @property
    def title(self) -> str:
        return (self.name or "Unnamed") + (" (hidden)" if self.hidden else "")


@dataclass(frozen=True)
class FaceCard:
    """One face of an opened person: the photo it is in, where, and whether it was confirmed."""

    region_id: int
    image_id: int
    path: str
    thumbnail: Path | str | None
    bbox: tuple[float, float, float, float]
    confirmed: bool


@dataclass(frozen=True)
class NameCard:
    """A name as the Names list shows it."""

    name: str
    photos: int
    learned: bool = True  # False: waiting to be learned for the library's model
    gathering: int = 0  # examples picked so far, for a name not taught yet

    @property
    def title(self) -> str:
        if self.gathering:
            return f"{self.name} ({self.gathering} of {MIN_EXAMPLES} examples)"
        waiting = " · learning again" if not self.learned else ""
        return f"{self.name} ({self.photos}){waiting}"


@dataclass(frozen=True)
class MemberCard:
    """One photo of a group as the view shows it."""

    path: str
    image_id: int
    thumbnail: str | None
    details: str  # "4000×3000 · 2.1 MB · JPEG · 12 May 2024 10:00"
    kept: bool


@dataclass(frozen=True)
class DuplicateCard:
    tier: str
    title: str  # "Same photo · 4 files"
    why: str
    members: tuple[MemberCard, ...]

    @property
    def others(self) -> list[str]:
        return [m.path for m in self.members if not m.kept]

    @property
    def keep(self) -> str:
        return next(m.path for m in self.members if m.kept)


@dataclass(frozen=True)
class AlbumCard:
    name: str  # the whole name ("Trips/Lisbon 2023")
    count: int
    smart: bool = False
    by_hand: bool = False  # in the order photos were put (or moved), else by date

    @property
    def depth(self) -> int:
        return self.name.count("/")

    @property
    def title(self) -> str:
        return f"{self.name.rsplit('/', 1)[-1]} ({self.count:,})"
