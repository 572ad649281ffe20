"""What the main window's start-up runs on the task manager's thread: open the database and load the roster
and the templates. Plain module-level functions (the worker rule); core is imported inside them so that the
window paints before SQLAlchemy is loaded.
"""

from pathlib import Path


def open_and_load(path: Path, cached_fingerprint: tuple | None):
    """Open the database; reload the roster unless the cached one shown already matches the tables."""
    from inspector_app.core.roster.load import cached_roster_is_current
    from inspector_app.core.storage.db import open_database

    db = open_database(path)
    try:
        if cached_fingerprint is not None and cached_roster_is_current(db, cached_fingerprint):
            return db, None
        return db, load_index(db, path)
    except BaseException:
        db.close()
        raise


def load_index(db, path: Path):
    from inspector_app.core.roster.load import cache_path, load_roster

    return load_roster(db, cache=cache_path(path))


def load_templates(db):
    from inspector_app.core.inspection.template_store import available_templates
    from inspector_app.core.inspection.templates import TemplateError

    try:
        return available_templates(db)  # forms/ and the templates the bureau published
    except TemplateError as exc:  # the app still works (archive, roster); new inspections will say why not
        return exc
