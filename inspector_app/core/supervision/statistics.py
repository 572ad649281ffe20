"""The bureau's statistics for a period and a scope (000 表1–表4, 000 二(二), 003 附件).

Every figure is a GROUP BY aggregate in portable SQL through SQLAlchemy (no SQLite-specific SQL), so the
same code runs on the bureau's PostgreSQL. The counting rules are written down in docs/statistics.md; each
query below names the rule it implements. The result is a plain `Report` value: the GUI, the CLI and the
exports (documents/statistics_report.py) all show the same numbers.
"""

from datetime import date

from sqlalchemy import case, distinct, exists, func, select

from inspector_app.core import clock
from inspector_app.core.catalog import (
    DISTRICTS,
    FOOD_CATEGORY,
    PROBLEM_CATEGORIES,
    PRODUCT_CATEGORIES,
    SUPERVISION_MODES,
)
from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection import inspections
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import (
    Enterprise,
    Inspection,
    InspectionMember,
    ItemResult,
    License,
    Site,
    TemplateSnapshot,
)
from inspector_app.core.storage.supervision_models import (
    AnnualPlan,
    ClassificationChange,
    EnforcementFlag,
    PlanEntry,
    SpotCheck,
)
from inspector_app.core.supervision import statistics_more
from inspector_app.core.supervision.interviews import enterprises_by_category
from inspector_app.core.supervision.statistics_scope import (
    CLASS_ROWS,
    NONCONFORM,
    SITE_DISTRICT,
    at_site,
    by_district,
    check_campaign_kinds,
    check_district,
    done_in,
    in_scope,
    licensed_ids,
    site_scope,
    valid_license,
)
from inspector_app.core.supervision.statistics_tables import (
    CAMPAIGN_COLUMNS,
    CampaignRow,
    ClassRow,
    CountRow,
    DistrictRow,
    Report,
    coverage_text,
    percent,
    year_period,
)
from inspector_app.i18n import _


