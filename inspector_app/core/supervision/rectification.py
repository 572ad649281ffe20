"""Rectification follow-up (001 §27, 002 三(六), 004 二(三)).

Each 不符合 of a completed inspection that was not rectified on the spot (002 附件2 备注(3)) becomes an open
rectification with a deadline (002 附件1: 在__日内完成整改). After the deadline the bureau re-inspects
(复查/回访, 001 §27): the follow-up form starts with the open problems, each is marked rectified or not with
a record and a photo. A problem still present raises proposals: order to stop production for rectification
(004 二(三)), transfer to administrative penalty (001 §28, 002 四(四)) and a classification downgrade
(001 §33). A bureau confirms or dismisses each proposal.

On a field laptop the inspectors collect, start and mark follow-ups (that is site work, and rectifications and
flags travel both ways). Deciding a proposal and recording a transfer are the bureau's decisions (001 §27:
区级市场监管局应责令…; 001 §28: 移交本机关行政执法部门; a confirmed 降级 changes the classification, which only
the bureau does): refused on a laptop (core/storage/sync_models.require_bureau).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.templates import Template
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection, ItemResult, Setting
from inspector_app.core.storage.supervision_models import EnforcementFlag, Rectification
from inspector_app.core.supervision.enforcement import (  # noqa: F401 - re-exported: callers import them from here
    CONFIRMED,
    DISMISSED,
    DOWNGRADE,
    FLAG_KINDS,
    FLAG_STATUSES,
    PROPOSED,
    STOP_PRODUCTION,
    TRANSFER_PENALTY,
    FlagRow,
    decide_flag,
    flags,
    transfer_to_penalty,
)
from inspector_app.i18n import _

# The default period is the bureau setting of core/settings.py (also printed on the 整改通知书); a signed
# inspection may carry its own period (docs_models.InspectionSignoff.rectification_days), which wins.
SETTING_DEFAULT_DAYS = "rectification.default_days"
SETTING_DUE_SOON_DAYS = "rectification.due_soon_days"
DEFAULTS = {SETTING_DEFAULT_DAYS: 30, SETTING_DUE_SOON_DAYS: 7}

# Stored status of a rectification.
OPEN, RECTIFIED, NOT_RECTIFIED = "open", "rectified", "not_rectified"
PARTIAL = "partial"  # 部分整改: a verdict of the 回访 form (core/supervision/followup_form.py); still present
STATUSES = {OPEN: "待整改", RECTIFIED: "已整改", NOT_RECTIFIED: "复查仍未整改", PARTIAL: "复查部分整改"}
# Derived state of an open one, for the dashboard.
STATES = {"pending": "整改期内", "due_soon": "即将到期", "overdue": "已逾期", **STATUSES}


# ------------------------------------------------------------------ settings
def _known_to_settings(key: str) -> bool:
    try:
        from inspector_app.core import settings
    except ImportError:
        return False
    return key in settings.DEFAULTS


def get_setting(db: Database, key: str) -> int:
    if _known_to_settings(key):
        from inspector_app.core import settings

        return settings.get_int(db, key) or DEFAULTS[key]
    with db.session() as s:
        row = s.get(Setting, key)
        try:
            return int(row.value) if row else DEFAULTS[key]
        except ValueError:
            return DEFAULTS[key]


def _signoff_days(s: Session, inspection_ids) -> dict[str, int]:
    """Period chosen when the inspection was signed (documents feature), where that feature is present."""
    try:
        from inspector_app.core.storage.docs_models import InspectionSignoff
    except ImportError:
        return {}
    ids = list(set(inspection_ids))
    out: dict[str, int] = {}
    for k in range(0, len(ids), 500):
        out.update(
            s.execute(
                select(InspectionSignoff.inspection_id, InspectionSignoff.rectification_days).where(
                    InspectionSignoff.inspection_id.in_(ids[k : k + 500])
                )
            ).all()
        )
    return {i: d for i, d in out.items() if d}


# ------------------------------------------------------------------ opening rectifications
def _categories(s: Session, digests) -> dict[tuple[str, str], str]:
    """(template digest, item id) → problem category, from the inspections' own template snapshots."""
    from inspector_app.core.storage.models import TemplateSnapshot

    out = {}
    for digest, content in s.execute(
        select(TemplateSnapshot.digest, TemplateSnapshot.content).where(TemplateSnapshot.digest.in_(set(digests)))
    ):
        t = inspections.template_from_snapshot(digest, content)
        out.update({(digest, item.id): item.category for item in t.items})
    return out


