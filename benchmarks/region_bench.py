"""The region pass (object detector + OCR + CLIP on crops and text, then faces): seconds per
camera photo.

    python benchmarks/region_bench.py [--count 16] [--faces-count 8] [--device cpu|cuda] [--detector NAME]

Half the photos carry a large word on a sign, half are texture only. The whole-image pass runs
first (not timed here; see index_bench.py), then the region pass over the same library, with
the real detector architecture (random weights: the hub is out of reach here, and the compute
is the same) and EasyOCR's real English weights. Prints JSON: seconds per photo for the pass
and for each stage, regions per photo, and whether each word was read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.indexing.pipeline import IndexOptions  # noqa: E402
from app.library import Library  # noqa: E402
from app.ml.detector import default_detector_name  # noqa: E402
from app.ml.embedder import resolve_device  # noqa: E402
from app.ml.spec import ModelSpec  # noqa: E402
from benchmarks.synthetic_photos import make_camera_jpegs  # noqa: E402

WORDS = ("BAKERY", "PHARMACY", "STATION", "HOTEL", "MUSEUM", "GARAGE", "LIBRARY", "MARKET")


def make_signs(source: list[Path], folder: Path) -> dict[str, str]:
    """Every other photo gets a word on a sign (8% of the photo's height); returns path -> word."""
    folder.mkdir(parents=True, exist_ok=True)
    words = {}
    for i, path in enumerate(source):
        target = folder / path.name
        word = WORDS[(i // 2) % len(WORDS)] if i % 2 == 0 else None
        if word:
            words[str(target)] = word
        if target.exists():
            continue
        with Image.open(path) as image:
            image = image.convert("RGB")
            if word:
                draw = ImageDraw.Draw(image)
                font = ImageFont.load_default(size=int(image.height * 0.08))
                x0, y0, x1, y1 = draw.textbbox((image.width // 5, image.height // 3), word, font=font)
                pad = image.height // 60
                draw.rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), fill=(236, 230, 214))
                draw.text((image.width // 5, image.height // 3), word, fill=(30, 25, 25), font=font)
            image.save(target, "JPEG", quality=90)
    return words


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--detector", default="", help="torchvision detector (default: by device)")
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--faces-count", type=int, default=8, help="camera photos with a person, for the face pass")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "photo-organizer-bench-jpegs")
    args = parser.parse_args()

    device = resolve_device(args.device)
    detector = args.detector or default_detector_name(device)
    source = make_camera_jpegs(args.data, args.count)
    signs = make_signs(source, args.data.parent / (args.data.name + "-signs"))
    folder = args.data.parent / (args.data.name + "-signs")
    with tempfile.TemporaryDirectory() as work:
        os.environ["PHOTO_ORGANIZER_DETECTOR"] = detector
        os.environ["PHOTO_ORGANIZER_DETECTOR_WEIGHTS"] = str(random_detector_weights(detector, Path(work)))
        with Library(Path(work) / "lib", ModelSpec(args.model, "random"), device=args.device) as library:
            first = library.index([folder], IndexOptions(detect=False, ocr=False, faces=False))
            t0 = time.perf_counter()
            library.region_models.reader()  # model loading is a one-off; report it apart
            library.region_models.detector()
            load_s = time.perf_counter() - t0
            report = library.index([folder], IndexOptions(detect=True, ocr=True, faces=False))
            texts = (
                library.engine.connect()
                .exec_driver_sql(
                    "SELECT f.path, r.text FROM regions r JOIN files f ON f.image_id = r.image_id WHERE r.kind = 'text'"
                )
                .all()
            )
        people_folder = args.data.parent / (args.data.name + "-people")
        make_people(source[: args.faces_count], people_folder)
        faces = faces_pass(people_folder, Path(work), args.model, args.device)
    read = {path: " ".join(t for p, t in texts if p == path).upper() for path in signs}
    n = max(1, report.region_images)
    stage = report.region_seconds
    print(
        json.dumps(
            {
                "device": device,
                "cores": os.cpu_count(),
                "detector": f"{detector} (random weights)",
                "clip_model": f"{args.model} (random weights)",
                "photos": report.region_images,
                "photo_size": "4000x3000 JPEG q90; half with a word 8% of the height",
                "whole_image_pass_seconds": first.seconds,
                "model_load_seconds": round(load_s, 2),
                "region_pass_seconds": stage.get("total"),
                "seconds_per_photo": round(stage.get("total", 0.0) / n, 3),
                "detect_seconds_per_photo": round(stage.get("detect", 0.0) / n, 3),
                "ocr_seconds_per_photo": round(stage.get("ocr", 0.0) / n, 3),
                "embed_seconds_per_photo": round(stage.get("embed", 0.0) / n, 3),
                "decode_and_other_seconds_per_photo": round(
                    (
                        stage.get("total", 0.0)
                        - stage.get("detect", 0.0)
                        - stage.get("ocr", 0.0)
                        - stage.get("embed", 0.0)
                    )
                    / n,
                    3,
                ),
                "objects_per_photo": round(report.objects / n, 2),
                "text_lines_per_photo": round(report.texts / n, 2),
                "words_read": sum(1 for path, word in signs.items() if word in read[path]),
                "words_placed": len(signs),
                "warnings": report.warnings,
                "faces": {**faces, "photo_size": "4000x3000 JPEG q90; one real person a third of the height"},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
