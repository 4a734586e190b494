"""GUI responsiveness, as JSON, at 100,000 photos: time to the first window; event-loop stalls
while scrolling the gallery from top to bottom; GUI-thread time from search results (200 hits)
to the painted gallery; the worst event-loop stall while indexing adds photos; and the time
the 3D map spends per mouse move (hover picking) at 100,000 points; and the Places map's frame
time while panning and zooming over 100,000 photos with GPS (tiles painted on first sight
included), with how long the view takes to load them.

    xvfb-run -a env QT_QPA_PLATFORM=xcb .venv/bin/python benchmarks/gui_bench.py [--images 100000]
    (QT_QPA_PLATFORM=offscreen works for all but the map, which needs OpenGL)

The library is synthetic: catalog rows for every image and thumbnails hard-linked from a
few hundred real JPEGs (the gallery reads them exactly as it reads real ones).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build_library(folder: Path, count: int) -> None:
    from PIL import Image
    from sqlalchemy import text

    from app.catalog.database import open_catalog
    from app.core.paths import LibraryPaths

    paths = LibraryPaths(folder)
    folder.mkdir(parents=True, exist_ok=True)
    engine = open_catalog(paths.catalog)
    rng = np.random.default_rng(0)
    bases = []
    for i in range(256):
        base = folder / "bases" / f"{i}.jpg"
        base.parent.mkdir(parents=True, exist_ok=True)
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        Image.new("RGB", (341, 256), colour).save(base, quality=80)
        bases.append(base)
    hashes = [f"{i:064x}" for i in range(count)]
    for i, h in enumerate(hashes):
        target = paths.thumbnail(h)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(bases[i % len(bases)], target)
    lat, lon = photo_positions(count, rng)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, taken_at, added_at, "
                "latitude, longitude, gps_read) VALUES (:i, :h, 1, 4000, 3000, 'JPEG', :t, 0, :lat, :lon, 1)"
            ),
            [
                {"i": i + 1, "h": h, "t": 1.6e9 + i * 60, "lat": float(lat[i]), "lon": float(lon[i])}
                for i, h in enumerate(hashes)
            ],
        )
        conn.execute(
            text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/photos', 1, 0, :i)"),
            [{"p": f"/photos/IMG_{i:06d}.jpg", "i": i + 1} for i in range(count)],
        )
    from app.indexing.place_naming import name_places

    name_places(engine, paths)  # as the index run does: every photo's city, region and country
    engine.dispose()


def photo_positions(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Where a lifetime of photos is taken: 40% around home, the rest on 400 trips over the
    land of every continent, each scattered over a few kilometres."""
    homes = np.array([[48.8566, 2.3522]])
    trips = np.column_stack((rng.uniform(-40, 65, 400), rng.uniform(-125, 150, 400)))
    spots = np.concatenate((homes, trips))
    weights = np.concatenate(([0.4], np.full(len(trips), 0.6 / len(trips))))
    which = rng.choice(len(spots), size=count, p=weights)
    spread = rng.normal(0, 0.03, (count, 2))
    return spots[which, 0] + spread[:, 0], spots[which, 1] + spread[:, 1]


