"""Exporting a model's text tower for the query path: ONNX for the transformer, the word
embedding table as a numpy file, and what the tokenizer needs, checked against torch before
it is kept (`QueryText` in `query_text` runs it without torch).

Only open_clip's own CLIP with a causal text tower pooled at the end token and open_clip's
byte-pair tokenizer can be exported (the case `text_tower.encode_text` mirrors); any other
model keeps answering queries through torch.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from app.ml.clip_tokenizer import read_merges, vocabulary_file
from app.ml.export_check import CHECK_TEXT, check_pixels, describe_files, exported_names
from app.ml.query_image import IMAGE_TOWER, QueryImage
from app.ml.query_text import FORMAT, MERGES, META, TABLE, TOWER, QueryText

log = logging.getLogger(__name__)

CHECK_TEXTS = ("a photo of a dog", "a photo of two people on a beach at sunset", "a photo of zwx", "")
TOLERANCE = 1e-4  # largest difference from torch's unit vectors that still ranks the same
GPU_TOLERANCE = 5e-3  # a model on a GPU reads words in float16; the export reads them in float32


def exportable(embedder: Any) -> bool:
    from open_clip.tokenizer import SimpleTokenizer

    from app.ml.text_tower import trimmable

    tokenizer = embedder._tokenizer
    return (
        trimmable(embedder._model)
        and isinstance(tokenizer, SimpleTokenizer)
        and tokenizer.reduction_fn is None
        and tokenizer.clean_fn.__name__ == "_clean_lower"
    )


def export_text_tower(embedder: Any, folder: Path) -> bool:
    """Write the query path's files for `embedder`'s (loaded) model into `folder`; whether it
    was written. Replaces what is there only once the new files agree with torch."""
    import torch

    embedder.load()
    if not exportable(embedder):
        log.info("%s answers queries through torch: its text tower cannot be exported", embedder.spec.key)
        return False
    model = embedder._model
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".query-", dir=folder.parent))
    try:
        # A copy on the CPU in float32: the model itself may sit on a GPU, where it keeps serving.
        tower = copy.deepcopy(_tower_module(model)).float().cpu().eval()
        width = int(model.token_embedding.weight.shape[1])
        embedded = torch.zeros(2, 5, width)
        eot = torch.tensor([4, 3])
        with torch.inference_mode(), _quiet():
            torch.onnx.export(
                tower,
                (embedded, eot),
                str(scratch / TOWER),  # the weights beside it (text.onnx.data), which ONNX Runtime maps quickly
                input_names=["embedded", "eot"],
                output_names=["features"],
                dynamic_axes={"embedded": {0: "texts", 1: "length"}, "eot": {0: "texts"}, "features": {0: "texts"}},
                opset_version=17,
                dynamo=True,
            )
        np.save(scratch / TABLE, model.token_embedding.weight.detach().float().cpu().numpy())
        (scratch / MERGES).write_text(json.dumps(read_merges(vocabulary_file())))
        meta = {
            "format": FORMAT,
            "model": embedder.spec.key,
            "context_length": int(embedder._tokenizer.context_length),
            "width": width,
            "markers": dict(embedder.named_text.markers),
        }
        with_image = _export_image_tower(embedder, scratch)
        if with_image:
            assert embedder.input_spec is not None
            meta["image"] = dataclasses.asdict(embedder.input_spec)
            pixels = check_pixels(embedder.input_spec.size)
            meta["image_check"] = _check_of(embedder.embed_arrays([pixels])[0], embedder)
        meta["check"] = _check_of(embedder.embed_texts([CHECK_TEXT])[0], embedder)
        stems = [TOWER, MERGES, TABLE, *([IMAGE_TOWER] if with_image else [])]
        meta["files"] = describe_files(scratch, exported_names(scratch, stems))
        (scratch / META).write_text(json.dumps(meta))
        if "image" in meta and _image_difference(embedder, QueryImage(scratch)) > tolerance(embedder):
            log.warning("the exported image tower of %s differs from torch: not used", embedder.spec.key)
            del meta["image"]
            (scratch / META).write_text(json.dumps(meta))
        difference = _difference(embedder, QueryText(scratch))
        if difference > tolerance(embedder):
            log.warning(
                "the exported text tower of %s differs from torch by %.2g: not used", embedder.spec.key, difference
            )
            return False
        scratch.chmod(0o755)  # made private by mkdtemp; the cache is the user's, readable as their files are
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(scratch, folder)
        except OSError:
            return (folder / META).is_file()  # another process exported it meanwhile
        return True
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


def _check_of(vector: np.ndarray, embedder: Any) -> dict[str, object]:
    """The known input's vector from torch, for the export to be checked against when read."""
    return {"vector": [round(float(v), 7) for v in vector], "tolerance": tolerance(embedder)}


