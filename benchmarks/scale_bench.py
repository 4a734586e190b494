"""The whole product at 10k, 100k and N photos, measured in one run, as JSON.

    .venv/bin/python benchmarks/scale_bench.py --count 1000000 [--library DIR] [--json]
        [--sizes 10000,100000] [--add 1000] [--skip map,window] [--timeout 900]

Builds (or reuses, with --library) a library grown in place to each size (benchmarks/
scale_library.py: real catalog rows, real vector files, library-like vectors with events,
bursts, duplicates, places, albums, stars and tags), then at each size measures, each in its
own process with its peak memory (the process's maximum resident size):

- `index` of the unchanged library (what every later run pays: the search index fitted);
- `status` right after that run (the first after a change remakes what it counts) and again,
  and a text search from the command line end to end, plain and within a place the words
  name (median of 3 each), and the plain one answered by the warm helper a first search
  started (median of 3, with the helper's resident memory);
- the vector search alone: p50/p95 over 100 queries and recall@10 against exact search;
- the gallery's rows (the window's first query) and the window itself to its first gallery
  (QT_QPA_PLATFORM=offscreen unless a display is set), and scrolling it: the longest the GUI
  thread keeps the event loop waiting while the gallery moves a screen at a time, or jumps;
- `events`, `clusters`, the window's strictness slider (asked as the window asks, of the
  analysis process above 5,000 photos, until its answer is back: the first move builds the
  neighbour graph, the next ones re-cluster from it), `duplicates` (first scan, then again with
  nothing changed), `places`, `albums`, `memories`, and the 3D map (`project`);
- adding --add new real photos, to searchable, against adding them to an empty library, and
  `status` right after.

The app's modules are compiled first, as an installed app's are. Then the growth of each
figure from one size to the next, beside the growth of the photos (1.0 per 1.0 is linear). A step past --timeout seconds is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import scale_library  # noqa: E402

QUERY = "a dog on the beach"
QUERY_IN_PLACE = "a dog on the beach in Lisbon"  # most of the library's photos are placed there


# Starts the measured command from a small process and reports its seconds and peak memory: a
# forked child's peak starts at its parent's size (the kernel copies the high-water mark), and
# this benchmark's own process holds gigabytes at a million photos.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_pid, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{time.perf_counter() - started} {usage.ru_maxrss}")
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


def run_measured(args: list[str], env: dict[str, str], timeout: float) -> dict:
    """Run a process; its seconds, peak memory (MB: its own maximum resident size, with its
    children's, as the kernel reports it to `wait4`), exit code and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        report = Path(folder, "measured")
        started = time.perf_counter()
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *args]
        proc = subprocess.Popen(launcher, env=env, stdout=out, stderr=err, start_new_session=True)
        if not _waited(proc, started + timeout):
            return {"timed_out": True, "seconds": round(time.perf_counter() - started, 1)}
        seconds, kilobytes = report.read_text().split()
        out.seek(0)
        err.seek(0)
        code = proc.returncode
        result: dict[str, object] = {
            "seconds": round(float(seconds), 3),
            "peak_mb": round(int(kilobytes) / 1024),
            "rc": code,
        }
        if code != 0:
            result["error"] = err.read().decode(errors="replace")[-400:]
        result["stdout"] = out.read().decode(errors="replace")
        return result


def _waited(proc: subprocess.Popen, deadline: float) -> bool:
    """Whether it ended before `deadline` (else it and what it started are killed)."""
    try:
        proc.wait(timeout=max(0.0, deadline - time.perf_counter()))
        return True
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return False


def cli(library: Path, words: list[str], timeout: float, extra_env: dict[str, str] | None = None) -> dict:
    app, env = scale_library.command(library)
    done = run_measured([*app, *words], {**env, **(extra_env or {})}, timeout)
    text = done.pop("stdout", "")
    if done.get("rc") == 0 and "--json" in words:
        try:
            found = json.loads(text)
            done["answer"] = {k: len(v) if isinstance(v, list) else v for k, v in found.items() if k != "understood"}
        except (json.JSONDecodeError, AttributeError):
            pass
    return done


