"""The inspector's day (issue 16 §2): what a field laptop shows first.

One read, plain values: the drafts in progress on this laptop, the tasks of this laptop's inspector — the
open assignments of the double-random draw (002 三(一)–(二)) and the 回访 falling due today or this week
(001 §27: 整改期限到期后…复查; 004 二(三): 在企业规定的整改期限到期后及时实施) for problems found by inspections the
inspector took part in — and the records completed here that the bureau has not yet confirmed receiving
(sync_record_state.received_hash, written by sync/receipts.py).

This laptop's inspector is the one registered with this device (sync_device.inspector_id), or else the active
inspector whose name is the setting 本机使用人 (device.inspector).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.catalog import INSPECTION_KINDS
from inspector_app.core.inspection import inspections
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection, InspectionMember, Inspector, Setting, Site
from inspector_app.core.storage.supervision_models import Rectification
from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID, Device, RecordState
from inspector_app.core.supervision import assignments, rectification
from inspector_app.i18n import _

SETTING_INSPECTOR_NAME = "device.inspector"
RECENT_DAYS = 30  # completed records older than this and still unconfirmed stay in 同步记录, not on the home view

# Sections of the home view, in the order shown.
DRAFT, TASK, FOLLOWUP, UNSYNCED = "draft", "task", "followup", "unsynced"
SECTIONS = {DRAFT: "进行中的草稿", TASK: "今天和本周的任务", FOLLOWUP: "到期待回访", UNSYNCED: "已完成、尚未同步到区局"}


@dataclass(frozen=True)
class WorkItem:
    section: str  # SECTIONS key
    enterprise_id: str
    enterprise_name: str
    uscc: str
    site_id: str
    site_address: str
    kind: str  # INSPECTION_KINDS key of the form this opens (or would start)
    on: date | None  # inspection date, or the rectification deadline of a 回访 due
    when: str  # 今天 / 本周 / 已逾期… — what the inspector reads first
    detail: str
    inspection_id: str | None = None  # the form to open; None: a form to start
    assignment_id: str | None = None


@dataclass(frozen=True)
class MyWork:
    today: date
    inspector_id: str | None
    inspector_name: str
    items: tuple[WorkItem, ...] = field(default_factory=tuple)

    def section(self, name: str) -> list[WorkItem]:
        return [i for i in self.items if i.section == name]


def this_inspector(s: Session) -> tuple[str | None, str]:
    """(id, name) of the inspector this laptop belongs to, or (None, "") when nobody is set up."""
    device_id = s.get(Setting, SETTING_DEVICE_ID)
    if device_id is not None:
        dev = s.get(Device, device_id.value)
        if dev is not None and dev.inspector_id:
            who = s.get(Inspector, dev.inspector_id)
            if who is not None:
                return who.id, who.name
    name = s.get(Setting, SETTING_INSPECTOR_NAME)
    if name is not None and name.value.strip():
        who = s.scalar(
            select(Inspector).where(Inspector.name == name.value.strip(), Inspector.active.is_(True)).limit(1)
        )
        if who is not None:
            return who.id, who.name
    return None, ""


def _when(day: date, today: date) -> str:
    if day < today:
        return _("已逾期{n}天").format(n=(today - day).days)
    if day == today:
        return _("今天")
    return (
        _("本周")
        if day <= today + timedelta(days=6 - today.weekday())
        else _("{m}月{d}日").format(m=day.month, d=day.day)
    )


def _drafts(s: Session, today: date) -> list[WorkItem]:
    q = (
        select(Inspection, Enterprise, Site)
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .join(Site, Site.id == Inspection.site_id)
        .where(Inspection.status == inspections.DRAFT)
        .order_by(Inspection.inspected_on.desc(), Inspection.created_at.desc())
    )
    out = []
    for insp, ent, site in s.execute(q):
        if insp.kind == "followup":  # the 回访 form lists its problems, not the checklist's items
            verdicts = s.scalars(select(Rectification.status).where(Rectification.followup_inspection_id == insp.id))
            statuses = list(verdicts)
            out.append(
                WorkItem(
                    DRAFT, ent.id, ent.name, ent.uscc, site.id, site.address, insp.kind, insp.inspected_on,
                    _("今天") if insp.inspected_on == today else insp.inspected_on.isoformat(),
                    _("回访，已复查{n}/{m}个问题").format(
                        n=sum(1 for v in statuses if v != rectification.OPEN), m=len(statuses)
                    ),
                    inspection_id=insp.id,
                )
            )  # fmt: skip
            continue
        answered = sum(1 for r in insp.results if r.conclusion)  # items the form excludes count (pre-set 不适用)
        total = len(inspections.template_from_snapshot(insp.template_digest, insp.template.content).items)
        out.append(
            WorkItem(
                DRAFT, ent.id, ent.name, ent.uscc, site.id, site.address, insp.kind, insp.inspected_on,
                _("今天") if insp.inspected_on == today else insp.inspected_on.isoformat(),
                _("{k}，已填写{n}/{m}项").format(k=INSPECTION_KINDS.get(insp.kind, insp.kind), n=answered, m=total),
                inspection_id=insp.id,
            )
        )  # fmt: skip
    return out


def _unsynced(s: Session, today: date) -> list[WorkItem]:
    since = today - timedelta(days=RECENT_DAYS)
    q = (
        select(Inspection, Enterprise, Site, RecordState)
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .join(Site, Site.id == Inspection.site_id)
        .outerjoin(RecordState, (RecordState.kind == "inspection") & (RecordState.record_id == Inspection.id))
        .where(Inspection.status == inspections.COMPLETED, Inspection.inspected_on >= since)
        .order_by(Inspection.inspected_on.desc())
    )
    out = []
    for insp, ent, site, state in s.execute(q):
        # Confirmed by the bureau: the receipt names the hash of this very revision (the mark starts with rev).
        if state is not None and state.received_hash == state.hash and state.mark.split(":")[0] == str(insp.rev):
            continue
        out.append(
            WorkItem(
                UNSYNCED, ent.id, ent.name, ent.uscc, site.id, site.address, insp.kind, insp.inspected_on,
                insp.inspected_on.isoformat(),
                (_("{k}，未导出同步数据包") if state is None else _("{k}，区局尚未确认收到")).format(
                    k=INSPECTION_KINDS.get(insp.kind, insp.kind)
                ),
                inspection_id=insp.id,
            )
        )  # fmt: skip
    return out


def _followups_due(s: Session, inspector_id: str, today: date) -> list[WorkItem]:
    """Open rectifications of inspections this inspector took part in, due by the end of the week."""
    week_end = today + timedelta(days=6 - today.weekday())
    q = (
        select(Rectification, Enterprise, Site)
        .join(Inspection, Inspection.id == Rectification.inspection_id)
        .join(InspectionMember, InspectionMember.inspection_id == Inspection.id)
        .join(Enterprise, Enterprise.id == Rectification.enterprise_id)
        .join(Site, Site.id == Inspection.site_id)
        .where(
            InspectionMember.inspector_id == inspector_id,
            Rectification.status == rectification.OPEN,
            Rectification.deadline <= week_end,
        )
        .order_by(Rectification.deadline)
    )
    per_site: dict[str, list] = {}  # one 回访 per production address (002 附件2 备注(2))
    for rect, ent, site in s.execute(q):
        per_site.setdefault(site.id, [rect, ent, site, 0, None])
        per_site[site.id][3] += 1
        if rect.followup_inspection_id and s.get(Inspection, rect.followup_inspection_id) is not None:
            per_site[site.id][4] = rect.followup_inspection_id
    return [
        WorkItem(
            FOLLOWUP, ent.id, ent.name, ent.uscc, site.id, site.address, "followup", rect.deadline,
            _when(rect.deadline, today),
            _("{n}个问题整改期限{d}").format(n=n, d=rect.deadline.isoformat()),
        )
        for rect, ent, site, n, started in per_site.values()
        if started is None  # a 回访 started is listed with the drafts
    ]  # fmt: skip


def my_work(db: Database, *, today: date | None = None) -> MyWork:
    """Everything the home view lists (drafts, tasks, 回访 due, completed but unsynced), most urgent first."""
    today = today or clock.today()
    rectification.collect(db)
    with db.session() as s:
        inspector_id, name = this_inspector(s)
    tasks = assignments.tasks_for(db, inspector_id, today=today, open_only=True) if inspector_id else []
    with db.session() as s:
        drafts = _drafts(s, today)
        started = {(d.enterprise_id, d.kind) for d in drafts}
        sites = {
            e: (sid, addr)
            for e, sid, addr in s.execute(
                select(Site.enterprise_id, Site.id, Site.address).where(
                    Site.enterprise_id.in_([t.enterprise_id for t in tasks])
                )
            )
        }
        items = list(drafts)
        for t in tasks:
            if (t.enterprise_id, "double_random") in started:
                continue  # its draft is listed above
            sid, addr = sites.get(t.enterprise_id, ("", ""))
            items.append(
                WorkItem(
                    TASK, t.enterprise_id, t.enterprise_name, t.uscc, sid, addr, "double_random", None,
                    _("待检查"), _("双随机抽查任务（{r}）：{team}").format(r=t.role, team=t.team),
                    inspection_id=t.inspection_id, assignment_id=t.assignment_id,
                )
            )  # fmt: skip
        if inspector_id:
            items += _followups_due(s, inspector_id, today)
        items += _unsynced(s, today)
    return MyWork(today, inspector_id, name, tuple(items))
