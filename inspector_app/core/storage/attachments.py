"""Attachments by content: photo originals (core/inspection/photos.py) and issued PDFs (core/issuing/issued.py).

A file database (a laptop, a small bureau on one workstation) keeps them as files in the data folder, named by
their SHA-256. A server database is shared by clerks at several workstations, whose data folders the others
cannot open: there the bytes live in the database, table `stored_file` (sha256 → bytes), written in the same
transaction as the row that refers to them. The caller names the file `path` it would use; on a server it is
ignored. Either way the bytes read back are checked against their SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.errors import DomainError
from inspector_app.core.files import write_atomic
from inspector_app.core.storage.bureau_models import StoredFile
from inspector_app.i18n import _


def on_server(session: Session) -> bool:
    return session.get_bind().dialect.name != "sqlite"


def _intact(path: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def keep(session: Session, data: bytes, sha256: str, path: Path) -> None:
    """Keep `data` (whose SHA-256 is sha256) once: in the table on a server, as the file `path` otherwise
    (a damaged file of that name is replaced). Written before the row that refers to it commits: a file a
    rolled-back transaction left is harmless (content-addressed, used by the next keep of the same bytes)."""
    if on_server(session):
        if session.get(StoredFile, sha256) is None:
            # Two clerks keeping the same bytes at once: the second insert fails (unique), the operation is
            # tried again (storage.db.is_transient) and finds the row.
            session.add(StoredFile(sha256=sha256, size=len(data), data=data))
            session.flush()
        return
    if not _intact(path, sha256):
        # Durable before the row commits (synchronous=FULL): a power cut must not leave a row without its file.
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)


def read(session: Session, sha256: str, path: Path) -> bytes | None:
    """The kept bytes, or None when they are missing or do not match their SHA-256."""
    if on_server(session):
        data = session.scalar(select(StoredFile.data).where(StoredFile.sha256 == sha256))
    else:
        try:
            data = path.read_bytes()
        except OSError:
            return None
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        return None
    return bytes(data)


def size(session: Session, sha256: str, path: Path) -> int | None:
    """The kept size without reading the bytes (an export lists many), None when missing."""
    if on_server(session):
        return session.scalar(select(StoredFile.size).where(StoredFile.sha256 == sha256))
    try:
        return path.stat().st_size
    except OSError:
        return None


def loader(session: Session, sha256: str) -> Callable[[], bytes]:
    """A server database's kept bytes, read later on a connection of their own (an export lists every
    attachment first and writes them one by one); DomainError when they are missing by then."""
    engine = session.get_bind().engine

    def load() -> bytes:
        with engine.connect() as conn:
            data = conn.scalar(select(StoredFile.data).where(StoredFile.sha256 == sha256))
        if data is None:
            raise DomainError(_("附件（校验值 {h}…）在数据库中缺失，请从备份恢复。").format(h=sha256[:12]))
        return bytes(data)

    return load
