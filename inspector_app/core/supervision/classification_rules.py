"""The classification rules of 001 (§8–§33) as pure functions: the classes in order, the citations written into
the history, the supervision mode and minimum frequency a class implies (§14, §30), and which changes the
measures allow (§8, §9, §33). No database: core/supervision/classification.py applies them and keeps the records.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from inspector_app.core.catalog import CLASSES, SUPERVISION_MODES
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.i18n import _

# From worst to best. Rank = index: a higher rank is a better class.
CLASS_ORDER: tuple[str, ...] = ("C", "B", "A", "AA")

# Citations of the rules, as written into the history's `rule` column: stored codes (they travel in bundles and
# old records hold them), never shown as they are — every screen, CLI line and document shows them through
# core/regulations.cite() as the measures' title and article.
RULE_NEW = "001 §10"  # 新申请生产许可证企业一般判定为B类企业
RULE_REVIEW = "001 §33"  # 动态调整，周期原则上1年；不允许越级上升，可以越级下降
RULE_SPOT_CHECK = "001 §32"  # 监督抽查不合格 → C类
RULE_FALSE_COMMITMENT = "001 §9"  # 虚假承诺 → B或C，5年内不再接受AA承诺
RULE_RISK = "001 §12"  # 风险等级Ⅰ/Ⅱ/Ⅲ
RULE_PRODUCTS = "001 §31"  # 多种产品：分别分类，依最低类别监管

NEW_LICENSEE_CLASS = "B"  # 001 §10
SPOT_CHECK_CLASS = "C"  # 001 §32
FALSE_COMMITMENT_TARGETS = ("B", "C")  # 001 §9
AA_BLOCK_YEARS = 5  # 001 §9
REVIEW_PERIOD_DAYS = 365  # 001 §33: 调整周期原则上为1年 (applies to upgrades; downgrades are immediate)

RULE_LABELS: dict[str, str] = {
    RULE_NEW: "新获证企业判定为B类",
    RULE_REVIEW: "年度动态调整",
    RULE_SPOT_CHECK: "监督抽查不合格调整为C类",
    RULE_FALSE_COMMITMENT: "虚假承诺或不履行自我承诺",
    RULE_RISK: "产品质量风险等级",
}


class ClassificationRefused(DomainError):
    """The measures forbid this change; the message says which rule and why."""


def rank(cls: str) -> int:
    return CLASS_ORDER.index(cls)


def lowest(classes) -> str:
    """001 §31: an enterprise classified per product category is supervised by its lowest class."""
    return min(classes, key=rank)


# ------------------------------------------------------------------ supervision mode and frequency (§14, §30)
@dataclass(frozen=True)
class Requirement:
    """Minimum yearly inspections of one supervision mode (001 §30)."""

    ratio: float | None  # share of the enterprises of the group to inspect once a year, or None
    per_enterprise: int  # inspections of each enterprise a year (when ratio is None)
    text: str

    def visits(self, group_size: int) -> int:
        """Minimum inspections a year for a group of this many enterprises."""
        if self.ratio is not None:
            return math.ceil(group_size * self.ratio - 1e-9)
        return group_size * self.per_enterprise


# 001 §30(一)–(四). Keyed by the class whose mode applies.
REQUIREMENTS: dict[str, Requirement] = {
    "AA": Requirement(
        0.20, 0, "每年检查不低于20%的AA类企业（《上海市工业产品生产许可证证后监督检查管理办法》第三十条（一））"
    ),
    "A": Requirement(
        0.50, 0, "每年检查不低于50%的A类企业（《上海市工业产品生产许可证证后监督检查管理办法》第三十条（二））"
    ),
    "B": Requirement(
        None, 1, "每家企业每年至少检查1次（《上海市工业产品生产许可证证后监督检查管理办法》第三十条（三））"
    ),
    "C": Requirement(
        None, 2, "每家企业每年不少于2次检查（《上海市工业产品生产许可证证后监督检查管理办法》第三十条（四））"
    ),
}
MODE_CITATIONS: dict[str, str] = {"AA": "001 §30(一)", "A": "001 §30(二)", "B": "001 §30(三)", "C": "001 §30(四)"}


def supervision_mode(cls: str, risk_level: str | None) -> str:
    """The class whose supervision mode applies: one step stricter for risk level I products (001 §14).

    001 §14 allows a district to adjust for levels II and III 'as appropriate'; we apply no automatic change.
    """
    if risk_level == "I" and rank(cls) > 0:
        return CLASS_ORDER[rank(cls) - 1]
    return cls


@dataclass(frozen=True)
class Supervision:
    classification: str
    risk_level: str | None
    mode_class: str  # the class whose mode applies (differs from classification under 001 §14)
    mode: str  # e.g. 加严监管
    requirement: str
    stricter_by_risk: bool
    aa_blocked_until: date | None


def supervision_of(cls: str, risk_level: str | None, aa_blocked: date | None = None) -> Supervision:
    mode_class = supervision_mode(cls, risk_level)
    return Supervision(
        classification=cls,
        risk_level=risk_level,
        mode_class=mode_class,
        mode=SUPERVISION_MODES[mode_class],
        requirement=REQUIREMENTS[mode_class].text,
        stricter_by_risk=mode_class != cls,
        aa_blocked_until=aa_blocked,
    )


# ------------------------------------------------------------------ the transition rules (§8, §9, §33)
def check_transition(
    current: str,
    target: str,
    *,
    on: date,
    last_change_on: date | None,
    aa_blocked_until: date | None,
    commitment: str,
) -> None:
    """Raise ClassificationRefused if the measures forbid current → target by yearly review (001 §33)."""
    if target not in CLASSES:
        raise ValidationError(_("企业类别"), _("“{c}”不是有效类别，只能是AA、A、B、C").format(c=target))
    if target == current:
        raise ClassificationRefused(_("企业已是{c}类，无需调整").format(c=target))
    step = rank(target) - rank(current)
    if step > 1:
        raise ClassificationRefused(
            _(
                "不允许越级上升：{a}类只能调整为{b}类（《上海市工业产品生产许可证证后监督检查管理办法》第三十三条：对企业的分类不允许越级上升，但可以越级下降）"
            ).format(a=current, b=CLASS_ORDER[rank(current) + 1])
        )
    if step == 1 and last_change_on is not None and (on - last_change_on).days < REVIEW_PERIOD_DAYS:
        raise ClassificationRefused(
            _(
                "上次分类调整在{d}，不足1年，不能上调类别（《上海市工业产品生产许可证证后监督检查管理办法》第三十三条：调整周期原则上为1年）；"
                "最早可在{e}上调。降级不受此限制。"
            ).format(d=last_change_on.isoformat(), e=(last_change_on + timedelta(days=REVIEW_PERIOD_DAYS)).isoformat())
        )
    if target == "AA":
        if aa_blocked_until is not None and on < aa_blocked_until:
            raise ClassificationRefused(
                _(
                    "该企业曾虚假承诺或不履行自我承诺，{d}前不再接受其AA类自我承诺（《上海市工业产品生产许可证证后监督检查管理办法》第九条）"
                ).format(d=aa_blocked_until.isoformat())
            )
        if not commitment.strip():
            raise ClassificationRefused(
                _(
                    "定为AA类须由企业作出书面承诺，请填写《工业产品质量AA类企业自我承诺书》的编号或日期（《上海市工业产品生产许可证证后监督检查管理办法》第八条）"
                )
            )
