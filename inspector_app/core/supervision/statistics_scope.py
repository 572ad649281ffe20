"""What the statistics count and where (docs/statistics.md): the definitions every table of the report shares —
获证企业 (a license valid on the period's last day), an inspection 家次 (a completed form dated in the period), the
district of a figure (the production site's, 001 §15) — and the checks of a report's scope. statistics.py
assembles the tables from them; the annual plan counts with the same definition (planning.progress).
"""

from datetime import date

from sqlalchemy import and_, func, or_, select

from inspector_app.core.catalog import DISTRICTS, INSPECTION_KINDS
from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection import inspections
from inspector_app.core.storage.models import Enterprise, Inspection, License, Site
from inspector_app.core.supervision.license_actions import in_force
from inspector_app.i18n import _

COMPLETED = inspections.COMPLETED
NONCONFORM = "nonconform"
CLASS_ROWS = ("AA", "A", "B", "C")


# ------------------------------------------------------------------ queries
def licensed_ids(end: date):
    """Enterprises holding at least one license valid on the last day of the period (000: 截至12月31日)."""
    return select(License.enterprise_id).where(valid_license(end)).distinct()


def licensed_and_inspected(s, start: date, end: date, district: str | None) -> tuple[set[str], set[str]]:
    """The one definition behind 获证企业 and 覆盖率 wherever they are shown — 表1, 表4, the summary line, the
    annual plan: the enterprises holding a license valid on the period's last day, and those of them with a
    completed inspection dated in the period (any kind, as 表4 counts them)."""
    licensed = set(s.scalars(in_scope(select(Enterprise.id).where(Enterprise.id.in_(licensed_ids(end))), district)))
    inspected = set(
        s.scalars(select(Inspection.enterprise_id).where(done_in(start, end), Inspection.enterprise_id.in_(licensed)))
    )
    return licensed, inspected


def valid_license(end: date):
    # 001 §39: a license withdrawn, revoked or cancelled by `end` is no longer held (license_actions.py).
    return and_(or_(License.issue_date.is_(None), License.issue_date <= end), License.expiry_date >= end, in_force(end))


def in_scope(q, district: str | None):
    """An enterprise-level figure of one district: the enterprises with a production site there (001 §15: the
    district of the production site supervises), or recorded there."""
    if not district:
        return q
    return q.where(
        or_(
            Enterprise.district == district,
            Enterprise.id.in_(select(Site.enterprise_id).where(Site.district == district)),
        )
    )


# 001 §15: an inspection, its problems and its orders count in the district of the production site inspected
# (002 附件2 备注(2): each site is inspected separately); the enterprise's district where the site has none.
SITE_DISTRICT = func.coalesce(func.nullif(Site.district, ""), Enterprise.district)


def at_site(q):
    """Join the inspection's site and enterprise, for SITE_DISTRICT."""
    return q.join(Enterprise, Enterprise.id == Inspection.enterprise_id).outerjoin(Site, Site.id == Inspection.site_id)


def site_scope(q, district: str | None):
    return q.where(SITE_DISTRICT == district) if district else q


def done_in(start: date, end: date):
    """An inspection 家次: a completed record form dated within the period (docs/statistics.md)."""
    return and_(Inspection.status == COMPLETED, Inspection.inspected_on >= start, Inspection.inspected_on <= end)


def by_district(s, q) -> dict[str, int]:
    return {d: n for d, n in s.execute(q)}


def check_campaign_kinds(kinds) -> tuple[str, ...]:
    """The inspection kinds of the campaign table (003 附件): codes of catalog.INSPECTION_KINDS, in order, once."""
    kinds = tuple(dict.fromkeys(kinds))
    valid = "、".join(f"{k}（{v}）" for k, v in INSPECTION_KINDS.items())
    if not kinds:
        raise ValidationError(_("专项行动表的检查类型"), _("至少给出一种：{v}").format(v=valid))
    unknown = [k for k in kinds if k not in INSPECTION_KINDS]
    if unknown:
        raise ValidationError(
            _("专项行动表的检查类型"),
            _("“{k}”不是检查类型，应为 {v} 之一").format(k="”“".join(unknown), v=valid),
        )
    return kinds


def check_district(s, district: str) -> None:
    """A district of the catalogue (000 表1), or one recorded on an enterprise of this database."""
    if district in DISTRICTS or s.scalar(select(Enterprise.id).where(Enterprise.district == district).limit(1)):
        return
    if s.scalar(select(Site.id).where(Site.district == district).limit(1)):  # a production site's (001 §15)
        return
    raise ValidationError(
        _("统计范围"),
        _("“{d}”不是本市的区，应为 {all} 之一（不写则统计全市）").format(d=district, all="、".join(DISTRICTS)),
    )
