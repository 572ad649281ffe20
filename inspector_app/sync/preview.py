"""What applying a verified bundle would do, per kind: the preview the dialog and `bundle preview` show.

preview_bundle() classifies in a transaction that is rolled back (sync/decide.py); apply_bundle()
(sync/apply.py) returns the same Preview of what it did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.sync_models import BundleLog
from inspector_app.i18n import _
from inspector_app.sync import records
from inspector_app.sync.decide import classify
from inspector_app.sync.format import (
    Manifest,
)
from inspector_app.sync.history import missing_numbers
from inspector_app.sync.keys import DeviceInfo, load_identity
from inspector_app.sync.registry import registry as shared_registry
from inspector_app.sync.verify import (
    VerifiedBundle,
)

OUTCOMES = ("added", "updated", "deleted", "same", "older", "conflict")


@dataclass
class KindSummary:
    kind: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))


@dataclass(frozen=True)
class ConflictInfo:
    kind: str
    label: str
    record_id: str
    title: str
    reason: str  # "concurrent" / "immutable"


@dataclass(frozen=True)
class DeletionInfo:
    """A local record the import will delete (its tombstone arrived)."""

    kind: str
    label: str
    record_id: str
    title: str


@dataclass
class Preview:
    source: DeviceInfo
    sequence: int
    destination: str
    created_at: datetime
    encrypted: bool
    full: bool
    already_applied: datetime | None
    kinds: list[KindSummary]
    conflicts: list[ConflictInfo]
    gaps: list[int]  # sequence numbers of this source's stream still missing once this one is in
    newer_applied: int | None = None  # this roster/assignment bundle is older than that one, applied already
    applied: bool = False
    deletions: list[DeletionInfo] = field(default_factory=list)
    kept: int = 0  # records deleted there but kept here (edited here, or something here still needs them)
    waiting: int = 0  # records held back behind a conflict (their parent is kept out): not conflicts of their own

    def total(self, outcome: str) -> int:
        return sum(k.counts[outcome] for k in self.kinds)

    def summary_text(self) -> str:
        if self.already_applied and not self.applied:
            return _("该数据包（来自{s}，第{n}号）已于{t}导入过，本次未作任何改动。").format(
                s=self.source.label, n=self.sequence, t=self.already_applied.strftime("%Y-%m-%d %H:%M")
            )
        head = _("来自{s}的第{n}号数据包：").format(s=self.source.label, n=self.sequence)
        parts = [
            _("新增 {n} 条").format(n=self.total("added")),
            _("更新 {n} 条").format(n=self.total("updated")),
            _("删除 {n} 条").format(n=self.total("deleted")),
            _("相同 {n} 条").format(n=self.total("same")),
            _("较旧而忽略 {n} 条").format(n=self.total("older")),
            _("冲突 {n} 条").format(n=self.total("conflict")),
        ]
        text = head + "，".join(parts) + "。"
        if self.newer_applied:
            text += _(
                "该数据包比已导入的第{m}号旧：已有较新版本的记录不会被回退（计入较旧而忽略），其余记录照常导入。"
            ).format(m=self.newer_applied)
        if self.kept:
            text += _(
                "另有 {n} 条记录对方已删除，但本机改过或仍有相关记录，予以保留（计入较旧而忽略），并会发回对方。"
            ).format(n=self.kept)
        if self.waiting:
            text += _("另有 {n} 条相关记录随冲突的记录暂缓，处理该冲突时一并处理。").format(n=self.waiting)
        if self.conflicts:
            text += _("冲突的记录两个版本都已保留，请在“同步冲突”中处理。")
        if self.gaps:
            text += _("注意：尚未收到该设备的第 {g} 号数据包。").format(g="、".join(map(str, self.gaps[:20])))
        return text


def gaps(s: Session, m: Manifest, include: bool) -> list[int]:
    logs: list[Any] = list(  # bundle-log rows, and this bundle's as a SimpleNamespace of the same fields
        s.execute(
            select(BundleLog.seq, BundleLog.abandoned).where(
                BundleLog.direction == "in", BundleLog.source == m.source, BundleLog.destination == m.destination
            )
        )
    )
    if include:
        logs.append(SimpleNamespace(seq=m.sequence, abandoned=json.dumps(list(m.abandoned))))
    return missing_numbers(logs)


def preview_from(vb: VerifiedBundle, reg: records.Registry, decisions, gaps: list[int]) -> Preview:
    kinds, conflict_list, deletions = [], [], []
    waiting = 0
    for kind_name, ds in decisions.items():
        kind = reg.kind(kind_name)
        ks = KindSummary(kind_name, kind.label)
        for d in ds:
            if d.outcome == "conflict" and d.reason == "blocked":
                waiting += 1  # follows the record it needs (sync/conflict_groups.py)
                continue
            ks.counts[d.outcome] += 1
            if d.outcome == "conflict":
                title = d.title or kind.title(d.rec.data or {})
                conflict_list.append(ConflictInfo(kind_name, kind.label, d.rec.id, title, d.reason))
            elif d.outcome == "deleted" and d.exists:
                deletions.append(DeletionInfo(kind_name, kind.label, d.rec.id, d.title or d.rec.id[:8]))
        kinds.append(ks)
    m = vb.manifest
    return Preview(
        source=vb.source,
        sequence=m.sequence,
        destination=m.destination,
        created_at=m.created_at,
        encrypted=vb.encrypted,
        full=m.full,
        already_applied=vb.already_applied,
        kinds=kinds,
        conflicts=conflict_list,
        gaps=gaps,
        newer_applied=vb.newer_applied,
        deletions=deletions,
        kept=sum(d.reassert for ds in decisions.values() for d in ds),
        waiting=waiting,
    )


def preview_bundle(db: Database, vb: VerifiedBundle, key_dir: Path | None = None, registry=None) -> Preview:
    """What applying would do, computed in a transaction that is rolled back."""
    reg = registry or shared_registry()
    me = load_identity(db, key_dir).device_id
    if vb.already_applied is not None:
        with db.session() as s:
            return preview_from(vb, reg, {}, gaps(s, vb.manifest, True))
    with Session(db.engine) as s:
        try:
            decisions = classify(s, reg, me, vb)
            missing = gaps(s, vb.manifest, True)
        finally:
            s.rollback()
    return preview_from(vb, reg, decisions, missing)
