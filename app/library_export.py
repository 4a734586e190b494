"""Taking photos out: copies of the originals (byte for byte, dates kept) or resized JPEGs that
keep their EXIF, into a folder the person chose. The originals are only ever read.

An export is all or nothing: files are written into a hidden folder inside the destination
first and moved into place only once every one is there, so a full disk, a file that cannot be
read or a cancel leaves the destination as it was. A name already taken gets a suffix
("IMG_2001 (2).jpg"); nothing is ever overwritten. The destination may not be the library's
own folder or a folder of photos the library indexes (the copies would be indexed as photos)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from app.catalog.schema import FileRow, ImageRow
from app.catalog.sql_helpers import chunks
from app.core.errors import CancelledError, UserError
from app.core.media_kinds import is_video
from app.core.paths import display_path
from app.core.storage import is_storage_full

SMALLEST, LARGEST = 64, 20_000  # the long side of a resized copy, in pixels
STAGING_PREFIX = ".photo-organizer-export-"


@dataclass
class ExportReport:
    destination: str
    exported: list[str] = field(default_factory=list)  # the files written, as named in the destination
    resized: int = 0
    copied: int = 0  # originals copied as they are (videos are, even when resizing)
    missing: list[str] = field(default_factory=list)  # originals gone since they were indexed
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {
            "destination": self.destination,
            "exported": self.exported,
            "copied": self.copied,
            "resized": self.resized,
            "missing": self.missing,
            "seconds": round(self.seconds, 3),
        }


Progress = Callable[[int, int], None]


def checked_destination(destination: Path | str, library_root: Path, roots: Sequence[str]) -> Path:
    """The folder to export into (made if missing), or a UserError saying why not there."""
    dest = Path(os.path.abspath(Path(destination).expanduser()))
    real = Path(os.path.realpath(dest))
    library = Path(os.path.realpath(library_root))
    if real == library or library in real.parents:
        raise UserError(f"cannot export into the library's own folder ({display_path(str(dest))}): choose another")
    for root in roots:
        real_root = Path(os.path.realpath(root))
        if real == real_root or real_root in real.parents:
            raise UserError(
                f"cannot export into {display_path(str(dest))}: it is inside {display_path(root)}, a folder of photos "
                "the library indexes (the copies would become photos of the library); choose another"
            )
    if dest.exists() and not dest.is_dir():
        raise UserError(f"cannot export into {display_path(str(dest))}: it is a file, not a folder")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot make the folder {display_path(str(dest))}: {exc.strerror or exc}") from None
    if not os.access(dest, os.W_OK | os.X_OK):
        raise UserError(f"cannot write into {display_path(str(dest))}: permission denied")
    return dest


def checked_size(size: int | None) -> int | None:
    if size is not None and not SMALLEST <= size <= LARGEST:
        raise UserError(f"the size (--size) is the long side in pixels, from {SMALLEST} to {LARGEST}, not {size}")
    return size


def originals(engine: Engine, image_ids: Sequence[int]) -> list[tuple[int, str | None, float | None, str | None]]:
    """(image id, its first file that still exists or None, date taken, camera) in the order given."""
    paths: dict[int, list[str]] = {}
    facts: dict[int, tuple[float | None, str | None]] = {}
    with engine.connect() as conn:
        for chunk in chunks(list(image_ids)):
            for image_id, path in conn.execute(
                select(FileRow.image_id, FileRow.path).where(FileRow.image_id.in_(chunk)).order_by(FileRow.path)
            ):
                paths.setdefault(image_id, []).append(path)
            for image_id, taken, camera in conn.execute(
                select(ImageRow.id, ImageRow.taken_at, ImageRow.camera).where(ImageRow.id.in_(chunk))
            ):
                facts[image_id] = (taken, camera)
    found = []
    for image_id in dict.fromkeys(image_ids):
        present = next((p for p in paths.get(image_id, []) if os.path.isfile(p)), None)
        taken, camera = facts.get(image_id, (None, None))
        found.append((image_id, present, taken, camera))
    return found


def export_photos(
    engine: Engine,
    image_ids: Sequence[int],
    destination: Path,
    size: int | None = None,
    progress: Progress | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> ExportReport:
    """Export the photos into `destination` (already checked); all or nothing."""
    started = time.perf_counter()
    report = ExportReport(str(destination))
    sources = originals(engine, image_ids)
    report.missing = [f"image {image_id}" for image_id, path, _t, _c in sources if path is None]
    todo = [(path, taken, camera) for _id, path, taken, camera in sources if path is not None]
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=destination))
    try:
        staged: list[tuple[Path, str]] = []  # (file in staging, the name it wants)
        for done, (path, taken, camera) in enumerate(todo):
            if stopped():
                raise CancelledError("export cancelled: nothing was exported")
            if progress is not None:
                progress(done, len(todo))
            name = Path(path).name
            target = staging / f"{done:06d}"
            if size is None or is_video(path):
                shutil.copy2(path, target)
                report.copied += 1
            else:
                write_resized(path, target, size, taken, camera)
                shutil.copystat(path, target)
                name = Path(name).stem + ".jpg"
                report.resized += 1
            staged.append((target, name))
        if stopped():
            raise CancelledError("export cancelled: nothing was exported")
        taken_names = {entry.name.casefold() for entry in destination.iterdir()}
        for target, name in staged:
            report.exported.append(_place(target, destination, name, taken_names))
        if progress is not None:
            progress(len(todo), len(todo))
    except BaseException as exc:
        for placed in report.exported:  # moved in before something failed: taken back out
            with contextlib.suppress(OSError):
                (destination / placed).unlink()
        report.exported = []
        if isinstance(exc, OSError) and is_storage_full(exc):
            raise UserError(
                f"{display_path(str(destination))} is full: nothing was exported (the export needs more room)"
            ) from None
        if isinstance(exc, OSError):
            where = display_path(str(exc.filename or destination))
            raise UserError(f"export stopped at {where}: {exc.strerror or exc}; nothing was exported") from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _place(staged: Path, destination: Path, name: str, taken: set[str]) -> str:
    """Move a staged file to `name` in the destination, or "name (2)", "name (3)"… when taken;
    returns the name used. Never replaces a file (a link fails on an existing name)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 100_000):
        candidate = name if n == 1 else f"{stem} ({n}){suffix}"
        if candidate.casefold() in taken:
            continue
        try:
            os.link(staged, destination / candidate)
            staged.unlink()
        except FileExistsError:
            taken.add(candidate.casefold())
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            if (destination / candidate).exists():  # no hard links here (FAT, exFAT): look, then move
                taken.add(candidate.casefold())
                continue
            os.rename(staged, destination / candidate)
        taken.add(candidate.casefold())
        return candidate
    raise UserError(f"too many files named like {name} in {display_path(str(destination))}")


def write_resized(path: str, target: Path, size: int, taken: float | None, camera: str | None) -> None:
    """A JPEG of the photo, upright, at most `size` on its long side, with the original's EXIF
    (orientation reset: the pixels are upright now); a RAW whose EXIF Pillow cannot read keeps
    its date taken and camera."""
    from PIL import Image

    from app.indexing.decoding import decode_for_regions, read_file

    pixels = decode_for_regions(read_file(path), size)
    picture = Image.fromarray(pixels)
    exif = Image.Exif()
    with contextlib.suppress(Exception), Image.open(path) as original:  # EXIF Pillow may not read
        exif = original.getexif()
    if 0x0112 in exif:
        exif[0x0112] = 1  # upright
    if not exif.get_ifd(0x8769).get(0x9003) and taken is not None:
        exif.get_ifd(0x8769)[0x9003] = time.strftime("%Y:%m:%d %H:%M:%S", time.localtime(taken))
    if camera and 0x0110 not in exif:
        exif[0x0110] = camera
    picture.save(target, "JPEG", quality=90, exif=exif.tobytes(), optimize=True)
