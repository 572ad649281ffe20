"""The annual plan of scheduled inspections of a district (001 §23) and its progress.

`generate_plan` derives the visits from each enterprise's supervision mode (001 §30, §14): every C
enterprise twice, every B once, at least 50 % of the A group and 20 % of the AA group once, choosing in
those groups the enterprises not inspected for the longest time. Each visit gets a month and a responsible
inspector; the bureau edits the plan afterwards. `progress` compares planned and done.

The plan is the district bureau's (001 §23: 区级市场监管局应于每年1月制定…计划): generating or editing it is
refused on a field laptop (core/storage/sync_models.require_bureau); reading it and its progress is allowed anywhere.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.regulations import cite
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection, Inspector, License
from inspector_app.core.storage.supervision_models import AnnualPlan, PlanEntry
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.core.supervision.classification import MODE_CITATIONS, REQUIREMENTS, supervision_mode
from inspector_app.core.supervision.license_actions import in_force
from inspector_app.i18n import _

# Inspections that count towards the plan: every completed kind except 回访, which checks a rectification
# (001 §22) rather than the yearly supervision (docs/supervision.md).
NOT_COUNTED_KINDS = ("followup",)
C_SECOND_VISIT_GAP = 6  # months between the two yearly visits of a C enterprise


@dataclass(frozen=True)
class Candidate:
    enterprise_id: str
    name: str
    uscc: str
    classification: str
    risk_level: str | None
    mode_class: str
    last_inspected: date | None


def _licensed_in_year(s: Session, year: int, district: str) -> list[Candidate]:
    """Enterprises of the district holding a license valid at some point of the year."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    valid = (
        select(License.enterprise_id)
        .where(License.expiry_date >= start, (License.issue_date.is_(None)) | (License.issue_date <= end))
        .where(in_force(start))  # 001 §39: a license ended before the year is not planned
        .distinct()
    )
    last = (
        select(Inspection.enterprise_id.label("eid"), func.max(Inspection.inspected_on).label("last"))
        .where(Inspection.status == "completed")
        .group_by(Inspection.enterprise_id)
        .subquery()
    )
    rows = s.execute(
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.uscc,
            Enterprise.classification,
            Enterprise.risk_level,
            last.c.last,
        )
        .outerjoin(last, last.c.eid == Enterprise.id)
        .where(Enterprise.district == district, Enterprise.id.in_(valid))
        .order_by(Enterprise.uscc)
    ).all()
    return [Candidate(r[0], r[1], r[2], r[3], r[4], supervision_mode(r[3], r[4]), r[5]) for r in rows]


@dataclass(frozen=True)
class PlannedVisit:
    enterprise_id: str
    visit_no: int
    month: int
    rule: str


def plan_visits(candidates: list[Candidate]) -> list[PlannedVisit]:
    """The minimum visits of 001 §30 for these enterprises (a pure function; months spread over the year)."""
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        groups.setdefault(c.mode_class, []).append(c)
    chosen: list[tuple[Candidate, int]] = []  # (enterprise, visits)
    for mode in ("C", "B", "A", "AA"):
        group = groups.get(mode, [])
        req = REQUIREMENTS[mode]
        if req.ratio is None:
            chosen += [(c, req.per_enterprise) for c in group]
        else:
            # not inspected for the longest time first (never inspected before all), then by USCC
            ordered = sorted(group, key=lambda c: (c.last_inspected or date.min, c.uscc))
            chosen += [(c, 1) for c in ordered[: req.visits(len(group))]]
    visits: list[PlannedVisit] = []
    k = 0
    for c, n in chosen:
        month = k % 12 + 1
        k += 1
        for v in range(n):
            visits.append(
                PlannedVisit(
                    c.enterprise_id, v + 1, (month - 1 + v * C_SECOND_VISIT_GAP) % 12 + 1, MODE_CITATIONS[c.mode_class]
                )
            )
    return visits