def first_window_seconds(library: Path) -> dict:
    code = (
        "import sys, time; t0 = time.perf_counter()\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtCore import QTimer\n"
        "from app.ui.main_window import MainWindow\n"
        "app = QApplication(sys.argv)\n"
        f"w = MainWindow(__import__('pathlib').Path({str(library)!r}))\n"
        "w.show(); app.processEvents()\n"
        "shown = time.perf_counter() - t0\n"
        "print(shown, 'torch' in sys.modules)\n"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    total = time.perf_counter() - started
    shown, torch_loaded = out.stdout.split()
    return {
        "process_to_window_seconds": round(total, 2),
        "imports_to_window_seconds": round(float(shown), 2),
        "torch_imported_before_window": torch_loaded == "True",
    }


def scroll_stalls(library: Path, count: int) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow(library)
    window.resize(1200, 800)
    clock = QElapsedTimer()
    clock.start()
    window.show()
    loaded = {}
    window.gallery_refreshed.connect(lambda: loaded.setdefault("ms", clock.elapsed()))
    while "ms" not in loaded:
        app.processEvents()
        time.sleep(0.001)
    gaps: list[int] = []
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer(interval=5, timeout=tick)
    heartbeat.start()
    bar = window.gallery.verticalScrollBar()
    started = clock.elapsed()
    step = max(1, window.gallery.viewport().height())  # a page at a time

    last_index = window.model.index(window.model.rowCount() - 1)

    def scroll() -> None:
        # The batched layout keeps growing the scroll range; stop only when the last photo shows.
        if window.gallery.viewport().rect().intersects(window.gallery.visualRect(last_index)):
            app.quit()
            return
        bar.setValue(min(bar.maximum(), bar.value() + step))

    scroller = QTimer(interval=16, timeout=scroll)
    scroller.start()
    QTimer.singleShot(600_000, app.quit)
    app.exec()
    scrolled_s = (clock.elapsed() - started) / 1000
    heartbeat.stop()
    scroller.stop()
    window.close()
    window.deleteLater()
    app.processEvents()
    gaps_arr = np.array(gaps[1:] or [0])
    return {
        "images": count,
        "gallery_loaded_ms": loaded["ms"],
        "scroll_seconds": round(scrolled_s, 1),
        "scroll_steps": int(bar.maximum() / max(1, step)),
        "scroll_range_px": bar.maximum(),
        "max_stall_ms": int(gaps_arr.max()),
        "p99_gap_ms": float(np.percentile(gaps_arr, 99)),
        "heartbeats": len(gaps),
    }


def _open_window(library: Path):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from app.ui.application import freeze_heap_after_first_gallery
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow(library)
    freeze_heap_after_first_gallery(window)  # as the app does (run_gui)
    window.resize(1200, 800)
    window.show()
    loaded: dict = {}
    window.gallery_refreshed.connect(lambda: loaded.setdefault("done", True))
    while "done" not in loaded:
        app.processEvents()
        time.sleep(0.001)
    return app, window


def results_to_painted(library: Path, hits_count: int = 200, repeat: int = 15) -> dict:
    """GUI-thread milliseconds from a search's hits arriving to the gallery painted with them."""
    from dataclasses import fields

    from app.catalog.records import RegionInfo
    from app.search.results import SearchHit

    carries_hash = "content_hash" in {f.name for f in fields(SearchHit)}
    app, window = _open_window(library)
    rng = np.random.default_rng(1)
    times = []
    for _ in range(repeat):
        ids = rng.choice(np.arange(1, window.model.rowCount() + 1), size=hits_count, replace=False)
        hits = [
            SearchHit(
                int(i),
                f"/photos/IMG_{int(i) - 1:06d}.jpg",
                0.3 - k * 1e-4,
                RegionInfo(int(i), int(i), "image", None, (0.0, 0.0, 1.0, 1.0), 1.0, None),
                'text: "bench"',
                *([f"{int(i) - 1:064x}"] if carries_hash else []),
            )
            for k, i in enumerate(ids)
        ]
        started = time.perf_counter()
        window.controller.searching.show_hits(hits)
        window.gallery.viewport().repaint()
        times.append((time.perf_counter() - started) * 1000)
        window.clear_search()
        while window.controller.browse.showing_results or window.model.rowCount() < 10:
            app.processEvents()
    window.close()
    window.deleteLater()
    app.processEvents()
    return {"hits": hits_count, "median_ms": round(float(np.median(times)), 1), "max_ms": round(max(times), 1)}


def stalls_while_indexing(library: Path, seconds: float = 12.0, per_second: int = 50) -> dict:
    """The worst event-loop stall while another thread adds photos to the catalog (as indexing
    does) and the window keeps its gallery up to date."""
    import threading

    from PySide6.QtCore import QElapsedTimer, QTimer
    from sqlalchemy import text

    from app.catalog.database import open_catalog
    from app.core.paths import LibraryPaths

    app, window = _open_window(library)
    start_rows = window.model.rowCount()
    window.gallery.setCurrentIndex(window.model.index(5))
    engine = open_catalog(LibraryPaths(library).catalog)
    with engine.connect() as conn:
        first = int(conn.execute(text("SELECT max(id) FROM images")).scalar_one()) + 1
    stop = threading.Event()
    bases = sorted((library / "thumbnails").rglob("*.jpg"))[:64]

    def add_photos() -> None:
        n = first
        while not stop.is_set():
            rows = []
            for _ in range(per_second // 10):
                h = f"{n:064x}"
                target = LibraryPaths(library).thumbnail(h)
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    os.link(bases[n % len(bases)], target)
                rows.append({"i": n, "h": h, "t": 1.6e9 + n * 60, "p": f"/photos/new/IMG_{n:06d}.jpg"})
                n += 1
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO images(id, content_hash, byte_size, width, height, format, taken_at, added_at) "
                        "VALUES (:i, :h, 1, 4000, 3000, 'JPEG', :t, 0)"
                    ),
                    rows,
                )
                conn.execute(
                    text(
                        "INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, '/photos/new', 1, 0, :i)"
                    ),
                    rows,
                )
            time.sleep(0.1)

    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        if os.environ.get("GUI_BENCH_DEBUG") and now - last[0] > 100:
            print(f"stall {now - last[0]} ms ending at {time.perf_counter()}", file=sys.stderr, flush=True)
        last[0] = now

    heartbeat = QTimer(interval=5, timeout=tick)
    heartbeat.start()
    writer = threading.Thread(target=add_photos, daemon=True)
    writer.start()
    window._refresh_timer.start()  # as while indexing: the gallery follows the catalog
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    stop.set()
    writer.join()
    window._refresh_timer.stop()
    heartbeat.stop()
    selected = window.gallery.currentIndex()
    kept = selected.isValid() and window.model.item(selected.row()) is not None
    rows = window.model.rowCount()
    window.close()
    window.deleteLater()
    app.processEvents()
    engine.dispose()
    gaps_arr = np.array(gaps[1:] or [0])
    return {
        "rows_before": start_rows,
        "rows_after": rows,
        "max_stall_ms": int(gaps_arr.max()),
        "p99_gap_ms": float(np.percentile(gaps_arr, 99)),
        "selection_kept": bool(kept),
    }


