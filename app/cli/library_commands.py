"""Commands over the library itself: gui, install-launcher, index, status, search, similar,
doctor, remove."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_INTERRUPTED,
    DownloadLine,
    ProgressLine,
    catalog_failure,
    default_library,
    emit,
    given_paths,
    hits_out,
    open_library,
    read_vectors_meanwhile,
    refresh_estimated_places,
    search_filters,
    within_event,
)

if TYPE_CHECKING:
    from app.library import Library
    from app.search.request import SearchRequest
    from app.search.understanding import Understood


def cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.application import run_gui

    return run_gui(args.library, [p.expanduser() for p in args.paths])


def cmd_install_launcher(args: argparse.Namespace) -> int:
    from app.launcher import install_launcher, uninstall_launcher

    if args.uninstall:
        removed = uninstall_launcher()
        print("removed " + ", ".join(map(str, removed)) if removed else "no launcher was installed")
    else:
        for path in install_launcher():
            print(f"installed {path}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from app.core.errors import CancelledError
    from app.core.paths import display_path
    from app.core.settings import Settings
    from app.indexing.pipeline import IndexOptions

    settings = Settings.from_env()
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    progress = ProgressLine(enabled=not args.json and sys.stderr.isatty())
    try:
        with open_library(args, create=True) as library:
            library.on_download = DownloadLine(stop)
            options = IndexOptions(
                batch_size=args.batch_size,
                decode_workers=args.workers,
                detect=settings.detect_objects and not args.no_detect,
                ocr=settings.read_text and not args.no_ocr,
                faces=settings.find_faces and not args.no_faces,
                ray=settings.ray_address if args.ray is None else args.ray,
            )
            from app.indexing.run_setup import RunControls

            report = library.index(given_paths(args.paths), options, RunControls(progress, stop.is_set))
    except CancelledError:
        progress.close()
        print(
            "photo-organizer: interrupted during the model download; run the command again to restart it",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGINT, previous)
        progress.close()
    payload = report.to_json()
    lines = [
        f"scanned {report.scanned}: {report.new} new, {report.moved} moved, {report.unchanged} unchanged, "
        f"{report.removed} removed, {report.failed} failed",
        f"embedded {report.embedded} in {report.seconds:.1f} s ({report.images_per_second:.1f} images/s)",
    ]
    if report.region_images:
        lines.append(
            f"regions: {report.objects} objects and {report.texts} lines of text in {report.region_images} photos"
        )
    for warning in report.warnings:
        print(f"photo-organizer: warning: {warning}", file=sys.stderr)
    if report.reembedded:
        lines.insert(0, f"switched model: re-embedded {report.reembedded} regions from thumbnails")
    lines += [
        f"  skipped {display_path(f['path'])}: {f['error']}" + (" (tried again next run)" if f.get("retry") else "")
        for f in report.failures[:50]
    ]
    if len(report.failures) > 50:
        lines.append(f"  … and {len(report.failures) - 50} more (see --json)")
    if report.cancelled:
        lines.append("interrupted: what was done is saved; run the same command again to finish")
    emit(args, payload, "\n".join(lines))
    return EXIT_INTERRUPTED if report.cancelled else 0


def cmd_status(args: argparse.Namespace) -> int:
    from app.analysis.estimated_places import estimate_places_if_quick, estimates_current
    from app.analysis.library_analysis import AnalysisInputs, freshness

    with open_library(args) as library:
        inputs = AnalysisInputs.of(library)
        # Estimated places are remade here only where that is quick; in a large library they
        # are reported as they are (`places`, a search by place and the window remake them).
        estimate_places_if_quick(inputs)
        payload = library.status().to_json()
        payload["analysis"] = {**freshness(inputs), "places": "fresh" if estimates_current(inputs) else "stale"}
        payload["quick_search"] = library.queries.state(run=False)  # doctor runs the towers too
    human = "\n".join(f"{k}: {v}" for k, v in payload.items())
    emit(args, payload, human)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from app.search.query import parse_weights
    from app.search.request import SearchRequest

    request = SearchRequest(
        text=args.text,
        image=args.image,
        top_k=args.top_k if args.top_k is not None else 20,
        threshold=args.threshold,
        weights=parse_weights(args.weights) if args.weights is not None else {},
        image_weight=args.image_weight,
        filters=search_filters(args),
        auto_cut=args.auto_cut,
        person=args.person,
    ).checked()  # a bad request fails before any model loads
    if request.words is not None:
        from app.library_queries import switched_off

        if not switched_off():
            from app.ml.query_text import preload_last_used

            preload_last_used()  # reads the words' model while the library's code imports
    started = time.perf_counter()
    with open_library(args) as library:
        read_vectors_meanwhile(library)
        saved = _save_search(args, library, request) if args.save_as is not None else None
        narrowed, understood = _understood(
            args, library, request.narrowed(within_event(args, library, request.filters))
        )
        hits = library.search(narrowed)
        extra: dict = {"saved_as": saved} if saved else {}
        if understood is not None:
            extra["understood"] = understood.to_json()
            extra["understood_said"] = understood.parts
        code = hits_out(args, hits, started, extra)
        if (request.words is not None and library.queries.text() is None) or library.queries.damage:
            # Once per model: later searches read words without loading torch (seconds saved each).
            library.queries.prepare(_say_preparing)
    return code


def _understood(
    args: argparse.Namespace, library: Library, request: SearchRequest
) -> tuple[SearchRequest, Understood | None]:
    """Dates, a place, people, an album or a tag read from the words (not with --literal)."""
    from dataclasses import replace

    from app.search.library_search import understood_request

    if args.literal:
        return replace(request, literal=True), None
    narrowed, understood = understood_request(library.engine, request)
    if understood is not None and understood.place and not request.filters.place:
        refresh_estimated_places(library)  # as --place does: photos placed by their events count
    return narrowed, understood


def _save_search(args: argparse.Namespace, library: Library, request: SearchRequest) -> str:
    """`--save-as NAME`: the search kept as a smart album (as many photos as --top-k, else 200)."""
    from dataclasses import replace

    from app.search.saved_search import DEFAULT_SMART_RESULTS

    kept = replace(request, top_k=args.top_k if args.top_k is not None else DEFAULT_SMART_RESULTS)
    return library.organising.save_search(args.save_as, kept)


def _say_preparing() -> None:
    sys.stderr.write("preparing quick searches with this model (once)…\n")


def cmd_similar(args: argparse.Namespace) -> int:
    from app.search.request import SearchRequest

    request = SearchRequest(image=args.path, top_k=args.top_k, threshold=args.threshold, filters=search_filters(args))
    request.checked()
    started = time.perf_counter()
    with open_library(args) as library:
        hits = library.similar(args.path, request.narrowed(within_event(args, library, request.filters)))
    return hits_out(args, hits, started)


def cmd_doctor(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from app.core.errors import CatalogDamagedError
    from app.doctor import diagnose, diagnose_damaged_catalog, repair_catalog, vectors_agree

    library_dir = (args.library or default_library()).expanduser().resolve()
    if args.repair:
        payload = repair_catalog(library_dir)
    elif not (library_dir / "catalog.sqlite").exists():
        from app.doctor import diagnose_without_library
        from app.ml.spec import default_spec, requested_spec

        spec = requested_spec(args.model, args.pretrained) or default_spec()
        payload = diagnose_without_library(spec, library_dir)
    else:
        try:
            with open_library(args) as library:
                status = library.status()
                agree = vectors_agree(library.engine, library.vectors)
                payload = diagnose(
                    library.spec,
                    library.region_models,
                    replace(status, consistent=status.consistent and agree),
                    library.catalog_sound(),
                    library.queries.state(),
                )
                if library.queries.damage:
                    payload["quick_search"]["why"] = library.queries.damage
        except Exception as exc:
            damage = exc if isinstance(exc, CatalogDamagedError) else catalog_failure(exc, args)
            if not isinstance(damage, CatalogDamagedError):
                raise
            payload = diagnose_damaged_catalog(library_dir, str(damage))
    lines = [f"{section}: {json.dumps(value, ensure_ascii=False)}" for section, value in payload.items()]
    emit(args, payload, "\n".join(lines))
    return 0 if payload.get("ok") else 1


def cmd_remove(args: argparse.Namespace) -> int:
    from app.core.paths import display_path

    with open_library(args) as library:
        removed = library.edits.remove(given_paths(args.paths))
    human = f"forgot {removed.files} file{'s' if removed.files != 1 else ''} ({removed.images} photos left the library)"
    if removed.failures:
        human += f" and {removed.failures} skipped file{'s' if removed.failures != 1 else ''}"
    if removed.roots:
        human += "; folders no longer in the library: " + ", ".join(display_path(r) for r in removed.roots)
    kept = [f"{n} face{'s' if n != 1 else ''} of {name}" for name, n in removed.kept_people.items()]
    kept += [f"{n} example{'s' if n != 1 else ''} of the taught name {name}" for name, n in removed.kept_names.items()]
    if kept:
        human += "\nkept for when the same photos come back: " + ", ".join(kept)
    emit(args, removed.to_json(), human + "\nthe files themselves were not touched")
    return 0
