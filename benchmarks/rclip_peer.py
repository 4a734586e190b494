"""rclip, the command-line peer, set up beside the app for search_bench.py: installed from the
package registry into a virtual environment of its own, and given offline models of its own
architecture (open_clip's ViT-B-32-256 with random weights, exported to ONNX in the layout rclip
downloads from its hub, which is out of reach here; the compute is the same)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

RCLIP = "rclip==3.3.0"
ARCHITECTURE = "ViT-B-32-256"
MODEL_SUBDIR = "ViT-B-32-256-datacomp_s34b_b86k"  # where rclip looks for its models
DATA = "rclip-data"  # rclip's data folder (RCLIP_DATADIR) under the benchmark's cache


def rclip_executable(folder: Path) -> Path:
    """rclip in its own virtual environment under `folder`, installed once."""
    executable = folder / "bin" / "rclip"
    if not executable.exists():
        venv.create(folder, with_pip=True, clear=True)
        subprocess.run(
            [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", RCLIP],
            check=True,
            timeout=1800,
        )
    return executable


def export_models(datadir: Path) -> None:
    """rclip's visual.onnx, textual.onnx (input "input", one output) and tokenizer vocabulary."""
    import open_clip
    import torch

    models = datadir / MODEL_SUBDIR
    visual, textual = models / "visual.onnx", models / "textual.onnx"
    vocabulary = datadir / "tokenizer" / "bpe_simple_vocab_16e6.txt.gz"
    if visual.exists() and textual.exists() and vocabulary.exists():
        return
    models.mkdir(parents=True, exist_ok=True)
    vocabulary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(open_clip.__file__).parent / "bpe_simple_vocab_16e6.txt.gz", vocabulary)
    model = open_clip.create_model(ARCHITECTURE, pretrained=None).eval()

    class Tower(torch.nn.Module):
        def __init__(self, encode: object) -> None:
            super().__init__()
            self.model = model
            self.encode = encode

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.encode(x)  # type: ignore[operator]

    for tower, example, path in (
        (Tower(model.encode_image), torch.zeros(1, 3, 256, 256), visual),
        (Tower(model.encode_text), torch.zeros(1, 77, dtype=torch.int64), textual),
    ):
        torch.onnx.export(
            tower,
            (example,),
            str(path),
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            dynamo=False,
        )


def rclip_environment(datadir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "RCLIP_DATADIR": str(datadir), "HF_HUB_OFFLINE": "1"}


def prepare(cache: Path, photos: Path) -> list[str]:
    """Install rclip, give it its models, index `photos` with it; the command to time (run in
    `photos`, with rclip_environment): a search that skips re-checking the folder."""
    executable = rclip_executable(cache / "rclip-venv")
    datadir = cache / DATA
    export_models(datadir)
    command = [str(executable), "--filepath-only", "--top", "10"]
    subprocess.run([*command, "a dog"], cwd=photos, env=rclip_environment(datadir), check=True, capture_output=True)
    return [*command, "--no-indexing", "a dog"]


if __name__ == "__main__":
    print(prepare(Path(sys.argv[1]), Path(sys.argv[2])))
