"""Sync history: the bundles exported to and applied from each device, and the sequence numbers missing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.sync_models import BundleLog, Device, RecordState
from inspector_app.i18n import _
from inspector_app.sync.format import BROADCAST


def delivery_text(db: Database) -> str:
    """On a laptop: what the bureau's receipts say it holds (docs/bundle-format.md §6); "" elsewhere."""
    from inspector_app.core.storage.models import Setting
    from inspector_app.core.storage.sync_models import FIELD, SETTING_DEVICE_ID, device_role

    if device_role(db) != FIELD:
        return ""
    with db.session() as s:
        own = s.get(Setting, SETTING_DEVICE_ID)
    if own is None:
        return ""
    st = delivery_status(db, own.value)
    text = _("区局已确认收到 {c} 条记录的当前版本。").format(c=st.confirmed)
    if st.unconfirmed_own:
        text += _("本机修改过的 {n} 条记录区局尚未确认收到：请导出数据包交区局，导入区局的回执后即确认。").format(
            n=st.unconfirmed_own
        )
    else:
        text += _("本机修改过的记录区局都已收到。")
    return text


def missing_numbers(logs) -> list[int]:
    """The sequence numbers of an incoming stream not received, from its bundle-log rows: every number up to
    the highest received, less those received and those the sender declared abandoned (an export that was
    killed before it finished: no such bundle exists)."""
    have, abandoned = set(), set()
    for r in logs:
        have.add(r.seq)
        abandoned.update(json.loads(r.abandoned or "[]"))
    return [n for n in range(1, max(have, default=0) + 1) if n not in have and n not in abandoned]


@dataclass(frozen=True)
class BundleEntry:
    seq: int
    created_at: datetime
    logged_at: datetime
    records: int
    file_name: str
    full: bool
    encrypted: bool
    summary: dict


@dataclass(frozen=True)
class Stream:
    device_id: str  # the other device: source of what we received, or destination of what we sent
    device_label: str
    direction: str  # "in" / "out"
    destination: str  # the stream's destination as written in its bundles (a device id or "*")
    bundles: tuple[BundleEntry, ...]
    gaps: tuple[int, ...]  # sequence numbers not received (in) — none for out

    @property
    def direction_label(self) -> str:
        if self.direction == "out":
            return _("发出")
        return _("收到（群发）") if self.destination == BROADCAST else _("收到")

    @property
    def last(self) -> BundleEntry | None:
        return self.bundles[-1] if self.bundles else None


def _label(devices: dict[str, Device], device_id: str) -> str:
    if device_id == BROADCAST:
        return _("全部设备")
    d = devices.get(device_id)
    if d is None:
        return device_id[:8]
    return d.inspector_name or d.name or device_id[:8]


def sync_history(db: Database, device_id: str | None = None) -> list[Stream]:
    """Every stream, newest activity first; `device_id` keeps only the streams with that device."""
    with db.session() as s:
        devices = {d.id: d for d in s.scalars(select(Device))}
        for d in devices.values():
            s.expunge(d)
        rows = list(s.scalars(select(BundleLog).order_by(BundleLog.seq)))
        for r in rows:
            s.expunge(r)
    streams: dict[tuple[str, str, str], list[BundleLog]] = {}
    for r in rows:
        other = r.source if r.direction == "in" else r.destination
        streams.setdefault((r.direction, other, r.destination), []).append(r)
    out = []
    for (direction, other, dest), logs in streams.items():
        if device_id is not None and other != device_id:
            continue
        entries = tuple(
            BundleEntry(
                seq=r.seq,
                created_at=r.created_at,
                logged_at=r.logged_at,
                records=sum(json.loads(r.counts).values()),
                file_name=r.file_name,
                full=r.full,
                encrypted=r.encrypted,
                summary=json.loads(r.summary or "{}"),
            )
            for r in logs
        )
        gaps = tuple(missing_numbers(logs)) if direction == "in" else ()
        out.append(Stream(other, _label(devices, other), direction, dest, entries, gaps))
    out.sort(key=lambda st: max(b.logged_at for b in st.bundles), reverse=True)
    return out


@dataclass(frozen=True)
class DeliveryStatus:
    records: int  # records this device has a sync state for
    confirmed: int  # whose current version the bureau confirmed holding
    unconfirmed_own: int  # edited here, not (yet) confirmed by the bureau


def delivery_status(db: Database, self_id: str, role: str = "field") -> DeliveryStatus:
    """How many records the bureau confirmed holding, and how many edited here it has not confirmed yet."""
    from inspector_app.sync.registry import registry

    kinds = [k.name for k in registry().sendable(role) if not k.stateless]
    t = RecordState.__table__
    not_confirmed = t.c.received_hash.is_(None) | (t.c.received_hash != t.c.hash)
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(t)) or 0
        confirmed = s.scalar(select(func.count()).select_from(t).where(t.c.received_hash == t.c.hash)) or 0
        own = (
            s.scalar(
                select(func.count()).select_from(t).where(t.c.source == self_id, t.c.kind.in_(kinds), not_confirmed)
            )
            or 0
        )
    return DeliveryStatus(total, confirmed, own)
