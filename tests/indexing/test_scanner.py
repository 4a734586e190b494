"""Walking folders safely."""

from __future__ import annotations

import os

from app.indexing.scanner import scan
from tests.helpers.images import photo, save_jpeg


def test_skips_hidden_and_system_folders_and_non_images(tmp_path):
    save_jpeg(tmp_path / "a.jpg", photo(1))
    save_jpeg(tmp_path / ".hidden" / "b.jpg", photo(2))
    save_jpeg(tmp_path / "@eaDir" / "c.jpg", photo(3))
    (tmp_path / "notes.txt").write_text("x")
    found = scan([tmp_path])
    assert [os.path.basename(f.path) for f in found.files] == ["a.jpg"]


def test_symlink_loops_terminate_and_are_reported(tmp_path):
    save_jpeg(tmp_path / "sub" / "a.jpg", photo(1))
    os.symlink("..", tmp_path / "sub" / "parent")
    os.symlink(tmp_path / "sub", tmp_path / "alias")
    os.symlink("self.jpg", tmp_path / "self.jpg")
    os.symlink("missing.jpg", tmp_path / "dangling.jpg")
    found = scan([tmp_path])
    assert len(found.files) == 1
    reasons = {os.path.basename(f.path): f.reason for f in found.failures}
    assert reasons == {"self.jpg": "symbolic link loop", "dangling.jpg": "broken symbolic link"}


def test_a_folder_named_like_a_photo_is_walked(tmp_path):
    save_jpeg(tmp_path / "x.jpg" / "inside.jpg", photo(1))
    assert [os.path.basename(f.path) for f in scan([tmp_path]).files] == ["inside.jpg"]


def test_excluded_folder_and_stop(tmp_path):
    save_jpeg(tmp_path / "lib" / "t.jpg", photo(1))
    save_jpeg(tmp_path / "a.jpg", photo(2))
    assert len(scan([tmp_path], exclude=[tmp_path / "lib"]).files) == 1
    assert scan([tmp_path], should_stop=lambda: True).files == []


def test_a_link_to_something_unreadable_is_not_called_broken(tmp_path):
    import errno

    from app.indexing.scanner import failure_reason

    os.symlink("/proc/kcore", tmp_path / "kcore.jpg")
    denied = PermissionError(errno.EACCES, "Permission denied")
    assert failure_reason(str(tmp_path / "kcore.jpg"), denied) == ("permission denied", False)
    os.symlink("missing.jpg", tmp_path / "dangling.jpg")
    gone = FileNotFoundError(errno.ENOENT, "No such file")
    assert failure_reason(str(tmp_path / "dangling.jpg"), gone) == ("broken symbolic link", True)
