"""Template snapshots: the exact template an inspection was filled on, stored once per digest.

An inspection keeps the snapshot it was started on, whatever the bureau publishes later; every reader of an
inspection (the form, documents, statistics, JSON, rectification) turns its snapshot back into a Template here.
"""

import json
from functools import lru_cache

from sqlalchemy.orm import Session

from inspector_app.core.inspection.templates import Template
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import TemplateSnapshot


@lru_cache(maxsize=32)
def template_from_snapshot(digest: str, content: str) -> Template:
    """The Template of a stored snapshot; cached by digest, as every open of a form reads it."""
    return Template.from_dict(json.loads(content))


def stored_template(db: Database, digest: str) -> Template:
    """The Template of the snapshot stored under `digest`."""
    with db.session() as s:
        snap = s.get(TemplateSnapshot, digest)
        if snap is None:  # the snapshot is written with the inspection that names it
            raise LookupError(f"template snapshot {digest} is missing")
        return template_from_snapshot(snap.digest, snap.content)


def store_snapshot(session: Session, template: Template) -> TemplateSnapshot:
    """The snapshot row of `template`, added to the session if it is not stored yet."""
    snap = session.get(TemplateSnapshot, template.digest)
    if snap is None:
        snap = TemplateSnapshot(
            digest=template.digest,
            template_id=template.id,
            version=template.version,
            content=json.dumps(template.to_dict(), ensure_ascii=False, sort_keys=True),
        )
        session.add(snap)
    return snap
