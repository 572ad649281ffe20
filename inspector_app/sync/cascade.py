"""Deletions against what an import keeps (issue 4 §2, bundle-format.md §4): the ON DELETE CASCADE side of
"an edit wins over a concurrent deletion". The importer classifies each record (importer._classify); these
adjust the decisions so that nothing is half-deleted, and make what a kept record needs travel with it.

A decision (importer._Decision) is read and changed through `rec.id`, `outcome`, `exists`, `local`,
`reassert` and `title`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.storage.models import Base
from inspector_app.sync import records, state
from inspector_app.sync.records import DELETED, RecordKind

if TYPE_CHECKING:
    from inspector_app.sync.importer import _Decision as Decision


def _tabled(reg: records.Registry) -> list[RecordKind]:
    """The kinds stored in a table of the schema, in apply order (parents first)."""
    return [k for k in reg.kinds() if not k.stateless and k.table_name in Base.metadata.tables]


def _cascades(s: Session, kinds: list[RecordKind], parent: RecordKind, ids):
    """(child kind, child id, parent id) of the local records that ON DELETE CASCADE ties to these records."""
    tables = Base.metadata.tables
    for child in kinds:
        if child is parent:
            continue
        ct = tables[child.table_name]
        pk = next(iter(ct.primary_key.columns))
        for fk in ct.foreign_keys:
            if fk.column.table.name != parent.table_name or fk.ondelete != "CASCADE":
                continue
            for chunk in records._chunks(list(ids)):
                for cid, pid in s.execute(select(pk, fk.parent).where(fk.parent.in_(chunk))):
                    yield child, str(cid), str(pid)


def spare_parents(s: Session, reg: records.Registry, out: dict[str, list[Decision]]) -> None:
    """A deletion whose ON DELETE CASCADE would take along a record this import keeps (edited here, or not
    deleted by the bundle) is ignored: the record stays with what depends on it, and the kept version travels
    back to the deleter (reassert), where it supersedes the tombstone. Children first, so that a child kept
    keeps its parent, and that parent its own."""
    kinds = _tabled(reg)
    for parent in reversed(kinds):
        deleting = {d.rec.id: d for d in out.get(parent.name, ()) if d.outcome == "deleted" and d.exists}
        if not deleting:
            continue
        doomed: dict[str, set[str]] = {}
        spared: set[str] = set()
        for child, cid, pid in _cascades(s, kinds, parent, deleting):
            if child.name not in doomed:
                doomed[child.name] = {d.rec.id for d in out.get(child.name, ()) if d.outcome == "deleted"}
            if cid not in doomed[child.name]:
                spared.add(pid)
        for pid in spared:
            d = deleting[pid]
            d.outcome, d.reassert, d.title = "older", True, ""


def spare_children(s: Session, reg: records.Registry, out: dict[str, list[Decision]]) -> None:
    """The other half of "the edit wins": a record whose deletion is ignored keeps what depends on it. The
    deletions of its children in the same bundle were that deletion's cascade (a draft's photos go with it),
    so they are ignored too and travel back with it. Parents first, so that a kept child keeps its own."""
    if not any(d.reassert for ds in out.values() for d in ds):
        return
    kinds = _tabled(reg)
    by_id = {name: {d.rec.id: d for d in ds} for name, ds in out.items()}
    for parent in kinds:
        kept = [d.rec.id for d in out.get(parent.name, ()) if d.reassert]
        if not kept:
            continue
        for child, cid, _pid in _cascades(s, kinds, parent, kept):
            d = by_id.get(child.name, {}).get(cid)
            if d is not None and d.outcome == "deleted" and d.exists and d.local is not None:
                d.outcome, d.reassert, d.title = "older", True, ""


def send_along(s: Session, reg: records.Registry, decisions: dict[str, list[Decision]], me: str, seq: int) -> None:
    """What depends on a kept record (reassert) and is not in this bundle travels with it: the deleter may never
    have had it (a photo the bureau added to the draft the laptop deleted), and with its change number already
    sent it would not go again. A new change number (from `seq` on), not a new version."""
    kept = {name: ids for name, ds in decisions.items() if (ids := {d.rec.id for d in ds if d.reassert})}
    if not kept:  # the usual import: nothing to do
        return
    kinds = _tabled(reg)
    in_bundle = {name: {d.rec.id for d in ds} for name, ds in decisions.items()}
    along: dict[str, set[str]] = defaultdict(set)
    for parent in kinds:  # parents first: grandchildren follow their parents
        ids = kept.get(parent.name, set()) | along.get(parent.name, set())
        if not ids:
            continue
        for child, cid, _pid in _cascades(s, kinds, parent, ids):
            if cid not in in_bundle.get(child.name, ()):
                along[child.name].add(cid)
    for kind_name, ids in along.items():
        items = []
        for rid, st in state.load_states(s, kind_name, ids).items():
            if st.hash != DELETED:
                st.changed_seq, st.source = seq, me
                seq += 1
                items.append((rid, st))
        if items:
            state.save_states(s, kind_name, items)
