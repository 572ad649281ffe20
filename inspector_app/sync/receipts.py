"""Receipts: the bureau tells a laptop which version of each of its records it now holds.

When the bureau applies a field bundle it issues a receipt (table sync_receipt, direction "out"): the
bundle's source, sequence number and hash, and for each record the version hash and the outcome (added,
updated, deleted, same, older, conflict; a conflict does not count as received). Left out: a record ignored
because its parent is deleted here, and a deletion not applied (apply._held) — the bureau does not hold
them. The next bundle the bureau addresses to that laptop carries its pending receipts as records of the
kind "receipt". Importing them on the laptop marks each record whose local version is the one the bureau
confirmed as received (sync_record_state.received_hash), so the laptop can show what is safely at the
bureau; it also moves the laptop's sequence counter past the bundle's, so a laptop restored from an old
backup never reuses a sequence number the bureau has seen.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import select

from inspector_app.core.storage.models import utcnow
from inspector_app.core.storage.sync_models import BUREAU, Outbox, Receipt, RecordState
from inspector_app.i18n import _
from inspector_app.sync.format import is_safe_id, is_sha256
from inspector_app.sync.records import DELETED, Dumped, RecordKind, RecordProblem, record_hash

OUTCOMES = {"added": "新增", "updated": "更新", "deleted": "删除", "same": "相同", "older": "较旧", "conflict": "冲突"}
RECEIVED_OUTCOMES = ("added", "updated", "deleted", "same", "older")


class ReceiptKind(RecordKind):
    name, label, table_name = "receipt", "回执", "sync_receipt"
    senders = frozenset({BUREAU})
    order = 1000
    stateless = True

    def marks(self, session, ids=None):
        return {}

    def dump(self, session, ids=None):
        q = select(Receipt).where(Receipt.direction == "out")
        if ids is not None:
            q = q.where(Receipt.id.in_(list(ids)))
        out = {}
        for r in session.scalars(q):
            data = {
                "device_id": r.device_id,
                "issuer": r.issuer,
                "bundle_destination": r.bundle_destination,
                "bundle_seq": r.bundle_seq,
                "bundle_sha256": r.bundle_sha256,
                "applied_at": r.applied_at.isoformat(),
                "items": json.loads(r.items),
            }
            out[r.id] = Dumped(r.id, data, [], None, record_hash(self, data, {}))
        return out

    def title(self, data):
        return _("第{n}号数据包").format(n=data.get("bundle_seq", "?"))

    def validate(self, data, record_id):
        keys = {"device_id", "issuer", "bundle_destination", "bundle_seq", "bundle_sha256", "applied_at", "items"}
        if set(data) != keys:
            raise RecordProblem(_("回执格式无效"))
        ok = (
            is_safe_id(data["device_id"])
            and is_safe_id(data["issuer"])
            and (data["bundle_destination"] == "*" or is_safe_id(data["bundle_destination"]))
            and isinstance(data["bundle_seq"], int)
            and not isinstance(data["bundle_seq"], bool)
            and data["bundle_seq"] >= 1
            and is_sha256(data["bundle_sha256"])
            and isinstance(data["items"], list)
        )
        if not ok:
            raise RecordProblem(_("回执字段无效"))
        try:
            applied = datetime.fromisoformat(data["applied_at"]).replace(tzinfo=None)
        except (TypeError, ValueError):
            raise RecordProblem(_("回执时间无效")) from None
        for item in data["items"]:
            if not (
                isinstance(item, list)
                and len(item) == 4
                and isinstance(item[0], str)
                and is_safe_id(item[1])
                and (is_sha256(item[2]) or item[2] == DELETED)
                and item[3] in OUTCOMES
            ):
                raise RecordProblem(_("回执条目无效"))
        return {**data, "applied_at": applied}

    def write(self, ctx, rec, exists):
        """Apply a receipt on the laptop it is for; others' receipts are not ours to keep."""
        p = rec.parsed
        s = ctx.session
        if p["device_id"] != ctx.self_id or s.get(Receipt, rec.id) is not None:
            return
        s.add(
            Receipt(
                id=rec.id,
                direction="in",
                device_id=p["device_id"],
                issuer=p["issuer"],
                bundle_destination=p["bundle_destination"],
                bundle_seq=p["bundle_seq"],
                bundle_sha256=p["bundle_sha256"],
                applied_at=p["applied_at"],
                items=json.dumps(p["items"], ensure_ascii=False),
                received_at=utcnow(),
            )
        )
        t = RecordState.__table__
        for kind, record_id, digest, outcome in p["items"]:
            if outcome in RECEIVED_OUTCOMES:
                s.execute(
                    sa.update(t)
                    .where(t.c.kind == kind, t.c.record_id == record_id, t.c.hash == digest)
                    .values(received_hash=digest, received_at=p["applied_at"])
                )
        box = s.get(Outbox, p["bundle_destination"])
        if box is None:
            s.add(Outbox(destination=p["bundle_destination"], last_seq=p["bundle_seq"], sent_upto=0))
        elif box.last_seq < p["bundle_seq"]:
            box.last_seq = p["bundle_seq"]
        s.flush()

    def exists(self, session, record_id: str) -> bool:
        return session.get(Receipt, record_id) is not None


def issue_receipt(session, *, self_id: str, source: str, destination: str, seq: int, sha: str, items) -> str:
    rid = str(uuid.uuid4())
    session.add(
        Receipt(
            id=rid,
            direction="out",
            device_id=source,
            issuer=self_id,
            bundle_destination=destination,
            bundle_seq=seq,
            bundle_sha256=sha,
            applied_at=utcnow(),
            items=json.dumps(items, ensure_ascii=False),
        )
    )
    return rid


def pending_receipts(session, device_id: str) -> list[str]:
    q = select(Receipt.id).where(Receipt.direction == "out", Receipt.device_id == device_id, Receipt.sent_at.is_(None))
    return list(session.scalars(q))


def mark_sent(session, ids: list[str]) -> None:
    if ids:
        session.execute(sa.update(Receipt).where(Receipt.id.in_(ids)).values(sent_at=utcnow()))
