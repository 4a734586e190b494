"""Which models the person using this computer chose, so that a library folder cannot.

A library remembers the model its vectors were made with, and every later command uses it.
For a model named by open_clip's own registry (an architecture with a known pretrained tag)
that is harmless. A `hf-hub:` repository or a `local-dir:` folder is different: a library from
someone else could name any repository to download or any folder to load code-bearing weights
from. Such a model is used only once this user chose it (with --model, in the settings, or by
answering the app's question); the choices live in the user's config folder, outside every
library.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from platformdirs import user_config_dir

from app.ml.spec import HF_HUB, ModelSpec, default_spec

log = logging.getLogger(__name__)

CONFIG_ENV = "PHOTO_ORGANIZER_CONFIG_DIR"


def _choices_file() -> Path:
    folder = os.environ.get(CONFIG_ENV) or user_config_dir("photo-organizer", appauthor=False)
    return Path(folder).expanduser() / "chosen-models.json"


def _chosen() -> set[str]:
    try:
        stored = json.loads(_choices_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {key for key in stored if isinstance(key, str)} if isinstance(stored, list) else set()


def is_chosen(spec: ModelSpec) -> bool:
    """True when loading `spec` needs no question: open_clip's own registry, this user's
    default ($PHOTO_ORGANIZER_MODEL), or a model this user chose before."""
    return not spec.has_schema or spec == default_spec() or spec.key in _chosen()


def remember_choice(spec: ModelSpec) -> None:
    """Record that this user chose `spec` (best effort: an unwritable config folder only means
    being asked again)."""
    if not spec.has_schema or spec.key in _chosen():
        return
    path = _choices_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted(_chosen() | {spec.key}), indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot remember the model choice in %s: %s", path, exc)


def unchosen_message(spec: ModelSpec) -> str:
    if spec.name.startswith(HF_HUB):
        what = f"which would be downloaded from the Hugging Face hub ({spec.name[len(HF_HUB) :]})"
    else:
        what = "which would be loaded from a folder on this computer"
    return (
        f"this library's vectors were made with {spec.key}, {what}, and you have not chosen that "
        f"model here; to use it, pass --model {spec.key} (remembered from then on)"
    )