def build_report(
    db: Database,
    start: date,
    end: date,
    *,
    district: str | None = None,
    campaign_kinds: tuple[str, ...] = ("special",),
) -> Report:
    if end < start:
        raise ValidationError(_("统计期间"), _("结束日期{b}早于开始日期{a}").format(a=start, b=end))
    campaign_kinds = check_campaign_kinds(campaign_kinds)
    district = (district or "").strip() or None  # empty: the whole city
    with db.session() as s:
        if district is not None:
            check_district(s, district)
        licensed = licensed_ids(end)
        ent_licensed = Enterprise.id.in_(licensed)
        done = done_in(start, end)
        # 表1 / 表4 获证企业总数（生产地址数）: per district of the production sites of the valid licenses (001 §15),
        # an enterprise with sites in two districts in both; a license without a site at the enterprise's district.
        lic_district = func.coalesce(func.nullif(Site.district, ""), Enterprise.district)
        enterprises: dict[str, int] = {}
        sites: dict[str, int] = {}
        lic_q = (
            select(
                lic_district,
                func.count(distinct(License.enterprise_id)),
                func.count(distinct(func.coalesce(License.site_id, License.enterprise_id))),
            )
            .select_from(License)
            .join(Enterprise, Enterprise.id == License.enterprise_id)
            .outerjoin(Site, Site.id == License.site_id)
            .where(valid_license(end))
        )
        if district:
            lic_q = lic_q.where(lic_district == district)
        for dist, n_ent, n_site in s.execute(lic_q.group_by(lic_district)):
            enterprises[dist], sites[dist] = n_ent, n_site
        class_count: dict[str, int] = {}  # 表2 企业数: each enterprise once
        for cls, n in s.execute(
            in_scope(
                select(Enterprise.classification, func.count(Enterprise.id)).where(ent_licensed), district
            ).group_by(Enterprise.classification)
        ):
            class_count[cls] = n

        # One pass over the period's inspections, aggregated per enterprise first and only then joined to the
        # enterprise (the costly join runs once per enterprise, not once per inspection): 家次 per district and
        # per class, licensed enterprises inspected (coverage), and the enterprises screened
        # by the campaign (003 附件) with the product category of the license their campaign inspection named.
        in_campaign = Inspection.kind.in_(campaign_kinds)
        found_problem = exists(  # answered from ix_item_result_conclusion alone
            select(ItemResult.inspection_id).where(
                ItemResult.inspection_id == Inspection.id, ItemResult.conclusion == NONCONFORM
            )
        )
        per_enterprise = (
            select(
                Inspection.enterprise_id.label("eid"),
                Site.district.label("site_district"),
                func.count(Inspection.id).label("n"),
                func.sum(case((in_campaign, 1), else_=0)).label("campaign"),
                func.max(case((in_campaign, case((found_problem, 1), else_=0)), else_=0)).label("campaign_bad"),
                func.min(case((in_campaign, Inspection.license_id))).label("campaign_license"),
            )
            .select_from(Inspection)
            .outerjoin(Site, Site.id == Inspection.site_id)
            .where(done)
            .group_by(Inspection.enterprise_id, Site.district)
            .subquery()
        )
        x = per_enterprise.c
        at_district = func.coalesce(func.nullif(x.site_district, ""), Enterprise.district)
        license_category = select(License.category).where(License.id == x.campaign_license).scalar_subquery()
        campaign_cat = case((x.campaign > 0, func.coalesce(license_category, _first_category(Enterprise.id)))).label(
            "cat"
        )
        is_licensed = case((Enterprise.id.in_(licensed), 1), else_=0).label("lic")
        done_count: dict[str, int] = {}  # 表4 实际检查家（次）
        class_insp: dict[str, int] = {}  # 表2 实际检查家（次）
        covered: dict[str, int] = {}  # coverage numerator
        screened: dict[str, int] = {}  # 003 附件 风险排查·生产领域·排查企业
        screened_bad: dict[str, int] = {}  # … 发现问题企业
        inner = (
            select(
                at_district.label("district"),
                Enterprise.classification.label("cls"),
                is_licensed,
                campaign_cat,
                x.n,
                x.eid,
                x.campaign_bad,
            )
            .select_from(per_enterprise)
            .join(Enterprise, Enterprise.id == x.eid)
        )
        if district:
            inner = inner.where(at_district == district)
        y = inner.subquery().c
        for dist, cls, lic, cat, n, n_ent, n_bad in s.execute(
            select(
                y.district, y.cls, y.lic, y.cat, func.sum(y.n), func.count(y.eid), func.sum(y.campaign_bad)
            ).group_by(y.district, y.cls, y.lic, y.cat)
        ):
            n = int(n)
            done_count[dist] = done_count.get(dist, 0) + n
            class_insp[cls] = class_insp.get(cls, 0) + n
            if lic:
                covered[dist] = covered.get(dist, 0) + n_ent
            if cat is not None:
                screened[cat] = screened.get(cat, 0) + n_ent
                screened_bad[cat] = screened_bad.get(cat, 0) + int(n_bad or 0)

        # 出动检查人员（人次）: team members of those inspections
        turnout_q = (
            select(func.count(InspectionMember.inspector_id))
            .select_from(InspectionMember)
            .join(Inspection, Inspection.id == InspectionMember.inspection_id)
            .where(done)
        )
        turnouts = s.scalar(site_scope(at_site(turnout_q), district)) or 0

        # 表4 责令改正数: 家次 with at least one 不符合 not rectified on the spot (driven by those few answers)
        ordered = by_district(
            s,
            site_scope(
                at_site(
                    select(SITE_DISTRICT, func.count(distinct(Inspection.id)))
                    .select_from(ItemResult)
                    .join(Inspection, Inspection.id == ItemResult.inspection_id)
                ).where(ItemResult.conclusion == NONCONFORM, ItemResult.rectified_on_site.is_(False), done),
                district,
            ).group_by(SITE_DISTRICT),
        )
        # 表4 发现问题总数 (项次) per district, and 000 二(二) per (template, item, chosen category) → the problem
        # category: COALESCE(the finding's problem_category, the item's `category` in the inspection's own
        # template snapshot). One pass over the 不符合 answers.
        problems: dict[str, int] = {}
        per_item: dict[tuple[str, str, str | None], int] = {}
        for dist, digest, item_id, chosen, n in s.execute(
            site_scope(
                at_site(
                    select(
                        SITE_DISTRICT,
                        Inspection.template_digest,
                        ItemResult.item_id,
                        ItemResult.problem_category,
                        func.count(ItemResult.id),
                    )
                    .select_from(ItemResult)
                    .join(Inspection, Inspection.id == ItemResult.inspection_id)
                ).where(ItemResult.conclusion == NONCONFORM, done),
                district,
            ).group_by(SITE_DISTRICT, Inspection.template_digest, ItemResult.item_id, ItemResult.problem_category)
        ):
            problems[dist] = problems.get(dist, 0) + n
            key = (digest, item_id, chosen)
            per_item[key] = per_item.get(key, 0) + n

        # 表4 计划检查单位总数: plan entries whose month lies in the period
        lo, hi = start.year * 12 + start.month, end.year * 12 + end.month
        month_no = AnnualPlan.year * 12 + PlanEntry.month
        planned_q = (
            select(AnnualPlan.district, func.count(PlanEntry.id))
            .select_from(AnnualPlan)
            .join(PlanEntry, PlanEntry.plan_id == AnnualPlan.id)
            .where(month_no >= lo, month_no <= hi)
            .group_by(AnnualPlan.district)
        )
        if district:
            planned_q = planned_q.where(AnnualPlan.district == district)
        planned = by_district(s, planned_q)
        # 表4 移交行政处罚总数: transfers decided within the period
        transfer_q = (
            select(Enterprise.district, func.count(EnforcementFlag.id))
            .select_from(EnforcementFlag)
            .join(Enterprise, Enterprise.id == EnforcementFlag.enterprise_id)
            .where(
                EnforcementFlag.kind == "transfer_penalty",
                EnforcementFlag.status == "confirmed",
                EnforcementFlag.decided_on >= start,
                EnforcementFlag.decided_on <= end,
            )
        )
        transferred = by_district(s, in_scope(transfer_q, district).group_by(Enterprise.district))

        # 表2 uses the class held on the last day of the period
        _class_at_end_correction(s, end, district, done, ent_licensed, class_count, class_insp)

        # 表3: valid certificates per product category
        cert_q = select(License.category, func.count(License.id)).where(valid_license(end))
        if district:  # the certificates of the district's production sites (001 §15)
            cert_q = (
                cert_q.join(Enterprise, Enterprise.id == License.enterprise_id)
                .outerjoin(Site, Site.id == License.site_id)
                .where(lic_district == district)
            )
        certs = dict(s.execute(cert_q.group_by(License.category)).all())

        by_cat, other_food, other_ind = _problem_categories(s, [(*key, n) for key, n in per_item.items()])
        campaign = _campaign(s, start, end, district, screened, screened_bad)
        more = statistics_more.collect(s, start, end, district, enterprises)  # 000 一、二、三、四's other figures

    names = [d for d in DISTRICTS if not district or d == district]
    seen = set(enterprises) | set(planned) | set(done_count) | set(problems) | set(transferred)
    names += sorted(d for d in seen if d not in names)
    rows = tuple(
        DistrictRow(
            district=d,
            enterprises=enterprises.get(d, 0),
            sites=sites.get(d, 0),
            planned=planned.get(d, 0),
            inspections=done_count.get(d, 0),
            problems=problems.get(d, 0),
            ordered=ordered.get(d, 0),
            transferred=transferred.get(d, 0),
            inspected_enterprises=covered.get(d, 0),
            coverage=coverage_text(covered.get(d, 0), enterprises.get(d, 0)),
        )
        for d in names
    )
    total = DistrictRow(
        district=_("合计"),
        # each enterprise once, though one with sites in two districts is in both rows (docs/statistics.md)
        enterprises=sum(r.enterprises for r in rows) if district else sum(class_count.values()),
        sites=sum(r.sites for r in rows),
        planned=sum(r.planned for r in rows),
        inspections=sum(r.inspections for r in rows),
        problems=sum(r.problems for r in rows),
        ordered=sum(r.ordered for r in rows),
        transferred=sum(r.transferred for r in rows),
        inspected_enterprises=sum(r.inspected_enterprises for r in rows),
        coverage=coverage_text(sum(r.inspected_enterprises for r in rows), sum(r.enterprises for r in rows)),
    )
    n_ent = sum(class_count.values())
    classes = tuple(
        ClassRow(
            c,
            SUPERVISION_MODES[c],
            class_count.get(c, 0),
            percent(class_count.get(c, 0), n_ent, 0),
            class_insp.get(c, 0),
        )
        for c in CLASS_ROWS
        if c != "AA" or class_count.get(c) or class_insp.get(c)  # 000 表2 has no AA row when there is none
    )
    total_problems = sum(by_cat.values())
    cert_names = list(PRODUCT_CATEGORIES) + sorted(c for c in certs if c not in PRODUCT_CATEGORIES)
    return Report(
        start=start,
        end=end,
        district=district,
        generated_on=clock.today(),
        districts=rows,
        total=total,
        classes=classes,
        certificates=tuple(CountRow(c, certs.get(c, 0)) for c in cert_names),
        certificates_total=sum(certs.values()),
        problems=tuple(
            CountRow(c, by_cat.get(c, 0), percent(by_cat.get(c, 0), total_problems, 1)) for c in PROBLEM_CATEGORIES
        ),
        other_food=other_food,
        other_industrial=other_ind,
        inspector_turnouts=turnouts,
        campaign=campaign,
        campaign_kinds=tuple(campaign_kinds),
        more=more,
    )


