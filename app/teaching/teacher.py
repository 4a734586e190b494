"""Learning a name from its example regions and measuring it as the research did: before and
after, the mean similarity of the examples with "a photo of NAME" (target) and of background
photos with their captions (background); how the name ranks its own examples among all the
library's photos (AP, and how many make its top 20); and how far other searches drift (their
top 20 before and after)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from app.catalog import analysis_vectors, lookups
from app.core.errors import UserError
from app.core.unit_vectors import unit, unit_rows
from app.indexing.decoding import DecodeError, UnreadableError, crop_box, decode_for_regions, read_file
from app.ml.embedder import ClipEmbedder
from app.ml.name_learning import LearningOptions, LearningSet, learn_name_vector
from app.ml.preprocess import to_model_input
from app.ml.spec import TEXT_TEMPLATE
from app.ml.vocabulary import CONCEPTS

BACKGROUND_POOL = 512  # library photos the background pairs are drawn from, 1:1 per step
TOP = 20
DRIFT_QUERIES = 8
FACE_MARGIN = 0.35  # a face example shows some of the head around the face
TeachProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Similarities:
    target: float
    background: float

    def to_json(self) -> dict:
        return {"target": round(self.target, 4), "background": round(self.background, 4)}


@dataclass(frozen=True)
class TeachReport:
    """What teaching one name did (the `teach --json` object, plus `found`/`top`/`model`)."""

    name: str
    examples: int
    before: Similarities
    after: Similarities
    ap: float
    found: int  # example photos among the name's first `top` results
    photos: int  # distinct example photos
    top: int
    drift: float  # 0: other searches' top 20 unchanged; 1: entirely different
    seconds: float
    model: str

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "examples": self.examples,
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "ap": round(self.ap, 4),
            "drift": round(self.drift, 4),
            "found": self.found,
            "top": self.top,
            "seconds": round(self.seconds, 2),
            "model": self.model,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> TeachReport:
        return cls(
            data["name"],
            int(data["examples"]),
            Similarities(**data["before"]),
            Similarities(**data["after"]),
            float(data["ap"]),
            int(data.get("found", 0)),
            int(data.get("photos", data["examples"])),
            int(data.get("top", TOP)),
            float(data["drift"]),
            float(data["seconds"]),
            str(data.get("model", "")),
        )

    def summary(self) -> str:
        """One line for the window: "Rex: found 11 of 12 examples in the top 20; other searches
        unchanged"."""
        others = (
            "other searches unchanged"
            if self.drift < 0.005
            else f"other searches' top {TOP} changed by {self.drift:.0%}"
        )
        return f"{self.name}: found {self.found} of {self.photos} examples in the top {self.top}; {others}"


@dataclass(frozen=True)
class Teaching:
    """What learning reads: the catalog, the model, and the names already learned for it."""

    engine: Engine
    embedder: ClipEmbedder
    model_key: str
    taught: Mapping[str, np.ndarray]


