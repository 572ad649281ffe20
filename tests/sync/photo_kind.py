"""A simple attachment kind for tests: a photo file on disk per row (benchmarks/bench_sync.py uses the app's
real photos, sync/kinds_documents.py PhotoKind).

It stands for the documents work's photos: a table of its own (created here with plain SQLAlchemy Core,
not an app migration), one attachment slot, the file's SHA-256 kept in the row, the file's local path kept
out of the bundle. Registering it uses only the public extension point of sync/records.py.
"""

import os
from pathlib import Path

import sqlalchemy as sa

from inspector_app.sync.records import FileRef, TableKind

metadata = sa.MetaData()
photo = sa.Table(
    "test_photo",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime),
    sa.Column("inspection_id", sa.String(36), nullable=False),
    sa.Column("file_name", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("path", sa.String(500)),  # local: where this machine keeps the file
)


def create_table(db) -> None:
    metadata.create_all(db.engine)


def photo_dir() -> Path:
    from inspector_app import paths

    return paths.data_dir() / "test-photos"


def _files(session, row) -> list[FileRef]:
    return [FileRef("photo", path=Path(row["path"]), name=row["file_name"], sha256=row["sha256"], size=row["size"])]


def _store(ctx, rec) -> dict:
    # Content-addressed file name: a new version of a photo never overwrites the old file.
    folder = getattr(ctx, "_photo_folder", None)
    if folder is None:  # once per import: data_dir() creates the folder on every call
        folder = ctx._photo_folder = os.path.join(photo_dir(), ctx.self_id[:8])
    final = os.path.join(folder, f"{rec.id}-{rec.files['photo']['sha256'][:16]}.jpg")
    if not os.path.exists(final):
        ctx.adopt(ctx.staged(rec, "photo"), Path(final))
    return {"path": final}


def make_kind() -> TableKind:
    return TableKind(
        photo,
        "test_photo",
        "照片",
        order=400,
        exclude=("path",),
        files=_files,
        store_files=_store,
        title=lambda d: d.get("file_name", ""),
    )


def register(reg) -> None:
    if "test_photo" not in reg:
        reg.add(make_kind())


def add_photo(db, inspection_id: str, data: bytes, name: str = "photo.jpg") -> str:
    import hashlib
    import uuid

    pid = str(uuid.uuid4())
    target = photo_dir() / "own" / f"{pid}.jpg"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    with db.session() as s:
        s.execute(
            sa.insert(photo).values(
                id=pid,
                rev=1,
                inspection_id=inspection_id,
                file_name=name,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                path=str(target),
            )
        )
    return pid
