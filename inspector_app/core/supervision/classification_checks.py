"""The measures' rules checked against an enterprise's recorded history (001 §8, §9, §18, §33).

classification_rules.py says what a change may be knowing the current class; this module reads what it needs
from the records: the enterprise, when its class last changed, whether a false commitment still blocks AA, and
that the history stays in date order — a change may not be dated after today nor before the enterprise's latest
recorded change (`check_date_order`), so that "the class on a day" is always the class after the last change up
to that day (core/supervision/statistics.py relies on it). classification.py applies them when it records a
change; the roster import asks `change_refusal` for every class it would change.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import NotFound, ValidationError
from inspector_app.core.storage.models import Enterprise
from inspector_app.core.storage.supervision_models import ClassificationChange, ProductClass
from inspector_app.core.supervision.classification_rules import (
    AA_BLOCK_YEARS,
    RULE_FALSE_COMMITMENT,
    RULE_LABELS,
    ClassificationRefused,
    check_transition,
)
from inspector_app.i18n import _


def enterprise_of(s: Session, enterprise_id: str) -> Enterprise:
    ent = s.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFound(_("找不到该企业"))
    return ent


def aa_blocked_until(s: Session, enterprise_id: str) -> date | None:
    last = s.scalar(
        select(ClassificationChange.changed_on)
        .where(ClassificationChange.enterprise_id == enterprise_id, ClassificationChange.rule == RULE_FALSE_COMMITMENT)
        .order_by(ClassificationChange.changed_on.desc())
        .limit(1)
    )
    if last is None:
        return None
    try:
        return last.replace(year=last.year + AA_BLOCK_YEARS)
    except ValueError:  # 29 February
        return last.replace(year=last.year + AA_BLOCK_YEARS, day=28)


def last_class_change(s: Session, enterprise_id: str, category: str | None) -> date | None:
    q = select(ClassificationChange.changed_on).where(
        ClassificationChange.enterprise_id == enterprise_id, ClassificationChange.to_class.is_not(None)
    )
    if category is not None:
        q = q.where((ClassificationChange.category == category) | ClassificationChange.category.is_(None))
    return s.scalar(q.order_by(ClassificationChange.changed_on.desc()).limit(1))


def _latest_change(s: Session, enterprise_id: str) -> ClassificationChange | None:
    return s.scalar(
        select(ClassificationChange)
        .where(ClassificationChange.enterprise_id == enterprise_id)
        .order_by(ClassificationChange.changed_on.desc(), ClassificationChange.created_at.desc())
        .limit(1)
    )


def _describe(c: ClassificationChange) -> str:
    if c.to_class is not None:
        what = f"{c.from_class or _('（无）')} → {c.to_class}"
        if c.category:
            what = f"［{c.category}］{what}"
    else:
        what = _("风险等级 {a} → {b}").format(a=c.from_risk or "—", b=c.to_risk or "—")
    return f"{RULE_LABELS.get(c.rule, c.rule)}，{what}"


def check_date_order(
    s: Session, enterprise_id: str, on: date, *, field: str | None = None, advice: str | None = None
) -> None:
    """The history is kept in date order (001 §18 分类监管档案): no future date, nothing before the latest row.

    A later row was decided knowing the class of its day; a row slipped in before it would rewrite that class
    (a spot check dated before a review recorded a change from a class the enterprise did not have then).
    """
    field = field or _("调整日期")
    today = clock.today()
    if on > today:
        raise ValidationError(
            field,
            _("{d}晚于今天（{t}）：分类历史只登记已经发生的调整，请填写实际日期（不填则为今天）").format(
                d=on.isoformat(), t=today.isoformat()
            ),
        )
    last = _latest_change(s, enterprise_id)
    if last is not None and on < last.changed_on:
        raise ValidationError(
            field,
            _("{d}早于该企业最近一次分类记录（{l}，{w}）：分类历史按日期先后记录，不能插到已有记录之前；").format(
                d=on.isoformat(), l=last.changed_on.isoformat(), w=_describe(last)
            )
            + (advice or _("请核对日期，使用不早于{l}的日期")).format(l=last.changed_on.isoformat()),
        )


def check_whole(
    s: Session, ent: Enterprise, target: str, *, on: date, blocked: date | None, per_cat, commitment: str
) -> None:
    """The rules of a change of the whole enterprise's class (001 §8, §9, §33), for `classify` and the roster."""
    last = last_class_change(s, ent.id, None)
    for pc in per_cat:  # each category's own transition must be allowed as well
        if pc.classification != target:
            check_transition(
                pc.classification, target, on=on, last_change_on=last, aa_blocked_until=blocked, commitment=commitment
            )
    check_transition(
        ent.classification, target, on=on, last_change_on=last, aa_blocked_until=blocked, commitment=commitment
    )


def change_refusal(s: Session, enterprise_id: str, target: str, *, on: date, commitment: str = "") -> str | None:
    """Why the measures refuse changing a known enterprise's class to `target` on `on`, or None when they allow it:
    the same rules as `classify` (001 §8 written commitment, §9 five years without AA, §33 no skip-level upgrade,
    one upgrade a year, the history in date order). The roster import asks it for every class it would change."""
    ent = enterprise_of(s, enterprise_id)
    per_cat = s.scalars(select(ProductClass).where(ProductClass.enterprise_id == ent.id)).all()
    try:
        check_date_order(s, ent.id, on)
        check_whole(s, ent, target, on=on, blocked=aa_blocked_until(s, ent.id), per_cat=per_cat, commitment=commitment)
    except (ClassificationRefused, ValidationError) as e:
        return str(e)
    return None
