"""The private staging folders of imports: where they are, which this process's imports hold, and removing
those of imports that never finished. verify.py stages a bundle's attachments in one; staging.py moves them
into place from it; sync/leftovers.py cleans what a crashed import had already placed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from inspector_app.core.storage.db import Database
from inspector_app.sync.export_write import pid_alive

_STALE_STAGING_SECONDS = 86400


def staging_root() -> Path:
    from inspector_app import paths

    return paths.data_dir() / "sync-staging"


ACTIVE_STAGING: set[str] = set()  # staging folders of this process's imports in progress


def cleanup_staging(db: Database | None = None) -> None:
    """Remove the staging folders of imports that never finished (killed, crashed, power lost): each folder
    is named after its process, and one whose process is gone (or, where that cannot be told, a day old)
    goes. Run before every import's verification; a spool can hold a gigabyte. The files such an import had
    already moved into place and no row of `db` refers to go with it (sync/leftovers.py); without `db` a
    folder whose import had begun to place files is left alone."""
    from inspector_app.sync.leftovers import clean_stale

    root = staging_root()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        pid, _sep, _rest = name.partition("-")
        if str(root / name) in ACTIVE_STAGING:
            continue
        try:
            # This process's own folder that no import holds (a GUI session's earlier import, issue 13 §4).
            stale = not pid.isdigit() or int(pid) == os.getpid() or not pid_alive(int(pid))
            if not stale and sys.platform == "win32":  # pid_alive cannot tell there: a day-old folder goes
                stale = time.time() - os.stat(root / name).st_mtime > _STALE_STAGING_SECONDS
        except OSError:
            continue
        if stale:
            clean_stale(db, root / name)