def _class_at_end_correction(s, end, district, done, ent_licensed, class_count, class_insp) -> None:
    """Enterprise.classification is today's class; for a past period use the class held on its last day.

    Only enterprises whose class changed after the period need a correction: their class at the end is the
    `from_class` of their first change after it (docs/statistics.md).
    """
    q = (
        select(ClassificationChange.enterprise_id, ClassificationChange.from_class, Enterprise.classification)
        .select_from(ClassificationChange)
        .join(Enterprise, Enterprise.id == ClassificationChange.enterprise_id)
        # from_class NULL: the record of a first class (a roster import), which says nothing of the time before
        .where(
            ClassificationChange.changed_on > end,
            ClassificationChange.to_class.is_not(None),
            ClassificationChange.from_class.is_not(None),
        )
        .order_by(ClassificationChange.changed_on.desc(), ClassificationChange.created_at.desc())
    )
    then: dict[str, tuple[str | None, str]] = {}
    for eid, from_class, current in s.execute(in_scope(q, district)):
        then[eid] = (from_class, current)  # ordered newest first: the earliest change wins
    moved = {eid: (fc, cur) for eid, (fc, cur) in then.items() if fc is not None and fc != cur}
    if not moved:
        return
    ids = list(moved)
    licensed_now = set(s.scalars(select(Enterprise.id).where(Enterprise.id.in_(ids), ent_licensed)))
    insp = dict(
        s.execute(
            select(Inspection.enterprise_id, func.count(Inspection.id))
            .where(Inspection.enterprise_id.in_(ids), done)
            .group_by(Inspection.enterprise_id)
        ).all()
    )
    for eid, (was, cur) in moved.items():
        if eid in licensed_now:
            class_count[cur] = class_count.get(cur, 0) - 1
            class_count[was] = class_count.get(was, 0) + 1
        n = insp.get(eid, 0)
        if n:
            class_insp[cur] = class_insp.get(cur, 0) - n
            class_insp[was] = class_insp.get(was, 0) + n


