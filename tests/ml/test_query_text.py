"""The search's text side without torch: CLIP's tokenizer token for token, the exported text
tower against torch (taught names included), and a command-line search that never imports
torch yet ranks exactly as before."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from app.ml.clip_tokenizer import ClipTokenizer

TEXTS = [
    "a photo of a dog",
    "A  PHOTO of   Two people, on a beach at sunset!",
    "café &amp; crème brûlée — 12 € at 5pm",
    "receipt #1234: 2x coffee",
    "ünïcödé ñ 東京 🐶",
    "",
    "a very long sentence " * 20,
    "don't we'll they're",
    "tab\there, line\r\nbreak, bell\x07 and escape \x1b[31mred",
    "<b>bold</b> &lt;i&gt; &amp;amp; a&b",
    "ASCII only: ~!@#$%^*()_+{}|:<>?`-=[]\\;',./ 0123456789",
]


def test_plain_ascii_words_skip_ftfy_only_where_it_would_change_nothing():
    import random
    import string

    import ftfy

    from app.ml.clip_tokenizer import _left_alone_by_ftfy

    rng = random.Random(7)
    alphabet = string.printable + "\x00\x7f\x1b\u00e9\u2019\u00c3\u00a9"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        if _left_alone_by_ftfy(text):
            assert ftfy.fix_text(text) == text, repr(text)
    assert _left_alone_by_ftfy("a dog on the beach in July 2023")
    assert not any(map(_left_alone_by_ftfy, ["caf\u00e9", "a\tb", "a\nb", "&amp;", "\x1b[0m"]))


def test_the_tokenizer_matches_open_clips_token_for_token():
    import open_clip

    theirs = open_clip.get_tokenizer("ViT-B-32")
    ours = ClipTokenizer()
    assert np.array_equal(ours(TEXTS), theirs(TEXTS).numpy())
    short = ClipTokenizer(16)
    assert np.array_equal(short(TEXTS), open_clip.SimpleTokenizer(context_length=16)(TEXTS).numpy())


def test_the_tokenizers_tables_and_words_from_all_its_vocabulary_are_open_clips():
    """The tables are built from the merges' strings without splitting them: the same tables,
    and the same tokens for words made of pieces from across the whole vocabulary."""
    import random

    import open_clip

    theirs = open_clip.SimpleTokenizer()
    ours = ClipTokenizer()
    assert ours.encoder == theirs.encoder
    assert {tuple(merge.split(" ")): rank for merge, rank in ours.ranks.items()} == theirs.bpe_ranks
    pieces = [token.removesuffix("</w>") for token in theirs.encoder if len(token) > 1]
    rng = random.Random(3)
    words = [" ".join(rng.choice(pieces) + rng.choice(["", *pieces]) for _ in range(8)) for _ in range(400)]
    assert np.array_equal(ours(words), theirs(words).numpy())


@pytest.fixture(scope="module")
def exported(tmp_path_factory):  # type: ignore[no-untyped-def]
    from app.ml.embedder import ClipEmbedder
    from app.ml.query_export import export_text_tower
    from app.ml.spec import ModelSpec

    embedder = ClipEmbedder(ModelSpec("PO-Tiny", "random"), "cpu").load()
    folder = tmp_path_factory.mktemp("query") / "PO-Tiny"
    assert export_text_tower(embedder, folder)
    return embedder, folder


def test_the_exported_tower_gives_torchs_vectors_names_included(exported):
    from app.ml.query_text import QueryText

    embedder, folder = exported
    query = QueryText(folder)
    rng = np.random.default_rng(1)
    names = {name: rng.normal(size=query.width).astype(np.float32) * 0.02 for name in ("Rex", "the cabin")}
    texts = [*TEXTS, "Rex at the cabin", "rex and REX", "a sks photo of Rex"]
    mine, torchs = query.embed_texts(texts, names), embedder.embed_texts(texts, names)
    assert np.abs(mine - torchs).max() < 1e-5
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    assert np.abs(query.embed_texts(texts) - embedder.embed_texts(texts)).max() < 1e-5
    assert json.loads((folder / "meta.json").read_text())["model"] == embedder.spec.key


def test_the_exported_image_tower_gives_torchs_vectors(exported):
    from app.ml.query_image import QueryImage

    embedder, folder = exported
    query = QueryImage(folder)
    assert query.input_spec == embedder.input_spec
    rng = np.random.default_rng(2)
    arrays = [rng.integers(0, 256, (query.input_spec.size, query.input_spec.size, 3), dtype=np.uint8) for _ in range(4)]
    assert np.abs(query.embed_arrays(arrays) - embedder.embed_arrays(arrays)).max() < 1e-5


def test_a_damaged_or_foreign_export_is_not_used(exported, tmp_path, monkeypatch):
    import shutil

    from app.ml.query_text import load_query_text, query_folder
    from app.ml.spec import ModelSpec

    embedder, folder = exported
    monkeypatch.setenv("PHOTO_ORGANIZER_QUERY_DIR", str(tmp_path))
    spec = embedder.spec
    target = query_folder(spec)
    shutil.copytree(folder, target)
    assert load_query_text(spec) is not None
    assert load_query_text(ModelSpec("PO-Tiny", "served")) is None, "another model's folder is another folder"
    (target / "meta.json").write_text(json.dumps({**json.loads((target / "meta.json").read_text()), "model": "other"}))
    assert load_query_text(spec) is None, "an export naming another model is not used"
    from app.ml.export_check import ExportDamaged, describe_files

    meta = json.loads((folder / "meta.json").read_text())
    (target / "merges.json").write_text('{"not": "a list"}')
    (target / "meta.json").write_text(
        json.dumps({**meta, "files": {**meta["files"], **describe_files(target, ["merges.json"])}})
    )
    with pytest.raises(ExportDamaged, match="not a list of merges"):
        load_query_text(spec).embed_texts(["a dog"])  # read with the first words, not by `status`
    (target / "meta.json").write_text("{not json")

    with pytest.raises(ExportDamaged, match="cannot be read"):
        load_query_text(spec)


def test_a_search_from_the_command_line_needs_no_torch_and_ranks_as_before(cli, library_dir, tmp_path, monkeypatch):
    import os

    from tests.helpers.shapes import draw, write_test_set

    write_test_set(tmp_path / "shapes", per_class=2, seed=5)
    assert cli("index", tmp_path / "shapes").code == 0  # exports the text tower (once per model)
    assert cli("status", "--json").json["quick_search"] == "ready"
    exported_in = os.environ["PHOTO_ORGANIZER_QUERY_DIR"]
    monkeypatch.setenv("PHOTO_ORGANIZER_QUERY_DIR", str(tmp_path / "none-yet"))
    outside = tmp_path / "query.png"  # a query photo from outside the library
    draw("red", "circle", np.random.default_rng(3), 128).save(outside)
    asked = {"words": ["a red photo"], "photo": ["--image", str(outside)]}
    before = {}
    for kind, query in asked.items():
        found = cli("search", *query, "--top-k", "10", "--json")  # through torch: no export here
        assert found.code == 0, found.err
        before[kind] = found.json["results"]
    assert (tmp_path / "none-yet").is_dir(), "the search prepared the quick path for the next one"
    monkeypatch.setenv("PHOTO_ORGANIZER_QUICK_SEARCH", "0")
    assert cli("status", "--json").json["quick_search"] == "off"
    monkeypatch.delenv("PHOTO_ORGANIZER_QUICK_SEARCH")
    env = {**os.environ, "PHOTO_ORGANIZER_QUERY_DIR": exported_in}
    # Words alone need neither the model's own wrapper (nor PIL with it) nor the teaching stack.
    unneeded = {"words": ["app.ml.embedder", "app.teaching.teacher", "PIL.Image"], "photo": []}
    for kind, query in asked.items():
        code = (
            "import sys\n"
            "from app.cli import main\n"
            f"code = main(['search', *{query!r}, '--top-k', '10', '--json', '--library', {str(library_dir)!r}])\n"
            "sys.exit(code or ('torch' in sys.modules) * 3 or ('torchvision' in sys.modules) * 4"
            f" or any(m in sys.modules for m in {unneeded[kind]!r}) * 5)"
        )
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode == 0, (kind, run.returncode, run.stderr)
        after = json.loads(run.stdout)["results"]
        assert [r["path"] for r in after] == [r["path"] for r in before[kind]], kind
        assert np.allclose([r["score"] for r in after], [r["score"] for r in before[kind]], atol=1e-5), kind


def test_indexing_says_when_it_prepares_quick_searches_and_only_the_first_time(library_dir, tmp_path, monkeypatch):
    """The export takes about half a minute for ViT-B-32: the window and the progress line
    must say why indexing has not finished yet."""
    from app.controller.texts import progress_text
    from app.indexing.report import QUICK_SEARCHES, IndexProgress
    from app.indexing.run_setup import RunControls
    from app.library import Library
    from app.ml.spec import ModelSpec
    from tests.helpers.shapes import write_test_set

    monkeypatch.setenv("PHOTO_ORGANIZER_QUERY_DIR", str(tmp_path / "query"))  # nothing exported yet
    write_test_set(tmp_path / "first", per_class=1, seed=2)
    write_test_set(tmp_path / "more", per_class=1, seed=3)
    phases: list[str] = []
    with Library(library_dir, ModelSpec("PO-Tiny", "random")) as library:
        library.index([tmp_path / "first"], controls=RunControls(lambda p: phases.append(p.phase)))
        assert phases.count(QUICK_SEARCHES) == 1 and phases[-1] == QUICK_SEARCHES
        assert library.queries.state() == "ready"
        phases.clear()
        library.index([tmp_path / "more"], controls=RunControls(lambda p: phases.append(p.phase)))
        assert phases and QUICK_SEARCHES not in phases  # exported once per model
    assert "quick searches" in progress_text(IndexProgress(QUICK_SEARCHES, 0, 1), "cpu").lower()


def test_the_tower_last_searched_through_is_preloaded_and_taken_by_its_own_model_only(exported, tmp_path, monkeypatch):
    import os
    import shutil

    from app.ml import query_text
    from app.ml.query_text import QueryText, load_query_text, preload_last_used, query_folder

    embedder, folder = exported
    monkeypatch.setenv("PHOTO_ORGANIZER_QUERY_DIR", str(tmp_path))
    ours = query_folder(embedder.spec)
    shutil.copytree(folder, ours)
    other = tmp_path / "another-model"
    shutil.copytree(folder, other)
    for copy in (ours, other):
        (copy / "last-used").unlink(missing_ok=True)  # the fixture's export was searched before
    query_text._preloading.clear()  # an earlier search in this test session may have left one
    preload_last_used()
    assert not query_text._preloading, "nothing searched yet: nothing to preload"

    found = load_query_text(embedder.spec)
    assert found is not None
    expected = found.embed_texts(TEXTS)  # the search marks this export as the last used
    (other / "last-used").touch()
    os.utime(other / "last-used", (1, 1))  # long ago
    preload_last_used()
    assert list(query_text._preloading) == [ours]
    thread, loaded = query_text._preloading[ours]
    thread.join()
    session = loaded["session"]
    again = QueryText(ours)
    assert np.allclose(again.embed_texts(TEXTS), expected, atol=1e-6)
    assert again._session is session and not query_text._preloading, "the search took the preloaded session"

    os.utime(other / "last-used")  # now another model's export was used last
    preload_last_used()
    assert list(query_text._preloading) == [other]
    assert QueryText(ours).embed_texts(TEXTS).shape == expected.shape  # loads its own, as before
    assert list(query_text._preloading) == [other], "a session of another export is never taken"
    query_text._preloading.clear()


def test_a_query_folder_that_cannot_be_written_is_found_before_the_model_loads(cli, tmp_path, monkeypatch, caplog):
    """A read-only cache: every search would load the model to export, fail, and answer late.
    It is found first, in a moment, and searches answer through torch as always."""
    import logging

    from tests.helpers.shapes import write_test_set

    write_test_set(tmp_path / "shapes", per_class=1, seed=6)
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv("PHOTO_ORGANIZER_QUERY_DIR", str(tmp_path / "a file" / "query"))
    with caplog.at_level(logging.WARNING, logger="app.library_queries"):
        assert cli("index", tmp_path / "shapes").code == 0
        found = cli("search", "a red photo", "--json")
    assert found.code == 0 and found.json["results"], found.err
    assert "preparing quick searches" not in found.err
    assert "cannot prepare quick searches in" in caplog.text and "could not prepare" not in caplog.text


def test_a_process_that_keeps_towers_loads_each_once_until_it_is_exported_again(exported, monkeypatch):
    """The command line's warm helper opens the library anew for each command: the tower it
    loaded stays loaded (its session and tokenizer), and an export written since is loaded."""
    import os

    from app.ml import query_text

    _embedder, folder = exported
    monkeypatch.setattr(query_text, "_kept", None)
    loads, merges_read, checks = [], [], []
    real = query_text.onnx_session
    check_vector = query_text.check_vector
    monkeypatch.setattr(query_text, "check_vector", lambda *args: checks.append(1) or check_vector(*args))
    monkeypatch.setattr(query_text, "onnx_session", lambda path, *more: loads.append(path) or real(path, *more))
    read_merges = query_text.QueryText._read_merges
    monkeypatch.setattr(query_text.QueryText, "_read_merges", lambda self: merges_read.append(1) or read_merges(self))
    words = ["a dog on the beach"]
    before = query_text.QueryText(folder).embed_texts(words)
    query_text.QueryText(folder).embed_texts(words)
    assert len(loads) == 2, "a process that keeps none loads the tower for each library opened"
    assert len(merges_read) == 2 and len(checks) == 2

    query_text.keep_loaded_towers()
    first, second = query_text.QueryText(folder), query_text.QueryText(folder)
    assert np.array_equal(first.embed_texts(words), before) and np.array_equal(second.embed_texts(words), before)
    assert len(loads) == 3 and second.tokenizer() is first.tokenizer()
    assert len(merges_read) == 3, "the merges are read only where no tokenizer made from them is kept"
    assert len(checks) == 3, "a kept tower's check vector is run once, not for each library opened"
    meta = folder / "meta.json"
    written = meta.stat().st_mtime_ns
    os.utime(meta, ns=(written + 10**9, written + 10**9))  # exported again
    try:
        assert np.array_equal(query_text.QueryText(folder).embed_texts(words), before)
        assert len(loads) == 4 and len(checks) == 4, "an export written since is loaded and checked"
    finally:
        os.utime(meta, ns=(written, written))
