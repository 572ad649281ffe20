"""Bundle format 2: the sync hash of every photo that has a sync state is computed again.

A photo's thumbnail and print copy used to travel as base64 in its record and were hashed as data; they now
travel as attachments and are hashed by their digests (sync/kinds_documents.py PhotoKind, the hash of
sync/records.py record_hash). A state left with the old hash would make the same photo arriving again look
like another version with the same version vector: a false conflict. A version the bureau confirmed
(received_hash) stays confirmed. No schema change.

The hash is computed here as PhotoKind computes it for the photo table of this revision (tests/sync/
test_feature_kinds.py checks the two agree), not through the sync code, which follows later schemas.

Revision ID: 0700
Revises: 0300
"""

import json
from hashlib import sha256

import sqlalchemy as sa
from alembic import op

revision = "0700"
down_revision = "0300"
branch_labels = None
depends_on = ("0200",)  # the photo table

_PHOTO = sa.table(
    "photo",
    sa.column("id", sa.String),
    sa.column("inspection_id", sa.String),
    sa.column("item_id", sa.String),
    sa.column("sha256", sa.String),
    sa.column("filename", sa.String),
    sa.column("ext", sa.String),
    sa.column("width", sa.Integer),
    sa.column("height", sa.Integer),
    sa.column("taken_at", sa.DateTime),
    sa.column("caption", sa.Text),
    sa.column("position", sa.Integer),
    sa.column("thumbnail", sa.LargeBinary),
    sa.column("print_copy", sa.LargeBinary),
    sa.column("added_at", sa.DateTime),
)
_STATE = sa.table(
    "sync_record_state",
    sa.column("kind", sa.String),
    sa.column("record_id", sa.String),
    sa.column("hash", sa.String),
    sa.column("received_hash", sa.String),
)
_DATA = ("inspection_id", "item_id", "sha256", "filename", "ext", "width", "height", "caption", "position")


# The canonical JSON of the sync format as it was at this revision, copied: a migration is frozen and
# imports nothing of the live app (a later change of the format must not change what this upgrade wrote).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical_json(obj) -> bytes:
    return _CANONICAL.encode(obj).encode()


def photo_hash(row) -> str:
    data = {k: row[k] for k in _DATA}
    for k in ("taken_at", "added_at"):
        data[k] = row[k].isoformat() if row[k] is not None else None
    files = {
        "original": row["sha256"],
        "print": sha256(row["print_copy"]).hexdigest(),
        "thumbnail": sha256(row["thumbnail"]).hexdigest(),
    }
    return sha256(canonical_json({"data": data, "files": files})).hexdigest()


def upgrade() -> None:
    conn = op.get_bind()
    q = sa.select(_PHOTO, _STATE.c.hash, _STATE.c.received_hash).join(
        _STATE, sa.and_(_STATE.c.kind == "photo", _STATE.c.record_id == _PHOTO.c.id)
    )
    updates = []
    for row in conn.execute(q).mappings():
        new = photo_hash(row)
        received = new if row["received_hash"] == row["hash"] else row["received_hash"]
        updates.append({"rid": row["id"], "h": new, "r": received})
    if updates:
        conn.execute(
            sa.update(_STATE)
            .where(_STATE.c.kind == "photo", _STATE.c.record_id == sa.bindparam("rid"))
            .values(hash=sa.bindparam("h"), received_hash=sa.bindparam("r")),
            updates,
        )


def downgrade() -> None:
    pass  # no schema change; the new hashes stay (the app never runs an older version on a newer file)