def _problem_categories(s, per_item) -> tuple[dict[str, int], int, int]:
    """(digest, item id, chosen category or None, count) rows → counts per problem category, 其他 split."""
    digests = {d for d, _i, _c, _n in per_item}
    templates = {
        d: inspections.template_from_snapshot(d, content)
        for d, content in s.execute(
            select(TemplateSnapshot.digest, TemplateSnapshot.content).where(TemplateSnapshot.digest.in_(digests))
        )
    }
    by_cat: dict[str, int] = {}
    other_food = other_ind = 0
    for digest, item_id, chosen, n in per_item:
        t = templates[digest]
        try:
            item = t.item(item_id)
        except KeyError:
            cat = "其他"
        else:
            # COALESCE(problem_category, the item's default); a value the snapshot does not allow (a hand-edited
            # database) falls back to the default rather than inventing a category.
            cat = chosen if chosen in item.categories else item.category
        by_cat[cat] = by_cat.get(cat, 0) + n
        if cat == "其他":
            if t.product_kind == "food":
                other_food += n
            else:
                other_ind += n
    return by_cat, other_food, other_ind


def _first_category(enterprise_id):
    """The product category of an enterprise's first license (by name): where nothing names a license."""
    return select(func.min(License.category)).where(License.enterprise_id == enterprise_id).scalar_subquery()


