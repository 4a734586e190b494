"""Small real open_clip models on disk, for tests of model folders and switching."""

from __future__ import annotations

import json
from pathlib import Path


def save_tiny_model(folder: Path, seed: int = 99) -> Path:
    """The tiny test architecture with seeded weights, as an open_clip model folder."""
    import open_clip
    import torch

    from app.ml.embedder import register_builtin_models

    register_builtin_models()
    folder.mkdir(parents=True, exist_ok=True)
    cfg = open_clip.get_model_config("PO-Tiny")
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": cfg, "preprocess_cfg": {}}))
    torch.manual_seed(seed)
    torch.save(open_clip.create_model("PO-Tiny").state_dict(), folder / "open_clip_pytorch_model.bin")
    return folder
