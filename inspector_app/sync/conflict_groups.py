"""The bulk decision of the 同步冲突 dialog: many conflicts, one choice, each in its own transaction.

The grouping of conflicts that wait for another (issue 12 §2) is sync/conflicts.followers.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector_app.sync.conflicts import open_conflict_count, resolve_conflict
from inspector_app.sync.format import SyncError


@dataclass(frozen=True)
class BulkResult:
    resolved: int
    failed: tuple[str, ...]  # the reasons, one per conflict that could not be resolved
    remaining: int


def resolve_many(db, conflict_ids: list[str], keep: str, key_dir=None) -> BulkResult:
    """Resolve each of these conflicts the same way (保留本机 / 采用对方); one that cannot (a duplicate cannot
    take the other's version) is left open and its reason reported. Then how many remain open."""
    done, failed = 0, []
    for cid in conflict_ids:
        try:
            resolve_conflict(db, cid, keep, key_dir=key_dir)
            done += 1
        except SyncError as exc:
            failed.append(str(exc))
    return BulkResult(done, tuple(failed), open_conflict_count(db))
