"""Who did it (issue 17): every change the bureau makes — a class, a plan, a draw, a flag decision, a setting,
a conflict resolved — is written to `change_log` with who and when, in the same transaction as the change,
and shown in the enterprise's archive history (一企一档, core/archive.change_history).

Recorded where every change passes: the flush of a unit of work (`watch` on Database's sessions), so no
feature can forget it. Who: on a server, the clerk's own database role (current_user: each clerk connects as
theirs, docs/bureau-server.md); on a file, the device's user (setting 本机使用人) or else the OS account.
Bulk writes that bypass the ORM (a bundle import, a roster import) are logged by their own history tables
(sync history, roster import log), not here.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from inspector_app.core.storage.bureau_models import ChangeLog
from inspector_app.core.storage.models import Enterprise, Setting, utcnow
from inspector_app.core.storage.supervision_models import (
    AnnualPlan,
    Assignment,
    ClassificationChange,
    Draw,
    EnforcementFlag,
    PlanEntry,
)
from inspector_app.core.storage.sync_models import Conflict
from inspector_app.i18n import _

# Settings that are the program's own bookkeeping, not a clerk's choice.
_QUIET_SETTINGS = ("sync.", "ui.", "local.")
_ENTERPRISE_FIELDS = {
    "name": _("名称"),
    "legal_rep": _("法定代表人"),
    "contact": _("联系人"),
    "phone": _("联系电话"),
    "address": _("住所"),
    "district": _("所属区"),
}
_WHO = "inspector_app.audit_who"
# Words for codes, registered by the modules that own them (storage imports no feature): core/settings.py
# (setting key → its label), core/supervision/enforcement.py (flag kind → its name).
SETTING_LABELS: dict[str, str] = {}
FLAG_LABELS: dict[str, str] = {}


@dataclass(frozen=True)
class Entry:
    action: str
    enterprise_id: str | None
    record_id: str | None
    detail: str
    named: str = ""  # the person the record itself names as 经办人 (a class change's who, a draw's drawn_by)


def who(session: Session) -> str:
    """The clerk behind this unit of work."""
    if session.get_bind().dialect.name != "sqlite":
        return str(session.execute(text("SELECT current_user")).scalar())
    row = session.get(Setting, "device.inspector")
    if row is not None and row.value.strip():
        return row.value.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a service account without a passwd entry)
        return ""


def _changed(session: Session, obj, field: str) -> tuple[object, object] | None:
    from sqlalchemy import inspect

    hist = inspect(obj).attrs[field].history
    if not hist.has_changes():
        return None
    return (hist.deleted[0] if hist.deleted else None), (hist.added[0] if hist.added else None)


def _new(obj) -> Iterator[Entry]:
    if isinstance(obj, ClassificationChange):
        parts = []
        if obj.to_class is not None:
            parts.append(f"{obj.from_class or '—'}→{obj.to_class}")
        if obj.to_risk is not None:
            parts.append(_("风险等级 {a}→{b}").format(a=obj.from_risk or "—", b=obj.to_risk))
        if obj.category:
            parts.append(obj.category)
        detail = "，".join([*parts, obj.reason]) if obj.reason else "，".join(parts)
        yield Entry(_("企业分类"), obj.enterprise_id, obj.id, detail, obj.who or "")
    elif isinstance(obj, PlanEntry):
        yield Entry(_("列入年度检查计划"), obj.enterprise_id, obj.plan_id, _("{m}月").format(m=obj.month))
    elif isinstance(obj, AnnualPlan):
        yield Entry(_("编制年度检查计划"), None, obj.id, _("{y}年 {d}").format(y=obj.year, d=obj.district))
    elif isinstance(obj, Draw):
        where = obj.district or _("全部区")
        yield Entry(_("双随机抽取"), None, obj.id, _("{y}年 {d}").format(y=obj.year, d=where), obj.drawn_by or "")
    elif isinstance(obj, Setting):
        yield from _setting(obj)


def _setting(obj: Setting) -> Iterator[Entry]:
    label = SETTING_LABELS.get(obj.key)
    if label is None or obj.key.startswith(_QUIET_SETTINGS):
        return
    yield Entry(_("修改设置"), None, obj.key, f"{label}：{obj.value or _('（默认）')}")


def _dirty(session: Session, obj) -> Iterator[Entry]:
    if isinstance(obj, EnforcementFlag):
        if _changed(session, obj, "status") and obj.status != "proposed":
            decided = _("确认") if obj.status == "confirmed" else _("不予采纳")
            label = FLAG_LABELS.get(obj.kind, _("处理建议"))
            yield Entry(_("处理建议决定"), obj.enterprise_id, obj.id, f"{label}：{decided}")
    elif isinstance(obj, Conflict):
        if _changed(session, obj, "status") and obj.status == "resolved":
            kept = _("保留本机的版本") if obj.resolution == "local" else _("采用收到的版本")
            eid = obj.record_id if obj.kind == "enterprise" else None
            yield Entry(_("处理同步冲突"), eid, obj.id, f"{obj.kind} {obj.record_id[:8]}：{kept}")
    elif isinstance(obj, Enterprise):
        changes = []
        for field, label in _ENTERPRISE_FIELDS.items():
            change = _changed(session, obj, field)
            if change is not None:
                changes.append(f"{label} {change[0] or '—'}→{change[1] or '—'}")
        if changes:
            yield Entry(_("修改企业信息"), obj.id, obj.id, "；".join(changes))
    elif isinstance(obj, Setting):
        if _changed(session, obj, "value"):
            yield from _setting(obj)


def _record(session: Session, _context, _instances) -> None:
    entries = [e for o in session.new for e in _new(o)]
    entries += [e for o in session.dirty if session.is_modified(o) for e in _dirty(session, o)]
    if not entries:
        return
    if _WHO not in session.info:
        session.info[_WHO] = who(session)[:100]
    now = utcnow()
    session.add_all(
        ChangeLog(at=now, who=_who_of(session.info[_WHO], e.named), action=e.action[:40], enterprise_id=e.enterprise_id,
                  record_id=(e.record_id or "")[:64] or None, detail=e.detail)
        for e in entries
    )  # fmt: skip


def _who_of(connected: str, named: str) -> str:
    """The login (the server role, or this computer's user) and, where the record names another person as
    经办人, that person too: both are true, and a shared bureau desktop logs in as one user."""
    named = named.strip()
    if not named or named == connected:
        return connected[:100]
    return (_("{who}（经办人：{named}）").format(who=connected, named=named) if connected else named)[:100]


def watch(sessions: sessionmaker) -> None:
    event.listen(sessions, "before_flush", _record)


@dataclass(frozen=True)
class Change:
    at: datetime
    who: str
    action: str
    detail: str


def history(session: Session, enterprise_id: str) -> list[Change]:
    """The changes the bureau made to one enterprise, newest first: its own, and the draws that drew it."""
    drawn = select(Assignment.draw_id).where(Assignment.enterprise_id == enterprise_id)
    q = (
        select(ChangeLog)
        .where(or_(ChangeLog.enterprise_id == enterprise_id, ChangeLog.record_id.in_(drawn)))
        .order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
    )
    return [Change(r.at, r.who, r.action, r.detail) for r in session.scalars(q)]
