"""Counting 000's figures outside its tables (docs/statistics.md, 《…证后监管工作情况的通报》's wording):
告知承诺 licenses and their full-coverage routine inspections, 中心城区/郊区 shares, 违法线索, the spot-check and
flight-inspection summaries. `collect` runs inside build_report's session (one session per core operation);
the values are core/supervision/statistics_figures.py's.
"""

from datetime import date

from sqlalchemy import and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from inspector_app.core import settings
from inspector_app.core.catalog import PRODUCT_CATEGORIES
from inspector_app.core.inspection import inspections
from inspector_app.core.storage.models import Enterprise, Inspection, InspectionMember, ItemResult, License
from inspector_app.core.storage.supervision_models import EnforcementFlag, SpotCheck
from inspector_app.core.supervision.enforcement import CONFIRMED, TRANSFER_PENALTY
from inspector_app.core.supervision.license_actions import in_force
from inspector_app.core.supervision.statistics_figures import (
    CategoryCount,
    CommitmentFigures,
    FlightSummary,
    MoreFigures,
    RegionShares,
    SpotCheckSummary,
)
from inspector_app.core.supervision.statistics_tables import coverage_text, percent
from inspector_app.i18n import _

COMMITMENT = "commitment"  # catalog.ISSUANCE_MODES
ROUTINE = "routine"  # catalog.INSPECTION_KINDS: 全覆盖例行检查 (000 二(一))
FLIGHT = "flight"  # 飞行检查 (000 四)
CENTRAL_KEY = "statistics.central_districts"


def collect(s: Session, start: date, end: date, district: str | None, enterprises: dict[str, int]) -> MoreFigures:
    """`enterprises`: licensed enterprises per district (表1), from which the regional shares are taken."""
    return MoreFigures(
        commitment=_commitment(s, start, end, district),
        regions=_regions(s, enterprises),
        leads=_leads(s, start, end, district),
        spot=_spot(s, start, end, district),
        flight=_flight(s, start, end, district),
    )


def _scoped(q, district: str | None, enterprise_id):
    if not district:
        return q
    return q.where(enterprise_id.in_(select(Enterprise.id).where(Enterprise.district == district)))


def _done(start: date, end: date, kind: str):
    """Completed record forms of one kind dated in the period: the 家次 of the main tables (statistics.py)."""
    return and_(
        Inspection.status == inspections.COMPLETED,
        Inspection.inspected_on >= start,
        Inspection.inspected_on <= end,
        Inspection.kind == kind,
    )


# ------------------------------------------------------------------ 000 一, 二(一), 五: 告知承诺
def _commitment(s: Session, start: date, end: date, district: str | None) -> CommitmentFigures:
    commitment = License.issuance == COMMITMENT
    valid = and_(
        or_(License.issue_date.is_(None), License.issue_date <= end), License.expiry_date >= end, in_force(end)
    )
    held = s.scalar(_scoped(select(func.count(License.id)).where(commitment, valid), district, License.enterprise_id))
    # A license issued under 告知承诺 in the period is covered by a completed 全覆盖例行检查 of its enterprise dated
    # from its issue date to the end of the period that named this license or none (000 五: 全覆盖例行检查).
    routine_of_license = exists(
        select(Inspection.id).where(
            Inspection.enterprise_id == License.enterprise_id,
            or_(Inspection.license_id.is_(None), Inspection.license_id == License.id),
            Inspection.status == inspections.COMPLETED,
            Inspection.kind == ROUTINE,
            Inspection.inspected_on >= License.issue_date,
            Inspection.inspected_on <= end,
        )
    )
    issued_in = and_(commitment, License.issue_date >= start, License.issue_date <= end)
    issued, covered = s.execute(
        _scoped(
            select(func.count(License.id), func.coalesce(func.sum(case((routine_of_license, 1), else_=0)), 0)).where(
                issued_in
            ),
            district,
            License.enterprise_id,
        )
    ).one()
    done = _done(start, end, ROUTINE)
    n = s.scalar(_scoped(select(func.count(Inspection.id)).where(done), district, Inspection.enterprise_id))
    turnouts = s.scalar(
        _scoped(
            select(func.count(InspectionMember.inspector_id))
            .join(Inspection, Inspection.id == InspectionMember.inspection_id)
            .where(done),
            district,
            Inspection.enterprise_id,
        )
    )
    issued, covered = int(issued or 0), int(covered or 0)
    return CommitmentFigures(
        licenses=int(held or 0),
        issued=issued,
        covered=covered,
        coverage=coverage_text(covered, issued),
        inspections=int(n or 0),
        turnouts=int(turnouts or 0),
    )


