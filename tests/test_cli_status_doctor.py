"""status and doctor, and the cost of re-indexing an unchanged folder (invariant 3)."""

from __future__ import annotations

from app.library import Library
from tests.helpers.images import photo, save_jpeg


def test_status_of_a_new_library(cli, tmp_path):
    missing = cli("status", "--json")
    assert missing.code == 2 and "no library at" in missing.json["error"], "only index creates a library"
    (tmp_path / "empty").mkdir()
    assert cli("index", tmp_path / "empty").code == 0
    status = cli("status", "--json").json
    assert (status["images"], status["vectors"], status["index_vectors"]) == (0, 0, 0)
    assert status["consistent"] is True


def test_doctor_reports_device_model_and_library(cli, tmp_path):
    save_jpeg(tmp_path / "p" / "a.jpg", photo(1))
    cli("index", tmp_path / "p")
    result = cli("doctor", "--json")
    assert result.code == 0, result.err
    report = result.json
    assert report["ok"] is True
    assert report["device"]["selected"] in ("cpu", "cuda")
    assert report["model"]["available"] is True and report["model"]["spec"] == "PO-Tiny/random"
    assert report["library"]["sqlite_ok"] and report["library"]["consistent"]
    assert (
        report["quick_search"]["state"] == "ready" and "without loading the model" in report["quick_search"]["detail"]
    )


def test_doctor_compares_the_vectors_id_by_id_whatever_agreement_is_remembered(cli, tmp_path, library_dir, monkeypatch):
    """A catalog edited past its triggers (by hand, with the stamps' triggers dropped) leaves
    an agreement that every other command trusts; doctor finds the difference, and the next
    command that opens the library compares the ids and fixes the file."""
    from sqlalchemy import text

    from app.catalog.database import open_catalog
    from app.vectors import file_stamp

    # as a while after the last write: agreement trusted
    monkeypatch.setattr(file_stamp, "settle_ns", lambda identity: 0)
    for k in range(3):
        save_jpeg(tmp_path / "p" / f"{k}.jpg", photo(k))
    assert cli("index", tmp_path / "p").code == 0
    assert cli("status", "--json").json["consistent"] is True  # found to agree, remembered
    engine = open_catalog(library_dir / "catalog.sqlite")
    with engine.begin() as conn:
        names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
        for name in names:
            conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(text("UPDATE regions SET vector = NULL WHERE id = (SELECT MIN(id) FROM regions)"))
    engine.dispose()

    report = cli("doctor", "--json").json
    assert report["library"]["consistent"] is False and report["ok"] is False
    status = cli("status", "--json").json
    assert status["consistent"] is True and status["index_vectors"] == status["vectors"] == 2, "compared and fixed"
    assert cli("doctor", "--json").json["ok"] is True


def test_doctor_reports_the_detector_and_the_text_reader(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.setenv("PHOTO_ORGANIZER_DETECT", "1")
    report = cli("doctor", "--json").json
    objects, text = report["regions"]["objects"], report["regions"]["text"]
    assert objects["on"] is True and objects["available"] is False and "download.pytorch.org" in objects["detail"]
    assert text["on"] is False and text["available"] is True and "easyocr_en_models" in text["detail"]
    assert text["gate"].startswith("on the CPU")
    faces = report["regions"]["faces"]
    assert faces["on"] is False and faces["available"] is True and faces["detector"] == "dlib-hog"
    assert report["ok"] is True  # objects and text are optional: the library still works


def test_doctor_says_how_to_get_missing_face_models(cli, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "face_recognition_models" else real(name, *a)
    )
    faces = cli("doctor", "--json").json["regions"]["faces"]
    assert faces["available"] is False and "face-recognition-models" in faces["detail"]


def test_doctor_flags_missing_weights(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTO_ORGANIZER_MODEL", "ViT-B-32")
    monkeypatch.setenv("PHOTO_ORGANIZER_PRETRAINED", "laion2b_s34b_b79k")
    result = cli("doctor", "--json")
    assert result.code == 1
    assert result.json["model"]["available"] is False
    assert "local-dir:" in result.json["model"]["detail"]


def test_unchanged_folder_never_loads_the_model(library_dir, tmp_path):
    for i in range(3):
        save_jpeg(tmp_path / "p" / f"{i}.jpg", photo(i))
    with Library(library_dir) as library:
        library.index([tmp_path / "p"])
    with Library(library_dir) as library:
        report = library.index([tmp_path / "p"])
        assert report.unchanged == 3 and report.embedded == 0
        assert not library.embedder.loaded


def test_the_process_entry_pauses_the_collector_for_brief_commands_only_and_freezes_the_heap_after(
    cli, tmp_path, library_dir
):
    """`photo-organizer` runs a brief command (search, similar, status) with the cycle
    collector paused, others with it running, and freezes the heap before the interpreter's
    teardown; the collector is on again when the command is over, whichever it was."""
    import os
    import subprocess
    import sys

    (tmp_path / "empty").mkdir()
    assert cli("index", tmp_path / "empty").code == 0
    probe = (
        "import gc, sys\n"
        "import app.cli.entry as entry\n"
        "real, seen = entry.COMMANDS[sys.argv[1]], []\n"
        "entry.COMMANDS[sys.argv[1]] = lambda args: seen.append(gc.isenabled()) or real(args)\n"
        "code = entry.command_line()\n"
        "print(seen, gc.isenabled(), gc.get_freeze_count() > 0, code)\n"
    )
    env = {**os.environ, "PHOTO_ORGANIZER_LIBRARY": str(library_dir)}
    for command, collecting in (("status", False), ("albums", True)):
        done = subprocess.run(
            [sys.executable, "-c", probe, command, "--json"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == f"[{collecting}] True True 0", (command, done.stdout)


def test_an_index_run_leaves_the_photos_analysis_version_current_for_the_next_status(
    cli, tmp_path, library_dir, monkeypatch
):
    """The version the photos' analyses are cached under is made by the run that added them
    (reading every photo's id: 0.16 s at a million photos), not by the next `status`; and it is
    the version the analyses are then made under."""
    from app.catalog import analysis_vectors

    read: list[str] = []
    real = analysis_vectors.analysis_region_ids
    monkeypatch.setattr(
        analysis_vectors, "analysis_region_ids", lambda engine, on="image": read.append(on) or real(engine, on)
    )
    for seed in (1, 2, 3):
        save_jpeg(tmp_path / "p" / f"{seed}.jpg", photo(seed))
    assert cli("index", tmp_path / "p").code == 0
    assert read == ["image"], "made once, by the run"
    assert cli("status", "--json").json["analysis"]["clusters"] == "missing"
    assert read == ["image"], "the next status reads no id"
    assert cli("clusters", "--json").code == 0
    assert cli("status", "--json").json["analysis"]["clusters"] == "fresh"
    save_jpeg(tmp_path / "p" / "4.jpg", photo(4))
    assert cli("index", tmp_path / "p").code == 0
    read.clear()
    assert cli("status", "--json").json["analysis"]["clusters"] == "stale"
    assert read == [], "made again by the run that added a photo"
