"""Ids from natural keys (issue 12 §2, core/storage/identity.py): every record with a natural key gets the id derived
from it, and every reference follows, in this one transaction (the program copied the file to
`<file>.before-<rev>.bak` before upgrading it).

Two installations that loaded the same roster had it under different random ids: every enterprise of one was
a "duplicate" of the other's, and everything under it "blocked" (2,652 conflicts for the demo roster). After
this migration both hold the same ids, and their bundles meet as the same records.

- ids: parents first (an enterprise, then its sites, whose key contains the enterprise's new id); a derived
  id that is already taken (two rows that differ only in what the normalisation removes) leaves the row
  with its old id;
- references: every foreign key to a rewritten table (checked at the commit: `PRAGMA defer_foreign_keys`),
  the device register's inspector, the sync states and open conflicts (by kind), the receipts' items;
- open conflicts that only said "the same record under another id" (duplicate) or "waiting for such a one"
  (blocked) are settled as superseded;
- sync states of rewritten records and of records that refer to them: their content hash is computed again
  at the next exchange (hash "rehash", sync/state.py) without counting an edit; every outgoing stream
  starts again from the beginning, so each peer is offered everything once more (what it holds already is
  "same" there).

Frozen: the derivation is copied here from core/storage/identity.py as it was at this revision, and nothing of the
live program is imported.

Revision ID: 0800
Revises: 0100, 0210, 0400, 0600, 0710
"""

import json
import re
import unicodedata
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0800"
down_revision = ("0100", "0210", "0400", "0600", "0710")
branch_labels = None
depends_on = None

NAMESPACE = uuid.UUID("6f1c3a52-8e0b-5d47-9a31-2b7c4e9d0f18")
_SPACE = re.compile(r"\s+")
REHASH = "rehash"


def _code(value):
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value))).upper()


def _text(value):
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _opt_text(value):
    return "" if value is None else _text(value)


# In apply order: a table's key may hold the (new) id of a table above it.
RULES = (
    ("enterprise", (("uscc", _code),)),
    ("inspector", (("badge_no", _code),)),
    ("license", (("number", _code),)),
    ("site", (("enterprise_id", _plain), ("address", _text))),
    (
        "classification_change",
        (
            ("enterprise_id", _plain),
            ("changed_on", _plain),
            ("rule", _text),
            ("category", _opt_text),
            ("from_class", _plain),
            ("to_class", _plain),
            ("from_risk", _plain),
            ("to_risk", _plain),
        ),
    ),
    ("product_class", (("enterprise_id", _plain), ("category", _text))),
    ("annual_plan", (("year", _plain), ("district", _text))),
    ("plan_entry", (("plan_id", _plain), ("enterprise_id", _plain), ("visit_no", _plain))),
    ("assignment_member", (("assignment_id", _plain), ("inspector_id", _plain))),
    ("rectification", (("inspection_id", _plain), ("item_id", _plain))),
    ("inspection_signoff", (("inspection_id", _plain),)),
    ("amendment", (("inspection_id", _plain), ("seq", _plain))),
    ("signature", (("inspection_id", _plain), ("amendment_id", _plain), ("role", _plain), ("position", _plain))),
    ("doc_number", (("number", _code),)),
    ("issued_document", (("inspection_id", _plain), ("sha256", _plain))),
    ("template_release", (("template_id", _plain), ("version", _plain))),
)
# Kinds whose content hash is computed again (their data may hold a rewritten id). Not photos (their data
# holds only the inspection's id, which does not change, and a hash reads every photo's copies).
REHASHED = (*(t for t, _r in RULES), "inspection")


