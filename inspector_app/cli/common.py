"""What the supervision command groups share: argument types, the database around a command, the names a
script uses for enterprises and inspectors, tab-separated rows. Not a command module (no `register`).

Enterprises are named by their unified social credit code, inspectors by their badge number (执法证号).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from inspector_app.cli.main import Refused, open_db
from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database

Command = Callable[[argparse.Namespace], int]
DbCommand = Callable[[argparse.Namespace, "Database"], int | None]


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("“{t}”不是日期，应写成 2026-06-15").format(t=text)) from None


def parse_year(text: str) -> int:
    try:
        y = int(text)
    except ValueError:
        y = 0
    if not 2000 <= y <= 2100:
        raise argparse.ArgumentTypeError(_("“{t}”不是有效年度").format(t=text))
    return y


def with_db(fn: DbCommand) -> Command:
    """Open the database, run fn(args, db), close it."""

    def wrapper(args: argparse.Namespace) -> int:
        db = open_db(args)
        try:
            return fn(args, db) or 0
        finally:
            db.close()

    wrapper.__name__ = fn.__name__
    return wrapper


def enterprise_id(db: Database, uscc: str) -> str:
    from inspector_app.core import archive

    eid = archive.enterprise_id_by_uscc(db, uscc)
    if eid is None:
        raise Refused(_("找不到统一社会信用代码为“{c}”的企业").format(c=uscc))
    return eid


def inspector_id(db: Database, badge: str) -> str:
    from inspector_app.core import archive

    iid = archive.inspector_id_by_badge(db, badge)
    if iid is None:
        raise Refused(_("找不到执法证号为“{b}”的检查人员").format(b=badge))
    return iid


def print_rows(rows: Iterable[Iterable[Any]]) -> None:
    for r in rows:
        print("\t".join("" if v is None else str(v) for v in r))
