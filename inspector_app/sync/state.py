"""Per-record sync state: version vectors, and bringing them up to date with local edits.

Every record that has been exported or imported has a row in sync_record_state: its version vector (one
counter per device that produced a version of it), the hash of its content, its local change marker, the
device that produced the current version, and a `changed_seq` that orders changes for incremental export.

`refresh` is run before an export and before an import touches records: a record whose marker changed
since the state was written was edited here, which adds one to this device's counter; a record without a
state is new here; a record with a state that is gone was deleted here (of a `deletable` kind): its state
becomes a tombstone (hash records.DELETED, one more edit by this device), which the next bundles carry.
Comparing two vectors then tells whether one copy supersedes the other or both were edited independently
(a conflict) — which a revision number alone cannot tell.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core.storage.db import serialize
from inspector_app.core.storage.sync_models import RecordState
from inspector_app.sync.records import DELETED, Dumped, RecordKind, chunks

T = RecordState.__table__
# The hash of a state whose record's ids were rewritten by migration 0800 (core/storage/identity.py): computed again
# at the next refresh, as the same version (no edit counted). A confirmation of the old hash carries over.
REHASH = "rehash"
EQUAL, OLDER, NEWER, CONCURRENT = "equal", "older", "newer", "concurrent"


def vv_load(text: str) -> dict[str, int]:
    return json.loads(text) if text else {}


def vv_dump(vv: dict[str, int]) -> str:
    return json.dumps(dict(sorted(vv.items())), separators=(",", ":"))


def vv_compare(a: dict[str, int], b: dict[str, int]) -> str:
    """How version `a` relates to version `b`."""
    a_more = any(n > b.get(d, 0) for d, n in a.items())
    b_more = any(n > a.get(d, 0) for d, n in b.items())
    if a_more and b_more:
        return CONCURRENT
    if a_more:
        return NEWER
    if b_more:
        return OLDER
    return EQUAL


def vv_merge(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {d: max(a.get(d, 0), b.get(d, 0)) for d in set(a) | set(b)}


@dataclass
class State:
    mark: str
    vv: dict[str, int]
    hash: str
    changed_seq: int
    source: str
    received_hash: str | None


SEQ_LOCK = "sync_changed_seq"


def next_seq(session: Session) -> int:
    serialize(session, SEQ_LOCK)  # held to the commit: no two writers number changes alike
    return (session.scalar(select(func.max(T.c.changed_seq))) or 0) + 1


def load_states(session: Session, kind: str, ids: Collection[str] | None = None) -> dict[str, State]:
    cols = (T.c.record_id, T.c.mark, T.c.vv, T.c.hash, T.c.changed_seq, T.c.source, T.c.received_hash)
    q = select(*cols).where(T.c.kind == kind)
    out: dict[str, State] = {}
    rows = (
        session.execute(q)
        if ids is None
        else (r for c in chunks(ids) for r in session.execute(q.where(T.c.record_id.in_(c))))
    )
    for rid, mark, vv, h, seq, src, rec in rows:
        out[rid] = State(mark, vv_load(vv), h, seq, src, rec)
    return out


def refresh(
    session: Session,
    kind: RecordKind,
    self_id: str,
    ids: Collection[str] | None = None,
    *,
    marks: dict[str, str] | None = None,
) -> tuple[dict[str, State], dict[str, Dumped]]:
    """Bring the states of `kind` (all records, or `ids`) up to date with local edits.

    Returns the states and the records that had to be serialised to do it (reused by the exporter).
    `marks`: kind.marks(session, ids) if the caller already has them (the importer also needs them).
    """
    if marks is None:
        marks = kind.marks(session, ids)
    states = load_states(session, kind.name, ids if ids is not None else None)
    changed = [rid for rid, m in marks.items() if rid not in states or states[rid].mark != m]
    dumped = kind.dump(session, changed) if changed else {}
    seq = next_seq(session)
    inserts, updates = [], []
    for rid in changed:
        d = dumped.get(rid)
        if d is None:  # deleted between the two queries
            continue
        st = states.get(rid)
        if st is None:
            st = State(marks[rid], {self_id: 1}, d.hash, seq, self_id, None)
            states[rid] = st
            inserts.append((rid, st))
            seq += 1
            continue
        st.mark = marks[rid]
        if st.hash == REHASH:  # ids moved under it (migration 0800): the same version, hashed anew
            if st.received_hash == REHASH:
                st.received_hash = d.hash
            st.hash = d.hash
        elif st.hash != d.hash:  # a real edit here (not a save that changed nothing)
            st.vv = {**st.vv, self_id: st.vv.get(self_id, 0) + 1}
            st.hash, st.received_hash = d.hash, None
            st.source = self_id
            st.changed_seq = seq
            seq += 1
        updates.append((rid, st))
    if kind.deletable:
        for rid in states if ids is None else ids:
            st = states.get(rid)
            if st is not None and rid not in marks and st.hash != DELETED:
                st.mark, st.hash, st.source, st.changed_seq = "", DELETED, self_id, seq
                st.received_hash = None  # every tombstone has the same hash: an old receipt must not confirm it
                st.vv = {**st.vv, self_id: st.vv.get(self_id, 0) + 1}
                seq += 1
                updates.append((rid, st))
    insert_states(session, kind.name, inserts)
    if updates:
        save_states(session, kind.name, updates)
    return states, dumped


def save_states(session: Session, kind: str, items: list[tuple[str, State]]) -> None:
    """Write states; a version the bureau has not confirmed (received_hash None) loses its old confirmation."""
    stmt = (
        sa.update(T)
        .where(T.c.kind == sa.bindparam("k"), T.c.record_id == sa.bindparam("rid"))
        .values(
            mark=sa.bindparam("m"),
            vv=sa.bindparam("v"),
            hash=sa.bindparam("h"),
            changed_seq=sa.bindparam("c"),
            source=sa.bindparam("s"),
            received_hash=sa.bindparam("r"),
            # typed: PostgreSQL cannot tell the type of a parameter compared only with NULL
            received_at=sa.case((sa.bindparam("r2", type_=sa.String).is_(None), None), else_=T.c.received_at),
        )
    )
    rows = [
        {
            "k": kind,
            "rid": rid,
            "m": st.mark,
            "v": vv_dump(st.vv),
            "h": st.hash,
            "c": st.changed_seq,
            "s": st.source,
            "r": st.received_hash,
            "r2": st.received_hash,
        }
        for rid, st in items
    ]
    session.connection().execute(stmt, rows)


def insert_states(session: Session, kind: str, items: list[tuple[str, State]]) -> None:
    if items:
        session.execute(
            sa.insert(T),
            [
                {
                    "kind": kind,
                    "record_id": rid,
                    "mark": st.mark,
                    "vv": vv_dump(st.vv),
                    "hash": st.hash,
                    "changed_seq": st.changed_seq,
                    "source": st.source,
                    "received_hash": None,
                    "received_at": None,
                }
                for rid, st in items
            ],
        )