def python_step(library: Path, code: str, timeout: float, extra_env: dict[str, str] | None = None) -> dict:
    """A step written in Python, in its own process; it prints one JSON object."""
    _app, env = scale_library.command(library)
    root = str(Path(__file__).resolve().parent.parent)
    env = {**env, "PYTHONPATH": root, **(extra_env or {})}
    done = run_measured([sys.executable, "-c", code], env, timeout)
    text = done.pop("stdout", "")
    if done.get("rc") == 0:
        done.update(json.loads(text.strip().splitlines()[-1]))
    return done


VECTOR_SEARCH = """
import json, sys, time, numpy as np, faiss
from pathlib import Path
from benchmarks import scale_library
from app.vectors.ivf import recall_at_k
faiss.omp_set_num_threads(2)
started = time.perf_counter()
store = scale_library.vector_store(Path(__import__('os').environ['PHOTO_ORGANIZER_LIBRARY']))
opened = time.perf_counter() - started
path = store.path
shapes = scale_library.Shapes()
rng = np.random.default_rng(5)
q = shapes.topics[rng.integers(0, scale_library.TOPICS, 100)] + rng.normal(size=(100, 512)) / 512 ** 0.5
q = scale_library._unit_rows(q + 0.8 * rng.normal(size=512) / 512 ** 0.5)
times = []
for row in q:
    t = time.perf_counter(); store.search(row, 224); times.append((time.perf_counter() - t) * 1000)
_, found = store.search(q, 10)
# The truth: exact search over the catalog's float32 vectors (not the index's own copies, which
# an IVF index keeps in fewer bits).
from app.catalog import lookups
from app.catalog.database import open_catalog
engine = open_catalog(path.parent / "catalog.sqlite", True)
ids = np.sort(lookups.vector_region_ids(engine))
scores = np.concatenate([lookups.region_vectors(engine, ids[s:s + 100_000].tolist(), 512) @ q.T.astype(np.float32)
                         for s in range(0, len(ids), 100_000)])
nearest = np.argpartition(-scores, 9, axis=0)[:10].T  # the ten closest to each query (any order)
truth = ids[nearest]
print(json.dumps({"kind": store.kind, "nlist": store.nlist, "vectors": int(store.ntotal),
  "file_mb": round(path.stat().st_size / 2**20), "open_seconds": round(opened, 2),
  "p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2),
  "recall_at_10": round(recall_at_k(truth, found), 4)}))
"""

SLIDER = """
import json, os, time
from pathlib import Path
from app.analysis.analysis_process import AnalysisProcess
from app.analysis.library_analysis import AnalysisInputs, concept_vectors
from app.analysis.library_events import window_clusters
from app.analysis.results import Events
from app.core.collector import collector_paused
from app.library import Library
library = Library(Path(os.environ['PHOTO_ORGANIZER_LIBRARY']))
inputs = AnalysisInputs.of(library)
vocabulary = concept_vectors(inputs)
analyses, known, moves = AnalysisProcess(), None, []
photos = library.store.ntotal if library.store is not None else 0  # as the window decides where it runs
for moved in (library.paths.root / "analysis").glob("clusters-image-*-moved.*"):
    moved.unlink()  # the last strictness moved to, as a window before may have left it
for strictness in (0.45, 0.55, 0.4, 0.5, 0.45):  # the first builds the neighbour graph; 0.5 is the default
    # As the window asks: in the analysis process for a large library, naming the events it holds.
    t = time.perf_counter()
    packed, named = analyses.run(photos, window_clusters, inputs, strictness, known.version if known else "",
                                 vocabulary=lambda: vocabulary)
    with collector_paused():  # the window's records and events, made as its worker thread makes them
        found = packed.clustering()
        known = named if isinstance(named, Events) else known.named(named)
    moves.append(round(time.perf_counter() - t, 2))
analyses.close()
print(json.dumps({"graph_and_first_seconds": moves[0], "move_seconds": moves[1:], "clusters": len(found.clusters)}))
"""

GALLERY = """
import json, os, time
from pathlib import Path
started = time.perf_counter()
from app.library import Library
library = Library(Path(os.environ['PHOTO_ORGANIZER_LIBRARY']))
rows = library.gallery()
print(json.dumps({"rows": len(rows), "seconds_in_process": round(time.perf_counter() - started, 2)}))
"""