def generate_plan(
    db: Database, year: int, district: str, *, who: str = "", replace: bool = False, on: date | None = None
) -> str:
    """Create the district's plan for the year; refuses if one exists unless replace=True."""
    if not 2000 <= year <= 2100:
        raise ValidationError(_("年度"), _("“{y}”不是有效年度").format(y=year))
    require_bureau(db, _("年度检查计划的制定"))
    with db.session() as s:
        existing = s.scalar(select(AnnualPlan).where(AnnualPlan.year == year, AnnualPlan.district == district))
        if existing is not None:
            if not replace:
                raise DomainError(
                    _("{d}{y}年度检查计划已存在；如需按企业分类重新生成，请选择“替换”（原计划的调整将丢失）").format(
                        d=district, y=year
                    )
                )
            s.delete(existing)
            s.flush()
        candidates = _licensed_in_year(s, year, district)
        if not candidates:
            raise DomainError(_("{d}没有{y}年度有效的获证企业，无法生成检查计划").format(d=district, y=year))
        inspectors = list(
            s.scalars(select(Inspector.id).where(Inspector.active.is_(True)).order_by(Inspector.badge_no))
        )
        plan = AnnualPlan(year=year, district=district, created_on=on or clock.today(), created_by=who.strip())
        for n, v in enumerate(plan_visits(candidates)):
            plan.entries.append(
                PlanEntry(
                    enterprise_id=v.enterprise_id,
                    visit_no=v.visit_no,
                    month=v.month,
                    rule=v.rule,
                    inspector_id=inspectors[n % len(inspectors)] if inspectors else None,
                )
            )
        s.add(plan)
        s.flush()
        return plan.id


def _plan(s: Session, year: int, district: str) -> AnnualPlan:
    plan = s.scalar(select(AnnualPlan).where(AnnualPlan.year == year, AnnualPlan.district == district))
    if plan is None:
        raise NotFound(_("{d}没有{y}年度检查计划，请先生成").format(d=district, y=year))
    return plan


# ------------------------------------------------------------------ progress
@dataclass(frozen=True)
class EnterpriseProgress:
    enterprise_id: str
    name: str
    uscc: str
    classification: str
    mode_class: str
    planned: int  # visits in the plan
    required: int  # visits 001 §30 requires of this enterprise (0 for A/AA outside the planned share)
    done: int  # completed inspections in the year (not counting 回访)
    months: tuple[int, ...]
    inspectors: str  # names, joined with 、
    behind: bool  # a planned month has passed without the visit

    @property
    def owed(self) -> int:
        return max(0, self.planned - self.done)


@dataclass(frozen=True)
class PlanProgress:
    year: int
    district: str
    exists: bool
    licensed: int
    planned: int
    done: int  # inspections counted against the plan (capped per enterprise at its planned visits)
    done_total: int  # all completed inspections of the year (not 回访)
    inspected: int  # enterprises inspected at least once
    coverage: str
    owed: tuple[EnterpriseProgress, ...]  # enterprises still owed an inspection
    rows: tuple[EnterpriseProgress, ...]
    shortfalls: tuple[str, ...]  # where the plan is below the minimum of 001 §30


