"""Finding model weights: the local cache first, a download with progress when online, and a
clear way out (a `local-dir:` folder) when neither works.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from app.core.errors import ModelUnavailableError, UserError
from app.ml.download import DownloadFailed, DownloadProgress, download_file
from app.ml.spec import HF_HUB, LOCAL_DIR, ModelSpec

log = logging.getLogger(__name__)

HUB_HOST = "huggingface.co"
HUB_CONFIG = "open_clip_config.json"
HUB_WEIGHTS = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")


def host_reachable(host: str, timeout: float = 3.0, port: int = 443) -> bool:
    """Whether a download server answers (no request is sent); False when told to stay offline."""
    if os.environ.get("PHOTO_ORGANIZER_OFFLINE") == "1":
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def hub_endpoint() -> str:
    """The Hugging Face server (a mirror when HF_ENDPOINT names one)."""
    return os.environ.get("HF_ENDPOINT", f"https://{HUB_HOST}").rstrip("/")


def hub_reachable(timeout: float = 3.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return False
    return url_reachable(hub_endpoint(), timeout)


def url_reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether the server of `url` answers a connection (nothing is requested)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return host_reachable(parts.hostname, timeout, parts.port or (443 if parts.scheme == "https" else 80))


def weights_cache_dir() -> Path:
    """Where downloaded CLIP weights are kept (PHOTO_ORGANIZER_WEIGHTS_DIR, else the user cache)."""
    from platformdirs import user_cache_dir

    configured = os.environ.get("PHOTO_ORGANIZER_WEIGHTS_DIR")
    return Path(configured) if configured else Path(user_cache_dir("photo-organizer")) / "weights"


def _hub_files(cfg: dict) -> tuple[str, list[str]]:
    parts = cfg.get("hf_hub", "").rstrip("/").split("/")
    repo = "/".join(parts[:2])
    names = [parts[2]] if len(parts) > 2 and parts[2] else list(HUB_WEIGHTS)
    return repo, names


def _offline_message(spec: ModelSpec, why: str) -> str:
    return (
        f"model weights for {spec.key} are not available: {why}. Connect to the internet once "
        f"so they can download (they are cached afterwards), or download an open_clip model "
        f"folder (open_clip_config.json + weights) on another machine and use "
        f"--model {LOCAL_DIR}/path/to/folder"
    )


def cached_checkpoint(spec: ModelSpec) -> str | None:
    """The local path of a pretrained tag's weights when already downloaded, else None."""
    import open_clip
    from huggingface_hub import try_to_load_from_cache

    cfg = open_clip.get_pretrained_cfg(spec.name, spec.pretrained or "")
    if not cfg:
        return None
    ours = weights_cache_dir()
    if cfg.get("hf_hub"):
        repo, names = _hub_files(cfg)
        for filename in names:
            if (ours / repo / filename).is_file():
                return str(ours / repo / filename)
            found = try_to_load_from_cache(repo, filename)  # fetched earlier by open_clip itself
            if isinstance(found, str):
                return found
    url = cfg.get("url", "")
    if url:
        for target in (
            ours / "url" / os.path.basename(url),
            Path(os.path.expanduser("~/.cache/clip")) / os.path.basename(url),
        ):
            if target.is_file():
                return str(target)
    return None


def resolve_checkpoint(spec: ModelSpec, progress: DownloadProgress | None = None) -> str:
    """A local checkpoint path for an architecture + pretrained tag, downloading if needed."""
    import open_clip

    cfg = open_clip.get_pretrained_cfg(spec.name, spec.pretrained or "")
    if not cfg:
        tags = open_clip.list_pretrained_tags_by_model(spec.name)
        known = ", ".join(tags) if tags else "none"
        raise ModelUnavailableError(
            f"unknown pretrained tag {spec.pretrained!r} for {spec.name} (known: {known}; or 'random')"
        )
    cached = cached_checkpoint(spec)
    if cached:
        return cached
    if not hub_reachable():
        raise ModelUnavailableError(
            _offline_message(spec, "they are not downloaded yet and the network is unreachable")
        )
    log.warning("downloading weights for %s (first use; cached afterwards)", spec.key)
    return str(_download(spec, cfg, progress))