def learn(
    teaching: Teaching,
    name: str,
    region_ids: Sequence[int],
    progress: TeachProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
    steps: int | None = None,
) -> tuple[np.ndarray, TeachReport]:
    """The name's learned word vector and the report; nothing is written."""
    started = time.perf_counter()
    embedder = teaching.embedder
    encoder = embedder.named_text  # refuses a model that cannot learn names, before any work
    examples = example_vectors(teaching.engine, embedder, region_ids)
    example_images = {r.image_id for r in lookups.regions(teaching.engine, list(region_ids)).values()}
    _region_ids, image_ids, library = analysis_vectors.vectors_for_analysis(teaching.engine, "image")
    before_names = dict(teaching.taught)
    others = {n: v for n, v in before_names.items() if n.casefold() != name.casefold()}
    vocabulary = [c for c in CONCEPTS if c.casefold() not in name.casefold().split()]
    vocabulary_vectors = embedder.embed_texts([TEXT_TEMPLATE.format(c) for c in vocabulary], others)

    is_example = np.isin(image_ids, list(example_images))
    rng = np.random.default_rng(_seed(name))
    pool_rows = np.flatnonzero(~is_example)
    pool_rows = np.sort(rng.choice(pool_rows, min(BACKGROUND_POOL, len(pool_rows)), replace=False))
    background = library[pool_rows]
    captions = np.argmax(background @ vocabulary_vectors.T, axis=1)
    drift_queries = [vocabulary[i] for i, _ in _most_common(captions, DRIFT_QUERIES)]

    query = TEXT_TEMPLATE.format(name)
    before = Similarities(
        float(np.mean(examples @ embedder.embed_texts([query], before_names)[0])),
        float(np.mean(np.sum(background * vocabulary_vectors[captions], axis=1))),
    )
    tops_before = _tops(library, embedder.embed_texts([TEXT_TEMPLATE.format(q) for q in drift_queries], before_names))

    start = encoder.word_vector(vocabulary[int(np.argmax(vocabulary_vectors @ unit(examples.mean(axis=0))))])
    data = LearningSet(examples, background, vocabulary_vectors[captions], start, embedder.logit_scale)
    options = LearningOptions(steps=steps or LearningOptions.steps, seed=_seed(name))
    vector = learn_name_vector(encoder, name, data, options, progress, should_stop)

    after_names = {**others, name: vector}
    name_vector = embedder.embed_texts([query], after_names)[0]
    used = sorted(set(captions.tolist()))
    recaptioned = embedder.embed_texts([TEXT_TEMPLATE.format(vocabulary[i]) for i in used], after_names)
    caption_after = recaptioned[np.searchsorted(used, captions)]
    after = Similarities(
        float(np.mean(examples @ name_vector)), float(np.mean(np.sum(background * caption_after, axis=1)))
    )
    tops_after = _tops(library, embedder.embed_texts([TEXT_TEMPLATE.format(q) for q in drift_queries], after_names))
    ranking = np.argsort(-(library @ name_vector), kind="stable")
    relevant = is_example[ranking]
    top = max(TOP, len(example_images))
    report = TeachReport(
        name=name,
        examples=len(region_ids),
        before=before,
        after=after,
        ap=_average_precision(relevant),
        found=int(relevant[:top].sum()),
        photos=int(is_example.sum()),
        top=top,
        drift=_drift(tops_before, tops_after),
        seconds=time.perf_counter() - started,
        model=teaching.model_key,
    )
    return vector, report


def example_vectors(engine: Engine, embedder: ClipEmbedder, region_ids: Sequence[int]) -> np.ndarray:
    """The CLIP vectors of the example regions: stored ones for photos and object crops; a face
    (which has a face descriptor, not a CLIP vector) is embedded from its crop of the photo."""
    embedder.load()
    stored = analysis_vectors.stored_vectors(engine, region_ids)
    missing = [r for r in region_ids if r not in stored]
    infos = lookups.regions(engine, missing) if missing else {}
    out = [
        stored[r] if r in stored else _embed_crop(engine, embedder, infos[r].image_id, infos[r].bbox)
        for r in region_ids
    ]
    return unit_rows(np.vstack(out).astype(np.float32))


def _embed_crop(
    engine: Engine, embedder: ClipEmbedder, image_id: int, bbox: tuple[float, float, float, float]
) -> np.ndarray:
    info = lookups.images(engine, [image_id]).get(image_id)
    assert embedder.input_spec is not None
    for path in info.paths if info is not None else []:
        try:
            pixels = decode_for_regions(read_file(path), 1600)
        except (DecodeError, UnreadableError, OSError):
            continue
        crop = crop_box(pixels, bbox, FACE_MARGIN)
        return embedder.embed_arrays([to_model_input(crop, embedder.input_spec)])[0]
    raise UserError("a face example's photo cannot be read right now (is its drive connected?)")


def _seed(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.casefold().encode()).digest()[:4], "little")


def _most_common(values: np.ndarray, count: int) -> list[tuple[int, int]]:
    found, counts = np.unique(values, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:count]
    return [(int(found[i]), int(counts[i])) for i in order]


def _tops(library: np.ndarray, queries: np.ndarray) -> list[set[int]]:
    if len(queries) == 0 or len(library) == 0:
        return []
    scores = queries @ library.T
    k = min(TOP, library.shape[0])
    return [set(np.argpartition(-row, k - 1)[:k].tolist()) for row in scores]


def _drift(before: list[set[int]], after: list[set[int]]) -> float:
    if not before:
        return 0.0
    return float(np.mean([1.0 - len(b & a) / max(1, len(b)) for b, a in zip(before, after, strict=True)]))


def _average_precision(relevant_in_order: np.ndarray) -> float:
    hits = np.cumsum(relevant_in_order)
    total = int(relevant_in_order.sum())
    if total == 0:
        return 0.0
    ranks = np.flatnonzero(relevant_in_order) + 1
    return float(np.sum(hits[ranks - 1] / ranks) / total)