WINDOW = """
import json, os, sys, time
import numpy as np
started = time.perf_counter()
from pathlib import Path
from PySide6.QtWidgets import QApplication
from app.catalog.records import RegionInfo
from app.search.results import SearchHit
from app.ui.application import freeze_heap_after_first_gallery
from app.ui.main_window import MainWindow
from app.ui.window_menus import GALLERY_TAB
app = QApplication(sys.argv)
window = MainWindow(Path(os.environ['PHOTO_ORGANIZER_LIBRARY']))
freeze_heap_after_first_gallery(window)  # as the app does (run_gui)
window.resize(1200, 800)
window.show()
loaded = {}
window.gallery_refreshed.connect(lambda: loaded.setdefault('s', time.perf_counter() - started))
while 's' not in loaded and time.perf_counter() - started < 600:
    app.processEvents(); time.sleep(0.001)
window.views.setCurrentIndex(GALLERY_TAB)  # whichever view this computer's last window showed
rows = window.model.rowCount()
rng = np.random.default_rng(1)
painted = []
for _ in range(10):  # 200 results arriving, to the gallery painted with them (GUI thread)
    ids = rng.choice(np.arange(1, rows + 1), size=min(200, rows), replace=False)
    hits = [SearchHit(int(i), f"/photos/IMG_{int(i):07d}.jpg", 0.3 - k * 1e-4,
                      RegionInfo(int(i), int(i), "image", None, (0.0, 0.0, 1.0, 1.0), 1.0, None),
                      'text: "bench"', f"{int(i):064x}") for k, i in enumerate(ids)]
    t = time.perf_counter()
    window.controller.searching.show_hits(hits)
    window.gallery.viewport().repaint()
    painted.append((time.perf_counter() - t) * 1000)
    window.clear_search()
    while window.controller.browse.showing_results or window.model.rowCount() < min(10, rows):
        app.processEvents()
t = time.perf_counter()
window.close()  # as a person closes it: hidden at once, then the work under way is waited for
print(json.dumps({"first_gallery_seconds": round(loaded.get('s', -1), 2), "gallery_rows": rows,
  "results_painted_median_ms": round(float(np.median(painted)), 1), "results_painted_max_ms": round(max(painted), 1),
  "close_seconds": round(time.perf_counter() - t, 2)}))
"""

SCROLL = """
import json, os, sys, time
import numpy as np
from pathlib import Path
from PySide6.QtWidgets import QApplication
from app.ui.application import freeze_heap_after_first_gallery
from app.ui.main_window import MainWindow
from app.ui.window_menus import GALLERY_TAB
app = QApplication(sys.argv)
window = MainWindow(Path(os.environ['PHOTO_ORGANIZER_LIBRARY']))
freeze_heap_after_first_gallery(window)
window.resize(1200, 800)
window.show()
from benchmarks.scale_library import image_count
photos, started = image_count(Path(os.environ['PHOTO_ORGANIZER_LIBRARY'])), time.perf_counter()
while window.model.rowCount() < 0.99 * photos and time.perf_counter() - started < 300:  # the whole gallery
    app.processEvents(); time.sleep(0.005)
rows = window.model.rowCount()
window.views.setCurrentIndex(GALLERY_TAB)  # whichever view this computer's last window showed
app.processEvents()
bar = window.gallery.verticalScrollBar()
def stalls(values):
    # Each move as the wheel or a dragged thumb makes it, then the event loop turned for a
    # frame (16 ms, thumbnails arriving): the longest the GUI thread kept it waiting.
    worst = []
    for value in values:
        t = time.perf_counter(); bar.setValue(int(value)); longest = time.perf_counter() - t
        frame = time.perf_counter() + 0.016
        while time.perf_counter() < frame:
            t = time.perf_counter(); app.processEvents(); longest = max(longest, time.perf_counter() - t)
        worst.append(longest * 1000)
    return worst
pages = stalls(bar.value() + bar.pageStep() * np.arange(1, 61))  # a held Page Down: 60 screens
jumps = stalls(np.random.default_rng(2).integers(0, bar.maximum() + 1, 30))  # the thumb dragged anywhere
window.close()
print(json.dumps({"gallery_rows": rows, "page_down_max_ms": round(max(pages), 1),
  "page_down_median_ms": round(float(np.median(pages)), 1), "jump_max_ms": round(max(jumps), 1),
  "jump_median_ms": round(float(np.median(jumps)), 1)}))
"""


