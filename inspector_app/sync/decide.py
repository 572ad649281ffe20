"""What an import does with each incoming record: added / updated / deleted / same / older / conflict.

classify() compares every record with the local copy by version vectors (sync/state.py) and the kinds'
rules (immutable records, natural keys, authority). Then the ON DELETE CASCADE side of "an edit wins over a
concurrent deletion" (issue 4 §2, bundle-format.md §4): the decisions are adjusted so that nothing is
half-deleted (spare_parents, spare_children), and what a kept record needs travels with it (send_along).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.storage.models import Base
from inspector_app.core.storage.sync_models import Conflict
from inspector_app.sync import conflicts, records, state
from inspector_app.sync.records import DELETED, Incoming, RecordKind
from inspector_app.sync.verify import (
    VerifiedBundle,
)


@dataclass
class Decision:
    rec: Incoming
    outcome: str
    exists: bool
    local: state.State | None
    reason: str = ""  # for conflicts
    duplicate_conflict: bool = False  # the same conflict (same incoming version) is already recorded
    local_id: str | None = None  # for a "duplicate": the local record with the same natural key
    title: str = ""  # for a deletion: the local record's
    reassert: bool = False  # a deletion ignored for an edit here: the local version supersedes it (travels on)


def classify(s: Session, reg: records.Registry, me: str, vb: VerifiedBundle) -> dict[str, list[Decision]]:
    source_role = vb.manifest.source_role
    out: dict[str, list[Decision]] = {}
    held_back: dict[str, set[str]] = defaultdict(set)  # table → ids of this bundle that will not be written
    for kind in reg.kinds():
        recs = vb.records.get(kind.name)
        if not recs:
            continue
        decisions = []
        if kind.stateless:
            for rec in recs:
                exists = kind.exists(s, rec.id)
                decisions.append(Decision(rec, "same" if exists else "added", exists, None))
            out[kind.name] = decisions
            continue
        ids = [r.id for r in recs]
        marks = kind.marks(s, ids)  # which of them exist here, and their change markers: one query for both
        states, dumped = state.refresh(s, kind, me, ids, marks=marks)
        present = set(marks)
        need_local = []
        for rec in recs:
            exists = rec.id in present
            st = states.get(rec.id)
            if rec.refers_to_deleted:  # its parent was deleted (here, or by this bundle): moot
                decisions.append(Decision(rec, "older", exists, st))
                continue
            if rec.data is None or (st is not None and st.hash == DELETED):
                decisions.append(deletion(rec, exists, st, kind.authority == source_role))
                if decisions[-1].outcome == "deleted" and exists:
                    need_local.append(rec.id)
                continue
            if not exists:
                decisions.append(Decision(rec, "added", False, st))
                continue
            assert st is not None, "state.refresh gives every existing record a state"
            if st.hash == rec.hash:
                decisions.append(Decision(rec, "same", True, st))
                continue
            rel = state.vv_compare(rec.vv, st.vv)
            if rel == state.OLDER:
                decisions.append(Decision(rec, "older", True, st))
            elif rel == state.NEWER:
                decisions.append(Decision(rec, "updated", True, st))
                need_local.append(rec.id)
            elif rel == state.CONCURRENT and kind.authority == source_role:
                decisions.append(Decision(rec, "updated", True, st))
            else:
                decisions.append(Decision(rec, "conflict", True, st, "concurrent"))
        # A newer copy must still not overwrite an immutable local record (e.g. a completed form), nor a
        # deletion remove an undeletable one: the signed record stands.
        if need_local:
            local = {**dumped, **kind.dump(s, [i for i in need_local if i not in dumped])}
            for d in decisions:
                if d.rec.id not in local:
                    continue
                data = local[d.rec.id].data
                assert data is not None, "a record that exists here dumps its data"
                if d.outcome == "updated" and kind.immutable(s, d.rec.id, data):
                    d.outcome, d.reason = "conflict", "immutable"
                elif d.outcome == "deleted" and kind.undeletable(s, d.rec.id, data):
                    d.outcome = "older"
        gone = {d.rec.id: d for d in decisions if d.outcome == "deleted" and d.exists}
        if gone:  # what a person will see disappear
            for rid, local_rec in kind.dump(s, list(gone)).items():
                gone[rid].title = conflicts.record_title(s, kind, local_rec.data, rid)
        # A new record that is an existing one under another id (same USCC, …): kept as a conflict — unless
        # the bundle deletes that one (a plan replaced by a new one).
        added = [d for d in decisions if d.outcome == "added"]
        if added:
            dups = kind.duplicates(s, [d.rec for d in added])
            for d in added:
                if d.rec.id in dups and dups[d.rec.id] not in gone:
                    d.outcome, d.reason, d.local_id = "conflict", "duplicate", dups[d.rec.id]
        # A record that needs one held back (its enterprise kept as a duplicate) is held back too.
        if held_back:
            for d in decisions:
                if d.outcome in ("added", "updated") and any(
                    ref in held_back.get(table, ()) for table, _f, ref in kind.references(d.rec.data or {})
                ):
                    d.outcome, d.reason = "conflict", "blocked"
        known: dict[tuple[str, str], str] = {}
        conflicted = [d.rec.id for d in decisions if d.outcome == "conflict"]
        for chunk in records.chunks(conflicted):
            q = select(Conflict.record_id, Conflict.incoming_hash, Conflict.status).where(
                Conflict.kind == kind.name, Conflict.record_id.in_(chunk)
            )
            for rid, h, status in s.execute(q):
                if known.get((rid, h)) != "open":
                    known[(rid, h)] = status
        for d in decisions:
            if d.outcome != "conflict":
                continue
            if (d.rec.id, d.rec.hash) in known:
                if known[(d.rec.id, d.rec.hash)] == "open":
                    d.duplicate_conflict = True  # already kept, waiting for a person
                elif d.reason in ("duplicate", "blocked"):
                    d.outcome = "older"  # a person already decided about this very version
            if not d.exists:
                held_back[kind.table_name].add(d.rec.id)
            if d.reason != "blocked":  # as a person knows it: an enterprise by name and credit code
                d.title = conflicts.record_title(s, kind, d.rec.data, d.rec.id)
        out[kind.name] = decisions
    spare_parents(s, reg, out)
    spare_children(s, reg, out)
    return out


def deletion(rec: Incoming, exists: bool, st: state.State | None, authority: bool) -> Decision:
    """An incoming tombstone, or any incoming copy of a record deleted here (its state is a tombstone).

    The later version wins; between a deletion and a concurrent edit, the edit does (nothing is lost, and
    the edited copy travels back to the deleter, whose tombstone it supersedes in the same way) — unless
    the deletion comes from the kind's authority (the bureau resetting one of its settings).
    """
    if st is None:  # never synced here: nothing to delete, but an older copy arriving later must not revive it
        return Decision(rec, "deleted", exists, None)
    if rec.hash == st.hash:  # deleted on both sides
        return Decision(rec, "same", exists, st)
    rel = state.vv_compare(rec.vv, st.vv)
    if rec.data is None:
        if rel == state.NEWER or (rel == state.CONCURRENT and authority):
            return Decision(rec, "deleted", exists, st)
        return Decision(rec, "older", exists, st, reassert=rel == state.CONCURRENT)
    if rel in (state.NEWER, state.CONCURRENT):  # edited there after (or while) it was deleted here: back
        return Decision(rec, "added", exists, st)
    return Decision(rec, "older", exists, st)


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
            for chunk in records.chunks(list(ids)):
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
