"""Assignments from a draw: inspectors' task lists, the inspections that fulfil them, publication (002 三(五)).

An assignment is done when a completed 双随机 inspection of its enterprise, dated on or after the draw, exists
(or one was started from the assignment). From the day the inspection was completed the bureau has the
working days of the rules (20 in 002 三(五)) to publish the result; `publish_by` is that deadline.

The bureau's side (the draw's inputs: inspector marks and declared conflicts; recording the publication) is
refused on a field laptop (core/storage/sync_models.require_bureau): those rows never travel from a laptop. Task lists,
starting the inspection of a task and the publication list stay allowed everywhere.
"""

import csv
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.files import replacing
from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.templates import Template
from inspector_app.core.spreadsheet_text import csv_row, safe_append
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection, Inspector, ItemResult, Site
from inspector_app.core.storage.supervision_models import (
    Assignment,
    AssignmentMember,
    ConflictOfInterest,
    Draw,
    InspectorProfile,
)
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.core.supervision.draw import ROLES, require_verified
from inspector_app.core.supervision.draw_rules import Rules, rules_from_canonical
from inspector_app.core.supervision.workdays import CalendarUnknown
from inspector_app.i18n import _

DRAW_KIND = "double_random"
PUBLICATION_STATES = {
    "waiting": "待检查",
    "pending": "待公示",
    "due_soon": "公示即将到期",
    "overdue": "公示已逾期",
    "published": "已公示",
    "no_calendar": "公示期限未知（节假日安排未知）",  # core/supervision/workdays.py: never guessed
}
TASK_STATES = {"open": "待检查", "done": "已完成"}  # an assignment's status as the task lists show it
DUE_SOON_WORKING_DAYS = 5


# ------------------------------------------------------------------ inspector data used by draws
def set_profile(db: Database, inspector_id: str, *, can_lead: bool, technical: bool) -> None:
    require_bureau(db, _("检查人员抽取资格（可任组长、技术专家）的设置"))
    with db.session() as s:
        if s.get(Inspector, inspector_id) is None:
            raise NotFound(_("找不到该检查人员"))
        p = s.scalar(select(InspectorProfile).where(InspectorProfile.inspector_id == inspector_id))
        if p is None:
            p = InspectorProfile(inspector_id=inspector_id)
            s.add(p)
        p.can_lead, p.technical = bool(can_lead), bool(technical)


def profiles(db: Database) -> dict[str, tuple[bool, bool]]:
    with db.session() as s:
        return {
            i: (bool(a), bool(b))
            for i, a, b in s.execute(
                select(InspectorProfile.inspector_id, InspectorProfile.can_lead, InspectorProfile.technical)
            )
        }


def declare_conflict(
    db: Database, inspector_id: str, enterprise_id: str, *, reason: str, on: date | None = None
) -> str:
    """A declared conflict of interest: the draw never puts this inspector on this enterprise."""
    if not reason.strip():
        raise ValidationError(_("回避原因"), _("不能为空"))
    require_bureau(db, _("利益冲突（回避）的登记"))
    with db.session() as s:
        if s.get(Inspector, inspector_id) is None:
            raise NotFound(_("找不到该检查人员"))
        if s.get(Enterprise, enterprise_id) is None:
            raise NotFound(_("找不到该企业"))
        c = s.scalar(
            select(ConflictOfInterest).where(
                ConflictOfInterest.inspector_id == inspector_id, ConflictOfInterest.enterprise_id == enterprise_id
            )
        )
        if c is None:
            c = ConflictOfInterest(inspector_id=inspector_id, enterprise_id=enterprise_id)
            s.add(c)
        c.reason, c.declared_on = reason.strip(), on or clock.today()
        s.flush()
        return c.id


# ------------------------------------------------------------------ task lists
@dataclass(frozen=True)
class Task:
    assignment_id: str
    draw_id: str | None
    drawn_on: date | None
    enterprise_id: str
    enterprise_name: str
    uscc: str
    district: str
    group_id: str
    team_no: int
    role: str  # the role of the inspector asked about ("" in a draw-wide list)
    team: str  # "组长 张三、副组长 李四、组员 王五"
    status: str  # open / done
    inspection_id: str | None
    done_on: date | None
    publish_by: date | None
    published_on: date | None
    problems: int | None  # 不符合 found by the inspection, once done
    publication: str  # PUBLICATION_STATES key
    working_days_left: int | None