def collect(db: Database, *, days: int | None = None) -> int:
    """Open a rectification for every unrectified 不符合 of a completed inspection that has none yet.

    Idempotent; returns how many were opened. Deadline = inspection date + the default period (setting).
    """
    days = days or get_setting(db, SETTING_DEFAULT_DAYS)
    with db.session() as s:
        rows = s.execute(
            select(
                Inspection.id,
                Inspection.enterprise_id,
                Inspection.inspected_on,
                Inspection.template_digest,
                ItemResult.item_id,
                ItemResult.record,
            )
            .join(ItemResult, ItemResult.inspection_id == Inspection.id)
            .outerjoin(
                Rectification,
                and_(Rectification.inspection_id == Inspection.id, Rectification.item_id == ItemResult.item_id),
            )
            .where(
                Inspection.status == inspections.COMPLETED,
                ItemResult.conclusion == "nonconform",
                ItemResult.rectified_on_site.is_(False),
                Rectification.id.is_(None),
            )
        ).all()
        cats = _categories(s, (r.template_digest for r in rows))
        own_days = _signoff_days(s, (r.id for r in rows)) if rows else {}
        for r in rows:
            s.add(
                Rectification(
                    enterprise_id=r.enterprise_id,
                    inspection_id=r.id,
                    item_id=r.item_id,
                    category=cats.get((r.template_digest, r.item_id), ""),
                    problem=r.record,
                    found_on=r.inspected_on,
                    deadline=r.inspected_on + timedelta(days=own_days.get(r.id, days)),
                    status=OPEN,
                )
            )
        return len(rows)


def _get(s: Session, rectification_id: str) -> Rectification:
    rect = s.get(Rectification, rectification_id)
    if rect is None:
        raise NotFound(_("找不到该整改问题：{i}").format(i=rectification_id))
    return rect


# ------------------------------------------------------------------ dashboard
@dataclass(frozen=True)
class RectificationRow:
    id: str
    enterprise_id: str
    enterprise_name: str
    uscc: str
    district: str
    inspection_id: str
    site_id: str
    item_id: str
    category: str
    problem: str
    found_on: date
    deadline: date
    days_left: int
    state: str  # STATES key
    followup_inspection_id: str | None
    checked_on: date | None
    check_record: str
    photo: str


@dataclass(frozen=True)
class Counts:
    pending: int = 0
    due_soon: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.pending + self.due_soon + self.overdue


@dataclass(frozen=True)
class Dashboard:
    today: date
    due_soon_days: int
    rows: tuple[RectificationRow, ...]  # open ones, most urgent first
    per_enterprise: tuple[tuple[str, str, str, Counts], ...]  # (enterprise id, name, district, counts)
    per_district: tuple[tuple[str, Counts], ...]
    total: Counts


def state_of(status: str, deadline: date, today: date, soon_days: int) -> str:
    if status != OPEN:
        return status
    if deadline < today:
        return "overdue"
    return "due_soon" if (deadline - today).days <= soon_days else "pending"


def _row(rect: Rectification, ent: Enterprise, site_id: str, today: date, soon: int) -> RectificationRow:
    return RectificationRow(
        id=rect.id,
        enterprise_id=ent.id,
        enterprise_name=ent.name,
        uscc=ent.uscc,
        district=ent.district,
        inspection_id=rect.inspection_id,
        site_id=site_id,
        item_id=rect.item_id,
        category=rect.category,
        problem=rect.problem,
        found_on=rect.found_on,
        deadline=rect.deadline,
        days_left=(rect.deadline - today).days,
        state=state_of(rect.status, rect.deadline, today, soon),
        followup_inspection_id=rect.followup_inspection_id,
        checked_on=rect.checked_on,
        check_record=rect.check_record,
        photo=rect.photo,
    )


