"""A local stand-in for the model hub: serves files over HTTP from a folder, on a free port."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = "photo-organizer/po-tiny"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) while the server runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def publish_tiny_model(folder: Path, repo: str = REPO) -> Path:
    """PO-Tiny laid out as the hub serves an open_clip repository: open_clip_config.json and
    the weights (only the .bin: the .safetensors 404s). Returns the weights file."""
    import json

    import open_clip
    import torch

    from app.ml.embedder import register_builtin_models

    register_builtin_models()
    target = folder / repo / "resolve" / "main" / "open_clip_pytorch_model.bin"
    target.parent.mkdir(parents=True)
    torch.manual_seed(7)
    torch.save(open_clip.create_model("PO-Tiny").state_dict(), target)
    config = {
        "model_cfg": open_clip.get_model_config("PO-Tiny"),
        "preprocess_cfg": {"mean": [0.5] * 3, "std": [0.5] * 3},
    }
    (target.parent / "open_clip_config.json").write_text(json.dumps(config))
    return target
