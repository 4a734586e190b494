"""What the window says about long work, as plain text (tested without Qt)."""

from __future__ import annotations

from app.analysis.results import Clustering
from app.indexing.report import QUICK_SEARCHES, IndexProgress, IndexReport, time_left


def _eta(seconds: float | None) -> str:
    return f" · {time_left(seconds)}" if seconds else ""


def progress_text(p: IndexProgress, device: str) -> str:
    if p.phase == "scanning":
        return f"Looking for photos… {p.done} found"
    if p.phase == "exporting":
        return f"Exporting · {p.done:,} / {p.total:,} photos"
    if p.phase == "teaching":
        return f"Teaching {p.current} · step {p.done} / {p.total}"
    if p.phase == "names":
        return f"Learning taught names for the new model · {p.current}"
    if p.phase == "re-embedding":
        return f"Switching model · re-embedding {p.done:,} / {p.total:,} from thumbnails"
    if p.phase == QUICK_SEARCHES:
        return "Preparing quick searches for this model (once, about half a minute)…"
    if p.phase == "regions":
        return f"Finding objects and text · {p.done:,} / {p.total:,} photos{_eta(p.eta_seconds)}"
    return f"Indexing {p.done:,} / {p.total:,} · {p.rate:.1f} img/s{_eta(p.eta_seconds)}  {device}".rstrip()


def report_text(report: IndexReport) -> str:
    verb = "Stopped" if report.cancelled else "Done"
    found = f" · {report.objects} objects, {report.texts} lines of text" if report.region_images else ""
    if report.regions_deferred:
        found += " · objects and text continue after the next folder"
    return f"{verb}: {report.new} new, {report.moved} moved, {report.removed} removed, {report.failed} skipped{found}"


def results_text(count: int, within: str | None = None) -> str:
    if within is not None:
        return f"{count} photos in {within}, best first · Esc returns to the event"
    return f"{count} photos, best first · Esc shows all photos"


NO_RESULTS = "No matching photos. Try other words, or lower the threshold."
READ_ONLY = "this library is read-only (read-only media or a shared folder)"


def cluster_summary(clustering: Clustering | None) -> str:
    """ "19 groups · 12 photos in none · radius 0.0134" under the clusters' slider."""
    if clustering is None:
        return ""
    text = f"{len(clustering.clusters)} groups · {clustering.noise} photos in none"
    if clustering.radius:
        text += f" · radius {clustering.radius['eps']:.3g}"
    return text