def refresh(db: Database, draw_id: str | None = None) -> int:
    """Mark done the open assignments whose enterprise has a completed 双随机 inspection since the draw."""
    n = 0
    with db.session() as s:
        q = select(Assignment, Draw).join(Draw, Draw.id == Assignment.draw_id).where(Assignment.status == "open")
        if draw_id:
            q = q.where(Assignment.draw_id == draw_id)
        open_rows = s.execute(q).all()
        rules_cache: dict[str, Rules] = {}
        ent_ids = list({a.enterprise_id for a, _d in open_rows})
        done: dict[str, list] = {}
        for k in range(0, len(ent_ids), 900):
            for iid, eid, on, completed_at in s.execute(
                select(Inspection.id, Inspection.enterprise_id, Inspection.inspected_on, Inspection.completed_at).where(
                    Inspection.enterprise_id.in_(ent_ids[k : k + 900]),
                    Inspection.status == inspections.COMPLETED,
                    Inspection.kind == DRAW_KIND,
                )
            ):
                done.setdefault(eid, []).append((on, completed_at, iid))
        for a, d in open_rows:
            cands = sorted(c for c in done.get(a.enterprise_id, []) if c[0] >= d.drawn_on)
            if a.inspection_id:
                cands = [c for c in cands if c[2] == a.inspection_id]
            if not cands:
                continue
            on, completed_at, iid = cands[0]
            rules = rules_cache.setdefault(d.id, rules_from_canonical(d.rules_json))
            a.status, a.inspection_id = "done", iid
            a.done_on = completed_at.date() if completed_at else on
            a.publish_by = _deadline(rules, a.done_on)
            n += 1
        # A deadline that could not be counted (a year the calendar did not know) is counted once it can be.
        q = select(Assignment, Draw).join(Draw, Draw.id == Assignment.draw_id)
        q = q.where(Assignment.status == "done", Assignment.publish_by.is_(None), Assignment.published_on.is_(None))
        for a, d in s.execute(q.where(Assignment.draw_id == draw_id) if draw_id else q).all():
            rules = rules_cache.setdefault(d.id, rules_from_canonical(d.rules_json))
            a.publish_by = _deadline(rules, a.done_on)
    return n


def _deadline(rules, done_on: date | None) -> date | None:
    """The publication deadline (002 三(五)), or None while the holidays of its year are unknown."""
    if done_on is None:
        return None
    try:
        return rules.publication.deadline(done_on)
    except CalendarUnknown:
        return None


def _tasks(s: Session, q, today: date, role_of: str | None = None) -> list[Task]:
    rows = s.execute(q).all()
    ids = [a.id for a, *_r in rows]
    team: dict[str, list] = {}
    for k in range(0, len(ids), 900):
        for aid, name, role, badge_id in s.execute(
            select(AssignmentMember.assignment_id, Inspector.name, AssignmentMember.role, Inspector.id)
            .join(Inspector, Inspector.id == AssignmentMember.inspector_id)
            .where(AssignmentMember.assignment_id.in_(ids[k : k + 900]))
            .order_by(AssignmentMember.position)
        ):
            team.setdefault(aid, []).append((name, role, badge_id))
    insp_ids = [a.inspection_id for a, *_r in rows if a.inspection_id]
    problems: dict[str, int] = {}
    for k in range(0, len(insp_ids), 900):
        problems.update(
            s.execute(
                select(ItemResult.inspection_id, func.count(ItemResult.id))
                .where(ItemResult.inspection_id.in_(insp_ids[k : k + 900]), ItemResult.conclusion == "nonconform")
                .group_by(ItemResult.inspection_id)
            ).all()
        )
    rules_cache: dict[str, Rules] = {}
    out = []
    for a, e, d in rows:
        members = team.get(a.id, [])
        role = next((r for _n, r, i in members if i == role_of), "") if role_of else ""
        state, left = "waiting", None
        if a.published_on:
            state = "published"
        elif a.status == "done" and a.publish_by:
            rules = rules_cache.setdefault(d.id, rules_from_canonical(d.rules_json)) if d else None
            try:
                left = (
                    rules.publication.working_days_left(today, a.publish_by) if rules else (a.publish_by - today).days
                )
                state = "overdue" if left < 0 else ("due_soon" if left <= DUE_SOON_WORKING_DAYS else "pending")
            except CalendarUnknown:
                state = "no_calendar"
        elif a.status == "done" and d is not None:
            state = "no_calendar"
        out.append(
            Task(
                assignment_id=a.id,
                draw_id=a.draw_id,
                drawn_on=d.drawn_on if d else None,
                enterprise_id=e.id,
                enterprise_name=e.name,
                uscc=e.uscc,
                district=e.district,
                group_id=a.group_id,
                team_no=a.team_no,
                role=role,
                team="、".join(f"{ROLES.get(r, r)} {n}" for n, r, _i in members),
                status=a.status,
                inspection_id=a.inspection_id,
                done_on=a.done_on,
                publish_by=a.publish_by,
                published_on=a.published_on,
                problems=problems.get(a.inspection_id, 0) if a.status == "done" else None,
                publication=state,
                working_days_left=left,
            )
        )
    return out


