"""Regulatory interviews (约谈): the bureau calls in an enterprise's legal representative or person in charge.

001 §35: 对产品质量问题突出的获证企业…对企业法人代表进行约请谈话，敦促企业纠正存在的问题; 对分类监管中降级的企业
负责人进行约谈，告知其降级的原因和事实; 对未有效履行产品质量主体责任的C类企业负责人进行履责约谈，责令企业限期整改，
并作好书面记录. 001 §30(四)3 is the same 履责约谈 of a C enterprise; 003 (campaign) asks for it on
enterprises with outstanding quality problems and counts 约谈企业（家） in its table.

A record says who was interviewed (name, title), by whom, when, where, why (its kind and the facts) and the
outcome (what the enterprise undertook), with a rectification deadline where one was set. It is printed as a
signed 约谈记录 (documents/supervision_docs.py) and counted in the statistics' campaign table
(`enterprises_by_category`: distinct enterprises interviewed in the period, per product category).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import NotFound, ValidationError
from inspector_app.core.issuing import numbers
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, License
from inspector_app.core.storage.supervision_records_models import Interview
from inspector_app.i18n import _

# code → (label, the clause, as users read it)
_MEASURES = "《上海市工业产品生产许可证证后监督检查管理办法》"
KINDS = {
    "quality": ("产品质量问题突出", _MEASURES + "第三十五条第一款"),
    "downgrade": ("分类监管降级", _MEASURES + "第三十五条第二款"),
    "c_duty": ("C类企业履责约谈", _MEASURES + "第三十条第（四）项、第三十五条第二款"),
}
BY_LABEL = {label: code for code, (label, _c) in KINDS.items()}
MAX_INTERVIEWEE, MAX_INTERVIEWERS = 50, 200


@dataclass(frozen=True)
class InterviewRow:
    id: str
    enterprise_id: str
    enterprise_name: str
    uscc: str
    district: str
    held_on: date
    kind: str
    interviewee: str
    interviewee_title: str
    interviewers: str
    place: str
    reason: str
    outcome: str
    deadline: date | None
    category: str | None
    number: str
    pdf_sha256: str
    who: str

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind][0]


def kind_code(text: str) -> str:
    text = text.strip()
    if text in KINDS:
        return text
    if text in BY_LABEL:
        return BY_LABEL[text]
    choices = "、".join(f"{c}（{label}）" for c, (label, _x) in KINDS.items())
    raise ValidationError(_("约谈类型"), _("“{t}”不是已知类型，可选：{c}").format(t=text, c=choices))


def add(
    db: Database,
    enterprise_id: str,
    *,
    held_on: date,
    kind: str,
    interviewee: str,
    interviewers: list[str],
    reason: str,
    interviewee_title: str = "",
    place: str = "",
    outcome: str = "",
    deadline: date | None = None,
    category: str | None = None,
    who: str = "",
) -> str:
    """Record an interview; its id."""
    kind = kind_code(kind)
    interviewee, reason = interviewee.strip(), reason.strip()
    names = [n.strip() for n in interviewers if n.strip()]
    if not interviewee:
        raise ValidationError(_("被约谈人"), _("不能为空"))
    if len(interviewee) > MAX_INTERVIEWEE:
        raise ValidationError(_("被约谈人"), _("不能超过{n}个字符").format(n=MAX_INTERVIEWEE))
    if len(names) < 2:  # 001 §24: 2名以上持合法有效证件的工作人员, as for every supervision act
        raise ValidationError(_("约谈人"), _("至少两人"))
    if len("、".join(names)) > MAX_INTERVIEWERS:
        raise ValidationError(_("约谈人"), _("合计不能超过{n}个字符").format(n=MAX_INTERVIEWERS))
    if not reason:
        raise ValidationError(_("约谈事由"), _("不能为空"))
    if held_on > clock.today():
        raise ValidationError(_("约谈日期"), _("{d}还没有到，约谈后再登记").format(d=held_on))
    if deadline is not None and deadline < held_on:
        raise ValidationError(_("整改期限"), _("{d}早于约谈日期").format(d=deadline))
    with db.session() as s:
        if s.get(Enterprise, enterprise_id) is None:
            raise NotFound(_("找不到该企业"))
        if category is not None:
            cats = set(s.scalars(select(License.category).where(License.enterprise_id == enterprise_id)))
            if category not in cats:
                raise ValidationError(
                    _("产品类别"),
                    _("该企业没有“{c}”类许可证（有：{all}）").format(c=category, all="、".join(sorted(cats))),
                )
        row = Interview(
            enterprise_id=enterprise_id,
            held_on=held_on,
            kind=kind,
            interviewee=interviewee,
            interviewee_title=interviewee_title.strip(),
            interviewers="、".join(names),
            place=place.strip(),
            reason=reason,
            outcome=outcome.strip(),
            deadline=deadline,
            category=category,
            who=who.strip(),
        )
        s.add(row)
        s.flush()
        return row.id


def _row(i: Interview, name: str, uscc: str, district: str) -> InterviewRow:
    return InterviewRow(
        i.id, i.enterprise_id, name, uscc, district, i.held_on, i.kind, i.interviewee, i.interviewee_title,
        i.interviewers, i.place, i.reason, i.outcome, i.deadline, i.category, i.number, i.pdf_sha256, i.who,
    )  # fmt: skip


def _query():
    return select(Interview, Enterprise.name, Enterprise.uscc, Enterprise.district).join(
        Enterprise, Enterprise.id == Interview.enterprise_id
    )


def get(db: Database, interview_id: str) -> InterviewRow:
    with db.session() as s:
        return get_in(s, interview_id)


def get_in(s: Session, interview_id: str) -> InterviewRow:
    ids = list(s.scalars(select(Interview.id).where(Interview.id.startswith(interview_id.strip()))))
    if len(ids) != 1 or len(interview_id.strip()) < 8:
        raise NotFound(_("找不到约谈记录“{i}”（写完整编号，或至少前8位且不重复）").format(i=interview_id))
    found = s.execute(_query().where(Interview.id == ids[0])).one()
    return _row(*found)


def list_interviews(
    db: Database, *, year: int | None = None, district: str | None = None, enterprise_id: str | None = None
) -> list[InterviewRow]:
    with db.session() as s:
        q = _query().order_by(Interview.held_on, Enterprise.name)
        if year is not None:
            q = q.where(Interview.held_on.between(date(year, 1, 1), date(year, 12, 31)))
        if district:
            q = q.where(Enterprise.district == district)
        if enterprise_id:
            q = q.where(Interview.enterprise_id == enterprise_id)
        return [_row(*r) for r in s.execute(q)]


def enterprises_by_category(s: Session, start: date, end: date, district: str | None) -> dict[str, int]:
    """003 附件 约谈企业（家）: distinct enterprises interviewed in the period, per product category (the
    interview's, or the enterprise's first license category, alphabetical, as the campaign table counts)."""
    first_cat = select(func.min(License.category)).where(License.enterprise_id == Interview.enterprise_id)
    cat = func.coalesce(Interview.category, first_cat.scalar_subquery()).label("cat")
    q = (
        select(cat, func.count(distinct(Interview.enterprise_id)))
        .join(Enterprise, Enterprise.id == Interview.enterprise_id)
        .where(Interview.held_on >= start, Interview.held_on <= end)
    )
    if district:
        q = q.where(Enterprise.district == district)
    return {c: n for c, n in s.execute(q.group_by(cat)) if c is not None}


def number_for(db: Database, interview_id: str) -> InterviewRow:
    """The interview with its document number, issued at its first print (a reprint keeps it)."""
    with db.session() as s:
        row = get_in(s, interview_id)
        if row.number:
            return row
        number = numbers.issue(s, numbers.INTERVIEW, on=row.held_on).number
        stored = s.get(Interview, row.id)
        assert stored is not None, "get_in found it in this session"
        stored.number = number
        s.flush()
        return get_in(s, row.id)
