"""`evaluate`: index a labelled folder tree (one folder per class) into a throwaway library and
measure retrieval and clustering quality on it. The user's library is never touched."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from app.analysis.evaluation import evaluate_vectors
from app.catalog import analysis_vectors, lookups
from app.core.errors import UserError
from app.indexing.scanner import scan
from app.ml.spec import ModelSpec


def class_folders(dataset: Path) -> list[Path]:
    if not dataset.is_dir():
        raise UserError(f"no such folder: {dataset}")
    folders = sorted(p for p in dataset.iterdir() if p.is_dir() and not p.name.startswith("."))
    with_images = [p for p in folders if scan([p]).files]
    if len(with_images) < 2:
        raise UserError(f"{dataset} needs at least two class folders with photos in them (one folder per class)")
    return with_images


def class_name(folder: Path) -> str:
    return folder.name.replace("_", " ").replace("-", " ").strip()


def evaluate_dataset(
    dataset: Path, spec: ModelSpec | None, device: str = "auto", eps: float | None = None, min_samples: int = 2
) -> dict:
    from app.library import Library

    started = time.perf_counter()
    dataset = Path(os.path.abspath(dataset.expanduser()))
    folders = class_folders(dataset)
    names = [class_name(f) for f in folders]
    with (
        tempfile.TemporaryDirectory(prefix="photo-organizer-eval-") as scratch,
        Library(Path(scratch), spec, device) as library,
    ):
        report = library.index(folders)
        _, image_ids, vectors = analysis_vectors.vectors_for_analysis(library.engine, "image")
        if len(image_ids) < 4:
            raise UserError(f"only {len(image_ids)} readable photos in {dataset}; evaluation needs more")
        infos = lookups.images(library.engine, [int(i) for i in image_ids.tolist()])
        labels = np.empty(len(image_ids), dtype=np.int64)
        for row, image_id in enumerate(image_ids.tolist()):
            path = infos[int(image_id)].paths[0]
            labels[row] = next(i for i, f in enumerate(folders) if path.startswith(str(f) + os.sep))
        text_vectors = library.encoder.text_vectors(names)
        metrics = evaluate_vectors(vectors, labels, names, text_vectors, eps, min_samples)
        metrics["model"] = library.spec.key
        metrics["failed"] = report.failed
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    return metrics