def measure_size(library: Path, args: argparse.Namespace, skip: set[str], say) -> dict:  # type: ignore[no-untyped-def]
    t = args.timeout
    out: dict = {"photos": scale_library.image_count(library)}
    seed = library.parent / f"{library.name}-seed-photos"
    steps: list[tuple[str, object]] = [
        ("index_unchanged", lambda: cli(library, ["index", str(seed), "--no-detect", "--no-ocr", "--no-faces"], t)),
        ("status_after_index", lambda: cli(library, ["status", "--json"], t)),
        ("status", lambda: cli(library, ["status", "--json"], t)),
        ("cli_search", lambda: _median_of(3, lambda: cli(library, ["search", QUERY, "--json"], t))),
        ("cli_search_in_place", lambda: _median_of(3, lambda: cli(library, ["search", QUERY_IN_PLACE, "--json"], t))),
        ("cli_search_warm", lambda: warm_search(library, t)),
        ("vector_search", lambda: python_step(library, VECTOR_SEARCH, t)),
        ("gallery_rows", lambda: python_step(library, GALLERY, t)),
        ("window", lambda: python_step(library, WINDOW, t, {"QT_QPA_PLATFORM": _platform()})),
        ("scroll", lambda: python_step(library, SCROLL, t, {"QT_QPA_PLATFORM": _platform()})),
        ("places", lambda: cli(library, ["places", "--json"], t)),
        ("albums", lambda: cli(library, ["albums", "--json"], t)),
        ("memories", lambda: cli(library, ["memories", "--json"], t)),
        ("events", lambda: fresh(library, "events", lambda: cli(library, ["events", "--json"], t))),
        ("clusters", lambda: fresh(library, "clusters-*", lambda: cli(library, ["clusters", "--json"], t))),
        ("slider", lambda: python_step(library, SLIDER, t)),
        ("duplicates_first", lambda: fresh(library, "duplicate-*", lambda: cli(library, ["duplicates", "--json"], t))),
        ("duplicates_again", lambda: cli(library, ["duplicates", "--json"], t)),
        ("map", lambda: fresh(library, "projection", lambda: cli(library, ["project", "--json"], t))),
    ]
    for name, step in steps:
        if name in skip or name.split("_")[0] in skip:
            continue
        out[name] = step()  # type: ignore[operator]
        say(f"scale_bench: {out['photos']:,} {name}: {json.dumps(out[name])[:300]}")
    if args.add and "add" not in skip:
        out["add"] = add_photos(library, args.add, t)
        say(f"scale_bench: {out['photos']:,} add: {json.dumps(out['add'])}")
    return out


def fresh(library: Path, cached: str, step):  # type: ignore[no-untyped-def]
    """`step` with the analysis it would read from the library's cache computed anew (the
    window, opened before, may have computed it in the background)."""
    for found in (library / "analysis").glob(f"{cached}.*"):  # JSON, or arrays (.npz, .npy)
        found.unlink()
    return step()


def _platform() -> str:
    return os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else "offscreen")


def warm_search(library: Path, timeout: float) -> dict:
    """The search answered by the warm helper a first search started (in a runtime folder of
    its own), median of 3, with the helper's resident memory; the helper is stopped after."""
    from benchmarks.search_bench import listening_helper

    words = ["search", QUERY, "--json"]
    with tempfile.TemporaryDirectory(prefix="po-", dir="/tmp") as run:
        extra = {"PHOTO_ORGANIZER_SEARCH_HELPER": "1", "XDG_RUNTIME_DIR": run}
        first = cli(library, words, timeout, extra)
        if first.get("rc") != 0:
            return first
        helper = listening_helper(Path(run), timeout)
        try:
            warm = _median_of(3, lambda: cli(library, words, timeout, extra))
            status = Path(f"/proc/{helper}/status").read_text()
            rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            warm["helper_rss_mb"] = round(rss / 1024)
        finally:
            os.kill(helper, signal.SIGTERM)
    return warm


