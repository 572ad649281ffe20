"""The 回访 form (issue 16 §2; 001 §27, 004 二(三)): the earlier problems, each with its evidence and a verdict.

A 回访 checks the rectification of problems found before (004 二(三): 回访是…对获证企业存在问题或违法行为整改情况实施
的核查), not the whole record form again. Each problem of the visit (the rectifications rectification.start_followup
tied to it) gets the evidence seen on site — a text, and photos attached to the problem's item of the 回访 — and a
verdict: 已整改 / 部分整改 / 未整改. A verdict is saved the moment it is given, like an answer, and may be changed
while the 回访 is a draft; a problem still present (部分整改 or 未整改) raises the proposals of rectification.mark
(责令停产整顿 004 二(三), 移交行政处罚 001 §28, 分类降级 001 §33) for the bureau to decide, and, the deadline having
passed, is shown as 逾期仍未整改. Completing the 回访 needs a verdict on every problem; the other items of the
record form stay unanswered (they were not inspected).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection import inspections, photos
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection, InspectionMember, Inspector, ItemResult, Site
from inspector_app.core.storage.supervision_models import EnforcementFlag, Rectification
from inspector_app.core.supervision import rectification as rc
from inspector_app.i18n import _

PARTIAL = rc.PARTIAL
VERDICTS = {rc.RECTIFIED: "已整改", PARTIAL: "部分整改", rc.NOT_RECTIFIED: "未整改"}


@dataclass(frozen=True)
class Problem:
    rectification_id: str
    item_id: str
    item_title: str
    category: str
    problem: str  # the earlier finding (检查记录)
    found_on: date
    deadline: date
    evidence: str  # what was seen on the 回访
    verdict: str | None  # VERDICTS key, None while not given
    photos: tuple[photos.PhotoInfo, ...]
    proposals: tuple[str, ...]  # labels of the measures proposed to the bureau, with their state

    @property
    def verdict_label(self) -> str:
        return VERDICTS.get(self.verdict or "", "")

    def overdue_on(self, visit: date) -> bool:
        """Still present after the deadline (004 二(三): 回访中发现…原问题仍存在的，应责令企业停产整顿)."""
        return self.verdict in (PARTIAL, rc.NOT_RECTIFIED) and visit > self.deadline


@dataclass(frozen=True)
class FollowupForm:
    inspection_id: str
    enterprise_name: str
    uscc: str
    site_address: str
    visit_on: date
    team: tuple[str, ...]
    editable: bool
    problems: tuple[Problem, ...]

    @property
    def missing(self) -> int:
        return sum(1 for p in self.problems if p.verdict is None)


def _followup(s: Session, followup_id: str) -> Inspection:
    fu = s.get(Inspection, followup_id)
    if fu is None or fu.kind != "followup":
        raise NotFound(_("找不到该回访记录"))
    return fu


def load(db: Database, followup_id: str) -> FollowupForm:
    """The form as shown and printed: its problems in the order found, with evidence, verdict, proposals."""
    with db.session() as s:
        fu = _followup(s, followup_id)
        template = inspections.template_from_snapshot(fu.template_digest, fu.template.content)
        ent, site = s.get(Enterprise, fu.enterprise_id), s.get(Site, fu.site_id)
        assert ent is not None and site is not None, "an inspection's enterprise and site exist"
        team = s.scalars(
            select(Inspector.name)
            .join(InspectionMember, InspectionMember.inspector_id == Inspector.id)
            .where(InspectionMember.inspection_id == fu.id)
            .order_by(InspectionMember.position)
        ).all()
        rects = s.scalars(
            select(Rectification)
            .where(Rectification.followup_inspection_id == fu.id)
            .order_by(Rectification.found_on, Rectification.item_id)
        ).all()
        proposals: dict[str, list[str]] = {}
        for f in s.scalars(select(EnforcementFlag).where(EnforcementFlag.inspection_id == fu.id)):
            label = rc.FLAG_KINDS[f.kind][0] + "（" + rc.FLAG_STATUSES[f.status] + "）"
            proposals.setdefault(f.rectification_id or "", []).append(label)
        rows = [
            (r.id, r.item_id, r.category, r.problem, r.found_on, r.deadline, r.check_record, r.status) for r in rects
        ]
        header = (ent.name, ent.uscc, site.address, fu.inspected_on, tuple(team), fu.status == inspections.DRAFT)
    pics: dict[str, list[photos.PhotoInfo]] = {}
    for p in photos.list_photos(db, followup_id):
        pics.setdefault(p.item_id, []).append(p)
    problems = []
    for rid, item_id, category, problem, found_on, deadline, evidence, status in rows:
        try:
            item = template.item(item_id)
            title = f"{item.section_title}：{item.text}"
        except KeyError:
            title = ""
        problems.append(
            Problem(
                rid, item_id, title, category, problem, found_on, deadline, evidence,
                None if status == rc.OPEN else status, tuple(pics.get(item_id, ())), tuple(proposals.get(rid, ())),
            )
        )  # fmt: skip
    return FollowupForm(followup_id, *header[:4], team=header[4], editable=header[5], problems=tuple(problems))


def _draft_rect(s: Session, rectification_id: str) -> tuple[Rectification, Inspection]:
    rect = s.get(Rectification, rectification_id)
    if rect is None or rect.followup_inspection_id is None:
        raise NotFound(_("找不到该回访问题"))
    fu = _followup(s, rect.followup_inspection_id)
    if fu.status != inspections.DRAFT:
        raise DomainError(_("回访记录已完成，不能再修改"))
    return rect, fu


def save_evidence(db: Database, rectification_id: str, evidence: str) -> None:
    """The evidence text of one problem, saved as typed (a verdict given keeps its text in the form too)."""
    with db.session() as s:
        rect, fu = _draft_rect(s, rectification_id)
        rect.check_record = evidence.strip()
        _write_item(s, fu.id, rect.item_id)


def give_verdict(db: Database, rectification_id: str, verdict: str, evidence: str, *, who: str = "") -> None:
    """已整改 / 部分整改 / 未整改 for one problem, saved at once; a changed verdict replaces the earlier one.

    A problem still present raises the bureau's proposals (rectification.mark); changing the verdict withdraws
    those not yet decided. One the bureau has already decided keeps the verdict it was decided on.
    """
    if verdict not in VERDICTS:
        raise ValidationError(_("整改结论"), _("应为已整改、部分整改或未整改"))
    if not evidence.strip():
        raise ValidationError(_("整改情况"), _("请先填写看到的整改证据（整改是否到位、查看了什么），再给出结论"))
    with db.session() as s:
        rect, fu = _draft_rect(s, rectification_id)
        if rect.status != rc.OPEN:
            flags = s.scalars(
                select(EnforcementFlag).where(
                    EnforcementFlag.rectification_id == rect.id, EnforcementFlag.inspection_id == fu.id
                )
            ).all()
            if any(f.status != rc.PROPOSED for f in flags):
                raise DomainError(_("区局已对该问题的处理建议作出决定，不能再修改整改结论"))
            s.execute(
                delete(EnforcementFlag).where(
                    EnforcementFlag.rectification_id == rect.id, EnforcementFlag.inspection_id == fu.id
                )
            )
            rect.status = rc.OPEN
    rc.mark(db, rectification_id, rectified=verdict == rc.RECTIFIED, record=evidence, who=who)
    with db.session() as s:
        rect, fu = _draft_rect(s, rectification_id)
        rect.status = verdict
        _write_item(s, fu.id, rect.item_id)


def _write_item(s: Session, followup_id: str, item_id: str) -> None:
    """The 回访's answer on the problem's item: 不符合 while any problem there is still present, 符合 once all
    are rectified; its record lists the evidence of each (rectification.mark appends; rebuilt here instead)."""
    rects = s.scalars(
        select(Rectification)
        .where(Rectification.followup_inspection_id == followup_id, Rectification.item_id == item_id)
        .order_by(Rectification.found_on)
    ).all()
    res = s.scalar(select(ItemResult).where(ItemResult.inspection_id == followup_id, ItemResult.item_id == item_id))
    if res is None:
        return
    verdicts = [r.status for r in rects]
    if any(v in (PARTIAL, rc.NOT_RECTIFIED) for v in verdicts):
        res.conclusion = "nonconform"
    elif verdicts and all(v == rc.RECTIFIED for v in verdicts):
        res.conclusion = "conform"
    else:
        res.conclusion = None
    res.record = "\n".join(
        (f"{VERDICTS[r.status]}：" if r.status in VERDICTS else "") + r.check_record for r in rects if r.check_record
    )


def add_evidence_photo(db: Database, rectification_id: str, source, *, filename: str = "") -> photos.PhotoInfo:
    """A photo of the rectification, attached to the problem's item of the 回访 (kept as evidence, like any)."""
    with db.session() as s:
        rect, fu = _draft_rect(s, rectification_id)
        fu_id, item_id = fu.id, rect.item_id
    return photos.add_photo(db, fu_id, item_id, source, filename=filename)


def complete(db: Database, followup_id: str) -> None:
    """Complete the 回访 once every problem has a verdict; then it can be signed like any record (001 §26)."""
    form = load(db, followup_id)
    if not form.editable:
        raise DomainError(_("回访记录已完成"))
    if form.missing:
        raise DomainError(_("还有{n}个问题没有整改结论，请逐项给出已整改、部分整改或未整改").format(n=form.missing))
    with db.session() as s:
        fu = _followup(s, followup_id)
        fu.status = inspections.COMPLETED
        fu.completed_at = clock.now()