def _campaign(s, start: date, end: date, district: str | None, screened: dict, with_problem: dict):
    """003 附件 per product category; columns this app cannot know stay None for the bureau to fill in."""
    first_category = _first_category

    def spot(a: date, b: date) -> dict:
        sc = (
            in_scope(
                select(
                    func.coalesce(SpotCheck.category, first_category(SpotCheck.enterprise_id)).label("cat"),
                    SpotCheck.enterprise_id.label("eid"),
                    SpotCheck.batches.label("batches"),
                    SpotCheck.failed_batches.label("failed"),
                )
                .select_from(SpotCheck)
                .join(Enterprise, Enterprise.id == SpotCheck.enterprise_id)
                .where(SpotCheck.checked_on >= a, SpotCheck.checked_on <= b),
                district,
            )
        ).subquery()
        q = select(sc.c.cat, func.count(distinct(sc.c.eid)), func.sum(sc.c.batches), func.sum(sc.c.failed)).group_by(
            sc.c.cat
        )
        return {c: (e, int(bt or 0), int(f or 0)) for c, e, bt, f in s.execute(q)}

    now = spot(start, end)
    before = spot(_year_earlier(start), _year_earlier(end))
    interviewed = enterprises_by_category(s, start, end, district)  # 约谈企业（家）, 001 §35
    cats = [c for c in PRODUCT_CATEGORIES if c in screened or c in now or c in interviewed]
    known = set(screened) | set(now) | set(interviewed)
    cats += sorted(c for c in known if c not in PRODUCT_CATEGORIES and c is not None)
    rows = []
    for c in cats:
        e, b, f = now.get(c, (0, 0, 0))
        prev_f = before.get(c, (0, 0, 0))[2]
        yoy = percent(f - prev_f, prev_f, 1) if prev_f else "/"
        if yoy not in ("/",) and not yoy.startswith("-"):
            yoy = "+" + yoy
        values = (
            (screened.get(c, 0), with_problem.get(c, 0), None, None, e, b, f, yoy)
            + (None,) * 15
            + (interviewed.get(c, 0),)
        )
        rows.append(CampaignRow(c, values))
    return tuple(rows)


def _year_earlier(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


__all__ = ["CAMPAIGN_COLUMNS", "FOOD_CATEGORY", "Report", "build_report", "coverage_text", "percent", "year_period"]
