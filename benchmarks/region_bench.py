"""The region pass (object detector + OCR + CLIP on crops and text, then faces): seconds per
photo, by kind of photo, with the text-presence gate and without it.

    python benchmarks/region_bench.py [--per-kind 6] [--faces-count 8] [--device cpu|cuda] [--detector NAME]

Kinds (benchmarks/region_photos.py): camera JPEGs with a large sign, with a small sign and
without text; real photos without text; large PNG wallpapers with and without a caption;
screenshots. Each kind is added to the library in turn: the whole-image pass first (not timed
here; see index_bench.py), then the region pass over it, with the real detector architecture
(random weights: the hub is out of reach here, and the compute is the same) and EasyOCR's real
English weights. The same photos go through a second library with the gate off. Prints JSON:
seconds per photo per kind and stage, both ways; the mix (equal numbers of every kind); the
lines of text each way and any line the ungated reader found that the gated one did not; the
face pass apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.indexing.pipeline import IndexOptions  # noqa: E402
from app.library import Library  # noqa: E402
from app.ml.detector import default_detector_name  # noqa: E402
from app.ml.embedder import resolve_device  # noqa: E402
from app.ml.spec import ModelSpec  # noqa: E402
from benchmarks.region_photos import make_kinds  # noqa: E402
from benchmarks.synthetic_photos import make_camera_jpegs  # noqa: E402


def make_people(source: list[Path], folder: Path) -> int:
    """Camera photos with a real person in them (the face_recognition package's portraits,
    fetched from the registry, pasted at about a third of the photo's height); returns how
    many faces were placed."""
    from tests.helpers.faces import face_photos

    folder.mkdir(parents=True, exist_ok=True)
    portraits = [face_photos()[n] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")]
    for i, path in enumerate(source):
        target = folder / f"person-{path.name}"
        if target.exists():
            continue
        with Image.open(path) as image, Image.open(portraits[i % len(portraits)]) as portrait:
            image = image.convert("RGB")
            scale = image.height / 3 / portrait.height
            portrait = portrait.convert("RGB").resize((round(portrait.width * scale), round(portrait.height * scale)))
            image.paste(portrait, (image.width // 3, image.height // 3))
            image.save(target, "JPEG", quality=90)
    return len(source)


def faces_pass(folder: Path, work: Path, model: str, device: str) -> dict:
    """The face pass alone over camera photos with one person each: seconds per photo."""
    with Library(work / "faces-lib", ModelSpec(model, "random"), device=device) as library:
        library.index([folder], IndexOptions(detect=False, ocr=False, faces=False))
        t0 = time.perf_counter()
        models = library.region_models.faces()
        load_s = time.perf_counter() - t0
        report = library.index([folder], IndexOptions(detect=False, ocr=False, faces=True))
        people = library.people.all()
    n = max(1, report.region_images)
    return {
        "detector": models.detector().name,
        "describer": models.describer().name,
        "photos": report.region_images,
        "faces_found": report.faces,
        "people": len(people),
        "model_load_seconds": round(load_s, 2),
        "face_seconds_per_photo": round(report.region_seconds.get("faces", 0.0) / n, 3),
        "pass_seconds_per_photo": round(report.region_seconds.get("total", 0.0) / n, 3),
    }


def random_detector_weights(name: str, folder: Path) -> Path:
    import torch
    import torchvision

    path = folder / f"{name}-random.pth"
    if not path.exists():
        model = torchvision.models.get_model(name, weights=None, weights_backbone=None, num_classes=91)
        torch.save(model.state_dict(), path)
    return path


# A phone's camera roll, roughly: mostly photos, a fifth of them showing some text (a sign, a
# menu, a label), one in ten a screenshot, a few large downloaded pictures.
CAMERA_ROLL = {
    "camera, no text": 0.55,
    "camera, large sign": 0.08,
    "camera, small sign": 0.07,
    "real photo, no text": 0.15,
    "large PNG, no text": 0.04,
    "large PNG, caption": 0.01,
    "screenshot": 0.10,
}


def per_photo(seconds: dict[str, float], photos: int) -> dict[str, float]:
    n = max(1, photos)
    staged = ("detect", "ocr", "embed")
    out = {"seconds_per_photo": round(seconds.get("total", 0.0) / n, 3)}
    out |= {f"{stage}_seconds_per_photo": round(seconds.get(stage, 0.0) / n, 3) for stage in staged}
    other = seconds.get("total", 0.0) - sum(seconds.get(stage, 0.0) for stage in staged)
    out["decode_and_other_seconds_per_photo"] = round(other / n, 3)
    return out


class RegionLibrary:
    """A library indexing with the gate on or off; kinds are added to it one at a time."""

    def __init__(self, folder: Path, model: str, device: str, gate: bool) -> None:
        os.environ["PHOTO_ORGANIZER_TEXT_GATE"] = "1" if gate else "0"  # read as the library opens
        self.library = Library(folder, ModelSpec(model, "random"), device=device)
        t0 = time.perf_counter()
        self.reader = self.library.region_models.reader()  # model loading is a one-off; report it apart
        self.library.region_models.detector()
        self.load_seconds = round(time.perf_counter() - t0, 2)

    def add(self, folder: Path) -> dict:
        self.library.index([folder], IndexOptions(detect=False, ocr=False, faces=False))
        skipped = self.reader.gated_out
        report = self.library.index([folder], IndexOptions(detect=True, ocr=True, faces=False))
        return per_photo(report.region_seconds, report.region_images) | {
            "photos": report.region_images,
            "seconds": round(report.region_seconds.get("total", 0.0), 2),
            "objects": report.objects,
            "text_lines": report.texts,
            "gated_out": self.reader.gated_out - skipped,
            "warnings": report.warnings,
        }

    def lines(self) -> list[tuple[str, str]]:
        sql = "SELECT f.path, r.text FROM regions r JOIN files f ON f.image_id = r.image_id WHERE r.kind = 'text'"
        with self.library.engine.connect() as connection:
            return sorted({(p, t) for p, t in connection.exec_driver_sql(sql).all()})


def region_pass_by_kind(kinds: dict[str, Path], work: Path, model: str, device: str) -> dict:
    """Each kind added to the gated library, then to the ungated one, kind after kind, so that
    a slower minute of a shared machine falls on both ways alike."""
    ways = {"gated": RegionLibrary(work / "gated", model, device, True)}
    ways["ungated"] = RegionLibrary(work / "ungated", model, device, False)
    try:
        by_kind = {kind: {way: lib.add(folder) for way, lib in ways.items()} for kind, folder in kinds.items()}
        return {
            "model_load_seconds": {way: lib.load_seconds for way, lib in ways.items()},
            "kinds": by_kind,
            "lines": {way: lib.lines() for way, lib in ways.items()},
        }
    finally:
        for lib in ways.values():
            lib.library.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-kind", type=int, default=6, help="photos of each kind")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--detector", default="", help="torchvision detector (default: by device)")
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--faces-count", type=int, default=8, help="camera photos with a person, for the face pass")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "photo-organizer-bench-regions")
    args = parser.parse_args()

    device = resolve_device(args.device)
    detector = args.detector or default_detector_name(device)
    kinds, words = make_kinds(args.data, args.per_kind)
    with tempfile.TemporaryDirectory() as work:
        os.environ["PHOTO_ORGANIZER_DETECTOR"] = detector
        os.environ["PHOTO_ORGANIZER_DETECTOR_WEIGHTS"] = str(random_detector_weights(detector, Path(work)))
        passes = region_pass_by_kind(kinds, Path(work), args.model, device)
        source = make_camera_jpegs(args.data / "camera-source", args.faces_count)
        people_folder = args.data / "people"
        make_people(source[: args.faces_count], people_folder)
        faces = faces_pass(people_folder, Path(work), args.model, device)

    def words_read(lines: list[tuple[str, str]]) -> int:
        read = {}
        for path, text in lines:
            read[path] = read.get(path, "") + " " + text.upper()
        return sum(1 for path, word in words.items() if word.upper() in read.get(path, ""))

    kinds_out = {}
    for kind, folder in kinds.items():
        with Image.open(next(folder.iterdir())) as sample:
            size = f"{sample.width}x{sample.height} {sample.format}"
        placed = sum(1 for path in words if Path(path).parent == folder)
        in_kind = [(p, t) for p, t in passes["lines"]["ungated"] if Path(p).parent == folder]
        in_kind_gated = [(p, t) for p, t in passes["lines"]["gated"] if Path(p).parent == folder]
        kinds_out[kind] = {
            "example_size": size,
            "words_placed": placed,
            "words_read": {"gated": words_read(in_kind_gated), "ungated": words_read(in_kind)},
            "gated": passes["kinds"][kind]["gated"],
            "ungated": passes["kinds"][kind]["ungated"],
        }
    photos = sum(k["gated"]["photos"] for k in kinds_out.values())
    gated_s = sum(k["gated"]["seconds"] for k in kinds_out.values())
    ungated_s = sum(k["ungated"]["seconds"] for k in kinds_out.values())
    lines = passes["lines"]
    lost = sorted(set(lines["ungated"]) - set(lines["gated"]))
    print(
        json.dumps(
            {
                "device": device,
                "cores": os.cpu_count(),
                "detector": f"{detector} (random weights)",
                "clip_model": f"{args.model} (random weights)",
                "model_load_seconds": passes["model_load_seconds"],
                "mix": {
                    "what": f"{args.per_kind} photos of each of the {len(kinds)} kinds",
                    "photos": photos,
                    "gated_seconds_per_photo": round(gated_s / max(1, photos), 3),
                    "ungated_seconds_per_photo": round(ungated_s / max(1, photos), 3),
                    "ungated_over_gated": round(ungated_s / gated_s, 2) if gated_s else None,
                },
                "camera_roll": {
                    "what": "the kinds weighted as a phone's camera roll: " + json.dumps(CAMERA_ROLL),
                    **{
                        f"{way}_seconds_per_photo": round(
                            sum(w * kinds_out[k][way]["seconds_per_photo"] for k, w in CAMERA_ROLL.items()), 3
                        )
                        for way in ("gated", "ungated")
                    },
                },
                "text_lines": {
                    "ungated": len(lines["ungated"]),
                    "gated": len(lines["gated"]),
                    "found_only_ungated": [f"{Path(p).parent.name}/{Path(p).name}: {t}" for p, t in lost],
                    "words_placed": len(words),
                    "words_read": {way: words_read(found) for way, found in lines.items()},
                },
                "kinds": kinds_out,
                "faces": {**faces, "photo_size": "4000x3000 JPEG q90; one real person a third of the height"},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
