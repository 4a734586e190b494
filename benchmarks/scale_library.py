"""A library of any size for benchmarks/scale_bench.py: real catalog rows and real vector files
with vectors shaped like a photo library, grown in place (10k, then 100k, then a million).

It starts as a real library: a few real camera JPEGs indexed by the command line with ViT-B-32
(random weights, the real model's compute), so the catalog, the model's vector file and the
quick-search export are the app's own. Synthetic photos are then added to the same catalog
and the same vector file, in time order, shaped as a lifetime of photos:

- events: groups of 3 to 30 photos of one subject (cosine ~0.85 inside a group), minutes apart,
  of which a fifth are bursts (seconds apart, near-identical); 30% loose photos between them;
- duplicates: 1% exact copies (a second file of the same image) and 1% the same photo saved
  again (another content hash, cosine ~0.99, the same moment);
- places: 60% with GPS, a group at one spot (40% around home, the rest on 400 trips), named by
  the app's own offline geocoder; cameras; albums, favourites, stars and tags on a few percent;
- thumbnails hard-linked from 256 real JPEGs (the window reads them as it reads real ones).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DIM = 512
TOPICS = 300
SEED_PHOTOS = 24
BASE_TIME = 1.2e9  # 2008: twenty years of photos end about now at a million
CAMERAS = ("Canon EOS 80D", "iPhone 13", "Pixel 7", "NIKON D750", "SM-G991B")


def command(library: Path) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that reach `library`: each command in a process of its
    own, as the targets mean it (`scale_bench` times the warm helper apart)."""
    env = {
        **os.environ,
        "PHOTO_ORGANIZER_LIBRARY": str(library),
        "PHOTO_ORGANIZER_QUERY_DIR": str(library / "query"),
        "PHOTO_ORGANIZER_SEARCH_HELPER": "0",
    }
    return [sys.executable, "-m", "app"], env


def seed_library(library: Path) -> None:
    """Index a few real photos so that the catalog, the vector file and the export are real."""
    from benchmarks.synthetic_photos import make_camera_jpegs

    photos = library.parent / f"{library.name}-seed-photos"
    make_camera_jpegs(photos, SEED_PHOTOS, size=(1024, 768), seed=7)
    app, env = command(library)
    model = ["--model", "ViT-B-32", "--pretrained", "random"]
    run = [*app, "index", str(photos), *model, "--no-detect", "--no-ocr", "--no-faces"]
    subprocess.run(run, env=env, check=True, capture_output=True)


def _engine(library: Path):  # type: ignore[no-untyped-def]
    from app.catalog.database import open_catalog
    from app.core.paths import LibraryPaths

    return open_catalog(LibraryPaths(library).catalog)


def image_count(library: Path) -> int:
    from sqlalchemy import text

    engine = _engine(library)
    with engine.connect() as conn:
        count = int(conn.execute(text("SELECT COUNT(*) FROM images")).scalar_one())
    engine.dispose()
    return count


def vector_store(library: Path):  # type: ignore[no-untyped-def]
    """The library's one model's vector file, opened as the library opens it."""
    from app.catalog.database import CATALOG_ID_KEY
    from app.catalog.meta import get_meta
    from app.vectors.store import VectorStore

    found = sorted(library.glob("vectors-*.faiss"))
    if len(found) != 1:
        raise SystemExit(f"expected one model's vector file in {library}, found {[p.name for p in found]}")
    engine = _engine(library)
    catalog_id = get_meta(engine, CATALOG_ID_KEY) or ""
    engine.dispose()
    return VectorStore(found[0], DIM, catalog_id)


