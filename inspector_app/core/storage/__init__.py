"""Storage: the database file and everything that knows its shape.

- db.py — open, check, back up and migrate the file (the only module that knows it is SQLite)
- health.py — what to tell the user about a damaged or foreign file
- models.py — the shared base (Base, Synced, ids, revisions) and the roster, inspection and template tables
- bureau_models.py — attachments kept in a server database, the change log (who did it)
- docs_models.py, supervision_models.py, supervision_records_models.py, sync_models.py — each feature's tables
- attachments.py — photo originals and issued PDFs by content: files, or rows of a server database
- edits.py — 已被他人修改: a save over a record another clerk changed is refused with its values now
- audit.py — who did it: the change log written at every flush, the enterprise's change history
- identity.py — ids derived from natural keys (the same enterprise is one record everywhere)
- migrations/ — Alembic, applied at start; frozen: they import nothing of the live app

Importing this package puts every table in Base.metadata, which Alembic and the tests rely on.
"""

from inspector_app.core.storage import (  # noqa: F401
    bureau_models,
    docs_models,
    models,
    supervision_models,
    supervision_records_models,
    sync_models,
)