def _derive(table, rule, row):
    parts = [table]
    for col, norm in rule:
        value = row[col]
        if value is None and norm is not _plain and norm is not _opt_text:
            return None
        parts.append(norm(value))
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _foreign_keys(conn):
    """(table, column, referred table) of every foreign key of the schema, read from SQLite itself."""
    tables = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")]
    out = []
    for t in tables:
        for row in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{t}")'):
            out.append((t, row[3], row[2]))  # from column, referred table
    return out


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        # A server database (PostgreSQL) is created by a version that already derives ids: at this step it is
        # empty, there is nothing to rewrite. The rewrite below reads SQLite's own catalogue.
        return
    conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")  # checked at the commit, once all ids moved
    tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    fks = _foreign_keys(conn)
    maps: dict[str, dict[str, str]] = {}
    for table, rule in RULES:
        if table not in tables:
            continue
        cols = [c for c, _n in rule]
        refs = {col: ref for t, col, ref in fks if t == table}
        rows = conn.execute(sa.text(f"SELECT id, {', '.join(cols)} FROM {table}")).mappings().all()
        taken, mapping = {r["id"] for r in rows}, {}
        for r in rows:
            row = dict(r)
            for col in cols:  # the key as it will read once its parents moved
                if col in refs and row[col] in maps.get(refs[col], {}):
                    row[col] = maps[refs[col]][row[col]]
            new = _derive(table, rule, row)  # dates are ISO text in SQLite, as isoformat() writes them
            if new is None or new == r["id"]:
                continue
            if new in taken:  # another row has it (old or new): this one keeps its id
                continue
            taken.add(new)
            mapping[r["id"]] = new
        if mapping:
            maps[table] = mapping
    if not maps:
        return
    for table, mapping in maps.items():
        _rewrite(conn, table, "id", mapping)
    for t, col, ref in fks:
        if ref in maps:
            _rewrite(conn, t, col, maps[ref])
    if "sync_device" in tables and "inspector" in maps:
        _rewrite(conn, "sync_device", "inspector_id", maps["inspector"])
    for table, mapping in maps.items():
        for t in ("sync_record_state", "sync_conflict"):
            if t in tables:
                _rewrite(conn, t, "record_id", mapping, where=f"kind = '{table}'")
    if "sync_receipt" in tables:
        _receipts(conn, maps)
    if "sync_conflict" in tables:
        _settle_duplicates(conn)
    if "sync_record_state" in tables:
        _rehash(conn, tables)
        conn.exec_driver_sql("UPDATE sync_outbox SET sent_upto = 0")


def _rewrite(conn, table, col, mapping, where=""):
    extra = f" AND {where}" if where else ""
    stmt = sa.text(f"UPDATE {table} SET {col} = :new WHERE {col} = :old{extra}")
    conn.execute(stmt, [{"old": o, "new": n} for o, n in mapping.items()])


def _receipts(conn, maps):
    rows = conn.execute(sa.text("SELECT id, items FROM sync_receipt")).all()
    updates = []
    for rid, items in rows:
        try:
            parsed = json.loads(items)
        except ValueError:
            continue
        changed = False
        for item in parsed:
            if isinstance(item, list) and len(item) >= 2 and item[1] in maps.get(item[0], {}):
                item[1] = maps[item[0]][item[1]]
                changed = True
        if changed:
            updates.append({"i": rid, "items": json.dumps(parsed, ensure_ascii=False)})
    if updates:
        conn.execute(sa.text("UPDATE sync_receipt SET items = :items WHERE id = :i"), updates)


def _settle_duplicates(conn):
    """Open "duplicate" conflicts of the kinds above (the same enterprise under two random ids) and the
    records "blocked" behind them are moot now: the peer sends them again under the derived ids (its
    streams start again too), and they meet the local records as the same ones."""
    kinds = ", ".join(f"'{t}'" for t, _r in RULES)
    conn.exec_driver_sql(
        "UPDATE sync_conflict SET status = 'resolved', resolution = 'superseded', resolved_at = CURRENT_TIMESTAMP "
        f"WHERE status = 'open' AND (reason = 'blocked' OR (reason = 'duplicate' AND kind IN ({kinds})))"
    )


def _rehash(conn, tables):
    """The states of records that exist (not tombstones) of the kinds whose data may hold a moved id."""
    for kind in REHASHED:
        if kind not in tables:
            continue
        conn.execute(
            sa.text(
                "UPDATE sync_record_state SET mark = '', "
                "received_hash = CASE WHEN received_hash = hash THEN :r ELSE received_hash END, hash = :r "
                f"WHERE kind = :k AND hash != 'deleted' AND record_id IN (SELECT id FROM {kind})"
            ),
            {"r": REHASH, "k": kind},
        )


def downgrade() -> None:
    # Random ids would serve as well as derived ones, but the old ones are not kept: the backup made before
    # the upgrade (<file>.before-<rev>.bak) is the way back.
    pass
