"""The list beside the Places map: Country › Region › City with their photos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.catalog.places import PlaceSummary


@dataclass(frozen=True)
class PlaceNode:
    """A country, region or city in the list: its name, how many photos (estimated ones
    included, and how many of them are), which, and the places inside it."""

    name: str
    count: int
    estimated: int
    image_ids: tuple[int, ...]
    children: tuple[PlaceNode, ...] = ()

    @property
    def label(self) -> str:
        estimated = f", {self.estimated} estimated" if self.estimated else ""
        return f"{self.name} ({self.count:,}{estimated})"


def place_tree(summaries: Sequence[PlaceSummary]) -> tuple[PlaceNode, ...]:
    """Country › Region › City (a country whose places have no region lists its cities)."""
    countries: dict[str, dict[str, list[PlaceSummary]]] = {}
    for place in summaries:
        countries.setdefault(place.country or "Unknown country", {}).setdefault(place.region, []).append(place)

    def node(name: str, children: Sequence[PlaceNode]) -> PlaceNode:
        ids = tuple(sorted(i for child in children for i in child.image_ids))
        return PlaceNode(name, len(ids), sum(c.estimated for c in children), ids, tuple(children))

    tree = []
    for country, regions in sorted(countries.items(), key=lambda item: item[0].casefold()):
        region_nodes: list[PlaceNode] = []
        for region, cities in sorted(regions.items(), key=lambda item: item[0].casefold()):
            city_nodes = [
                PlaceNode(c.city or region or country, c.count, c.estimated, tuple(c.image_ids))
                for c in sorted(cities, key=lambda c: c.city.casefold())
            ]
            region_nodes.extend(city_nodes) if not region else region_nodes.append(node(region, city_nodes))
        tree.append(node(country, region_nodes))
    return tuple(tree)
