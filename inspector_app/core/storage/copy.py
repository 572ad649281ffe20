"""Moving in: copy a whole database to another engine (a bureau's file onto its new server, or the server into a
file a clerk takes home), in one transaction, verified table by table by row counts and content hashes.

The target must be empty (a new file, or a server database with no records): copying into data would merge two
archives, which is what bundles are for. Photos' originals and issued PDFs are files in each computer's data
folder (core/inspection/photos.py, core/issuing/issued.py), not rows: they are not copied here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.schema import Table

from inspector_app.core.errors import DomainError
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Base
from inspector_app.i18n import _

CHUNK = 2000


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    digest: str


def tables() -> list[Table]:
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
    return [t.name for t in tables() if conn.execute(select(func.count()).select_from(t)).scalar()]


def copy_database(
    source: Database, target: Database, progress: Callable[[str, int], None] | None = None
) -> list[TableCopy]:
    """Copy every row of source into the empty target in one transaction; verified before the commit."""
    copied: list[TableCopy] = []
    with source.engine.connect() as src, target.engine.begin() as dst:
        full = _non_empty(dst)
        if full:
            raise DomainError(
                _("目标数据库“{t}”已有数据（{n}），未作任何改动。只能复制到新建的空数据库。").format(
                    t=target.location, n="、".join(full[:5])
                )
            )
        for table in tables():
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
    return copied