# ------------------------------------------------------------------ 000 一(一): 中心城区 / 郊区
def _regions(s: Session, enterprises: dict[str, int]) -> RegionShares:
    central_names = settings.district_list(settings.read(s, CENTRAL_KEY))
    total = sum(enterprises.values())
    central = sum(n for d, n in enterprises.items() if d in central_names)
    return RegionShares(
        districts=sum(1 for n in enterprises.values() if n),
        central=central,
        central_share=percent(central, total, 1),
        suburban=total - central,
        suburban_share=percent(total - central, total, 1),
        central_districts=central_names,
    )


# ------------------------------------------------------------------ 000 二(二): 违法线索
def _leads(s: Session, start: date, end: date, district: str | None) -> int:
    """Transfers to penalty (001 §28) decided in the period, except those raised from a flight inspection: those
    are reported with the flight inspections (000 四), the leads are those of 日常监督检查 (000 二(二))."""
    from_flight = exists(
        select(Inspection.id).where(Inspection.id == EnforcementFlag.inspection_id, Inspection.kind == FLIGHT)
    )
    q = select(func.count(EnforcementFlag.id)).where(
        EnforcementFlag.kind == TRANSFER_PENALTY,
        EnforcementFlag.status == CONFIRMED,
        EnforcementFlag.decided_on >= start,
        EnforcementFlag.decided_on <= end,
        ~from_flight,
    )
    return int(s.scalar(_scoped(q, district, EnforcementFlag.enterprise_id)) or 0)


# ------------------------------------------------------------------ 000 三: 监督抽查
def _spot(s: Session, start: date, end: date, district: str | None) -> SpotCheckSummary:
    product = func.coalesce(func.nullif(SpotCheck.product, ""), SpotCheck.category)
    q = select(
        func.count(distinct(product)),
        func.count(distinct(SpotCheck.enterprise_id)),
        func.coalesce(func.sum(SpotCheck.batches), 0),
        func.coalesce(func.sum(SpotCheck.failed_batches), 0),
    ).where(SpotCheck.checked_on >= start, SpotCheck.checked_on <= end)
    products, ents, batches, failed = s.execute(_scoped(q, district, SpotCheck.enterprise_id)).one()
    batches, failed = int(batches), int(failed)
    return SpotCheckSummary(int(products), int(ents), batches, failed, percent(failed, batches, 1))


