"""What a quick-search export must still be when it is read: each file of the size written at
export, with its checksum (whole for small files; for the large weight files, a digest of their
size and 64 blocks spread through them, which a file of other weights or a truncated one never
matches), and a known input that must still give the vector it gave torch at export. A damaged
export (a truncated download of the cache, a disk error, files copied from another model) is
found here instead of ranking photos silently wrong."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

WHOLE_HASH_LIMIT = 16 << 20  # files up to this size are hashed whole
SAMPLES = 64
SAMPLE_BYTES = 4096
CHECK_TEXT = "a photo of a dog on a beach"


class ExportDamaged(ValueError):
    """The export's files are not what was written, or no longer give what they gave."""


def _digest(path: Path, size: int) -> str:
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as f:
        if size <= WHOLE_HASH_LIMIT:
            digest.update(f.read())
        else:
            step = (size - SAMPLE_BYTES) // (SAMPLES - 1)
            for k in range(SAMPLES):
                f.seek(k * step)
                digest.update(f.read(SAMPLE_BYTES))
    return digest.hexdigest()


def describe_files(folder: Path, names: Sequence[str]) -> dict[str, dict[str, object]]:
    """name -> {size, digest} for each of `names` in `folder` (written into the export's meta)."""
    out: dict[str, dict[str, object]] = {}
    for name in names:
        size = (folder / name).stat().st_size
        out[name] = {"size": size, "digest": _digest(folder / name, size)}
    return out


def exported_names(folder: Path, stems: Sequence[str]) -> list[str]:
    """The files in `folder` that belong to the exported parts named by `stems` (a tower's graph
    and the weights beside it)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and any(p.name.startswith(s) for s in stems))


def check_files(folder: Path, files: object, names: Sequence[str]) -> None:
    """Raise ExportDamaged unless each of `names` is as `files` (from the meta) describes it."""
    if not isinstance(files, dict):
        raise ExportDamaged(f"{folder} was exported by an older version, without checksums")
    for name in names:
        facts = files.get(name)
        if not isinstance(facts, dict):
            raise ExportDamaged(f"{folder / name} is not described by the export")
        try:
            size = os.stat(folder / name).st_size
        except OSError as exc:
            raise ExportDamaged(f"{folder / name} cannot be read ({exc.strerror or exc})") from None
        if size != facts.get("size"):
            raise ExportDamaged(f"{folder / name} has {size} bytes, not the {facts.get('size')} written")
        if _digest(folder / name, size) != facts.get("digest"):
            raise ExportDamaged(f"{folder / name} does not match its checksum")


def check_vector(got: np.ndarray, check: object, what: str) -> None:
    """Raise ExportDamaged unless `got` is the vector the meta's `check` recorded."""
    if not isinstance(check, dict) or "vector" not in check:
        raise ExportDamaged(f"the {what} export has no check vector (an older version)")
    expected = np.asarray(check["vector"], dtype=np.float32)
    tolerance = float(check.get("tolerance", 1e-4)) * 4
    if got.shape != expected.shape or not float(np.abs(got - expected).max()) <= tolerance:
        raise ExportDamaged(f"the {what} export no longer gives the vectors it gave at export")


def check_pixels(side: int) -> np.ndarray:
    """The image tower's known input: a fixed pattern the size of the model's input."""
    return np.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=np.uint8)
