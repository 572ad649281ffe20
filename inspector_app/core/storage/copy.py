"""Moving in: copy a whole database to another engine (a bureau's file onto its new server, or the server into a
file a clerk takes home), in one transaction, verified table by table by row counts and content hashes.

The target must be empty (a new file, or a server database with no records): copying into data would merge two
archives, which is what bundles are for. Photos' originals and issued PDFs (core/storage/attachments.py) go
along: a file database keeps them as files in this computer's data folder, a server database in its table
`stored_file`; a file → server copy reads the files into the table, a server → file copy writes them out. Each
is checked against its SHA-256, and their list is compared like a table's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.schema import Table

from inspector_app.core.errors import DomainError
from inspector_app.core.storage import attachments
from inspector_app.core.storage.bureau_models import StoredFile
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import IssuedDocument, Photo
from inspector_app.core.storage.models import Base
from inspector_app.core.storage.supervision_records_models import ClassificationNotice, Interview
from inspector_app.i18n import _

CHUNK = 2000


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    digest: str


def tables() -> list[Table]:
    """Every table a copy compares (stored_file is compared as the attachments it holds, see _copy_attachments)."""
    return [t for t in Base.metadata.sorted_tables if t.name != StoredFile.__tablename__]


def _all_tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children: the foreign keys hold at every insert


def digest(conn: Connection, table: Table) -> tuple[int, str]:
    """(rows, sha256 of every row in primary-key order, values as Python reads them from either engine)."""
    h = sha256()
    n = 0
    for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
        h.update(repr(tuple(row)).encode())
        n += 1
    return n, h.hexdigest()


def _non_empty(conn: Connection) -> list[str]:
    return [t.name for t in _all_tables() if conn.execute(select(func.count()).select_from(t)).scalar()]


def copy_database(
    source: Database, target: Database, progress: Callable[[str, int], None] | None = None
) -> list[TableCopy]:
    """Copy every row of source into the empty target in one transaction; verified before the commit."""
    copied: list[TableCopy] = []
    with source.engine.connect() as src, target.engine.begin() as dst:
        dst_session = Session(bind=dst)
        full = _non_empty(dst)
        if full:
            raise DomainError(
                _("目标数据库“{t}”已有数据（{n}），未作任何改动。只能复制到新建的空数据库。").format(
                    t=target.location, n="、".join(full[:5])
                )
            )
        for table in _all_tables():
            if table.name == StoredFile.__tablename__ and not target.is_server:
                continue  # a file database keeps its attachments as files: written out below
            rows = src.execute(select(table)).mappings()
            while chunk := rows.fetchmany(CHUNK):
                dst.execute(table.insert(), [dict(r) for r in chunk])
            n, hashed = digest(src, table)
            n2, hashed2 = digest(dst, table)
            if (n, hashed) != (n2, hashed2):
                raise DomainError(
                    _("复制后核对不一致：表 {t} 源 {a} 行、目标 {b} 行（或内容不同）。已撤销，目标未改动。").format(
                        t=table.name, a=n, b=n2
                    )
                )
            copied.append(TableCopy(table.name, n, hashed))
            if progress:
                progress(table.name, n)
        src_session = Session(bind=src)
        copied.append(_copy_attachments(src_session, dst_session))
        dst_session.flush()
        if progress:
            progress(copied[-1].table, copied[-1].rows)
    return copied


def _wanted(session: Session) -> dict[str, Path]:
    """Every attachment the records refer to: SHA-256 → the file a file database keeps it as."""
    from inspector_app.core.inspection.photos import original_path
    from inspector_app.core.issuing.issued import archive_path

    wanted = {sha: original_path(sha, ext) for sha, ext in session.execute(select(Photo.sha256, Photo.ext))}
    pdfs = [select(IssuedDocument.sha256)]
    pdfs += [select(t.pdf_sha256).where(t.pdf_sha256 != "") for t in (ClassificationNotice, Interview)]
    for q in pdfs:
        for sha in session.scalars(q):
            wanted.setdefault(sha, archive_path(sha))
    return wanted


def _copy_attachments(src: Session, dst: Session) -> TableCopy:
    """Keep every attachment of the source where the target keeps them, each checked against its SHA-256."""
    wanted = _wanted(src)
    missing = []
    h = sha256()
    for sha in sorted(wanted):
        data = attachments.read(src, sha, wanted[sha])
        if data is None:
            missing.append(sha)
            continue
        if not (attachments.on_server(src) and attachments.on_server(dst)):  # server → server: copied as a table
            attachments.keep(dst, data, sha, wanted[sha])
        if attachments.read(dst, sha, wanted[sha]) is None:
            raise DomainError(
                _("复制后核对不一致：附件（校验值 {h}…）未能写入目标。已撤销，目标未改动。").format(h=sha[:12])
            )
        h.update(sha.encode())
    if missing:
        where = "；".join(str(wanted[m]) if not attachments.on_server(src) else m[:12] + "…" for m in missing[:3])
        raise DomainError(
            _("源数据库的 {n} 个照片原件或已出具文书缺失或已损坏（{w}），未作任何改动。请先从备份恢复。").format(
                n=len(missing), w=where
            )
        )
    return TableCopy(_("照片原件和已出具文书"), len(wanted), h.hexdigest())
