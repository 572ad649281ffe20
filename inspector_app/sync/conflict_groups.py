"""Conflicts that are one for a person (issue 12 §2): a record kept out as a duplicate holds back what
depends on it in the same bundle ("blocked"). Those wait behind it instead of each being a conflict to
decide: the list shows the one record in conflict with the count of what waits, and its decision settles
them (keeping the local record keeps them out too: their parent is not here).

Also the bulk decision of the 同步冲突 dialog: many conflicts, one choice, each in its own transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from inspector_app.core.storage.sync_models import Conflict
from inspector_app.sync import records


def followers(s, reg: records.Registry) -> dict[str, list[str]]:
    """Open conflict id → the open "blocked" conflicts that wait for it (directly or through another)."""
    rows = list(
        s.execute(
            select(Conflict.id, Conflict.kind, Conflict.record_id, Conflict.reason, Conflict.incoming_data).where(
                Conflict.status == "open"
            )
        )
    )
    if not any(r.reason == "blocked" for r in rows):
        return {}
    by_record: dict[tuple[str, str], str] = {}
    for r in rows:
        kind = reg.get(r.kind)
        if kind is not None:
            by_record[(kind.table_name, r.record_id)] = r.id
    parent: dict[str, str] = {}
    for r in rows:
        if r.reason != "blocked" or reg.get(r.kind) is None:
            continue
        data = json.loads(r.incoming_data).get("data") or {}
        for table, _field, ref in reg.get(r.kind).references(data):
            pid = by_record.get((table, ref))
            if pid is not None and pid != r.id:
                parent[r.id] = pid
                break
    out: dict[str, list[str]] = {}
    for cid in parent:
        root, seen = cid, {cid}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        out.setdefault(root, []).append(cid)
    return out


@dataclass(frozen=True)
class BulkResult:
    resolved: int
    failed: tuple[str, ...]  # the reasons, one per conflict that could not be resolved
    remaining: int


def resolve_many(db, conflict_ids: list[str], keep: str, key_dir=None) -> BulkResult:
    """Resolve each of these conflicts the same way (保留本机 / 采用对方); one that cannot (a duplicate cannot
    take the other's version) is left open and its reason reported. Then how many remain open."""
    from inspector_app.sync.conflicts import open_conflict_count, resolve_conflict
    from inspector_app.sync.format import SyncError

    done, failed = 0, []
    for cid in conflict_ids:
        try:
            resolve_conflict(db, cid, keep, key_dir=key_dir)
            done += 1
        except SyncError as exc:
            failed.append(str(exc))
    return BulkResult(done, tuple(failed), open_conflict_count(db))
