"""What every command shares: opening the library, printing one JSON object or lines for a
person, progress and download lines on stderr, filters, and the exit statuses."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.indexing.report import QUICK_SEARCHES

if TYPE_CHECKING:
    from app.library import Library
    from app.search.query import SearchFilters

log = logging.getLogger(__name__)

EXIT_USER_ERROR = 2
MOST_IN_A_GROUP = 100_000  # a bound for sizes typed on the command line (memory is sized by them)


EXIT_INTERRUPTED = 130


def search_filters(args: argparse.Namespace) -> SearchFilters:
    from app.search.query import SearchFilters, parse_date, parse_formats

    return SearchFilters(
        folder=os.path.abspath(args.folder.expanduser()) if args.folder else None,
        after=parse_date(args.after) if args.after else None,
        before=parse_date(args.before, end_of_day=True) if args.before else None,
        formats=parse_formats(args.type) if args.type else frozenset(),
        place=args.place.strip() if getattr(args, "place", None) and args.place.strip() else None,
        event=getattr(args, "event", None),
        album=getattr(args, "album", None),
        tag=getattr(args, "tag", None),
        min_stars=getattr(args, "min_stars", None),
        favourites=bool(getattr(args, "favourites", False)),
        rejected=bool(getattr(args, "rejected", False)),
    )


def within_event(args: argparse.Namespace, library: Library, filters: SearchFilters) -> SearchFilters:
    """`--event ID`: the filters narrowed to that event's photos (and, for `--place`, places
    estimated from events made again first)."""
    if filters.place:
        refresh_estimated_places(library)
    if getattr(args, "event", None) is None:
        return filters
    from dataclasses import replace

    from app.analysis.library_analysis import AnalysisInputs
    from app.analysis.library_events import event_photos
    from app.core.errors import UserError

    photos = event_photos(AnalysisInputs.of(library), args.event)
    if photos is None:
        raise UserError(f"there is no event {args.event}: `photo-organizer events` lists them")
    return replace(filters, images=photos if filters.images is None else filters.images & photos)


def emit(args: argparse.Namespace, payload: dict, human: str) -> None:
    if args.json:
        text = json.dumps(payload, ensure_ascii=False)
        # A file name that is not UTF-8 holds lone surrogates (one per bad byte): written as JSON
        # escapes (\udcff), which json.loads and os.fsencode turn back into the same bytes.
        sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
    else:
        sys.stdout.write(human.rstrip("\n").encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
    sys.stdout.flush()


def catalog_failure(exc: Exception, args: argparse.Namespace) -> BaseException | None:
    """The catalog's failure as a person reads it (`readable_error`), or None for any other."""
    from app.catalog.database import readable_error
    from app.core.paths import LibraryPaths

    root = (getattr(args, "library", None) or default_library()).expanduser().resolve()
    readable = readable_error(exc, LibraryPaths(root).catalog)
    return readable if readable is not exc else None


def one_line(message: str) -> str:
    return " ".join(message.split("\n")).encode("utf-8", "backslashreplace").decode("utf-8")


def open_library(args: argparse.Namespace, create: bool = False) -> Library:
    """The library `--library` names; only `index` creates one (`create`)."""
    from app.library import Library
    from app.ml.spec import requested_spec

    spec = requested_spec(getattr(args, "model", None), getattr(args, "pretrained", None))
    library = Library(args.library, model=spec, device=getattr(args, "device", "auto"), create=create)
    library.on_download = DownloadLine()
    return library


def read_vectors_meanwhile(library: Library) -> None:
    """Map the library's vector file read-only on a thread while the words are read and encoded
    (FAISS lets go of the GIL while it reads); the search waits for it where it needs it."""
    store = library.store
    if store is None:
        return

    def read() -> None:
        try:
            store.load(view=True)
        except Exception:  # noqa: BLE001 - the search reads it again, and says what is wrong
            log.debug("reading the vector file ahead failed", exc_info=True)

    threading.Thread(target=read, name="read-vectors").start()


