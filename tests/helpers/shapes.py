"""Drawn coloured shapes with captions, and a tiny CLIP trained on them in a minute.

The model is a real open_clip CLIP (patch 8, 64 px input, short context) trained with a
contrastive loss whose targets count every caption an image satisfies ("red circle", "red",
"circle") as a positive. It is saved as a `local-dir:` model folder, so the app loads it the
way a user's model loads.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

COLOURS = {"red": (215, 35, 35), "green": (35, 165, 50), "blue": (40, 70, 215), "yellow": (235, 205, 30)}
SHAPES = ("circle", "square", "triangle")
CLASSES = [(c, s) for c in COLOURS for s in SHAPES]

MODEL_CFG = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 32, "patch_size": 8},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)


def draw(colour: str, shape: str, rng: np.random.Generator, size: int = 64) -> Image.Image:
    background = tuple(int(v) for v in rng.integers(170, 250, 3))
    image = Image.new("RGB", (size, size), background)
    pixels = np.asarray(image, dtype=np.int16) + rng.integers(-12, 12, (size, size, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(image)
    r = rng.uniform(0.22, 0.36) * size
    cx, cy = rng.uniform(r, size - r, 2)
    fill = tuple(int(np.clip(v + rng.integers(-20, 20), 0, 255)) for v in COLOURS[colour])
    if shape == "circle":
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    elif shape == "square":
        d.rectangle((cx - r * 0.85, cy - r * 0.85, cx + r * 0.85, cy + r * 0.85), fill=fill)
    else:
        d.polygon([(cx, cy - r), (cx - r, cy + r * 0.8), (cx + r, cy + r * 0.8)], fill=fill)
    return image


def caption_pool() -> list[tuple[str, str | None, str | None]]:
    """(text, colour or None, shape or None): full, colour-only and shape-only captions."""
    pool: list[tuple[str, str | None, str | None]] = []
    for c, s in CLASSES:
        pool += [(f"{c} {s}", c, s), (f"a {c} {s}", c, s)]
    pool += [(c, c, None) for c in COLOURS] + [(s, None, s) for s in SHAPES]
    return pool


def train_shapes_model(folder: Path, steps: int = 600, seed: int = 0, config: dict | None = None) -> Path:
    """Train the tiny CLIP on drawn shapes and save it as an open_clip local-dir model
    (`config` replaces the model's shape, e.g. a wider embedding for a second model)."""
    config = config or MODEL_CFG
    import open_clip
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = open_clip.CLIP(**config)
    tokenizer = open_clip.SimpleTokenizer(context_length=config["text_cfg"]["context_length"])
    per_class = 40
    images, labels = [], []
    for k, (c, s) in enumerate(CLASSES):
        for _ in range(per_class):
            images.append(np.asarray(draw(c, s, rng)))
            labels.append(k)
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float().div(255)
    pixels = (pixels - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    labels_t = torch.tensor(labels)
    captions = caption_pool()
    # The template the app puts around every query.
    tokens = tokenizer([f"a photo of {text}" for text, _, _ in captions])
    cap_colour = [c for _, c, _ in captions]
    cap_shape = [s for _, _, s in captions]
    satisfies = torch.zeros(len(CLASSES), len(captions))
    for k, (c, s) in enumerate(CLASSES):
        for j in range(len(captions)):
            satisfies[k, j] = float((cap_colour[j] in (None, c)) and (cap_shape[j] in (None, s)))

    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps, pct_start=0.1)
    model.train()
    for _step in range(steps):
        batch = torch.from_numpy(rng.choice(len(images), 64, replace=False))
        cap_idx = torch.arange(len(captions))
        img = F.normalize(model.encode_image(pixels[batch]), dim=-1)
        txt = F.normalize(model.encode_text(tokens[cap_idx]), dim=-1)
        logits = model.logit_scale.exp() * img @ txt.T
        target = satisfies[labels_t[batch]][:, cap_idx]
        has_pos_row = target.sum(1) > 0
        has_pos_col = target.sum(0) > 0
        loss_i = (
            -(F.log_softmax(logits[has_pos_row], 1) * (target[has_pos_row] / target[has_pos_row].sum(1, keepdim=True)))
            .sum(1)
            .mean()
        )
        loss_t = (
            -(
                F.log_softmax(logits.T[has_pos_col], 1)
                * (target.T[has_pos_col] / target.T[has_pos_col].sum(1, keepdim=True))
            )
            .sum(1)
            .mean()
        )
        loss = (loss_i + loss_t) / 2
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
    model.eval()
    folder.mkdir(parents=True, exist_ok=True)
    saved = {"model_cfg": config, "preprocess_cfg": {"mean": list(MEAN), "std": list(STD)}}
    (folder / "open_clip_config.json").write_text(json.dumps(saved))
    torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
    return folder


def write_test_set(folder: Path, per_class: int, seed: int, size: int = 128) -> dict[tuple[str, str], list[Path]]:
    """Held-out drawn photos on disk (larger than the model input, so the pipeline resizes)."""
    rng = np.random.default_rng(seed)
    out: dict[tuple[str, str], list[Path]] = {}
    for c, s in CLASSES:
        for i in range(per_class):
            path = folder / f"{c}-{s}-{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            draw(c, s, rng, size).save(path)
            out.setdefault((c, s), []).append(path)
    return out


def average_precision_at_k(ranked_paths: list[str], relevant: set[str], k: int) -> float:
    hits, total = 0, 0.0
    for i, path in enumerate(ranked_paths[:k], start=1):
        if path in relevant:
            hits += 1
            total += hits / i
    return total / min(k, len(relevant)) if relevant else 0.0
