"""Estimated places: a photo without GPS taken in the same event as photos with it (the event
rule of `events`) gets the place of the one taken closest in time, marked estimated wherever it
shows. Estimates live in the catalog only (never in a file) and are made again from scratch
each time, so a photo that gains GPS, or an event that changes, leaves no stale guess."""

from __future__ import annotations

from dataclasses import replace

from app.analysis.library_analysis import AnalysisInputs
from app.analysis.library_events import event_groups
from app.catalog import lookups
from app.catalog.places import NamedPlace, own_places, replace_estimates


def estimate_places(inputs: AnalysisInputs) -> int:
    """Make the estimated places again; returns how many photos have one (0 when read-only)."""
    if inputs.read_only:
        return 0
    named, located = own_places(inputs.engine)
    if not named:
        replace_estimates(inputs.engine, [])
        return 0
    taken = {image_id: when for image_id, when, _path in lookups.image_times(inputs.engine)}
    estimates: list[NamedPlace] = []
    for group in event_groups(inputs):
        placed = [i for i in group if i in named]
        if not placed:
            continue
        for image_id in group:
            if image_id in located or image_id not in taken:
                continue  # its own position stands, even one with no name (the open sea)
            closest = min(placed, key=lambda p: abs(taken.get(p, 0.0) - taken[image_id]))
            estimates.append(replace(named[closest], image_id=image_id, estimated=True))
    replace_estimates(inputs.engine, estimates)
    return len(estimates)