def dashboard(db: Database, *, today: date | None = None, district: str | None = None) -> Dashboard:
    """Open rectifications with their state, per enterprise and per district (collects new ones first)."""
    collect(db)
    today = today or clock.today()
    soon = get_setting(db, SETTING_DUE_SOON_DAYS)
    with db.session() as s:
        q = (
            select(Rectification, Enterprise, Inspection.site_id)
            .join(Enterprise, Enterprise.id == Rectification.enterprise_id)
            .join(Inspection, Inspection.id == Rectification.inspection_id)
            .where(Rectification.status == OPEN)
        )
        if district:
            q = q.where(Enterprise.district == district)
        rows = [_row(r, e, site, today, soon) for r, e, site in s.execute(q)]
    rows.sort(key=lambda r: (r.deadline, r.district, r.enterprise_name, r.item_id))
    per_ent: dict[str, list] = {}
    per_dist: dict[str, dict[str, int]] = {}
    total = {"pending": 0, "due_soon": 0, "overdue": 0}
    for r in rows:
        e = per_ent.setdefault(
            r.enterprise_id, [r.enterprise_name, r.district, {"pending": 0, "due_soon": 0, "overdue": 0}]
        )
        e[2][r.state] += 1
        per_dist.setdefault(r.district, {"pending": 0, "due_soon": 0, "overdue": 0})[r.state] += 1
        total[r.state] += 1
    return Dashboard(
        today=today,
        due_soon_days=soon,
        rows=tuple(rows),
        per_enterprise=tuple(
            sorted(
                ((eid, name, dist, Counts(**c)) for eid, (name, dist, c) in per_ent.items()),
                key=lambda x: (-x[3].overdue, -x[3].due_soon, x[2], x[1]),
            )
        ),
        per_district=tuple(sorted(((d, Counts(**c)) for d, c in per_dist.items()))),
        total=Counts(**total),
    )


def for_enterprise(db: Database, enterprise_id: str, *, today: date | None = None) -> list[RectificationRow]:
    """All rectifications of one enterprise (open and closed), newest first: its archive view."""
    collect(db)
    today = today or clock.today()
    soon = get_setting(db, SETTING_DUE_SOON_DAYS)
    with db.session() as s:
        ent = s.get(Enterprise, enterprise_id)
        if ent is None:
            raise NotFound(_("找不到该企业"))
        rects = s.execute(
            select(Rectification, Inspection.site_id)
            .join(Inspection, Inspection.id == Rectification.inspection_id)
            .where(Rectification.enterprise_id == enterprise_id)
            .order_by(Rectification.found_on.desc(), Rectification.item_id)
        ).all()
        return [_row(r, ent, site, today, soon) for r, site in rects]


# ------------------------------------------------------------------ the follow-up visit
def start_followup(
    db: Database,
    enterprise_id: str,
    *,
    team: list[str],
    site_id: str | None = None,
    inspected_on: date | None = None,
) -> str:
    """Start a 回访 form (kind "followup") at one site, pre-filled with the open problems found there.

    Each problem's item carries the original finding in its remark; mark() records the outcome.
    """
    collect(db)
    with db.session() as s:
        q = (
            select(Rectification, Inspection)
            .join(Inspection, Inspection.id == Rectification.inspection_id)
            .where(Rectification.enterprise_id == enterprise_id, Rectification.status == OPEN)
            .order_by(Inspection.inspected_on, Rectification.item_id)
        )
        pairs: Sequence[tuple[Rectification, Inspection]] = s.execute(q).all()
        if site_id is not None:
            pairs = [(r, i) for r, i in pairs if i.site_id == site_id]
        pairs = [(r, i) for r, i in pairs if r.followup_inspection_id is None or _is_stale(s, r.followup_inspection_id)]
        if not pairs:
            raise DomainError(_("该企业（生产地址）没有待复查的整改问题"))
        sites = {i.site_id for _r, i in pairs}
        if len(sites) > 1:
            raise DomainError(
                _("该企业有{n}个生产地址存在待复查问题，每个地址分别回访，请选择生产地址").format(n=len(sites))
            )
        latest = max((i for _r, i in pairs), key=lambda i: i.inspected_on)
        template = inspections.template_from_snapshot(latest.template_digest, latest.template.content)
        site, license_id = latest.site_id, latest.license_id
        rect_ids = [r.id for r, _i in pairs]
        remarks: dict[str, list[str]] = {}
        for r, i in pairs:
            remarks.setdefault(r.item_id, []).append(
                _("回访复查：{d}检查发现“{p}”，整改期限{dl}").format(
                    d=i.inspected_on.isoformat(), p=r.problem, dl=r.deadline.isoformat()
                )
            )
    followup_id = inspections.start_inspection(
        db,
        site_id=site,
        template=template,
        kind="followup",
        team=team,
        inspected_on=inspected_on,
        license_id=license_id,
    )
    try:
        with db.session() as s:
            insp = s.get(Inspection, followup_id)
            assert insp is not None, "the follow-up draft was created above"
            for item_id, lines in remarks.items():
                if not _applies(template, item_id):
                    continue
                insp.results.append(ItemResult(item_id=item_id, remark="\n".join(lines), rectified_on_site=False))
            for rid in rect_ids:
                rect = s.get(Rectification, rid)
                assert rect is not None, "the rectifications were read above"
                rect.followup_inspection_id = followup_id
    except BaseException:
        inspections.delete_draft(db, followup_id)
        raise
    return followup_id