def tasks_for(db: Database, inspector_id: str, *, today: date | None = None, open_only: bool = False) -> list[Task]:
    """An inspector's task list: the assignments where they are leader, deputy or member."""
    refresh(db)
    with db.session() as s:
        q = (
            select(Assignment, Enterprise, Draw)
            .join(AssignmentMember, AssignmentMember.assignment_id == Assignment.id)
            .join(Enterprise, Enterprise.id == Assignment.enterprise_id)
            .outerjoin(Draw, Draw.id == Assignment.draw_id)
            .where(AssignmentMember.inspector_id == inspector_id)
            .order_by(Assignment.status.desc(), Enterprise.district, Enterprise.name)
        )
        if open_only:
            q = q.where(Assignment.status == "open")
        return _tasks(s, q, today or clock.today(), role_of=inspector_id)


def draw_tasks(db: Database, draw_id: str, *, today: date | None = None) -> list[Task]:
    refresh(db, draw_id)
    with db.session() as s:
        if s.get(Draw, draw_id) is None:
            raise NotFound(_("找不到该抽取记录：{i}").format(i=draw_id))
        q = (
            select(Assignment, Enterprise, Draw)
            .join(Enterprise, Enterprise.id == Assignment.enterprise_id)
            .outerjoin(Draw, Draw.id == Assignment.draw_id)
            .where(Assignment.draw_id == draw_id)
            .order_by(Assignment.team_no, Enterprise.district, Enterprise.uscc)
        )
        return _tasks(s, q, today or clock.today())


def start_from_assignment(
    db: Database, assignment_id: str, *, template: Template, site_id: str | None = None, on: date | None = None
) -> str:
    """Start the 双随机 inspection of an assignment with its drawn team (leader first)."""
    with db.session() as s:
        a = s.get(Assignment, assignment_id)
        if a is None:
            raise NotFound(_("找不到该检查任务"))
        if a.status != "open":
            raise DomainError(_("该检查任务已完成"))
        if a.team_no == 0 or not a.members:
            raise DomainError(_("该企业抽取时未能匹配检查组，请先人工指定检查人员"))
        team = [m.inspector_id for m in a.members]
        sites = list(s.scalars(select(Site.id).where(Site.enterprise_id == a.enterprise_id).order_by(Site.address)))
        if site_id is None:
            if len(sites) != 1:
                raise DomainError(
                    _("该企业有{n}个生产地址，请选择要检查的地址（一个生产地址一份检查记录）").format(n=len(sites))
                )
            site_id = sites[0]
        elif site_id not in sites:
            raise ValidationError(_("生产地址"), _("不属于该企业"))
    iid = inspections.start_inspection(
        db, site_id=site_id, template=template, kind=DRAW_KIND, team=team, inspected_on=on
    )
    with db.session() as s:
        assignment = s.get(Assignment, assignment_id)
        if assignment is None:  # removed meanwhile (a bundle from the bureau)
            raise NotFound(_("找不到该检查任务"))
        assignment.inspection_id = iid
    return iid


def mark_published(db: Database, assignment_ids: list[str], *, on: date | None = None) -> int:
    """Record that the results were published (国家企业信用信息公示系统, 002 三(五))."""
    require_bureau(db, _("抽查结果公示的登记"))
    on = on or clock.today()
    n = 0
    with db.session() as s:
        verified: set[str] = set()
        for aid in assignment_ids:
            a = s.get(Assignment, aid)
            if a is None:
                raise NotFound(_("找不到该检查任务：{i}").format(i=aid))
            if a.status != "done":
                raise DomainError(_("{i}：检查尚未完成，不能公示").format(i=aid))
            if a.draw_id and a.draw_id not in verified:  # only a result that verifies is published
                require_verified(s, a.draw_id)
                verified.add(a.draw_id)
            if a.published_on is None:
                a.published_on = on
                n += 1
    return n


