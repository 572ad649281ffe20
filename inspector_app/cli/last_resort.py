"""The CLI's last line of defence: whatever escapes a command becomes one Chinese line on stderr (exit 1), and
its traceback goes to a log file the line names. Each known class of failure (a busy or damaged database, a
full disk, a folder we may not write) is put into words here; anything else is called an internal error.

Commands refuse bad input themselves (DomainError); this is for what a command did not foresee.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
import traceback
from datetime import datetime
from pathlib import Path

from inspector_app.i18n import _

log = logging.getLogger("inspector_app.cli")


def log_path() -> Path:
    from inspector_app.paths import data_dir

    return data_dir() / "logs" / "cli.log"


def _write_log(exc: BaseException, argv: list[str] | None) -> Path | None:
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(
                f"\n{datetime.now().isoformat(timespec='seconds')} inspector-app {' '.join(argv or sys.argv[1:])}\n"
            )
            f.write("".join(traceback.format_exception(exc)))
        return path
    except Exception:  # a full disk or a read-only data folder: the line on stderr is all we can give
        return None


def _sqlite_error(exc: BaseException) -> BaseException | None:
    """The sqlite3 error inside exc (SQLAlchemy wraps it), or None."""
    seen = exc
    for _i in range(5):
        if isinstance(seen, sqlite3.Error):
            return seen
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
        if seen is None:
            return None
    return None


def _os_error(exc: BaseException) -> OSError | None:
    seen: BaseException | None = exc
    for _i in range(5):
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__ if seen is not None else None
    return None


def explain(exc: BaseException, db_path: Path | None) -> str:
    """One Chinese sentence for exc: what happened and what to do."""
    if isinstance(exc, KeyboardInterrupt):
        return _("已中断；未完成的操作没有写入数据库。")
    if isinstance(exc, MemoryError):
        return _("内存不足，操作已取消，数据库没有改动。文件可能过大。")
    if isinstance(exc, RecursionError):
        return _("输入的文件嵌套层数过多，不是本程序写出的文件，已拒绝。数据库没有改动。")
    db_error = _sqlite_error(exc)
    if db_error is not None:
        text = str(db_error)
        if "locked" in text or "busy" in text:
            return _("数据库正被另一个程序或另一次导入写入，请等它结束后再试。本次操作未写入任何数据。")
        if db_path is not None:
            from inspector_app.core.storage.health import damage_report

            report = damage_report(db_path)
            if report:
                return report
        if "disk is full" in text or "full" in text:
            return _("磁盘空间不足，操作已取消，数据库没有改动。请腾出空间后再试。")
    os_error = _os_error(exc)
    if os_error is not None:
        name = os_error.filename or ""
        if os_error.errno == errno.ENOSPC:
            return _("磁盘空间不足（写入“{f}”时），操作已取消，数据库没有改动。请腾出空间后再试。").format(f=name)
        if os_error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return _("没有写入“{f}”的权限（文件夹只读？），操作已取消。").format(f=name)
        return _("无法读写“{f}”：{e}。操作已取消。").format(f=name, e=os_error.strerror or os_error)
    return ""


def report(exc: BaseException, argv: list[str] | None, db_path: Path | None) -> str:
    """The line to print for an unexpected exc; its traceback is logged."""
    path = _write_log(exc, argv)
    line = explain(exc, db_path)
    where = _("详情已记录在“{p}”。").format(p=path) if path else ""
    if line:
        return line + where
    return _("程序内部错误（{t}），操作未完成，数据库没有改动。").format(t=type(exc).__name__) + where