def _map_layout(points: int, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    from app.analysis.results import MapPoint, MapPoints
    from app.controller.map_layout import MapLayout

    xyz = rng.uniform(-1, 1, (points, 3))
    data = [MapPoint(f"/p/{k}.jpg", k, float(a), float(b), float(c), -1) for k, (a, b, c) in enumerate(xyz)]
    return MapLayout.of(MapPoints(data), {})


def map_hover(points: int = 100_000, moves: int = 60, clusters: int = 3000) -> dict:
    """Milliseconds of GUI-thread work per mouse move over the 3D map (picking the point under
    the cursor), at `points` points; and for colouring the map again by new clusters (the
    strictness slider, fresh clusters), with `clusters` of them. Needs OpenGL (xcb under Xvfb)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from app.ui.map_view import MapView

    app = QApplication.instance() or QApplication(sys.argv)
    view = MapView()
    view.resize(1000, 700)
    view.show()
    app.processEvents()
    rng = np.random.default_rng(2)
    layout = _map_layout(points, rng)
    view.set_points(layout, np.full(points, -1), {})
    app.processEvents()
    times = []
    for k in range(moves):
        pos = QPoint(int(rng.uniform(50, 950)), int(rng.uniform(50, 650)))
        if k % 10 == 0:
            view.view.orbit(5, 0)  # the camera moves now and then, as people drag
        started = time.perf_counter()
        view._on_hovered(pos)
        times.append((time.perf_counter() - started) * 1000)
    recolour = []
    for _ in range(5):  # as the controller does on the GUI thread: groups, then colours and legend
        members: dict[int, list[int]] = {}
        grouped = rng.permutation(points)[: points * 3 // 4]
        for image_id, cluster in zip(grouped.tolist(), rng.integers(0, clusters, len(grouped)).tolist(), strict=True):
            members.setdefault(cluster, []).append(image_id)
        started = time.perf_counter()
        view.set_points(layout, layout.groups(members), {c: f"cluster {c}" for c in members})
        recolour.append((time.perf_counter() - started) * 1000)
        app.processEvents()
    view.close()
    app.processEvents()
    return {
        "points": points,
        "median_ms": round(float(np.median(times)), 2),
        "p95_ms": round(float(np.percentile(times, 95)), 2),
        "max_ms": round(max(times), 2),
        "first_move_ms": round(times[0], 2),  # creates the tooltip window
        "recolour_clusters": clusters,
        "recolour_median_ms": round(float(np.median(recolour)), 2),
        "recolour_max_ms": round(max(recolour), 2),
    }


def places_frames(library: Path) -> dict:
    """The Places view at every photo of the library (each has GPS): seconds from opening it to
    its markers shown (the load runs off the GUI thread), then GUI-thread milliseconds per frame
    while panning at a country's, a region's and a city's zoom, and while the wheel zooms from the
    whole world down to a street and back out (new tiles painted included)."""
    from PySide6.QtCore import QPointF

    from app.ui.window_menus import PLACES_TAB

    app, window = _open_window(library)
    shown: dict = {}
    window.places_shown.connect(lambda: shown.setdefault("at", time.perf_counter()))
    started = time.perf_counter()
    window.views.setCurrentIndex(PLACES_TAB)
    canvas = window.places_panel.map
    while "at" not in shown or not canvas.has_outlines:
        app.processEvents()
        time.sleep(0.001)
    load_s = shown["at"] - started
    rng = np.random.default_rng(3)
    home = canvas.markers.bounds(canvas.markers.image_ids[:1])
    assert home is not None

    def frame() -> float:
        """One frame after the view moved: painted now, timed (tiles left over wait for the next)."""
        began = time.perf_counter()
        canvas.repaint()
        return (time.perf_counter() - began) * 1000

    pan: list[float] = []
    for zoom in (4.0, 8.0, 13.0):
        canvas.set_view((home[0], home[1]), zoom)
        canvas.repaint()
        for _ in range(60):
            canvas.pan_by(float(rng.uniform(5, 25)), float(rng.uniform(-10, 10)))
            pan.append(frame())
            if os.environ.get("GUI_BENCH_DEBUG") and pan[-1] > 12:
                print(f"slow pan frame {len(pan)} at zoom {zoom}: {pan[-1]:.1f} ms", file=sys.stderr)
    zoom_frames: list[float] = []
    canvas.set_view((0.5, 0.5), 0.0)
    canvas.repaint()
    for direction in (1, -1):
        for _ in range(int((18 - canvas.min_zoom()) / 0.25)):
            point = QPointF(canvas.width() * rng.uniform(0.4, 0.6), canvas.height() * rng.uniform(0.4, 0.6))
            if direction > 0:  # towards home, as a person zooms towards where they look
                hx, hy = canvas.to_screen(home[0], home[1])
                point = QPointF(float(np.clip(hx, 0, canvas.width())), float(np.clip(hy, 0, canvas.height())))
            canvas.zoom_about(point, 0.25 * direction)
            zoom_frames.append(frame())
    markers_drawn = len(canvas.markers_in_view()[1])
    window.close()
    window.deleteLater()
    app.processEvents()

    def summary(times: list[float]) -> dict:
        array = np.array(times)
        return {
            "frames": len(array),
            "median_ms": round(float(np.median(array)), 2),
            "p95_ms": round(float(np.percentile(array, 95)), 2),
            "max_ms": round(float(array.max()), 2),
            "over_16ms": int((array > 16).sum()),
        }

    return {
        "photos": len(canvas.markers),
        "load_seconds": round(load_s, 2),
        "pan": summary(pan),
        "wheel_zoom": summary(zoom_frames),
        "markers_at_the_end": markers_drawn,
    }


def _fresh_settings() -> None:
    """Each part opens the window as a new user would: settings of the benchmark's own, cleared
    (a window state an earlier run saved, say the Places tab in front, hides the gallery it scrolls)."""
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("photo-organizer-bench")
    QSettings().clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument(
        "--only", default="", help="comma-separated parts: window,scroll,results,indexing,map,places (default: all)"
    )
    args = parser.parse_args()
    parts = set(filter(None, args.only.split(","))) or {"window", "scroll", "results", "indexing", "map", "places"}
    with tempfile.TemporaryDirectory() as scratch:
        library = Path(scratch) / "library"
        started = time.perf_counter()
        build_library(library, args.images)
        built = time.perf_counter() - started
        result = {"platform": os.environ.get("QT_QPA_PLATFORM", ""), "library_build_seconds": round(built, 1)}
        if "window" in parts:
            result["first_window"] = first_window_seconds(library)
        if "scroll" in parts:
            _fresh_settings()
            result["scroll"] = scroll_stalls(library, args.images)
        if "results" in parts:
            _fresh_settings()
            result["search_results_to_painted"] = results_to_painted(library)
        if "indexing" in parts:
            _fresh_settings()
            result["while_indexing"] = stalls_while_indexing(library)
        if "map" in parts and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
            result["map_hover"] = map_hover(args.images)
        if "places" in parts:
            _fresh_settings()
            result["places"] = places_frames(library)
    print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