def tolerance(embedder: Any) -> float:
    return TOLERANCE if embedder.device == "cpu" else GPU_TOLERANCE


def _export_image_tower(embedder: Any, scratch: Path) -> bool:
    """The image tower too (a query photo from outside the library), where it exports; the
    words' path does not depend on it."""
    import torch

    assert embedder.input_spec is not None
    side = embedder.input_spec.size
    tower = copy.deepcopy(embedder._model.visual).float().cpu().eval()
    try:
        with torch.inference_mode(), _quiet():
            torch.onnx.export(
                tower,
                (torch.zeros(2, 3, side, side),),
                str(scratch / IMAGE_TOWER),
                input_names=["pixels"],
                output_names=["features"],
                dynamic_axes={"pixels": {0: "images"}, "features": {0: "images"}},
                opset_version=17,
                dynamo=True,
            )
    except Exception as exc:  # noqa: BLE001 - query photos then go through torch
        log.info("the image tower of %s was not exported: %s", embedder.spec.key, exc)
        return False
    return True


def _image_difference(embedder: Any, exported: QueryImage) -> float:
    rng = np.random.default_rng(0)
    side = exported.input_spec.size
    arrays = [rng.integers(0, 256, (side, side, 3), dtype=np.uint8) for _ in range(3)]
    return float(np.abs(embedder.embed_arrays(arrays) - exported.embed_arrays(arrays)).max())


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporter prints its progress and warns about versions: none of it is the user's
    business, and the command line's standard output is its JSON."""
    loggers = [logging.getLogger(name) for name in ("onnxscript", "torch.onnx", "onnx_ir")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _difference(embedder: Any, exported: QueryText) -> float:
    """The largest difference between torch's and the export's unit vectors, names included."""
    rng = np.random.default_rng(0)
    names = {"zorp": rng.normal(size=exported.width).astype(np.float32) * 0.01}
    texts = [*CHECK_TEXTS, "a photo of zorp on a beach"]
    torch_vectors = embedder.embed_texts(texts, names)
    return float(np.abs(torch_vectors - exported.embed_texts(texts, names)).max())


def _tower_module(model: Any) -> Any:
    import torch

    class Tower(torch.nn.Module):
        """The text tower from word embeddings on: positions, the causal transformer over the
        given length, the final norm, the end token's features, the projection."""

        def __init__(self, clip: Any) -> None:
            super().__init__()
            self.transformer = clip.transformer
            self.ln_final = clip.ln_final
            self.positions: Any
            self.mask: Any
            self.register_buffer("positions", clip.positional_embedding.detach().float().clone())
            self.register_buffer("mask", clip.attn_mask.detach().float().clone())
            projection = clip.text_projection
            self.linear = projection if isinstance(projection, torch.nn.Linear) else None
            if self.linear is None:
                self.register_buffer("projection", projection.detach().float().clone())

        def forward(self, embedded: Any, eot: Any) -> Any:
            length = embedded.shape[1]
            x = embedded + self.positions[:length]
            x = self.transformer(x, attn_mask=self.mask[:length, :length])
            x = self.ln_final(x)
            x = x[torch.arange(x.shape[0]), eot]
            return self.linear(x) if self.linear is not None else x @ self.projection

    return Tower(model)
