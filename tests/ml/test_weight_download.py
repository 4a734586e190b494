"""First-use download of CLIP weights: from the hub (a local stand-in here), with progress, into
a cache that is used from then on; a cancelled or broken download leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import CancelledError
from app.ml.download import DownloadFailed, download_file
from tests.helpers.images import photo, save_jpeg
from tests.helpers.weights_server import REPO


def test_first_use_downloads_with_progress_then_uses_the_cache(cli, hub: Path, tmp_path: Path):
    save_jpeg(tmp_path / "a" / "1.jpg", photo(1))
    out = cli("index", tmp_path / "a", "--json")
    assert out.code == 0, out.err
    assert out.json["embedded"] == 1
    assert "downloading model weights (first use only)" in out.err
    cached = tmp_path / "weights" / REPO / "open_clip_pytorch_model.bin"
    assert cached.read_bytes() == hub.read_bytes()
    hub.unlink()  # from now on the cache alone must do
    save_jpeg(tmp_path / "b" / "2.jpg", photo(2))
    again = cli("index", tmp_path / "b", "--json")
    assert again.code == 0 and again.json["embedded"] == 1 and "downloading" not in again.err


def test_a_cancelled_download_leaves_no_file(library_dir: Path, hub: Path, tmp_path: Path):
    from app.library import Library

    save_jpeg(tmp_path / "a" / "1.jpg", photo(1))

    def cancel(done: int, total: int) -> None:
        if done:
            raise CancelledError("cancelled")

    with Library(library_dir) as library:
        library.on_download = cancel
        with pytest.raises(CancelledError):
            library.index([tmp_path / "a"])
    leftovers = list((tmp_path / "weights").rglob("*")) if (tmp_path / "weights").exists() else []
    assert [p for p in leftovers if p.is_file()] == []


def test_a_broken_transfer_is_refused(tmp_path: Path):
    import http.server
    import threading

    class Short(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)  # then the connection closes

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Short)
    threading.Thread(target=server.handle_request, daemon=True).start()
    with pytest.raises(DownloadFailed):
        download_file(f"http://127.0.0.1:{server.server_address[1]}/w.bin", tmp_path / "w.bin")
    server.server_close()
    assert not (tmp_path / "w.bin").exists() and list(tmp_path.iterdir()) == []


def test_the_tags_own_settings_apply_to_downloaded_weights(
    library_dir: Path, hub: Path, monkeypatch: pytest.MonkeyPatch
):
    import open_clip

    from app.library import Library

    tag = {"hf_hub": f"{REPO}/", "url": "", "quick_gelu": True, "mean": (0.5, 0.5, 0.5), "std": (0.25, 0.25, 0.25)}
    monkeypatch.setitem(open_clip.pretrained._PRETRAINED, "PO-Tiny", {"served": tag})
    with Library(library_dir) as library:
        embedder = library.embedder.load()
        assert embedder.input_spec.mean == (0.5, 0.5, 0.5) and embedder.input_spec.std == (0.25, 0.25, 0.25)
        assert any(type(m).__name__ == "QuickGELU" for m in embedder._model.modules())


HUB_SPEC = f"hf-hub:{REPO}"


def test_an_hf_hub_model_downloads_with_progress_and_loads_the_served_weights(cli, hub: Path, tmp_path: Path):
    from app.library import Library
    from app.ml.spec import ModelSpec

    save_jpeg(tmp_path / "a" / "1.jpg", photo(1))
    out = cli("index", tmp_path / "a", "--model", HUB_SPEC, "--json")
    assert out.code == 0, out.err
    assert out.json["embedded"] == 1 and "downloading model weights (first use only)" in out.err
    folder = tmp_path / "weights" / "hf-hub" / REPO
    assert (folder / "open_clip_pytorch_model.bin").read_bytes() == hub.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["open_clip_config.json", "open_clip_pytorch_model.bin"]
    doctor = cli("doctor", "--json").json["model"]
    assert doctor["spec"] == HUB_SPEC and doctor["available"] and doctor["detail"] == f"cached at {folder}"

    with Library(tmp_path / "lib-tag") as from_tag:  # PO-Tiny/served: the same weights by tag
        same_weights = from_tag.embedder.load()._model.state_dict()
    for served in hub.parent.iterdir():
        served.unlink()  # from now on the cache alone must do
    with Library(tmp_path / "lib-hub", ModelSpec.parse(HUB_SPEC)) as from_hub:
        assert from_hub.embedder.load().input_spec.mean == (0.5, 0.5, 0.5)  # the repository's own preprocessing
        vector = from_hub.encoder.image_vector(tmp_path / "a" / "1.jpg")
    with Library(tmp_path / "lib-random", ModelSpec("PO-Tiny", "random")) as random_init:
        other = random_init.encoder.image_vector(tmp_path / "a" / "1.jpg")
    loaded = from_hub.embedder._model.state_dict()
    assert all((loaded[k] == same_weights[k]).all() for k in same_weights)  # not a random init
    assert float(vector @ other) < 0.99


def test_an_hf_hub_model_offline_and_not_cached_says_what_to_do(
    cli, hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PHOTO_ORGANIZER_OFFLINE", "1")
    save_jpeg(tmp_path / "a" / "1.jpg", photo(1))
    out = cli("index", tmp_path / "a", "--model", HUB_SPEC)
    assert out.code != 0 and "Traceback" not in out.err
    assert "network is unreachable" in out.err and "local-dir:" in out.err
    assert not (tmp_path / "weights" / "hf-hub").exists()


@pytest.mark.parametrize("spec", ["hf-hub:../../etc", "hf-hub:org", "hf-hub:org/name/extra", "hf-hub:org/na me"])
def test_a_malformed_hf_hub_name_is_refused(cli, tmp_path: Path, spec: str):
    save_jpeg(tmp_path / "a" / "1.jpg", photo(1))
    out = cli("index", tmp_path / "a", "--model", spec)
    assert out.code != 0 and "Traceback" not in out.err
    assert "not a Hugging Face repository" in out.err


def test_a_model_whose_tokenizer_cannot_load_says_so(cli, tmp_path: Path):
    import json

    from tests.helpers.weights_server import publish_tiny_model

    weights = publish_tiny_model(tmp_path / "hub")
    config_path = weights.parent / "open_clip_config.json"
    config = json.loads(config_path.read_text())
    config["model_cfg"]["text_cfg"]["hf_tokenizer_name"] = "no-such-org/no-such-tokenizer"
    config_path.write_text(json.dumps(config))
    save_jpeg(tmp_path / "a" / "1.jpg", photo(1))
    out = cli("index", tmp_path / "a", "--model", f"local-dir:{weights.parent}")
    assert out.code != 0 and "Traceback" not in out.err
    assert "could not load the tokenizer" in out.err and "pip install transformers" in out.err
