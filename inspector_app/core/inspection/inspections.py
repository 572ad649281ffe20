"""One record form per enterprise and site (一企一表, 002 三(四)): start, answer, complete.

Every answer is its own committed transaction (synchronous=FULL): once save_answer returns, the answer
survives a crash or a flat battery. The UI calls these through its serial database worker.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.catalog import CONCLUSIONS, INSPECTION_KINDS, MIN_TEAM_SIZE, product_kind
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection.snapshots import store_snapshot, template_from_snapshot
from inspector_app.core.inspection.status_file import load_status_forms, status_form_for_category
from inspector_app.core.inspection.status_values import status_problems, values_of
from inspector_app.core.inspection.templates import Template, TemplateItem
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import (
    Enterprise,
    Inspection,
    InspectionMember,
    Inspector,
    ItemResult,
    License,
    Site,
    TemplateSnapshot,
)
from inspector_app.i18n import _

DRAFT, COMPLETED = "draft", "completed"
STATUSES = {DRAFT: "填写中", COMPLETED: "已完成"}
_UNSET = object()


@dataclass(frozen=True)
class Answer:
    item_id: str
    conclusion: str | None = None
    na_reason: str = ""
    record: str = ""
    remark: str = ""
    rectified_on_site: bool = False
    # 000 二(二) category this 不符合 is counted under, one of the item's `categories`; None = its `category`.
    problem_category: str | None = None


@dataclass(frozen=True)
class TeamMember:
    inspector_id: str
    name: str
    badge_no: str


@dataclass(frozen=True)
class Blocker:
    item_id: str | None  # None: the problem is not one item's (e.g. the team)
    message: str


@dataclass(frozen=True)
class InspectionView:
    id: str
    rev: int
    enterprise_id: str
    enterprise_name: str
    uscc: str
    site_id: str
    site_address: str
    license_id: str | None
    license_number: str
    template: Template
    kind: str
    inspected_on: date
    status: str
    team: tuple[TeamMember, ...]
    answers: dict[str, Answer] = field(default_factory=dict)

    @property
    def product_kind(self) -> str:
        return self.template.product_kind

    def locked(self, item_id: str) -> bool:
        """An item the form says does not apply to this product kind: 不适用, not editable."""
        return not self.template.item(item_id).applies(self.product_kind)

    def answer(self, item_id: str) -> Answer:
        return self.answers.get(item_id) or Answer(item_id)

    def progress(self) -> tuple[int, int]:
        """(answered, applicable) — applicable excludes items locked as not applying to the product kind."""
        applicable = [i.id for i in self.template.items if not self.locked(i.id)]
        answered = sum(1 for i in applicable if self.answer(i).conclusion)
        return answered, len(applicable)

    def blockers(self) -> list[Blocker]:
        return completion_blockers(self)


def completion_blockers(view: InspectionView) -> list[Blocker]:
    """What stands between this form and 'completed', in form order."""
    out: list[Blocker] = []
    if len(view.team) < MIN_TEAM_SIZE:
        out.append(Blocker(None, _("检查人员不少于2名（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条）")))
    for item in view.template.items:
        if view.locked(item.id):
            continue
        ans = view.answer(item.id)
        if not ans.conclusion:
            out.append(Blocker(item.id, _("检查项 {i} 尚未填写检查结论").format(i=item.id)))
        elif ans.conclusion == "nonconform" and not ans.record.strip():
            out.append(Blocker(item.id, _("检查项 {i} 结论为“不符合”，须填写检查记录").format(i=item.id)))
    form = view.template.status  # 002 附件3/附件4: totals not below their parts
    if form is not None:
        out += [Blocker(None, message) for _f, message in status_problems(form, values_of(form, view.answers))]
    return out


def _team(session: Session, inspector_ids: list[str]) -> list[Inspector]:
    if len(set(inspector_ids)) != len(inspector_ids):
        raise ValidationError(_("检查组"), _("同一检查人员不能重复选择"))
    if len(inspector_ids) < MIN_TEAM_SIZE:
        raise ValidationError(
            _("检查组"),
            _("检查人员不少于2名（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条），当前{n}名").format(
                n=len(inspector_ids)
            ),
        )
    found = {i.id: i for i in session.scalars(select(Inspector).where(Inspector.id.in_(inspector_ids)))}
    missing = [i for i in inspector_ids if i not in found]
    if missing:
        raise NotFound(_("找不到检查人员：{ids}").format(ids="、".join(missing)))
    return [found[i] for i in inspector_ids]


def start_inspection(
    db: Database,
    *,
    site_id: str,
    template: Template,
    kind: str,
    team: list[str],
    inspected_on: date | None = None,
    license_id: str | None = None,
) -> str:
    """Create a draft form; items the form excludes for this product kind are pre-set to 不适用."""
    if kind not in INSPECTION_KINDS:
        raise ValidationError(_("检查类型"), _("“{k}”不是已知的检查类型").format(k=kind))
    with db.session() as s:
        site = s.get(Site, site_id)
        if site is None:
            raise NotFound(_("找不到该生产地址"))
        if license_id is not None:
            lic = s.get(License, license_id)
            if lic is None or lic.enterprise_id != site.enterprise_id:
                raise ValidationError(_("生产许可证"), _("该许可证不属于被检查企业"))
            if product_kind(lic.category) != template.product_kind:
                raise ValidationError(
                    _("检查表"), _("“{t}”不适用于产品类别“{c}”").format(t=template.title, c=lic.category)
                )
            # 002 附件3/附件4: a steel or cement enterprise also fills its production-status form with the record.
            form = status_form_for_category(load_status_forms(), lic.category)
            if form is not None and template.status is None:
                template = template.with_status(form)
        members = _team(s, team)
        snap = store_snapshot(s, template)
        insp = Inspection(
            enterprise_id=site.enterprise_id,
            site_id=site.id,
            license_id=license_id,
            template=snap,
            template_id=template.id,
            template_version=template.version,
            kind=kind,
            inspected_on=inspected_on or clock.today(),
            status=DRAFT,
        )
        insp.members = [InspectionMember(inspector=m, position=n) for n, m in enumerate(members)]
        insp.results = [
            ItemResult(item_id=item.id, conclusion="na", na_reason=item.na_reason)
            for item in template.items
            if not item.applies(template.product_kind)
        ]
        s.add(insp)
        s.flush()
        return insp.id


def _draft(session: Session, inspection_id: str) -> Inspection:
    insp = session.get(Inspection, inspection_id)
    if insp is None:
        raise NotFound(_("找不到该检查记录"))
    if insp.status != DRAFT:
        raise DomainError(_("该检查记录已完成，不能再修改"))
    return insp


def save_answer(
    db: Database,
    inspection_id: str,
    item_id: str,
    *,
    conclusion=_UNSET,
    record=_UNSET,
    remark=_UNSET,
    rectified_on_site=_UNSET,
    na_reason=_UNSET,
    problem_category=_UNSET,
) -> Answer:
    """Change the given fields of one answer and commit; the fields not given keep their value.

    A new conclusion changes the fields that go with it as `with_conclusion` says. `problem_category` chooses
    which of the item's problem categories (000 二(二)) a 不符合 is counted under; None or the item's default
    `category` stores NULL.
    """
    with db.session() as s:
        insp = _draft(s, inspection_id)
        template = template_from_snapshot(insp.template_digest, insp.template.content)
        try:
            item = template.item(item_id)
        except KeyError:
            raise ValidationError(_("检查项"), _("“{i}”不在该检查表中").format(i=item_id)) from None
        if not item.applies(template.product_kind):
            raise ValidationError(_("检查项 {i}").format(i=item_id), _("该项不适用于本产品类别，不能修改"))
        res = s.scalar(select(ItemResult).where(ItemResult.inspection_id == insp.id, ItemResult.item_id == item_id))
        if res is None:
            res = ItemResult(inspection_id=insp.id, item_id=item_id, na_reason="", record="", remark="")
            res.rectified_on_site = False
            s.add(res)
        if conclusion is not _UNSET:
            after = with_conclusion(item, _answer(res), conclusion)
            res.conclusion, res.na_reason = after.conclusion, after.na_reason
            res.rectified_on_site, res.problem_category = after.rectified_on_site, after.problem_category
        if na_reason is not _UNSET:
            res.na_reason = na_reason
        if record is not _UNSET:
            res.record = record
        if remark is not _UNSET:
            res.remark = remark
        if rectified_on_site is not _UNSET:
            res.rectified_on_site = bool(rectified_on_site)
            if res.rectified_on_site and res.conclusion != "nonconform":
                raise ValidationError(_("检查项 {i}").format(i=item_id), RECTIFIED_ONLY_ON_PROBLEM)
        if problem_category is not _UNSET:
            res.problem_category = check_problem_category(item, problem_category, res.conclusion)
        s.flush()
        return _answer(res)


RECTIFIED_ONLY_ON_PROBLEM = _("只有“不符合”的项目才能登记当场整改")


def with_conclusion(item: TemplateItem, answer: Answer, conclusion: str | None) -> Answer:
    """The answer after `conclusion` (None: unanswered) is chosen for `item`: the one place of the rule that the
    form, a correction (更正), the command line and a JSON import all follow and show (002 附件2).

    - 不适用 only where the form allows it (ValidationError otherwise), and it carries the form's stated reason
      (备注 column) unless the answer already has one; any other conclusion keeps no 不适用 reason;
    - 当场整改 (002 附件2 备注(3)) and the problem category (000 二(二)) belong to a problem found: any conclusion
      other than 不符合 clears them.
    """
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise ValidationError(_("检查结论"), _("“{c}”不是有效的检查结论").format(c=conclusion))
    if conclusion == "na" and not item.na_allowed:
        raise ValidationError(_("检查项 {i}").format(i=item.id), _("检查表不允许该项填写“不适用”"))
    if conclusion == "na":
        na_reason = answer.na_reason or item.na_reason
    else:
        na_reason = ""
    problem = conclusion == "nonconform"
    return replace(
        answer,
        conclusion=conclusion,
        na_reason=na_reason,
        rectified_on_site=answer.rectified_on_site and problem,
        problem_category=answer.problem_category if problem else None,
    )


def check_problem_category(item: TemplateItem, category: str | None, conclusion: str | None) -> str | None:
    """The value to store for a chosen problem category: None for the default; ValidationError if not allowed."""
    if category is None or category == item.category:
        return None
    where = _("检查项 {i} 问题类别").format(i=item.id)
    if category not in item.categories:
        if len(item.categories) > 1:
            allowed = _("只能是{c}之一").format(c="、".join(f"“{c}”" for c in item.categories))
        else:
            allowed = _("该项的问题只计入“{c}”").format(c=item.category)
        raise ValidationError(where, _("“{v}”不是该项可选的问题类别，{a}").format(v=category, a=allowed))
    if conclusion != "nonconform":
        raise ValidationError(where, _("只有检查结论为“不符合”时才能选择问题类别"))
    return category


def _answer(res: ItemResult) -> Answer:
    return Answer(
        res.item_id,
        res.conclusion,
        res.na_reason,
        res.record,
        res.remark,
        res.rectified_on_site,
        res.problem_category,
    )


def _view(insp: Inspection) -> InspectionView:
    return InspectionView(
        id=insp.id,
        rev=insp.rev,
        enterprise_id=insp.enterprise_id,
        enterprise_name=insp.enterprise.name,
        uscc=insp.enterprise.uscc,
        site_id=insp.site_id,
        site_address=insp.site.address,
        license_id=insp.license_id,
        license_number=insp.license.number if insp.license else "",
        template=template_from_snapshot(insp.template_digest, insp.template.content),
        kind=insp.kind,
        inspected_on=insp.inspected_on,
        status=insp.status,
        team=tuple(TeamMember(m.inspector.id, m.inspector.name, m.inspector.badge_no) for m in insp.members),
        answers={r.item_id: _answer(r) for r in insp.results},
    )


def load_inspection(db: Database, inspection_id: str) -> InspectionView:
    """The inspection as plain values, in three Core queries: the record form reads it on every open, and ORM
    objects with their lazy loads (enterprise, site, license, snapshot) took ≈ 4× as long."""
    ins, ent, site, lic = Inspection.__table__.c, Enterprise.__table__.c, Site.__table__.c, License.__table__.c
    snap, member, person, res = (
        TemplateSnapshot.__table__.c,
        InspectionMember.__table__.c,
        Inspector.__table__.c,
        ItemResult.__table__.c,
    )
    head: tuple[ColumnElement, ...]  # grows below
    head = (ins.id, ins.rev, ins.enterprise_id, ent.name, ent.uscc, ins.site_id, site.address, ins.license_id)
    head += (lic.number, ins.template_digest, snap.content, ins.kind, ins.inspected_on, ins.status)
    # In Answer's field order.
    answer: tuple[ColumnElement, ...]  # grows below
    answer = (res.item_id, res.conclusion, res.na_reason, res.record, res.remark, res.rectified_on_site)
    answer += (res.problem_category,)
    with db.session() as s:
        con = s.connection()
        row = con.execute(
            select(*head)
            .select_from(
                Inspection.__table__.join(Enterprise.__table__, ent.id == ins.enterprise_id)
                .join(Site.__table__, site.id == ins.site_id)
                .join(TemplateSnapshot.__table__, snap.digest == ins.template_digest)
                .outerjoin(License.__table__, lic.id == ins.license_id)
            )
            .where(ins.id == inspection_id)
        ).one_or_none()
        if row is None:
            raise NotFound(_("找不到该检查记录"))
        team = con.execute(
            select(person.id, person.name, person.badge_no)
            .join(InspectionMember.__table__, member.inspector_id == person.id)
            .where(member.inspection_id == inspection_id)
            .order_by(member.position)
        )
        answers = con.execute(select(*answer).where(res.inspection_id == inspection_id))
        return InspectionView(
            id=row.id,
            rev=row.rev,
            enterprise_id=row.enterprise_id,
            enterprise_name=row.name,
            uscc=row.uscc,
            site_id=row.site_id,
            site_address=row.address,
            license_id=row.license_id,
            license_number=row.number or "",
            template=template_from_snapshot(row.template_digest, row.content),
            kind=row.kind,
            inspected_on=row.inspected_on,
            status=row.status,
            team=tuple(TeamMember(*m) for m in team),
            answers={a.item_id: Answer(*a) for a in answers},
        )


class IncompleteInspection(DomainError):
    def __init__(self, blockers: list[Blocker]):
        lines = "\n".join(f"· {b.message}" for b in blockers)
        super().__init__(_("还不能完成检查，请先处理以下{n}项：\n{lines}").format(n=len(blockers), lines=lines))
        self.blockers = blockers


def complete_inspection(db: Database, inspection_id: str) -> None:
    """Completing requires every applicable item answered and a record on every 不符合."""
    with db.session() as s:
        insp = _draft(s, inspection_id)
        blockers = completion_blockers(_view(insp))
        if blockers:
            raise IncompleteInspection(blockers)
        insp.status = COMPLETED
        insp.completed_at = clock.now()


def delete_draft(db: Database, inspection_id: str) -> None:
    with db.session() as s:
        s.delete(_draft(s, inspection_id))
