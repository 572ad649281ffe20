"""Every change of class across the enterprises, for the bureau's 企业分类 screen: when, from what to what,
the rule applied — cited to users by the measure's title and article — and the evidence (the reason written
with the change, the AA self-commitment). The history itself is core/supervision/classification.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise
from inspector_app.core.storage.supervision_models import ClassificationChange
from inspector_app.core.supervision.classification_rules import (
    RULE_FALSE_COMMITMENT,
    RULE_LABELS,
    RULE_NEW,
    RULE_PRODUCTS,
    RULE_REVIEW,
    RULE_RISK,
    RULE_SPOT_CHECK,
)

_MEASURES = "《上海市工业产品生产许可证证后监督检查管理办法》"
# the rule as stored → the article, as users read it (001 §9, §10, §12, §31, §32, §33)
CITATIONS = {
    RULE_FALSE_COMMITMENT: _MEASURES + "第九条",
    RULE_NEW: _MEASURES + "第十条",
    RULE_RISK: _MEASURES + "第十二条",
    RULE_PRODUCTS: _MEASURES + "第三十一条",
    RULE_SPOT_CHECK: _MEASURES + "第三十二条",
    RULE_REVIEW: _MEASURES + "第三十三条",
}


def cite(rule: str) -> str:
    """“年度动态调整（《…办法》第三十三条）”; a rule we do not know is shown as its label or not at all."""
    label, where = RULE_LABELS.get(rule, ""), CITATIONS.get(rule, "")
    if label and where:
        return f"{label}（{where}）"
    return label or where


@dataclass(frozen=True)
class ChangeRow:
    id: str
    enterprise_id: str
    name: str
    uscc: str
    district: str
    changed_on: date
    category: str  # the product category classified (001 §31), "" for the enterprise
    change: str  # “B → A”, “风险 Ⅱ → Ⅰ”
    rule: str  # cite()
    evidence: str  # reason, and the AA commitment
    who: str


def _change(c: ClassificationChange) -> str:
    if c.from_class != c.to_class:
        return f"{c.from_class or '—'} → {c.to_class or '—'}"
    if c.from_risk != c.to_risk:
        return f"风险等级 {c.from_risk or '—'} → {c.to_risk or '—'}"
    return c.to_class or ""


def list_changes(
    db: Database, *, year: int | None = None, district: str | None = None, enterprise_id: str | None = None
) -> list[ChangeRow]:
    """Newest first."""
    with db.session() as s:
        q = (
            select(ClassificationChange, Enterprise.name, Enterprise.uscc, Enterprise.district)
            .join(Enterprise, Enterprise.id == ClassificationChange.enterprise_id)
            .order_by(ClassificationChange.changed_on.desc(), ClassificationChange.created_at.desc())
        )
        if year is not None:
            q = q.where(ClassificationChange.changed_on.between(date(year, 1, 1), date(year, 12, 31)))
        if district:
            q = q.where(Enterprise.district == district)
        if enterprise_id:
            q = q.where(ClassificationChange.enterprise_id == enterprise_id)
        out = []
        for c, name, uscc, dist in s.execute(q):
            evidence = c.reason or ""
            if c.commitment:
                evidence += ("；" if evidence else "") + "自我承诺书：" + c.commitment
            out.append(
                ChangeRow(
                    c.id, c.enterprise_id, name, uscc, dist or "", c.changed_on, c.category or "", _change(c),
                    cite(c.rule), evidence, c.who or "",
                )
            )  # fmt: skip
        return out
