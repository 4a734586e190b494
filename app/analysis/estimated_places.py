"""Estimated places: a photo without GPS taken in the same event as photos with it (the event
rule of `events`) gets the place of the one taken closest in time, marked estimated wherever it
shows. Estimates live in the catalog only (never in a file) and are made again from scratch
whenever what they come from changed (`estimate_inputs`), so a photo that gains GPS, or an event
that changes, leaves no stale guess, and nothing is remade when nothing changed."""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.analysis.library_analysis import AnalysisInputs
from app.analysis.library_events import event_groups, read_once
from app.catalog import lookups, meta
from app.catalog.places import (
    ESTIMATED_FOR,
    NamedPlace,
    count_placed,
    estimate_inputs,
    own_places,
    replace_estimates,
)
from app.catalog.schema import ImageRow
from app.core.storage import is_storage_full

log = logging.getLogger(__name__)


# `status` remakes stale estimates up to this many photos (a moment); above, it says they are
# stale: after a change at a million photos remaking them takes the events (40 s).
REMADE_BY_STATUS = 50_000


def estimate_places_if_quick(inputs: AnalysisInputs) -> None:
    """`estimate_places` for a library of at most `REMADE_BY_STATUS` photos."""
    with inputs.engine.connect() as conn:
        photos = int(conn.execute(select(func.count()).select_from(ImageRow)).scalar_one())
    if photos <= REMADE_BY_STATUS:
        estimate_places(inputs)


def estimates_current(inputs: AnalysisInputs) -> bool:
    """Whether the estimated places were made from the library as it is (change stamps only:
    `status` says so without remaking them, which at a million photos takes the events)."""
    return meta.get_meta(inputs.engine, ESTIMATED_FOR) == _made_from(inputs)


def _made_from(inputs: AnalysisInputs) -> str:
    return f"{inputs.model_key}|{estimate_inputs(inputs.engine)}"


def estimate_places(inputs: AnalysisInputs, counted: bool = True) -> int:
    """Make the estimated places again, unless nothing they are made from changed since they
    were last made; returns how many photos have one (0 when read-only, and when they were
    current and not `counted`: a search within a place only needs them current, and counting
    them reads every photo's place, 0.09 s at a million photos)."""
    if inputs.read_only:
        return 0
    made_from = _made_from(inputs)  # read before: a change meanwhile shows next time
    if meta.get_meta(inputs.engine, ESTIMATED_FOR) == made_from:
        return count_placed(inputs.engine)[1] if counted else 0
    try:
        count = _make_estimates(inputs)
        meta.set_meta(inputs.engine, ESTIMATED_FOR, made_from)
    except OperationalError as exc:
        if not (is_storage_full(exc) or _is_busy(exc)):
            raise
        # A full disk, or a catalog another writer held past the wait (the window's analysis
        # process writes them while the window indexes), must not stop `status`, a search or
        # the Places view: the estimates stay as they were, and are made again next time.
        log.warning("estimated places not made again (%s)", exc)
        return count_placed(inputs.engine)[1]
    return count


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _make_estimates(inputs: AnalysisInputs) -> int:
    named, located = own_places(inputs.engine)
    if not named:
        replace_estimates(inputs.engine, [])
        return 0
    times = read_once(lambda: lookups.image_times(inputs.engine))  # once for both (4 s at a million)
    groups = event_groups(inputs, times)
    taken = {image_id: when for image_id, when, _path in times()}
    estimates: list[NamedPlace] = []
    for group in groups:
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