# ------------------------------------------------------------------ 000 四: 飞行检查
def _flight(s: Session, start: date, end: date, district: str | None) -> FlightSummary:
    done = _done(start, end, FLIGHT)
    q = (
        select(
            func.count(Inspection.id),
            func.count(distinct(Inspection.enterprise_id)),
            func.count(distinct(Enterprise.district)),
            func.min(Inspection.inspected_on),
            func.max(Inspection.inspected_on),
        )
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(done)
    )
    if district:
        q = q.where(Enterprise.district == district)
    n, ents, districts, first, last = s.execute(q).one()
    # The product category of an enterprise: that of the license its flight inspection named, else its first
    # license category (by name) — as the campaign table of the main statistics counts it.
    named = select(License.category).where(License.id == Inspection.license_id).scalar_subquery()
    first_cat = select(func.min(License.category)).where(License.enterprise_id == Inspection.enterprise_id)
    cat = func.coalesce(named, first_cat.scalar_subquery()).label("cat")
    per_cat = dict(
        s.execute(
            _scoped(
                select(cat, func.count(distinct(Inspection.enterprise_id))).where(done),
                district,
                Inspection.enterprise_id,
            ).group_by(cat)
        ).all()
    )
    names = [c for c in PRODUCT_CATEGORIES if per_cat.get(c)]
    names += sorted(c for c in per_cat if c is not None and c not in PRODUCT_CATEGORIES)
    problems = s.scalar(
        _scoped(
            select(func.count(ItemResult.id))
            .join(Inspection, Inspection.id == ItemResult.inspection_id)
            .where(done, ItemResult.conclusion == "nonconform"),
            district,
            Inspection.enterprise_id,
        )
    )
    transferred = s.scalar(
        _scoped(
            select(func.count(EnforcementFlag.id))
            .join(Inspection, Inspection.id == EnforcementFlag.inspection_id)
            .where(done, EnforcementFlag.kind == TRANSFER_PENALTY, EnforcementFlag.status == CONFIRMED),
            district,
            Inspection.enterprise_id,
        )
    )
    return FlightSummary(
        inspections=int(n or 0),
        enterprises=int(ents or 0),
        districts=int(districts or 0),
        first=first.isoformat() if first else "",
        last=last.isoformat() if last else "",
        by_category=tuple(CategoryCount(c, per_cat[c]) for c in names),
        problems=int(problems or 0),
        transferred=int(transferred or 0),
    )


# ------------------------------------------------------------------ the figures in words (GUI, CLI, PDF, XLSX)
def summary_lines(more: MoreFigures) -> list[tuple[str, str]]:
    """(heading, sentence) per figure, worded like the report the bureau publishes."""
    c, r, sp, f = more.commitment, more.regions, more.spot, more.flight
    lines = [
        (
            _("区域分布"),
            _(
                "获证企业分布于{n}个区，位于郊区的企业{s}家，占{ss}；位于中心城区（{names}）的企业{c}家，占{cs}。"
            ).format(
                n=r.districts,
                s=r.suburban,
                ss=r.suburban_share,
                names="、".join(r.central_districts),
                c=r.central,
                cs=r.central_share,
            ),
        ),
        (
            _("告知承诺"),
            _(
                "告知承诺取得的有效证书{h}张；本期告知承诺新发证书{i}张，其中已开展全覆盖例行检查{v}张（{cov}）；"
                "全覆盖例行检查{n}家次，出动检查人员{m}人次。"
            ).format(h=c.licenses, i=c.issued, v=c.covered, cov=c.coverage, n=c.inspections, m=c.turnouts),
        ),
        (_("违法线索"), _("日常监督检查中发现{n}条违法线索（已移交行政处罚）。").format(n=more.leads)),
        (
            _("监督抽查"),
            _("共抽查{e}家企业生产的{p}种{b}批次产品，发现不合格产品{f}批次，不合格检出率为{r}。").format(
                e=sp.enterprises, p=sp.products, b=sp.batches, f=sp.failed, r=sp.rate
            )
            if sp.batches
            else _("本期没有登记监督抽查结果。"),
        ),
    ]
    if f.inspections:
        cats = "、".join(_("{c}企业{n}家").format(c=x.category, n=x.enterprises) for x in f.by_category)
        text = _(
            "{a}至{b}期间，共对{d}个区的{e}家获证企业进行飞行检查（{n}家次），其中{cats}；发现问题{p}项，移交行政处罚{t}起。"
        ).format(
            a=f.first,
            b=f.last,
            d=f.districts,
            e=f.enterprises,
            n=f.inspections,
            cats=cats,
            p=f.problems,
            t=f.transferred,
        )
    else:
        text = _("本期没有飞行检查。")
    lines.append((_("飞行检查"), text))
    return lines
