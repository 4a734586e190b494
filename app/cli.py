"""The headless command line over the same `Library` the GUI uses (contract: DESIGN.md).

Heavy modules (torch, open_clip, faiss, Qt) are imported inside the commands, so `--help`
is instant. A `UserError` becomes one line on stderr and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app import __version__

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def _add_common(parser: argparse.ArgumentParser, model: bool = False) -> None:
    parser.add_argument(
        "--library",
        type=Path,
        default=None,
        help="library folder (default: $PHOTO_ORGANIZER_LIBRARY or the user data folder)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    if model:
        parser.add_argument(
            "--model",
            default=None,
            help="open_clip model: architecture, hf-hub:org/repo or local-dir:/path (default: the library's, else $PHOTO_ORGANIZER_MODEL, else ViT-B-32)",
        )
        parser.add_argument(
            "--pretrained",
            default=None,
            help="pretrained tag, or 'random' (default: $PHOTO_ORGANIZER_PRETRAINED, else laion2b_s34b_b79k)",
        )
        parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where the model runs")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", type=Path, default=None, help="only photos below this folder")
    parser.add_argument("--after", default=None, metavar="DATE", help="only photos taken on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--before", default=None, metavar="DATE", help="only photos taken on or before DATE")
    parser.add_argument("--type", default=None, metavar="TYPES", help="only these file types, e.g. jpeg,png")


def _filters(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from app.search.query import SearchFilters, parse_date, parse_formats

    return SearchFilters(
        folder=os.path.abspath(args.folder.expanduser()) if args.folder else None,
        after=parse_date(args.after) if args.after else None,
        before=parse_date(args.before, end_of_day=True) if args.before else None,
        formats=parse_formats(args.type) if args.type else frozenset(),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photo-organizer",
        description="Find your photos by describing them, by example, or by the words in them. Runs locally.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="folders or photos to add right away")
    gui.add_argument("--library", type=Path, default=None)

    launcher = sub.add_parser("install-launcher", help="add Photo Organizer to the desktop's app menu (current user)")
    launcher.add_argument("--uninstall", action="store_true", help="remove the launcher and icon again")

    index = sub.add_parser("index", help="add folders or photos to the library, or refresh them")
    index.add_argument("paths", nargs="+", metavar="PATH")
    _add_common(index, model=True)
    index.add_argument(
        "--no-detect", action="store_true", help="skip object detection (also: PHOTO_ORGANIZER_DETECT=0)"
    )
    index.add_argument("--no-ocr", action="store_true", help="skip text recognition (also: PHOTO_ORGANIZER_OCR=0)")
    index.add_argument("--no-faces", action="store_true", help="skip faces and people (also: PHOTO_ORGANIZER_FACES=0)")
    index.add_argument("--batch-size", type=int, default=0, help=argparse.SUPPRESS)
    index.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)

    status = sub.add_parser("status", help="what the library holds, and whether it is consistent")
    _add_common(status)

    search = sub.add_parser("search", help="search by text, by an image file, or both")
    search.add_argument("text", nargs="?", default=None, metavar="TEXT")
    search.add_argument("--image", type=Path, default=None, help="an image file to search by")
    search.add_argument("--top-k", type=int, default=20)
    search.add_argument("--threshold", type=float, default=None)
    search.add_argument(
        "--weights", default=None, help="per-region-kind (or object label) weights, e.g. image=1,text=0.5,animal=2"
    )
    search.add_argument(
        "--image-weight", type=float, default=0.5, help="with TEXT and --image: the image's share, 0..1 (default 0.5)"
    )
    search.add_argument("--auto-cut", action="store_true", help="stop at the largest drop in score")
    search.add_argument("--person", default=None, metavar="NAME", help="only photos with this person in them")
    _add_filters(search)
    _add_common(search, model=True)

    similar = sub.add_parser("similar", help="photos like the one at PATH")
    similar.add_argument("path", type=Path, metavar="PATH")
    similar.add_argument("--top-k", type=int, default=20)
    similar.add_argument("--threshold", type=float, default=None)
    _add_filters(similar)
    _add_common(similar, model=True)

    clusters = sub.add_parser("clusters", help="groups of similar photos, named")
    clusters.add_argument("--eps", type=float, default=0.2, help="DBSCAN radius in cosine distance (default 0.2)")
    clusters.add_argument("--min-samples", type=int, default=2, help="DBSCAN/HDBSCAN minimum group size (default 2)")
    clusters.add_argument("--algorithm", choices=["dbscan", "hdbscan", "kmeans"], default="dbscan")
    clusters.add_argument("--k", type=int, default=None, help="k-means: number of clusters (default: by silhouette)")
    clusters.add_argument(
        "--on", choices=["image", "object", "person"], default="image", help="cluster whole photos (default) or regions"
    )
    _add_common(clusters, model=True)

    project = sub.add_parser("project", help="3D map coordinates per photo (t-SNE)")
    _add_common(project, model=True)

    evaluate = sub.add_parser("evaluate", help="retrieval and clustering quality on a labelled folder tree")
    evaluate.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    evaluate.add_argument("--eps", type=float, default=0.2)
    evaluate.add_argument("--min-samples", type=int, default=2)
    _add_common(evaluate, model=True)

    doctor = sub.add_parser("doctor", help="check the device, the model and the library's integrity")
    _add_common(doctor, model=True)
    doctor.add_argument(
        "--repair",
        action="store_true",
        help="rebuild a damaged catalog from what can still be read (the damaged file is kept beside it)",
    )

    remove = sub.add_parser("remove", help="forget folders or photos (the files themselves are never touched)")
    remove.add_argument("paths", nargs="+", metavar="PATH")
    _add_common(remove)

    people = sub.add_parser(
        "people",
        help="people found by their faces; or: people name ID NAME | merge ID ID | remove-face REGION_ID",
    )
    people.add_argument("action", nargs="?", choices=["name", "merge", "remove-face"], default=None)
    people.add_argument("values", nargs="*", metavar="VALUE")
    _add_common(people)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        argv = ["gui"]
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from app.core.errors import UserError
    from app.core.logging import configure_logging

    configure_logging(getattr(args, "verbose", False))
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"photo-organizer: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:
        # The catalog failing mid-command (a damaged page, a full disk): one line, no traceback.
        error = _catalog_failure(exc, args)
        if error is None:
            raise
        print(f"photo-organizer: error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("photo-organizer: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


def _emit(args: argparse.Namespace, payload: dict, human: str) -> None:
    if args.json:
        text = json.dumps(payload, ensure_ascii=False)
        # A file name that is not UTF-8 holds lone surrogates (one per bad byte): written as JSON
        # escapes (\udcff), which json.loads and os.fsencode turn back into the same bytes.
        sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
    else:
        sys.stdout.write(human.rstrip("\n").encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
    sys.stdout.flush()


def _catalog_failure(exc: Exception, args: argparse.Namespace) -> Exception | None:
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError | sqlite3.Error):
        return None
    from app.catalog.database import describe_catalog_error
    from app.core.paths import LibraryPaths

    root = (getattr(args, "library", None) or _default_library()).expanduser().resolve()
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return describe_catalog_error(cause, LibraryPaths(root).catalog)


def _one_line(message: str) -> str:
    return " ".join(message.split("\n")).encode("utf-8", "backslashreplace").decode("utf-8")


def _open_library(args: argparse.Namespace, create: bool = True):  # type: ignore[no-untyped-def]
    from app.library import Library
    from app.ml.spec import requested_spec

    spec = requested_spec(getattr(args, "model", None), getattr(args, "pretrained", None))
    library = Library(args.library, model=spec, device=getattr(args, "device", "auto"), create=create)
    library.on_download = _DownloadLine()
    return library


# --- commands -----------------------------------------------------------------------------------


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


def _paths(raw: Sequence[str]) -> list[Path]:
    from app.core.errors import UserError

    if any(not p.strip() for p in raw):
        raise UserError("an empty path was given; name a folder or a photo")
    return [Path(p).expanduser() for p in raw]


def cmd_index(args: argparse.Namespace) -> int:
    from app.core.errors import CancelledError
    from app.core.paths import display_path
    from app.core.settings import Settings
    from app.indexing.pipeline import IndexOptions

    settings = Settings.from_env()
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    progress = _ProgressLine(enabled=not args.json and sys.stderr.isatty())
    try:
        with _open_library(args) as library:
            library.on_download = _DownloadLine(stop)
            options = IndexOptions(
                batch_size=args.batch_size,
                decode_workers=args.workers,
                detect=settings.detect_objects and not args.no_detect,
                ocr=settings.read_text and not args.no_ocr,
                faces=settings.find_faces and not args.no_faces,
            )
            report = library.index(_paths(args.paths), options, progress=progress, should_stop=stop.is_set)
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
    _emit(args, payload, "\n".join(lines))
    return EXIT_INTERRUPTED if report.cancelled else 0


def cmd_status(args: argparse.Namespace) -> int:
    from app.analysis.library_analysis import AnalysisInputs, freshness

    with _open_library(args) as library:
        payload = library.status().to_json()
        payload["analysis"] = freshness(AnalysisInputs.of(library))
    human = "\n".join(f"{k}: {v}" for k, v in payload.items())
    _emit(args, payload, human)
    return 0


def _hits_out(args: argparse.Namespace, hits: list, started: float) -> int:
    from app.core.paths import display_path

    payload = {"results": [h.to_json() for h in hits], "seconds": round(time.perf_counter() - started, 4)}
    if not hits:
        human = "no matching photos (try a lower --threshold or other words)"
    else:
        human = "\n".join(f"{h.score:.3f}  {display_path(h.path)}  ({_one_line(h.why)})" for h in hits)
    _emit(args, payload, human)
    return 0


def _check_threshold(args: argparse.Namespace) -> None:
    from app.search.query import check_threshold

    check_threshold(args.threshold)


def cmd_search(args: argparse.Namespace) -> int:
    from app.core.errors import UserError
    from app.search.query import parse_query, parse_weights

    if args.top_k < 1:
        raise UserError("--top-k must be at least 1")
    _check_threshold(args)
    if not 0.0 <= args.image_weight <= 1.0:
        raise UserError("--image-weight must be between 0 and 1")
    weights = parse_weights(args.weights) if args.weights is not None else None
    if (args.text is None or not args.text.strip()) and args.image is None and not (args.person or "").strip():
        raise UserError("give a text query, --image FILE, --person NAME, or a mix")
    if args.text is not None and args.text.strip():
        parse_query(args.text)  # a bad query fails before any model loads
    filters = _filters(args)
    started = time.perf_counter()
    with _open_library(args) as library:
        hits = library.search(
            args.text,
            args.image,
            args.top_k,
            args.threshold,
            weights,
            args.image_weight,
            filters,
            args.auto_cut,
            args.person,
        )
    return _hits_out(args, hits, started)


def cmd_similar(args: argparse.Namespace) -> int:
    from app.core.errors import UserError

    if args.top_k < 1:
        raise UserError("--top-k must be at least 1")
    _check_threshold(args)
    filters = _filters(args)
    started = time.perf_counter()
    with _open_library(args) as library:
        hits = library.similar(args.path, args.top_k, filters, args.threshold)
    return _hits_out(args, hits, started)


def _check_cluster_args(args: argparse.Namespace) -> None:
    from app.core.errors import UserError

    if not 0 < args.eps <= 2:
        raise UserError("--eps is a cosine distance between 0 and 2 (default 0.2)")
    if args.min_samples < 1:
        raise UserError("--min-samples must be at least 1")
    if getattr(args, "k", None) is not None and args.k < 2:
        raise UserError("--k must be at least 2")


def cmd_clusters(args: argparse.Namespace) -> int:
    from app.analysis.clustering import ClusterParams
    from app.analysis.library_analysis import AnalysisInputs, clusters

    _check_cluster_args(args)
    params = ClusterParams(args.algorithm, args.eps, args.min_samples, args.k)
    with _open_library(args) as library:
        library.require_vectors()
        result = clusters(AnalysisInputs.of(library), params, args.on)
    payload = result.to_json()
    lines = [f"{c.size:5d}  {c.name}" for c in result.clusters]
    lines.append(f"{result.noise:5d}  (not grouped)")
    _emit(args, payload, "\n".join(lines))
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    from app.analysis.library_analysis import AnalysisInputs, projection
    from app.core.paths import display_path

    with _open_library(args) as library:
        library.require_vectors()
        result = projection(AnalysisInputs.of(library))
    payload = result.to_json()
    human = "\n".join(
        f"{p.x:+.3f} {p.y:+.3f} {p.z:+.3f}  {p.cluster:3d}  {display_path(p.path)}" for p in result.points
    )
    _emit(args, payload, human)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from app.analysis.evaluate_folder import evaluate_dataset
    from app.ml.spec import requested_spec

    _check_cluster_args(args)
    metrics = evaluate_dataset(
        args.dataset, requested_spec(args.model, args.pretrained), args.device, args.eps, args.min_samples
    )
    human = "\n".join(f"{k}: {json.dumps(v)}" for k, v in metrics.items())
    _emit(args, metrics, human)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from app.core.errors import CatalogDamagedError
    from app.doctor import diagnose, diagnose_damaged_catalog, repair_catalog

    library_dir = (args.library or _default_library()).expanduser().resolve()
    if args.repair:
        payload = repair_catalog(library_dir)
    else:
        try:
            with _open_library(args) as library:
                payload = diagnose(library.spec, library.region_models, library.status(), library.catalog_sound())
        except Exception as exc:
            damage = exc if isinstance(exc, CatalogDamagedError) else _catalog_failure(exc, args)
            if not isinstance(damage, CatalogDamagedError):
                raise
            payload = diagnose_damaged_catalog(library_dir, str(damage))
    lines = [f"{section}: {json.dumps(value, ensure_ascii=False)}" for section, value in payload.items()]
    _emit(args, payload, "\n".join(lines))
    return 0 if payload.get("ok") else 1


def _default_library() -> Path:
    from app.core.paths import default_library_dir

    return default_library_dir()


def cmd_remove(args: argparse.Namespace) -> int:
    from app.core.paths import display_path

    with _open_library(args, create=False) as library:
        removed = library.remove(_paths(args.paths))
    human = f"forgot {removed.files} file{'s' if removed.files != 1 else ''} ({removed.images} photos left the library)"
    if removed.failures:
        human += f" and {removed.failures} skipped file{'s' if removed.failures != 1 else ''}"
    if removed.roots:
        human += "; folders no longer in the library: " + ", ".join(display_path(r) for r in removed.roots)
    _emit(args, removed.to_json(), human + "\nthe files themselves were not touched")
    return 0


def cmd_people(args: argparse.Namespace) -> int:
    from app.core.errors import UserError
    from app.core.paths import display_path

    wanted = {None: 0, "name": 2, "merge": 2, "remove-face": 1}[args.action]
    if len(args.values) != wanted:
        usage = {None: "people", "name": "people name ID NAME", "merge": "people merge ID ID"}
        raise UserError(f"usage: photo-organizer {usage.get(args.action, 'people remove-face REGION_ID')}")
    numbers = args.values if args.action != "name" else args.values[:1]
    if not all(v.strip().lstrip("-").isdigit() for v in numbers):
        raise UserError(f"expected a number, got {' '.join(numbers)!r}; 'photo-organizer people' lists the ids")
    with _open_library(args, create=args.action is None) as library:
        if args.action == "name":
            person = library.name_person(int(args.values[0]), args.values[1])
            human = f"person {person} is now {' '.join(args.values[1].split())}"
        elif args.action == "merge":
            library.merge_people(int(args.values[0]), int(args.values[1]))
            human = f"person {args.values[1]} merged into person {args.values[0]}"
        elif args.action == "remove-face":
            person = library.remove_face(int(args.values[0]))
            human = f"face {args.values[0]} left its person for good (now person {person})"
        listed = library.people()
    payload = {"people": [p.to_json() for p in listed]}
    if args.action is None:
        human = (
            "\n".join(
                f"{p.id:5d}  {p.name or '(unnamed)'}  {p.faces} face{'s' if p.faces != 1 else ''} in {len(p.photos)} photos"
                f"  e.g. {display_path(p.photos[0]) if p.photos else ''}"
                for p in listed
            )
            or "no people yet (faces are found while indexing)"
        )
    _emit(args, payload, human)
    return 0


class _DownloadLine:
    """First-use weight download progress on stderr (a line now and then when not a terminal);
    Ctrl+C stops the download."""

    def __init__(self, stop: threading.Event | None = None) -> None:
        self._last = 0.0
        self._tty = sys.stderr.isatty()
        self._stop = stop

    def __call__(self, done: int, total: int) -> None:
        if self._stop is not None and self._stop.is_set():
            from app.core.errors import CancelledError

            raise CancelledError("the model download was interrupted")
        finished = bool(total) and done >= total
        if not finished and time.monotonic() - self._last < (0.2 if self._tty else 10.0):
            return
        self._last = time.monotonic()
        amount = f"{done / 1e6:.0f} / {total / 1e6:.0f} MB" if total else f"{done / 1e6:.0f} MB"
        end = "\n" if finished or not self._tty else ""
        sys.stderr.write(f"\rdownloading model weights (first use only): {amount}".ljust(70) + end)
        sys.stderr.flush()


class _ProgressLine:
    """A single self-rewriting progress line on a terminal's stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = 0.0

    def __call__(self, p: Any) -> None:
        if not self.enabled or time.monotonic() - self._last < 0.2:
            return
        self._last = time.monotonic()
        if p.phase == "scanning":
            text = f"scanning… {p.done} photos found"
        elif p.phase == "re-embedding":
            text = f"switching model: re-embedding {p.done}/{p.total} from thumbnails"
        elif p.phase == "regions":
            text = f"objects and text in photos: {p.done}/{p.total} ({p.embedded} regions)"
        else:
            from app.indexing.report import time_left

            eta = f", {time_left(p.eta_seconds)}" if p.eta_seconds else ""
            text = f"indexing {p.done}/{p.total} · {p.rate:.1f} img/s{eta}"
        sys.stderr.write("\r" + text[: os.get_terminal_size(2).columns - 1].ljust(60))
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


COMMANDS = {
    "gui": cmd_gui,
    "install-launcher": cmd_install_launcher,
    "index": cmd_index,
    "status": cmd_status,
    "search": cmd_search,
    "similar": cmd_similar,
    "doctor": cmd_doctor,
    "clusters": cmd_clusters,
    "project": cmd_project,
    "evaluate": cmd_evaluate,
    "remove": cmd_remove,
    "people": cmd_people,
}
