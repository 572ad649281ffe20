"""Enforcement flags (处理建议): what a 回访 proposes when a problem is still not rectified — 责令停产整改
(004 二(三)), 移交行政处罚 (001 §28), 分类降级 (001 §33) — and the bureau's decision on each.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.storage import audit
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection
from inspector_app.core.storage.supervision_models import EnforcementFlag
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.i18n import _

STOP_PRODUCTION, TRANSFER_PENALTY, DOWNGRADE = "stop_production", "transfer_penalty", "downgrade"
FLAG_KINDS: dict[str, tuple[str, str]] = {
    STOP_PRODUCTION: ("责令停产整改", "004 二(三)"),  # 回访中发现原问题仍存在的，应责令企业停产整顿
    TRANSFER_PENALTY: ("移交行政处罚", "001 §28"),  # 需要给予行政处罚的，移交本机关行政执法部门
    DOWNGRADE: ("分类降级建议", "001 §33"),  # 企业出现…应当作降级处理
}
audit.FLAG_LABELS.update({kind: label for kind, (label, _rule) in FLAG_KINDS.items()})  # the change log's words
PROPOSED, CONFIRMED, DISMISSED = "proposed", "confirmed", "dismissed"
FLAG_STATUSES = {PROPOSED: "待决定", CONFIRMED: "已决定执行", DISMISSED: "不予采纳"}


# ------------------------------------------------------------------ enforcement flags
@dataclass(frozen=True)
class FlagRow:
    id: str
    enterprise_id: str
    enterprise_name: str
    district: str
    kind: str
    label: str
    citation: str
    raised_on: date
    reason: str
    status: str
    decided_on: date | None
    decided_by: str


def flags(db: Database, *, status: str | None = None, district: str | None = None) -> list[FlagRow]:
    with db.session() as s:
        q = select(EnforcementFlag, Enterprise).join(Enterprise, Enterprise.id == EnforcementFlag.enterprise_id)
        if status:
            q = q.where(EnforcementFlag.status == status)
        if district:
            q = q.where(Enterprise.district == district)
        out = [
            FlagRow(
                f.id,
                e.id,
                e.name,
                e.district,
                f.kind,
                FLAG_KINDS[f.kind][0],
                f.citation,
                f.raised_on,
                f.reason,
                f.status,
                f.decided_on,
                f.decided_by,
            )
            for f, e in s.execute(q)
        ]
    out.sort(key=lambda f: (f.status != PROPOSED, f.raised_on, f.enterprise_name, f.kind))
    return out


def decide_flag(db: Database, flag_id: str, *, confirm: bool, who: str, on: date | None = None) -> None:
    """Confirm or dismiss a proposal; a confirmed downgrade lowers the class by one (001 §33)."""
    from inspector_app.core.supervision import classification

    require_bureau(db, _("处理建议的决定（责令停产整改、移交行政处罚、分类降级）"))
    on = on or clock.today()
    with db.session() as s:
        flag = s.get(EnforcementFlag, flag_id)
        if flag is None:
            raise NotFound(_("找不到该处理建议：{i}").format(i=flag_id))
        if flag.status != PROPOSED:
            raise DomainError(
                _("该处理建议已于{d}作出决定（{s}），不能重复决定").format(
                    d=flag.decided_on.isoformat() if flag.decided_on else "—", s=FLAG_STATUSES[flag.status]
                )
            )
        if not who.strip():
            raise ValidationError(_("决定人"), _("不能为空"))
        flag.status = CONFIRMED if confirm else DISMISSED
        flag.decided_on = on
        flag.decided_by = who.strip()
        if confirm and flag.kind == DOWNGRADE:  # same transaction: a refused downgrade leaves the flag proposed
            classification.downgrade_in(s, flag.enterprise_id, reason=flag.reason, who=who, on=on)


def transfer_to_penalty(
    db: Database,
    enterprise_id: str,
    *,
    reason: str,
    who: str,
    inspection_id: str | None = None,
    on: date | None = None,
) -> str:
    """001 §28: a violation found during an inspection is transferred at once; recorded as decided."""
    if not reason.strip():
        raise ValidationError(_("移交原因"), _("不能为空"))
    require_bureau(db, _("移交行政处罚的登记"))
    on = on or clock.today()
    with db.session() as s:
        if s.get(Enterprise, enterprise_id) is None:
            raise NotFound(_("找不到该企业"))
        if inspection_id is not None:
            insp = s.get(Inspection, inspection_id)
            if insp is None or insp.enterprise_id != enterprise_id:
                raise ValidationError(_("检查记录"), _("该检查记录不属于该企业"))
        flag = EnforcementFlag(
            enterprise_id=enterprise_id,
            inspection_id=inspection_id,
            kind=TRANSFER_PENALTY,
            raised_on=on,
            reason=reason.strip(),
            citation=FLAG_KINDS[TRANSFER_PENALTY][1],
            status=CONFIRMED,
            decided_on=on,
            decided_by=who.strip(),
        )
        s.add(flag)
        s.flush()
        return flag.id