# ------------------------------------------------------------------ export for publication
PUBLICATION_HEADERS = (
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所在区",
    "抽取组",
    "检查组",
    "检查人员",
    "检查状态",
    "检查完成日期",
    "检查结果",
    "公示期限",
    "公示日期",
)


def publication_rows(db: Database, draw_id: str, *, today: date | None = None) -> tuple[dict, list[list]]:
    """(header info, rows) of the draw's result list for publication."""
    from inspector_app.core.supervision.draw import get_draw

    summary = get_draw(db, draw_id)
    tasks = draw_tasks(db, draw_id, today=today)
    titles = {g.id: g.title for g in summary.groups}
    rows = []
    for n, t in enumerate(tasks, start=1):
        if t.status == "done":
            result = _("发现问题{n}项").format(n=t.problems) if t.problems else _("未发现问题")
        else:
            result = ""
        rows.append(
            [
                n,
                t.enterprise_name,
                t.uscc,
                t.district,
                titles.get(t.group_id, t.group_id),
                _("第{n}组").format(n=t.team_no) if t.team_no else _("未匹配"),
                t.team,
                _("已完成") if t.status == "done" else _("待检查"),
                t.done_on.isoformat() if t.done_on else "",
                result,
                t.publish_by.isoformat() if t.publish_by else "",
                t.published_on.isoformat() if t.published_on else "",
            ]
        )
    head = {
        "title": summary.rules_title,
        "draw_id": summary.id,
        "drawn_on": summary.drawn_on.isoformat(),
        "scope": summary.district or _("全部辖区"),
        "seed": summary.seed,
        "rules_hash": summary.rules_hash,
        "roster_hash": summary.roster_hash,
        "result_hash": summary.result_hash,
        "groups": [asdict(g) for g in summary.groups],
    }
    return head, rows


def export_publication(db: Database, draw_id: str, path: str | Path, *, today: date | None = None) -> Path:
    """Write the result list as .xlsx, .csv (UTF-8 with BOM, for Excel) or .json, by extension."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".xlsx", ".csv", ".json"):
        raise ValidationError(_("输出文件"), _("扩展名应为 .xlsx、.csv 或 .json"))
    with db.session() as s:  # the published list must be the drawn one
        require_verified(s, draw_id)
    head, rows = publication_rows(db, draw_id, today=today)
    with replacing(path) as tmp:
        if ext == ".json":
            data = {**head, "columns": list(PUBLICATION_HEADERS), "rows": rows}
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        elif ext == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                w = _SafeWriter(csv.writer(f))
                w.writerow([head["title"]])
                w.writerow([_("抽取日期"), head["drawn_on"], _("范围"), head["scope"], _("随机种子"), head["seed"]])
                w.writerow(
                    [
                        _("规则哈希"),
                        head["rules_hash"],
                        _("名录哈希"),
                        head["roster_hash"],
                        _("结果哈希"),
                        head["result_hash"],
                    ]
                )
                w.writerow(PUBLICATION_HEADERS)
                w.writerows(rows)
        else:
            _write_xlsx(tmp, head, rows)
    return path


class _SafeWriter:
    """csv.writer whose rows go through core/spreadsheet_text (formula-like text stays text)."""

    def __init__(self, writer):
        self._w = writer

    def writerow(self, row) -> None:
        self._w.writerow(csv_row(row))

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def _write_xlsx(path: Path, head: dict, rows: list[list]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = _("抽查结果")
    safe_append(ws, [_("“双随机、一公开”抽查结果：{t}").format(t=head["title"])])
    ws["A1"].font = Font(bold=True, size=14)
    safe_append(ws, [_("抽取日期"), head["drawn_on"], _("范围"), head["scope"], _("随机种子"), head["seed"]])
    safe_append(ws, [_("规则哈希"), head["rules_hash"]])
    safe_append(ws, [_("名录快照哈希"), head["roster_hash"]])
    safe_append(ws, [_("结果哈希"), head["result_hash"]])
    safe_append(ws, [])
    safe_append(ws, list(PUBLICATION_HEADERS))
    thin = Side(style="thin", color="999999")
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for r in rows:
        safe_append(ws, r)
    ws.freeze_panes = ws.cell(row=8, column=1)
    for col, width in zip("ABCDEFGHIJKL", (6, 32, 22, 10, 28, 8, 40, 10, 14, 14, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)