def _median_of(runs: int, step) -> dict:  # type: ignore[no-untyped-def]
    done = [step() for _ in range(runs)]
    best = dict(done[-1])
    if all("rc" in d and d["rc"] == 0 for d in done):
        best["seconds"] = round(statistics.median(d["seconds"] for d in done), 3)
        best["peak_mb"] = max(d["peak_mb"] for d in done)
    return best


def add_photos(library: Path, count: int, timeout: float) -> dict:
    """`count` new real photos indexed into this library, then into an empty one (to searchable)."""
    from benchmarks.synthetic_photos import make_camera_jpegs

    size = scale_library.image_count(library)
    photos = library.parent / f"{library.name}-new-{size}"
    make_camera_jpegs(photos, count, size=(1024, 768), seed=size)
    flags = ["--no-detect", "--no-ocr", "--no-faces"]
    into = cli(library, ["index", str(photos), *flags], timeout)
    status_after = cli(library, ["status", "--json"], timeout)  # the first after a change, as a person asks it
    with tempfile.TemporaryDirectory(dir=library.parent) as scratch:
        empty = Path(scratch) / "empty"
        copy = Path(scratch) / "photos"
        shutil.copytree(photos, copy)
        model = ["--model", "ViT-B-32", "--pretrained", "random"]
        alone = cli(empty, ["index", str(copy), *model, *flags], timeout)
    shutil.rmtree(photos, ignore_errors=True)
    ratio = round(into["seconds"] / alone["seconds"], 2) if "rc" in into and "rc" in alone else None
    return {
        "photos": count,
        "into_library": into,
        "into_empty_library": alone,
        "ratio": ratio,
        "status_after": status_after,
    }


def growth(sizes: list[dict]) -> list[dict]:
    """Each figure's growth from one size to the next, beside the photos' growth."""
    out = []
    for small, large in zip(sizes, sizes[1:], strict=False):
        entry: dict = {
            "from": small["photos"],
            "to": large["photos"],
            "photos_x": round(large["photos"] / small["photos"], 1),
        }
        for name, figure in large.items():
            before = small.get(name)
            if not isinstance(figure, dict) or not isinstance(before, dict):
                continue
            if figure.get("seconds") and before.get("seconds"):
                entry[name] = {
                    "seconds_x": round(figure["seconds"] / max(before["seconds"], 1e-3), 1),
                    "peak_mb_x": round(figure.get("peak_mb", 0) / max(before.get("peak_mb", 1), 1), 2),
                }
        out.append(entry)
    return out


def compile_app() -> None:
    """The app's modules compiled, as an installed app has them (pip compiles a wheel's modules
    as it installs them; the bundle carries them compiled). Without it, a checkout where
    PYTHONDONTWRITEBYTECODE is set compiles every module it imports on every command: a
    command-line search at a million photos took 0.82 s so, 0.72 s compiled."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "app"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000, help="the largest size")
    parser.add_argument("--sizes", default="10000,100000", help="the smaller sizes, measured first")
    parser.add_argument("--library", type=Path, help="grow and keep the library here (reused on the next run)")
    parser.add_argument("--add", type=int, default=1000, help="new photos added at each size (0: leave out)")
    parser.add_argument("--skip", default="", help="steps to leave out, by name: map,window,add,...")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a step is stopped")
    parser.add_argument("--json", action="store_true", help="print only the JSON")
    args = parser.parse_args()
    say = (lambda _line: None) if args.json else (lambda line: print(line, file=sys.stderr, flush=True))
    sizes = sorted({*(int(s) for s in args.sizes.split(",") if s), args.count})
    scratch = None
    library = args.library
    if library is None:
        scratch = tempfile.mkdtemp(prefix="scale-bench-")
        library = Path(scratch) / "library"
    library = library.resolve()
    library.parent.mkdir(parents=True, exist_ok=True)
    out: dict = {"cores": os.cpu_count(), "sizes": [], "built": []}
    compile_app()
    try:
        for size in sizes:
            built = scale_library.grow(library, size, say)
            out["built"].append({"to": size, **built})
            out["sizes"].append(measure_size(library, args, set(filter(None, args.skip.split(","))), say))
        out["growth"] = growth(out["sizes"])
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