def progress(db: Database, year: int, district: str, *, today: date | None = None) -> PlanProgress:
    from inspector_app.core.supervision.statistics_scope import licensed_and_inspected
    from inspector_app.core.supervision.statistics_tables import coverage_text

    today = today or clock.today()
    with db.session() as s:
        plan = s.scalar(select(AnnualPlan).where(AnnualPlan.year == year, AnnualPlan.district == district))
        candidates = {c.enterprise_id: c for c in _licensed_in_year(s, year, district)}
        # The counts shown are the statistics' (licensed on 31 December, inspected in the year): the plan itself
        # also covers licenses that end during the year.
        licensed_ids, inspected_ids = licensed_and_inspected(s, date(year, 1, 1), date(year, 12, 31), district)
        entries: Sequence[Row[str, int, str]] = []
        if plan is not None:
            entries = s.execute(
                select(PlanEntry.enterprise_id, PlanEntry.month, Inspector.name)
                .outerjoin(Inspector, Inspector.id == PlanEntry.inspector_id)
                .where(PlanEntry.plan_id == plan.id)
            ).all()
        done = dict(
            s.execute(
                select(Inspection.enterprise_id, func.count(Inspection.id))
                .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
                .where(
                    Enterprise.district == district,
                    Inspection.status == "completed",
                    Inspection.inspected_on >= date(year, 1, 1),
                    Inspection.inspected_on <= date(year, 12, 31),
                    Inspection.kind.not_in(NOT_COUNTED_KINDS),
                )
                .group_by(Inspection.enterprise_id)
            ).all()
        )
        extra_ids = {e for e, _m, _n in entries} - set(candidates)
        for eid, name, uscc, cls, risk in s.execute(
            select(
                Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.classification, Enterprise.risk_level
            ).where(Enterprise.id.in_(extra_ids))
        ):
            candidates[eid] = Candidate(eid, name, uscc, cls, risk, supervision_mode(cls, risk), None)
    required: dict[str, int] = {}
    for v in plan_visits(list(candidates.values())):
        required[v.enterprise_id] = required.get(v.enterprise_id, 0) + 1
    per: dict[str, list] = {}
    for eid, month, name in entries:
        p = per.setdefault(eid, [[], []])
        p[0].append(month)
        if name:
            p[1].append(name)
    current_month = today.month if today.year == year else (13 if today.year > year else 0)
    rows = []
    for eid, c in candidates.items():
        months = tuple(sorted(per.get(eid, [[], []])[0]))
        names = "、".join(dict.fromkeys(per.get(eid, [[], []])[1]))
        n_done = done.get(eid, 0)
        behind = sum(1 for m in months if m < current_month) > n_done
        rows.append(
            EnterpriseProgress(
                eid,
                c.name,
                c.uscc,
                c.classification,
                c.mode_class,
                len(months),
                required.get(eid, 0),
                n_done,
                months,
                names,
                behind,
            )
        )
    rows.sort(key=lambda r: (-r.owed, r.months[:1] or (13,), r.uscc))
    shortfalls = []
    by_mode: dict[str, list[EnterpriseProgress]] = {}
    for r in rows:
        by_mode.setdefault(r.mode_class, []).append(r)
    if plan is not None:
        for mode, group in by_mode.items():
            req = REQUIREMENTS[mode]
            if req.ratio is not None:
                need = req.visits(len(group))
                have = sum(1 for g in group if g.planned)
                if have < need:
                    shortfalls.append(
                        _("{m}类监管方式的企业{n}家，计划检查{h}家，少于最低要求{r}家（{c}）").format(
                            m=mode, n=len(group), h=have, r=need, c=cite(MODE_CITATIONS[mode])
                        )
                    )
            else:
                for g in group:
                    if g.planned < req.per_enterprise:
                        shortfalls.append(
                            _("{name}（{m}类监管方式）计划{h}次，少于每年{r}次（{c}）").format(
                                name=g.name, m=mode, h=g.planned, r=req.per_enterprise, c=cite(MODE_CITATIONS[mode])
                            )
                        )
    licensed, inspected = len(licensed_ids), len(inspected_ids)
    return PlanProgress(
        year=year,
        district=district,
        exists=plan is not None,
        licensed=licensed,
        planned=sum(r.planned for r in rows),
        done=sum(min(r.done, r.planned) for r in rows),
        done_total=sum(done.values()),
        inspected=inspected,
        coverage=coverage_text(inspected, licensed),
        owed=tuple(r for r in rows if r.owed),
        rows=tuple(rows),
        shortfalls=tuple(shortfalls),
    )


def plan_entries(db: Database, year: int, district: str) -> list[tuple]:
    """(entry id, enterprise name, USCC, visit no, month, inspector name, rule) in month order."""
    with db.session() as s:
        plan = _plan(s, year, district)
        rows = s.execute(
            select(
                PlanEntry.id,
                Enterprise.name,
                Enterprise.uscc,
                PlanEntry.visit_no,
                PlanEntry.month,
                Inspector.name,
                PlanEntry.rule,
            )
            .join(Enterprise, Enterprise.id == PlanEntry.enterprise_id)
            .outerjoin(Inspector, Inspector.id == PlanEntry.inspector_id)
            .where(PlanEntry.plan_id == plan.id)
            .order_by(PlanEntry.month, Enterprise.uscc, PlanEntry.visit_no)
        ).all()
        return [tuple(r) for r in rows]