def _applies(template: Template, item_id: str) -> bool:
    try:
        return template.item(item_id).applies(template.product_kind)
    except KeyError:
        return False


def _is_stale(s: Session, inspection_id: str) -> bool:
    """A follow-up draft deleted without marking frees its problems for a new follow-up."""
    return s.get(Inspection, inspection_id) is None


def followup_problems(
    db: Database, followup_inspection_id: str, *, today: date | None = None
) -> list[RectificationRow]:
    today = today or clock.today()
    soon = get_setting(db, SETTING_DUE_SOON_DAYS)
    with db.session() as s:
        rows = s.execute(
            select(Rectification, Enterprise, Inspection.site_id)
            .join(Enterprise, Enterprise.id == Rectification.enterprise_id)
            .join(Inspection, Inspection.id == Rectification.inspection_id)
            .where(Rectification.followup_inspection_id == followup_inspection_id)
            .order_by(Rectification.found_on, Rectification.item_id)
        ).all()
        return [_row(r, e, site, today, soon) for r, e, site in rows]


def mark(
    db: Database,
    rectification_id: str,
    *,
    rectified: bool,
    record: str,
    photo: str = "",
    on: date | None = None,
    who: str = "",
) -> list[str]:
    """Record the follow-up's finding for one problem; returns the ids of the flags raised (if not rectified).

    The answer is also written into the follow-up form (符合 when rectified, 不符合 otherwise).
    """
    if not record.strip():
        raise ValidationError(_("复查记录"), _("请填写复查情况（整改是否到位、查看了什么）"))
    with db.session() as s:
        rect = _get(s, rectification_id)
        if rect.status != OPEN:
            raise DomainError(_("该问题已复查（{s}），不能重复标记").format(s=STATUSES[rect.status]))
        fu = s.get(Inspection, rect.followup_inspection_id) if rect.followup_inspection_id is not None else None
        if fu is None:
            raise DomainError(_("请先开始回访检查，再标记整改情况"))
        if fu.status != inspections.DRAFT:
            raise DomainError(_("回访检查记录已完成，不能再修改"))
        on = on or fu.inspected_on
        rect.status = RECTIFIED if rectified else NOT_RECTIFIED
        rect.checked_on = on
        rect.check_record = record.strip()
        rect.photo = photo.strip()
        res = s.scalar(select(ItemResult).where(ItemResult.inspection_id == fu.id, ItemResult.item_id == rect.item_id))
        if res is not None:
            res.conclusion = "conform" if rectified else "nonconform"
            res.record = f"{res.record}\n{record.strip()}" if res.record else record.strip()
        flags: list[str] = []
        if not rectified:
            for kind in (STOP_PRODUCTION, TRANSFER_PENALTY, DOWNGRADE):
                cite = FLAG_KINDS[kind][1]
                flag = EnforcementFlag(
                    enterprise_id=rect.enterprise_id,
                    rectification_id=rect.id,
                    inspection_id=fu.id,
                    kind=kind,
                    raised_on=on,
                    reason=_("回访复查{d}：检查项{i}原问题仍存在（{r}）").format(
                        d=on.isoformat(), i=rect.item_id, r=record.strip()
                    ),
                    citation=cite,
                    status=PROPOSED,
                )
                s.add(flag)
                s.flush()
                flags.append(flag.id)
        return flags