def given_paths(raw: Sequence[str]) -> list[Path]:
    from app.core.errors import UserError

    if any(not p.strip() for p in raw):
        raise UserError("an empty path was given; name a folder or a photo")
    return [Path(p).expanduser() for p in raw]


def hits_out(args: argparse.Namespace, hits: list, started: float, extra: dict | None = None) -> int:
    from app.core.paths import display_path

    payload = {"results": [h.to_json() for h in hits], "seconds": round(time.perf_counter() - started, 4)}
    said = (extra or {}).pop("understood_said", ())
    payload.update(extra or {})
    if not hits:
        human = "no matching photos (try a lower --threshold or other words)"
    else:
        human = "\n".join(
            f"{h.score:.3f}  {display_path(h.path)}  ({one_line(h.why)})"
            + (f"  [RAW+JPEG: {display_path(h.pair)}]" if h.pair else "")
            for h in hits
        )
    if said:
        human = "understood: " + " · ".join(f"{p.kind} {p.label}" for p in said) + "\n" + human
    if extra and extra.get("saved_as"):
        human += f"\nsaved as the smart album {extra['saved_as']} (it runs this search each time it is shown)"
    emit(args, payload, human)
    return 0


def eps_arg(text: str | float | None) -> float | None:
    """--eps: "auto" (None: chosen from the data) or a cosine distance in (0, 2]."""
    from app.core.errors import UserError

    if text is None or (isinstance(text, str) and text.strip().lower() == "auto"):
        return None
    try:
        eps = float(text)
    except ValueError:
        raise UserError(f"--eps is auto or a cosine distance between 0 and 2, not {text!r}") from None
    if not 0 < eps <= 2:  # false for NaN too
        raise UserError("--eps is auto or a cosine distance between 0 and 2")
    return eps


def check_cluster_args(args: argparse.Namespace) -> None:
    from app.core.errors import UserError

    args.eps = eps_arg(args.eps)
    if not 0.0 <= getattr(args, "strictness", 0.5) <= 1.0:  # false for NaN too
        raise UserError("--strictness is between 0 (looser groups) and 1 (tighter); 0.5 is the default")
    if not 1 <= args.min_samples <= MOST_IN_A_GROUP:
        raise UserError(f"--min-samples is a group size from 1 to {MOST_IN_A_GROUP:,}")
    if getattr(args, "k", None) is not None and not 2 <= args.k <= MOST_IN_A_GROUP:
        raise UserError(f"--k is a number of clusters from 2 to {MOST_IN_A_GROUP:,}")


def default_library() -> Path:
    from app.core.paths import default_library_dir

    return default_library_dir()


class DownloadLine:
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


class ProgressLine:
    """A single self-rewriting progress line on a terminal's stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = 0.0
        self._phase = ""

    def __call__(self, p: Any) -> None:
        # At most five lines a second, but a new phase always shows (it may be the last word).
        if not self.enabled or (p.phase == self._phase and time.monotonic() - self._last < 0.2):
            return
        self._last, self._phase = time.monotonic(), p.phase
        if p.phase == "scanning":
            text = f"scanning… {p.done} photos found"
        elif p.phase == "re-embedding":
            text = f"switching model: re-embedding {p.done}/{p.total} from thumbnails"
        elif p.phase == "names":
            text = f"learning taught names for the new model: {p.current} ({p.done}/{p.total} steps)"
        elif p.phase == "regions":
            text = f"objects and text in photos: {p.done}/{p.total} ({p.embedded} regions)"
        elif p.phase == QUICK_SEARCHES:
            text = "preparing quick searches with this model (once)…"
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


def refresh_estimated_places(library: Library) -> None:
    """Places estimated from each photo's event made again where what they come from changed
    (what `places` counts and `--place` filters by; `status` only says whether they are)."""
    from app.analysis.estimated_places import estimate_places
    from app.analysis.library_analysis import AnalysisInputs

    estimate_places(AnalysisInputs.of(library), counted=False)
