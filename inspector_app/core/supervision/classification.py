"""Enterprise classification AA / A / B / C with its history (001 §8–§33), and the supervision it implies.

The rules of the measures live once in classification_rules.py, next to their citations (re-exported here);
this module applies them to the records. A change is refused, with the reason in
Chinese, when the measures forbid it; an accepted change updates Enterprise.classification /
Enterprise.risk_level (the current values) and writes one ClassificationChange row (the history, 001 §18).

The history is a record of what happened, in date order; the checks against the recorded history (date order,
the AA block, one upgrade a year) are classification_checks.py's. Classification is the district bureau's work
(001 §17, §33): refused on a field laptop (core/storage/sync_models.require_bureau).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.catalog import RISK_LEVELS
from inspector_app.core.errors import ValidationError
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.edits import check_rev
from inspector_app.core.storage.models import Enterprise, License
from inspector_app.core.storage.supervision_models import ClassificationChange, ProductClass, SpotCheck
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.core.supervision.classification_checks import (
    aa_blocked_until,
    check_date_order,
    check_whole,
    enterprise_of,
    last_class_change,
)
from inspector_app.core.supervision.classification_rules import (  # noqa: F401 - re-exported: callers import them from here
    AA_BLOCK_YEARS,
    CLASS_ORDER,
    FALSE_COMMITMENT_TARGETS,
    MODE_CITATIONS,
    NEW_LICENSEE_CLASS,
    REQUIREMENTS,
    REVIEW_PERIOD_DAYS,
    RULE_FALSE_COMMITMENT,
    RULE_LABELS,
    RULE_NEW,
    RULE_PRODUCTS,
    RULE_REVIEW,
    RULE_RISK,
    RULE_SPOT_CHECK,
    SPOT_CHECK_CLASS,
    ClassificationRefused,
    Requirement,
    Supervision,
    check_transition,
    lowest,
    rank,
    supervision_mode,
    supervision_of,
)
from inspector_app.i18n import _


# ------------------------------------------------------------------ queries
@dataclass(frozen=True)
class ChangeView:
    id: str
    changed_on: date
    category: str | None
    from_class: str | None
    to_class: str | None
    from_risk: str | None
    to_risk: str | None
    rule: str
    reason: str
    who: str
    commitment: str


def _view(c: ClassificationChange) -> ChangeView:
    return ChangeView(
        c.id,
        c.changed_on,
        c.category,
        c.from_class,
        c.to_class,
        c.from_risk,
        c.to_risk,
        c.rule,
        c.reason,
        c.who,
        c.commitment,
    )


def history(db: Database, enterprise_id: str) -> list[ChangeView]:
    with db.session() as s:
        enterprise_of(s, enterprise_id)
        rows = s.scalars(
            select(ClassificationChange)
            .where(ClassificationChange.enterprise_id == enterprise_id)
            .order_by(ClassificationChange.changed_on, ClassificationChange.created_at)
        ).all()
        return [_view(c) for c in rows]


def supervision(db: Database, enterprise_id: str) -> Supervision:
    with db.session() as s:
        ent = enterprise_of(s, enterprise_id)
        return supervision_of(ent.classification, ent.risk_level, aa_blocked_until(s, enterprise_id))


def product_classes(db: Database, enterprise_id: str) -> dict[str, str]:
    """Class per product category (001 §31); empty when the enterprise is classified as a whole."""
    with db.session() as s:
        rows = s.execute(
            select(ProductClass.category, ProductClass.classification).where(
                ProductClass.enterprise_id == enterprise_id
            )
        ).all()
        return dict(sorted(rows))


def _categories(s: Session, enterprise_id: str) -> list[str]:
    return sorted(set(s.scalars(select(License.category).where(License.enterprise_id == enterprise_id))))


# ------------------------------------------------------------------ changes
def _apply(
    s: Session,
    ent: Enterprise,
    target: str,
    *,
    on: date,
    rule: str,
    reason: str,
    who: str,
    category: str | None,
    commitment: str = "",
    check: bool = True,
) -> ClassificationChange:
    """Set the class of the enterprise (or of one of its product categories) and write the history row."""
    if not reason.strip():
        raise ValidationError(_("调整原因"), _("不能为空"))
    check_date_order(s, ent.id, on)
    blocked = aa_blocked_until(s, ent.id)
    per_cat = {pc.category: pc for pc in s.scalars(select(ProductClass).where(ProductClass.enterprise_id == ent.id))}
    if category is not None:
        cats = _categories(s, ent.id)
        if category not in cats:
            raise ValidationError(
                _("产品类别"),
                _("企业没有“{c}”类别的生产许可证；其获证类别为：{cs}").format(
                    c=category, cs="、".join(cats) or _("无")
                ),
            )
        if not per_cat:  # first separate classification (001 §31): every category starts at the current class
            for cat in cats:
                per_cat[cat] = ProductClass(enterprise_id=ent.id, category=cat, classification=ent.classification)
                s.add(per_cat[cat])
        current = per_cat[category].classification
        if check:
            check_transition(
                current,
                target,
                on=on,
                last_change_on=last_class_change(s, ent.id, category),
                aa_blocked_until=blocked,
                commitment=commitment,
            )
        per_cat[category].classification = target
        new_class = lowest(pc.classification for pc in per_cat.values())  # 001 §31
        from_class = current
    else:
        if check:
            check_whole(s, ent, target, on=on, blocked=blocked, per_cat=per_cat.values(), commitment=commitment)
        for pc in per_cat.values():
            pc.classification = target
        new_class = target
        from_class = ent.classification
    change = ClassificationChange(
        enterprise_id=ent.id,
        changed_on=on,
        category=category,
        from_class=from_class,
        to_class=target,
        rule=rule,
        reason=reason.strip(),
        who=who.strip(),
        commitment=commitment.strip(),
    )
    s.add(change)
    ent.classification = new_class
    s.flush()
    return change


def classify(
    db: Database,
    enterprise_id: str,
    to_class: str,
    *,
    reason: str,
    who: str,
    on: date | None = None,
    category: str | None = None,
    commitment: str = "",
    expected_rev: int | None = None,
) -> ChangeView:
    """The yearly review (001 §33): one step up at most, once a year; any step down; AA needs §8/§9.

    expected_rev: the enterprise's revision the clerk saw (archive.EnterpriseDetail.rev); another clerk's change since
    refuses this one with 已被他人修改 and the values now (core/storage/edits.py)."""
    require_bureau(db, _("企业分类调整"))
    with db.session() as s:
        ent = enterprise_of(s, enterprise_id)
        check_rev(ent, expected_rev)
        change = _apply(
            s,
            ent,
            to_class,
            on=on or clock.today(),
            rule=RULE_REVIEW,
            reason=reason,
            who=who,
            category=category,
            commitment=commitment,
        )
        return _view(change)


def register_new_licensee(db: Database, enterprise_id: str, *, who: str, on: date | None = None) -> ChangeView:
    """001 §10: a new licensee is generally classified B. Records the initial classification."""
    require_bureau(db, _("企业分类调整"))
    on = on or clock.today()
    with db.session() as s:
        ent = enterprise_of(s, enterprise_id)
        if s.scalar(select(ClassificationChange.id).where(ClassificationChange.enterprise_id == ent.id).limit(1)):
            raise ClassificationRefused(_("该企业已有分类记录，不能再作为新获证企业分类；请使用年度动态调整"))
        check_date_order(s, ent.id, on)
        change = ClassificationChange(
            enterprise_id=ent.id,
            changed_on=on,
            from_class=None,
            to_class=NEW_LICENSEE_CLASS,
            rule=RULE_NEW,
            reason=_("新申请生产许可证企业一般判定为B类企业（《上海市工业产品生产许可证证后监督检查管理办法》第十条）"),
            who=who.strip(),
        )
        s.add(change)
        ent.classification = NEW_LICENSEE_CLASS
        s.flush()
        return _view(change)


def false_commitment(
    db: Database, enterprise_id: str, to_class: str, *, reason: str, who: str, on: date | None = None
) -> ChangeView:
    """001 §9: an AA enterprise that made a false commitment goes to B or C; AA is refused for 5 years."""
    if to_class not in FALSE_COMMITMENT_TARGETS:
        raise ClassificationRefused(
            _(
                "虚假承诺或不履行自我承诺的AA类企业只能调整为B类或C类（《上海市工业产品生产许可证证后监督检查管理办法》第九条）"
            )
        )
    require_bureau(db, _("企业分类调整"))
    with db.session() as s:
        ent = enterprise_of(s, enterprise_id)
        if ent.classification != "AA" and not s.scalar(
            select(ProductClass.id).where(ProductClass.enterprise_id == ent.id, ProductClass.classification == "AA")
        ):
            raise ClassificationRefused(
                _(
                    "该企业当前为{c}类，不是AA类企业，不适用《上海市工业产品生产许可证证后监督检查管理办法》第九条"
                ).format(c=ent.classification)
            )
        change = _apply(
            s,
            ent,
            to_class,
            on=on or clock.today(),
            rule=RULE_FALSE_COMMITMENT,
            reason=reason,
            who=who,
            category=None,
            check=False,
        )
        return _view(change)


SPOT_CHECK_LEVELS: dict[str, str] = {
    "national": "国家监督抽查",
    "provincial": "省级监督抽查",
    "municipal": "市级监督抽查",
    "district": "区级监督抽查",
}


def record_spot_check(
    db: Database,
    enterprise_id: str,
    *,
    level: str,
    checked_on: date,
    batches: int = 1,
    failed_batches: int = 0,
    category: str | None = None,
    reference: str = "",
    who: str = "",
    product: str = "",
) -> tuple[str, ChangeView | None]:
    """Record a spot check; a failed one moves the enterprise (or that product category) to C (001 §32)."""
    if level not in SPOT_CHECK_LEVELS:
        raise ValidationError(
            _("抽查级别"), _("“{l}”不是有效级别：{ls}").format(l=level, ls="、".join(SPOT_CHECK_LEVELS))
        )
    if batches < 1 or not 0 <= failed_batches <= batches:
        raise ValidationError(_("抽查批次"), _("批次数至少为1，不合格批次在0到批次数之间"))
    if len(product.strip()) > 100:  # 000 三: the product sampled (spot_check.product)
        raise ValidationError(_("抽查产品"), _("最多100个字"))
    require_bureau(db, _("监督抽查结果登记（不合格调整为C类）"))
    if checked_on > clock.today():
        raise ValidationError(
            _("抽查日期"),
            _("{d}晚于今天（{t}）：只能登记已经进行的抽查，请填写实际抽查日期").format(
                d=checked_on.isoformat(), t=clock.today().isoformat()
            ),
        )
    with db.session() as s:
        ent = enterprise_of(s, enterprise_id)
        if category is not None and category not in _categories(s, ent.id):
            raise ValidationError(_("产品类别"), _("企业没有“{c}”类别的生产许可证").format(c=category))
        current = ent.classification
        if category is not None:
            pc = s.scalar(
                select(ProductClass).where(ProductClass.enterprise_id == ent.id, ProductClass.category == category)
            )
            current = pc.classification if pc else ent.classification
        moves_to_c = bool(failed_batches) and current != SPOT_CHECK_CLASS
        if moves_to_c:  # the change to C is dated on the check: it must not precede the latest history row
            check_date_order(
                s,
                ent.id,
                checked_on,
                field=_("抽查日期"),
                advice=_(
                    "按抽查日期调整为C类会改写之后的分类历史。请核对抽查日期；"
                    "如不合格结果是在{l}之后才收到的，请以收到结果的日期登记"
                ),
            )
        check = SpotCheck(
            enterprise_id=ent.id,
            category=category,
            level=level,
            checked_on=checked_on,
            batches=batches,
            failed_batches=failed_batches,
            reference=reference.strip(),
            who=who.strip(),
            product=product.strip(),
        )
        s.add(check)
        s.flush()
        change = None
        if moves_to_c:
            reason = _(
                "{lvl}不合格{n}批次{ref}，调整为C类，实施加严监管（《上海市工业产品生产许可证证后监督检查管理办法》第三十二条）"
            ).format(
                lvl=SPOT_CHECK_LEVELS[level],
                n=failed_batches,
                ref=f"（{reference.strip()}）" if reference.strip() else "",
            )
            change = _view(
                _apply(
                    s,
                    ent,
                    SPOT_CHECK_CLASS,
                    on=checked_on,
                    rule=RULE_SPOT_CHECK,
                    reason=reason,
                    who=who,
                    category=category,
                    check=False,
                )
            )
        return check.id, change


def set_risk_level(
    db: Database, enterprise_id: str, level: str | None, *, reason: str, who: str, on: date | None = None
) -> ChangeView:
    """Product risk level I / II / III of the enterprise's products (001 §12–§13); I tightens the mode (§14)."""
    if level is not None and level not in RISK_LEVELS:
        raise ValidationError(_("风险等级"), _("只能是 I、II、III"))
    if not reason.strip():
        raise ValidationError(_("调整原因"), _("不能为空"))
    require_bureau(db, _("产品质量风险等级调整"))
    on = on or clock.today()
    with db.session() as s:
        ent = enterprise_of(s, enterprise_id)
        if ent.risk_level == level:
            raise ClassificationRefused(_("风险等级未改变"))
        check_date_order(s, ent.id, on)
        change = ClassificationChange(
            enterprise_id=ent.id,
            changed_on=on,
            from_risk=ent.risk_level,
            to_risk=level,
            rule=RULE_RISK,
            reason=reason.strip(),
            who=who.strip(),
        )
        s.add(change)
        ent.risk_level = level
        s.flush()
        return _view(change)


def downgrade_one(
    db: Database, enterprise_id: str, *, reason: str, who: str, on: date | None = None
) -> ChangeView | None:
    """Move down one class (001 §33 降级处理); None if already C."""
    require_bureau(db, _("企业分类调整"))
    with db.session() as s:
        return downgrade_in(s, enterprise_id, reason=reason, who=who, on=on or clock.today())


def downgrade_in(s: Session, enterprise_id: str, *, reason: str, who: str, on: date) -> ChangeView | None:
    """downgrade_one inside the caller's session (a confirmed 降级 proposal and its flag in one transaction)."""
    require_bureau(s, _("企业分类调整"))
    ent = enterprise_of(s, enterprise_id)
    if ent.classification == CLASS_ORDER[0]:
        return None
    target = CLASS_ORDER[rank(ent.classification) - 1]
    return _view(_apply(s, ent, target, on=on, rule=RULE_REVIEW, reason=reason, who=who, category=None, check=False))