class Shapes:
    """The fixed parts of the library's look: topic centres, the common direction, the spots."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        unit = 1 / np.sqrt(DIM)
        self.offset = 0.8 * rng.normal(size=DIM).astype(np.float32) * unit
        self.topics = rng.normal(size=(TOPICS, DIM)).astype(np.float32) * unit
        home = np.array([[38.7223, -9.1393]])  # Lisbon
        trips = np.column_stack((rng.uniform(-40, 65, 400), rng.uniform(-125, 150, 400)))
        self.spots = np.concatenate((home, trips))
        self.spot_weights = np.concatenate(([0.4], np.full(400, 0.6 / 400)))


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def synthetic_chunk(start: int, count: int, shapes: Shapes) -> dict[str, np.ndarray]:
    """Photos start..start+count-1 in time order: vectors, times, groups, places, copies."""
    rng = np.random.default_rng((1, start))
    unit = 1 / np.sqrt(DIM)
    sizes, is_group = [], []
    while sum(sizes) < count:
        if rng.random() < 0.3:
            sizes.append(int(rng.integers(1, 6)))  # loose photos, near nothing in particular
            is_group.append(False)
        else:
            sizes.append(int(rng.integers(3, 31)))
            is_group.append(True)
    group_of = np.repeat(np.arange(len(sizes)), sizes)[:count]
    grouped = np.array(is_group)[group_of]
    centres = shapes.topics[rng.integers(0, TOPICS, len(sizes))] + 0.8 * unit * rng.normal(size=(len(sizes), DIM))
    loose = shapes.topics[rng.integers(0, TOPICS, count)] + unit * rng.normal(size=(count, DIM))
    base = np.where(grouped[:, None], centres[group_of], loose)
    noise = 0.35 * unit * rng.normal(size=(count, DIM))
    burst = np.array([rng.random() < 0.2 for _ in sizes])[group_of] & grouped
    noise[burst] *= 0.3  # a burst: near-identical frames
    vectors = _unit_rows(shapes.offset + base + noise)
    # Time: groups a few hours to days apart, photos in a group minutes (a burst: seconds) apart.
    gaps = np.where(np.diff(group_of, prepend=-1) != 0, rng.uniform(2 * 3600, 3 * 86400, count), 0.0)
    gaps += np.where(burst, rng.uniform(0.3, 2, count), rng.uniform(20, 600, count))
    taken = BASE_TIME + start * 620.0 + np.cumsum(gaps)
    # The same photo saved again: 1% become near-copies of the photo before them.
    again = rng.random(count) < 0.01
    again[0] = False
    idx = np.flatnonzero(again)
    vectors[idx] = _unit_rows(vectors[idx - 1] + 0.03 * unit * rng.normal(size=(len(idx), DIM)))
    taken[idx] = taken[idx - 1]
    spot = rng.choice(len(shapes.spots), size=len(sizes), p=shapes.spot_weights)[group_of]
    spread = rng.normal(0, 0.02, (count, 2))
    has_gps = (rng.random(len(sizes)) < 0.6)[group_of]
    return {
        "vectors": vectors,
        "taken": taken,
        "lat": np.where(has_gps, shapes.spots[spot, 0] + spread[:, 0], np.nan),
        "lon": np.where(has_gps, shapes.spots[spot, 1] + spread[:, 1], np.nan),
        "camera": rng.integers(0, len(CAMERAS), len(sizes))[group_of],
        "copies": rng.random(count) < 0.01,  # a second file of the same image
        "again": again,  # the photo before it, saved again
    }


def _thumbnail_bases(library: Path) -> list[Path]:
    from PIL import Image

    rng = np.random.default_rng(0)
    bases = []
    for i in range(256):
        base = library / "bench-thumbnail-bases" / f"{i}.jpg"
        if not base.exists():
            base.parent.mkdir(parents=True, exist_ok=True)
            pixels = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
            Image.fromarray(pixels).resize((341, 256), Image.Resampling.BICUBIC).save(base, quality=80)
        bases.append(base)
    return bases


def files_root(library: Path) -> Path:
    """Where the photos' paths point. Only the exact copies' files exist (tiny), so that the
    duplicates scan has real files to check; every other file is missing, as on an unplugged drive."""
    return library.parent / f"{library.name}-files"


def _insert_rows(engine, first_id: int, chunk: dict[str, np.ndarray], region_ids: np.ndarray, root: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    n = len(chunk["taken"])
    ids = np.arange(first_id, first_id + n)
    images, files, regions = [], [], []
    for j, image_id in enumerate(ids.tolist()):
        lat, lon = float(chunk["lat"][j]), float(chunk["lon"][j])
        gps = not np.isnan(lat)
        images.append(
            {
                "i": image_id,
                "h": f"{image_id:064x}",
                "t": float(chunk["taken"][j]),
                "c": CAMERAS[int(chunk["camera"][j])],
                "lat": lat if gps else None,
                "lon": lon if gps else None,
            }
        )
        month = time.strftime("%Y/%m", time.gmtime(float(chunk["taken"][j])))
        folder = f"{root}/photos/{month}"
        files.append({"p": f"{folder}/IMG_{image_id:07d}.jpg", "f": folder, "i": image_id})
        if chunk["copies"][j]:
            copy = f"{root}/backup/{month}"
            files.append({"p": f"{copy}/IMG_{image_id:07d}.jpg", "f": copy, "i": image_id})
            for made in files[-2:]:
                Path(made["f"]).mkdir(parents=True, exist_ok=True)
                Path(made["p"]).write_bytes(b"\xff\xd8")
        regions.append({"r": int(region_ids[j]), "i": image_id, "v": chunk["vectors"][j].tobytes()})
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO images(id, content_hash, byte_size, width, height, format, taken_at, camera, added_at, "
                "latitude, longitude, gps_read) VALUES (:i, :h, 2500000, 4000, 3000, 'JPEG', :t, :c, 0, :lat, :lon, 1)"
            ),
            images,
        )
        conn.execute(
            text("INSERT INTO files(path, folder, size, mtime_ns, image_id) VALUES (:p, :f, 2500000, 0, :i)"), files
        )
        conn.execute(
            text(
                "INSERT INTO regions(id, image_id, kind, x0, y0, x1, y1, confidence, vector) "
                "VALUES (:r, :i, 'image', 0, 0, 1, 1, 1, :v)"
            ),
            regions,
        )


def grow(library: Path, target: int, say=print) -> dict:  # type: ignore[no-untyped-def]
    """Add synthetic photos until the library holds `target`; returns what it took."""
    from sqlalchemy import text

    from app.core.paths import LibraryPaths

    started = time.perf_counter()
    if not (library / "catalog.sqlite").exists():
        seed_library(library)
    engine = _engine(library)
    with engine.connect() as conn:
        have = int(conn.execute(text("SELECT COUNT(*) FROM images")).scalar_one())
        next_image = int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM images")).scalar_one()) + 1
        next_region = int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM regions")).scalar_one()) + 1
    if have >= target:
        engine.dispose()
        return {"added": 0, "seconds": 0.0}
    store = vector_store(library)
    shapes, bases, paths = Shapes(), _thumbnail_bases(library), LibraryPaths(library)
    added = 0
    while have + added < target:
        n = min(50_000, target - have - added)
        chunk = synthetic_chunk(have + added, n, shapes)
        region_ids = np.arange(next_region, next_region + n)
        _insert_rows(engine, next_image, chunk, region_ids, files_root(library))
        store.add(region_ids, chunk["vectors"])
        base_of = np.arange(next_image, next_image + n) % len(bases)
        for j in np.flatnonzero(chunk["again"]):
            base_of[j] = base_of[j - 1]  # saved again: the same pixels
        for j, image_id in enumerate(range(next_image, next_image + n)):
            thumb = paths.thumbnail(f"{image_id:064x}")
            thumb.parent.mkdir(parents=True, exist_ok=True)
            if not thumb.exists():
                os.link(bases[base_of[j]], thumb)
        next_image, next_region, added = next_image + n, next_region + n, added + n
        say(f"scale_library: {have + added:,} photos ({time.perf_counter() - started:.0f} s)")
    store.save()
    _decisions(engine, have, have + added)
    from app.indexing.place_naming import name_places

    name_places(engine, paths)  # as an index run does: every photo's city, region and country
    engine.dispose()
    return {"added": added, "seconds": round(time.perf_counter() - started, 1)}


def _decisions(engine, start: int, end: int) -> None:  # type: ignore[no-untyped-def]
    """Albums, favourites, stars and tags on a few percent of the photos just added."""
    from app.catalog.albums import add_to_album, create_album
    from app.catalog.photo_marks import set_marks
    from app.catalog.tags import add_tag

    rng = np.random.default_rng((2, start))
    ids = np.arange(start + 1, end + 1)
    for a in range(20):
        name = f"Trips/Trip {a:02d}" if a % 2 else f"Album {a:02d}"
        try:
            create_album(engine, name)
        except Exception:  # noqa: BLE001 - made at an earlier size
            pass
        add_to_album(engine, name, rng.choice(ids, size=max(1, len(ids) // 500), replace=False).tolist())
    set_marks(engine, rng.choice(ids, size=len(ids) // 50, replace=False).tolist(), favourite=1)
    set_marks(engine, rng.choice(ids, size=len(ids) // 20, replace=False).tolist(), stars=int(rng.integers(1, 6)))
    for tag in ("Family/Anna", "Family/Ben", "Work", "Holidays/Summer"):
        add_tag(engine, tag, rng.choice(ids, size=len(ids) // 100, replace=False).tolist())
