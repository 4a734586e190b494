"""What finding duplicates reads from the catalog: images held by several files (exact copies),
with each file's modification time, every image's content hash (which names its thumbnail), and
files as they were indexed (what the trash checks before it takes one)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, func, select

from app.catalog.schema import FileRow, ImageRow
from app.core.trash import IndexedFile


def files_of_copied_images(engine: Engine) -> dict[int, list[tuple[str, int]]]:
    """image id -> [(path, mtime_ns)] for every image that more than one file holds."""
    copied = select(FileRow.image_id).group_by(FileRow.image_id).having(func.count() > 1)
    stmt = (
        select(FileRow.image_id, FileRow.path, FileRow.mtime_ns)
        .where(FileRow.image_id.in_(copied))
        .order_by(FileRow.image_id, FileRow.path)
    )
    out: dict[int, list[tuple[str, int]]] = {}
    with engine.connect() as conn:
        for image_id, path, mtime_ns in conn.execute(stmt):
            out.setdefault(image_id, []).append((path, mtime_ns))
    return out


def content_hashes(engine: Engine) -> dict[int, str]:
    """image id -> content hash, for every image."""
    with engine.connect() as conn:
        return {
            image_id: content_hash
            for image_id, content_hash in conn.execute(select(ImageRow.id, ImageRow.content_hash))
        }


def indexed_files(engine: Engine, paths: Sequence[str]) -> dict[str, IndexedFile]:
    """path -> the file as it was indexed (size, change time, content hash), for those of
    `paths` the library holds."""
    out: dict[str, IndexedFile] = {}
    with engine.connect() as conn:
        for start in range(0, len(paths), 500):
            stmt = (
                select(FileRow.path, FileRow.size, FileRow.ctime_ns, ImageRow.content_hash)
                .join(ImageRow, ImageRow.id == FileRow.image_id)
                .where(FileRow.path.in_(list(paths[start : start + 500])))
            )
            for path, size, ctime_ns, content_hash in conn.execute(stmt):
                out[path] = IndexedFile(path, size, ctime_ns, content_hash)
    return out
