"""What can go wrong around an import that is not the bundle's fault: another writer holds the database, or
the disk fills up. Both become a SyncError in Chinese (nothing written, staging removed) instead of a traceback.

- Another writer (a second `bundle import`, the GUI's worker): SQLite waits busy_timeout (core/storage/db.py) for the
  lock, but a transaction that read before another one committed gets "database is locked" at once. The
  whole import (verify + apply: the staged files of a failed attempt are discarded) is tried again after a
  pause, LOCK_ATTEMPTS times, then refused.
- A full disk (ENOSPC, EDQUOT, EFBIG) while staging or applying: the transaction is rolled back, the moved
  attachments are moved back, the staging folder is removed, and the message says so.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from inspector_app.i18n import _
from inspector_app.sync.format import SyncError

T = TypeVar("T")

LOCK_ATTEMPTS = 6
LOCK_PAUSE_SECONDS = 1.0  # doubled after each attempt: 1 + 2 + 4 + 8 + 16 s, plus busy_timeout each time
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _is_locked(exc: BaseException) -> bool:
    from inspector_app.core.storage.db import is_transient

    return is_transient(exc)


def _os_error(exc: BaseException) -> OSError | None:
    seen: BaseException | None = exc
    for _i in range(5):
        if isinstance(seen, OSError):
            return seen
        if seen is None:
            return None
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None


def _disk_full(exc: BaseException) -> bool:
    os_error = _os_error(exc)
    if os_error is not None and os_error.errno in _FULL:
        return True
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "disk is full" in str(orig)


def guarded(run: Callable[[], T], path) -> T:
    """run() (a whole import), tried again while the database is locked; a full disk refused in words."""
    pause = LOCK_PAUSE_SECONDS
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return run()
        except SyncError:
            raise
        except Exception as exc:
            if _disk_full(exc):
                raise SyncError(
                    _(
                        "导入“{p}”时磁盘空间不足：导入已取消，数据库没有改动，临时文件已删除。请腾出空间后再导入。"
                    ).format(p=path)
                ) from exc
            if not _is_locked(exc):
                raise
            if attempt == LOCK_ATTEMPTS:
                raise SyncError(
                    _(
                        "数据库正被另一次导入或另一个程序写入，等待后仍未结束：“{p}”未导入，数据库没有改动。请稍后再导入。"
                    ).format(p=path)
                ) from exc
            time.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")
