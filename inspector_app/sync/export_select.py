"""Choosing what a bundle sends (step 1 of sync/export.py), inside the export's first write transaction:
bring the sync state up to date with local edits, reserve the next sequence number of the destination's
stream, and pick the records the destination has not had — tombstones of records deleted here included —
with the records they need to make sense (template snapshots of the inspections sent).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from inspector_app.core.storage.db import serialize
from inspector_app.core.storage.device_keys import Identity
from inspector_app.core.storage.sync_models import FIELD, BundleLog, Outbox
from inspector_app.sync import receipts, records, state
from inspector_app.sync.format import BROADCAST


@dataclass
class Selected:
    kind: records.RecordKind
    dumped: records.Dumped
    vv: dict[str, int]


def select_records(session, identity: Identity, reg: records.Registry, dest: str, full: bool):
    serialize(session, "outbox", dest)  # two clerks exporting to one laptop never take the same number
    box = session.get(Outbox, dest, populate_existing=True)
    if box is None:
        box = Outbox(destination=dest, last_seq=0, sent_upto=0)
        session.add(box)
    seq = box.last_seq + 1
    box.last_seq = seq
    sent_upto = 0 if full else box.sent_upto
    me = identity.device_id
    # Numbers reserved by exports that never finished (killed before they were logged): declared in this
    # manifest, so that the receiver does not wait for them forever.
    logged = set(
        session.scalars(
            select(BundleLog.seq).where(
                BundleLog.direction == "out", BundleLog.source == me, BundleLog.destination == dest
            )
        )
    )
    abandoned = tuple(n for n in range(1, seq) if n not in logged)
    chosen: dict[str, list[Selected]] = {}
    all_states: dict[str, dict[str, state.State]] = {}
    receipt_ids: list[str] = []
    for kind in reg.sendable(identity.role):
        if kind.stateless:
            if kind.name == "receipt" and dest != BROADCAST:
                receipt_ids = receipts.pending_receipts(session, dest)
                dumped = kind.dump(session, receipt_ids) if receipt_ids else {}
                chosen[kind.name] = [Selected(kind, d, {}) for d in dumped.values()]
            continue
        states, dumped = state.refresh(session, kind, me)
        all_states[kind.name] = states
        ids = []
        for rid, st in states.items():
            if st.changed_seq <= sent_upto or st.source == dest:
                continue
            if identity.role == FIELD and kind.field_sends_edited_only and me not in st.vv:
                continue
            ids.append(rid)
        missing = [rid for rid in ids if rid not in dumped]
        if missing:
            dumped.update(kind.dump(session, missing))
        sels = []
        for rid in sorted(ids):
            if rid in dumped:
                sels.append(Selected(kind, dumped[rid], states[rid].vv))
            elif states[rid].hash == records.DELETED and kind.deletable:  # deleted after it was synced: a tombstone
                sels.append(Selected(kind, records.Dumped(rid, None, [], None, records.DELETED), states[rid].vv))
        chosen[kind.name] = sels
    # Records that others need to make sense (template snapshots of the inspections sent) go along.
    for kind in reg.sendable(identity.role):
        for sel in list(chosen.get(kind.name, [])):
            if sel.dumped.data is None:
                continue
            for table, _field, ref in kind.references(sel.dumped.data):
                target = reg.for_table(table)
                if target is None or not target.include_when_referenced or target.name not in all_states:
                    continue
                have = {x.dumped.id for x in chosen.setdefault(target.name, [])}
                if ref in have or ref not in all_states[target.name]:
                    continue
                d = target.dump(session, [ref]).get(ref)
                if d is not None:
                    chosen[target.name].append(Selected(target, d, all_states[target.name][ref].vv))
    high = state.next_seq(session) - 1
    return seq, abandoned, chosen, high, receipt_ids
