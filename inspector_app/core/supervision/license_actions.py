"""Actions that end a production license (001 §39: 依法撤回、撤销、吊销、注销其生产许可; 002 四(四)).

The decision is the licensing authority's (001 §39: 由许可审批机关做出); the bureau records it with its date,
decision number and basis. From its effective date the license no longer counts as held: `in_force(on)` is
the one condition that the draw's roster (002), the annual plan (001 §23), the statistics' 表1/表3 (000:
valid certificates on the last day of the period) and the classification deadline use. The seeds name no
suspension (暂停) of a license; the four kinds below are 001 §39's.

A license is ended once: a second action of another kind is refused, except 注销 after 撤回/撤销/吊销 (the
formality that follows them). Recorded at the bureau (core/storage/sync_models.require_bureau); travels
bureau → field like the classification history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.identity import norm_code
from inspector_app.core.storage.models import Enterprise, License
from inspector_app.core.storage.supervision_records_models import LicenseAction
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.i18n import _

WITHDRAW, REVOKE, REVOKE_PENALTY, CANCEL = "withdraw", "revoke", "revoke_penalty", "cancel"
# code → (label, the article it comes from, as users read it)
KINDS = {
    WITHDRAW: ("撤回", "《上海市工业产品生产许可证证后监督检查管理办法》第三十九条、第四十条"),
    REVOKE: ("撤销", "《上海市工业产品生产许可证证后监督检查管理办法》第三十九条、第四十一条"),
    REVOKE_PENALTY: ("吊销", "《上海市工业产品生产许可证证后监督检查管理办法》第三十九条、第四十二条"),
    CANCEL: ("注销", "《上海市工业产品生产许可证证后监督检查管理办法》第三十九条、第四十三条"),
}
BY_LABEL = {label: code for code, (label, _a) in KINDS.items()}


@dataclass(frozen=True)
class ActionRow:
    id: str
    license_number: str
    enterprise_name: str
    uscc: str
    district: str
    category: str
    kind: str
    effective_on: date
    decision_no: str
    authority: str
    basis: str
    note: str
    who: str

    @property
    def label(self) -> str:
        return KINDS[self.kind][0]


def kind_code(text: str) -> str:
    """A kind by its code or its Chinese word (撤回/撤销/吊销/注销)."""
    text = text.strip()
    if text in KINDS:
        return text
    if text in BY_LABEL:
        return BY_LABEL[text]
    raise ValidationError(_("处理类型"), _("“{t}”不是撤回、撤销、吊销或注销").format(t=text))


def in_force(on: date):
    """SQL condition on License: no action has ended it on or before `on`."""
    return ~exists(
        select(LicenseAction.id).where(LicenseAction.license_id == License.id, LicenseAction.effective_on <= on)
    )


def record(
    db: Database,
    license_number: str,
    kind: str,
    *,
    effective_on: date,
    decision_no: str,
    basis: str,
    authority: str = "",
    note: str = "",
    who: str = "",
) -> str:
    """Record a decision that ends a license; the new record's id."""
    kind = kind_code(kind)
    decision_no, basis = decision_no.strip(), basis.strip()
    if not decision_no:
        raise ValidationError(_("决定书文号"), _("不能为空"))
    if not basis:
        raise ValidationError(_("事实、理由和依据"), _("不能为空"))
    require_bureau(db, _("许可证撤回、撤销、吊销、注销的登记"))
    with db.session() as s:
        lic = _license(s, license_number)
        if lic.issue_date is not None and effective_on < lic.issue_date:
            raise ValidationError(_("生效日期"), _("{d}早于许可证发证日期{i}").format(d=effective_on, i=lic.issue_date))
        if effective_on > clock.today():
            raise ValidationError(_("生效日期"), _("{d}还没有到，决定生效后再登记").format(d=effective_on))
        for other in s.scalars(select(LicenseAction).where(LicenseAction.license_id == lic.id)):
            if other.kind == kind or kind != CANCEL:
                raise DomainError(
                    _("许可证{n}已于{d}{k}（{no}），不能再{k2}").format(
                        n=lic.number, d=other.effective_on, k=KINDS[other.kind][0], no=other.decision_no,
                        k2=KINDS[kind][0],
                    )
                )  # fmt: skip
        row = LicenseAction(
            license_id=lic.id,
            enterprise_id=lic.enterprise_id,
            kind=kind,
            effective_on=effective_on,
            decision_no=decision_no,
            authority=authority.strip(),
            basis=basis,
            note=note.strip(),
            who=who.strip(),
        )
        s.add(row)
        s.flush()
        return row.id


def _license(s: Session, number: str) -> License:
    lic = s.scalar(select(License).where(License.number == norm_code(number)))
    if lic is None:
        lic = s.scalar(select(License).where(License.number == number.strip()))
    if lic is None:
        raise NotFound(_("找不到编号为“{n}”的生产许可证").format(n=number.strip()))
    return lic


def list_actions(
    db: Database, *, year: int | None = None, district: str | None = None, enterprise_id: str | None = None
) -> list[ActionRow]:
    with db.session() as s:
        q = (
            select(
                LicenseAction, License.number, License.category, Enterprise.name, Enterprise.uscc, Enterprise.district
            )
            .join(License, License.id == LicenseAction.license_id)
            .join(Enterprise, Enterprise.id == LicenseAction.enterprise_id)
            .order_by(LicenseAction.effective_on, License.number)
        )
        if year is not None:
            q = q.where(LicenseAction.effective_on.between(date(year, 1, 1), date(year, 12, 31)))
        if district:
            q = q.where(Enterprise.district == district)
        if enterprise_id:
            q = q.where(LicenseAction.enterprise_id == enterprise_id)
        return [
            ActionRow(
                a.id, number, name, uscc, dist, cat, a.kind, a.effective_on, a.decision_no, a.authority, a.basis,
                a.note, a.who,
            )
            for a, number, cat, name, uscc, dist in s.execute(q)
        ]  # fmt: skip
