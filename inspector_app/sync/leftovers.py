"""What an import killed before its commit leaves behind, and how the next one cleans it (issue 13 §4).

An import moves verified attachments out of its staging folder into where the app keeps them — photo
originals under photos/, issued PDFs under issued/, a conflict's copies under sync-conflicts/<id>/ — inside
its transaction, and moves them back if that does not commit. A process killed (or a power cut) between the
move and the commit cannot move anything back: the files stay, referenced by no row.

So before an import places a file, it lists it in a journal in its staging folder (PLACED), made durable
(fsync of the file and of the folder) before the first move: after a crash the journal names every file the
import may have placed. After the commit the journal goes with the staging folder. A stale staging folder
(staging_folders.cleanup_staging: its process is gone) is cleaned by clean_stale(): each journalled file
that no row references is deleted, then the folder.

Only journalled files, never every unreferenced one: a photo removed from a record keeps its original on
disk by design (it is evidence, and another record may hold the same file). A journalled file is kept when a
row refers to it — the import committed before it was killed, or a later one brought the same file:
  photos/<sha[:2]>/<sha>.<ext>   a Photo row with that sha256
  issued/<sha[:2]>/<sha>.pdf     an IssuedDocument row with that sha256
  sync-conflicts/<id>/<slot>     a Conflict row with that id
A journalled path anywhere else (a kind of another feature, or a journal edited by hand) is never touched.

The check and the deletion run while holding the database's write lock: an import that is placing files
holds it from its first write to its commit, so a cleaning never deletes a file between another import's
"the file is already there" and the commit of the row that refers to it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from inspector_app.core.files import fsync_dir

PLACED = "placed.jsonl"  # the journal: one JSON string (an absolute path) a line


class Journal:
    """The files an import is about to place, durable before any of them is moved (see the module doc)."""

    def __init__(self, staging: Path | None):
        self._path = staging / PLACED if staging is not None else None
        self._listed: set[str] = set()
        self._synced_folder = False

    def ensure(self, finals: Iterable[Path | str]) -> None:
        """Make sure each of these files is in the journal, on disk, before the caller moves it into place.

        One call for everything an import will place (apply_bundle lists them up front): one fsync, not one
        per photo. A file not listed up front (a conflict's copy) costs an fsync of its own here."""
        new = [os.path.abspath(f) for f in finals]
        new = [f for f in dict.fromkeys(new) if f not in self._listed]
        if not new or self._path is None:
            return
        with open(self._path, "ab") as f:
            f.write(b"".join(json.dumps(p, ensure_ascii=False).encode() + b"\n" for p in new))
            f.flush()
            os.fsync(f.fileno())
        if not self._synced_folder:  # the journal's own name in its folder, once
            fsync_dir(self._path.parent)
            self._synced_folder = True
        self._listed.update(new)


def read_journal(staging: Path) -> list[Path]:
    """The files a staging folder's import listed; a line cut short by the crash is ignored (its file was not
    moved yet: the journal is synced before the move)."""
    try:
        raw = (staging / PLACED).read_bytes()
    except OSError:
        return []
    out = []
    for line in raw.splitlines():
        try:
            path = json.loads(line)
        except ValueError:
            continue
        if isinstance(path, str) and path:
            out.append(Path(path))
    return out


def _roots() -> dict[str, Path]:
    from inspector_app.core.inspection.photos import photos_dir
    from inspector_app.core.issuing.issued import issued_dir
    from inspector_app.sync.conflicts import conflicts_root

    roots = {"photo": photos_dir(), "issued": issued_dir(), "conflict": conflicts_root()}
    return {what: Path(os.path.abspath(root)) for what, root in roots.items()}


def _owner(path: Path, roots: dict[str, Path]) -> tuple[str, str] | None:
    """(what, key) for a path where an import places files: the sha256 or the conflict id; else None."""
    for what, root in roots.items():
        try:
            rel = path.relative_to(root)
        except ValueError:
            continue
        parts = rel.parts
        if ".." in parts or len(parts) != 2:
            return None
        if what == "conflict":
            return what, parts[0]
        sha = parts[1].partition(".")[0]
        if len(sha) == 64 and parts[0] == sha[:2]:
            return what, sha
        return None
    return None


def _referenced(session, what: str, key: str) -> bool:
    from sqlalchemy import select

    from inspector_app.core.storage.docs_models import IssuedDocument, Photo
    from inspector_app.core.storage.sync_models import Conflict

    if what == "photo":
        q = select(Photo.id).where(Photo.sha256 == key).limit(1)
    elif what == "issued":
        q = select(IssuedDocument.id).where(IssuedDocument.sha256 == key).limit(1)
    else:
        q = select(Conflict.id).where(Conflict.id == key).limit(1)
    return session.scalar(q) is not None


def _take_write_lock(session) -> None:
    """Start the transaction as a writer (it waits busy_timeout for another one), without changing a row."""
    from sqlalchemy import text

    session.execute(text("UPDATE sync_bundle_log SET id = id WHERE 0"))


def clean_stale(db, staging: Path) -> list[Path]:
    """Delete the files a dead import placed and no row refers to, then its staging folder. Returns what
    was deleted. With the database unavailable (locked past the wait, damaged), the folder is left for the
    next import: a leftover costs disk space, a wrong deletion would cost evidence."""
    journalled = read_journal(staging)
    removed: list[Path] = []
    if journalled:
        if db is None:
            return removed
        roots = _roots()
        owned = [(p, o) for p in journalled if (o := _owner(p, roots)) is not None]
        try:
            with db.session() as s:
                _take_write_lock(s)
                for path, (what, key) in owned:
                    if not os.path.lexists(path) or _referenced(s, what, key):
                        continue
                    try:
                        os.unlink(path)
                    except OSError:
                        continue
                    removed.append(path)
                    if what == "conflict":
                        try:
                            os.rmdir(path.parent)  # the conflict's folder, once empty
                        except OSError:
                            pass
        except Exception:  # see the docstring: never a reason to refuse the import
            return removed
    shutil.rmtree(staging, ignore_errors=True)
    return removed
