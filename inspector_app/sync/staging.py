"""Moving an import's verified attachments into place inside its transaction, and back if it does not commit.

The Context is what a kind's write uses while a bundle is applied (records.ApplyContext): staged files are
adopted into their final place, each journalled first (sync/leftovers.py); placements() lists them before
any is moved; sync_disk() makes them durable before the commit that refers to them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from inspector_app.sync import records
from inspector_app.sync.decide import Decision
from inspector_app.sync.leftovers import Journal
from inspector_app.sync.records import Incoming
from inspector_app.sync.verify import (
    VerifiedBundle,
)


class Context(records.ApplyContext):
    def __init__(self, session: Session, self_id: str, source_id: str, vb: VerifiedBundle):
        self.session, self.self_id, self.source_id = session, self_id, source_id
        self._vb = vb
        self.moved: list[tuple[Path | None, Path]] = []  # (None, written file) for keep()
        self.folders: set[str] = set()
        self.journal = Journal(vb.staging)  # what a crash before the commit would leave (sync/leftovers.py)

    def staged(self, rec: Incoming, slot: str) -> Path:
        return Path(self._vb.staged[rec.files[slot]["path"]])

    def read(self, rec: Incoming, slot: str) -> bytes:
        path = rec.files[slot]["path"]
        spool = self._vb.spool
        return spool.get(path) if spool is not None and path in spool else self.staged(rec, slot).read_bytes()

    def _make_room(self, final: Path) -> None:
        """The folder of `final` exists, and nothing is at `final` yet."""
        folder = os.path.dirname(final)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        if os.path.lexists(final):
            raise FileExistsError(final)

    def adopt(self, staged: Path, final: Path) -> None:
        self._make_room(final)
        self.journal.ensure((final,))
        try:
            os.rename(staged, final)  # same file system: the usual case, instant
        except OSError:
            shutil.move(staged, final)
        self.moved.append((staged, final))

    def keep(self, rec: Incoming, slot: str, final: Path) -> None:
        """Put an attachment's verified file at `final` (a conflict's copy): moved, or written from the spool."""
        spool = self._vb.spool
        if spool is None or rec.files[slot]["path"] not in spool:
            self.adopt(self.staged(rec, slot), final)
            return
        self._make_room(final)
        self.journal.ensure((final,))
        with open(final, "xb") as f:
            self.moved.append((None, final))  # removed again if the import does not commit
            f.write(self.read(rec, slot))
            if sys.platform == "win32":  # no sync() of a whole file system there (see sync_disk)
                f.flush()
                os.fsync(f.fileno())

    def undo(self) -> None:
        for staged, final in reversed(self.moved):
            if staged is None:
                final.unlink(missing_ok=True)
                continue
            try:
                shutil.move(final, staged)
            except OSError:
                try:
                    final.unlink()
                except OSError:
                    pass
        self.moved.clear()


def sync_disk(folders: set[str] | None = None) -> None:
    """Make the moved attachments durable before the commit that refers to them.

    Linux: syncfs() of each file system the files went to (not every disk of the machine, e.g. the USB
    stick being read). Elsewhere os.sync(): everything. Windows: each file was flushed when staged.
    """
    if sys.platform.startswith("linux") and folders:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if hasattr(libc, "syncfs"):
            done: set[int] = set()
            for folder in folders:
                try:
                    dev = os.stat(folder).st_dev
                    if dev in done:
                        continue
                    fd = os.open(folder, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    if libc.syncfs(fd) == 0:
                        done.add(dev)
                finally:
                    os.close(fd)
            if len(done) == len({os.stat(f).st_dev for f in folders if os.path.exists(f)}):
                return
    if hasattr(os, "sync"):
        os.sync()


def placements(reg: records.Registry, decisions: dict[str, list[Decision]]) -> list[Path]:
    """The files the writes will move into place that are not there yet: journalled before any is moved, so
    that a crash before the commit leaves nothing the next import cannot find (sync/leftovers.py). A file
    already there is not listed: it is not this import's (a photo removed from a record keeps its original)."""
    out: list[Path] = []
    for kind_name, ds in decisions.items():
        kind = reg.kind(kind_name)
        for d in ds:
            if d.outcome in ("added", "updated") and d.rec.files:
                out.extend(p for p in kind.placements(d.rec) if not os.path.lexists(p))
    return out