def _download(spec: ModelSpec, cfg: dict, progress: DownloadProgress | None) -> Path:
    """The model's weights from the hub (or its URL) into our cache, trying each file name."""
    ours = weights_cache_dir()
    tried: list[str] = []
    if cfg.get("hf_hub"):
        repo, names = _hub_files(cfg)
        for filename in names:
            try:
                return download_file(
                    f"{hub_endpoint()}/{repo}/resolve/main/{filename}", ours / repo / filename, progress
                )
            except DownloadFailed as exc:
                tried.append(str(exc))
    if cfg.get("url"):
        try:
            return download_file(cfg["url"], ours / "url" / os.path.basename(cfg["url"]), progress)
        except DownloadFailed as exc:
            tried.append(str(exc))
    raise ModelUnavailableError(_offline_message(spec, f"the download failed ({'; '.join(tried) or 'no source'})"))


def hub_repo(spec: ModelSpec) -> str:
    """The `org/name` of an `hf-hub:` spec; refuses anything that is not a repository name."""
    repo = spec.name[len(HF_HUB) :].strip().strip("/")
    parts = repo.split("/")
    if len(parts) != 2 or any(p in ("", ".", "..") or not all(c.isalnum() or c in "-_." for c in p) for p in parts):
        raise UserError(f"not a Hugging Face repository: {spec.name!r} (expected hf-hub:org/name)")
    return repo


def _our_hub_folder(repo: str) -> Path:
    return weights_cache_dir() / "hf-hub" / repo


def cached_hub_folder(spec: ModelSpec) -> Path | None:
    """A complete local copy (config + weights) of an `hf-hub:` model: ours, or one that
    huggingface_hub fetched earlier."""
    from huggingface_hub import try_to_load_from_cache

    repo = hub_repo(spec)
    ours = _our_hub_folder(repo)
    if (ours / HUB_CONFIG).is_file() and any((ours / name).is_file() for name in HUB_WEIGHTS):
        return ours
    config = try_to_load_from_cache(repo, HUB_CONFIG)
    if isinstance(config, str):
        folder = Path(config).parent
        if any(try_to_load_from_cache(repo, name) == str(folder / name) for name in HUB_WEIGHTS):
            return folder
    return None


def resolve_hub_folder(spec: ModelSpec, progress: DownloadProgress | None = None) -> Path:
    """An `hf-hub:` model as a local open_clip folder, downloading it with progress (through
    our own downloader, so the app shows it and Cancel stops it) when it is not cached."""
    cached = cached_hub_folder(spec)
    if cached is not None:
        return cached
    if not hub_reachable():
        raise ModelUnavailableError(
            _offline_message(spec, "they are not downloaded yet and the network is unreachable")
        )
    repo = hub_repo(spec)
    folder = _our_hub_folder(repo)
    base = f"{hub_endpoint()}/{repo}/resolve/main"
    log.warning("downloading %s (first use; cached afterwards)", spec.key)
    tried: list[str] = []
    try:
        download_file(f"{base}/{HUB_CONFIG}", folder / HUB_CONFIG)
    except DownloadFailed as exc:
        raise ModelUnavailableError(_offline_message(spec, f"the download failed ({exc})")) from None
    for name in HUB_WEIGHTS:
        try:
            download_file(f"{base}/{name}", folder / name, progress)
            return folder
        except DownloadFailed as exc:
            tried.append(str(exc))
    raise ModelUnavailableError(_offline_message(spec, f"the download failed ({'; '.join(tried)})"))


def check_local_dir(spec: ModelSpec) -> None:
    folder = Path(spec.name[len(LOCAL_DIR) :])
    if not folder.is_dir():
        raise ModelUnavailableError(f"model folder not found: {folder}")
    if not (folder / "open_clip_config.json").is_file():
        raise ModelUnavailableError(f"model folder {folder} has no open_clip_config.json")
    if not any(any(folder.glob(pattern)) for pattern in ("*.safetensors", "*.bin", "*.pth", "*.pt")):
        raise ModelUnavailableError(f"model folder {folder} holds no weights (.safetensors, .bin or .pth)")
