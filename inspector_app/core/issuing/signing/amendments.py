"""Corrections of a signed inspection (更正): a draft listing the changed fields, chained to the hash of the
state it corrects, that takes effect once signed by the same signers."""

from __future__ import annotations

from datetime import date
from typing import Any

from inspector_app.core import clock
from inspector_app.core.catalog import CONCLUSIONS
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection.inspections import DRAFT, Answer
from inspector_app.core.inspection.snapshots import template_from_snapshot
from inspector_app.core.inspection.status_model import KEY_PREFIX
from inspector_app.core.inspection.template_model import Template
from inspector_app.core.issuing.signing.content import amendment_content, sha256_hex, signed_json
from inspector_app.core.issuing.signing.sign import check_days
from inspector_app.core.issuing.signing.signers import make_signatures
from inspector_app.core.issuing.signing.state import load_inspection, read_state
from inspector_app.core.issuing.signing.values import (
    AMENDABLE_FIELDS,
    PERIOD_FIELD,
    SIGNED,
    AmendmentView,
    SignatureInput,
)
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import Amendment
from inspector_app.i18n import _

# 002 附件3/附件4: the production-status form's values are signed with the record but not corrected by an 更正
# (docs/documents.md, "Amendments"): the form is the enterprise's own declaration.
STATUS_NOT_AMENDABLE = _(
    "生产状况登记表的数值签字后不能在本程序中更正（更正只能改检查表各项的结论、检查记录、备注、当场整改和整改期限）。"
    "如企业填报有误，请由企业在纸质登记表上更正并签章，并在更正原因中说明"
)


def _refuse_status_field(template: Template, item_id: str) -> None:
    """A status field named by its key ("S2.1") is refused with the reason, not as an unknown item."""
    if template.status is None or not item_id.startswith(KEY_PREFIX):
        return
    try:
        field = template.status.field(item_id)
    except KeyError:
        return
    raise ValidationError(_("更正 {f}").format(f=field.name), STATUS_NOT_AMENDABLE)


def _coerce(item_id: str, field_name: str, value: Any) -> Any:
    where = _("更正 {i}").format(i=item_id or _("整改期限"))
    if field_name == PERIOD_FIELD:
        try:
            return check_days(int(value))
        except (TypeError, ValueError):
            raise ValidationError(where, _("整改期限应为天数")) from None
    if field_name not in AMENDABLE_FIELDS:
        raise ValidationError(where, _("“{f}”不能更正").format(f=field_name))
    if field_name == "conclusion":
        if value not in CONCLUSIONS:
            raise ValidationError(where, _("“{c}”不是有效的检查结论").format(c=value))
        return value
    if field_name == "rectified_on_site":
        return bool(value)
    return str(value)


def create_amendment(db: Database, inspection_id: str, reason: str, changes: list[tuple[str, str, Any]]) -> str:
    """A draft correction of a signed inspection: (item_id, field, new value) triples; item_id "" with field
    "rectification_days" changes the period. It takes effect only once signed (sign_amendment)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("更正原因"), _("不能为空"))
    if not changes:
        raise ValidationError(_("更正"), _("没有任何更正内容"))
    with db.session() as s:
        insp = load_inspection(s, inspection_id)
        state = read_state(s, inspection_id)
        if any(a.status != SIGNED for a in state.amendments):
            raise DomainError(_("还有一份未签字的更正，请先签字或删除它"))
        template = template_from_snapshot(insp.template_digest, insp.template.content)
        answers = state.answers()
        out = []
        for item_id, field_name, new in changes:
            old: object
            if field_name == PERIOD_FIELD:
                old = state.rectification_days
            else:
                _refuse_status_field(template, item_id)
                try:
                    item = template.item(item_id)
                except KeyError:
                    raise ValidationError(_("更正"), _("“{i}”不在该检查表中").format(i=item_id)) from None
                if not item.applies(template.product_kind):
                    raise ValidationError(_("更正 {i}").format(i=item_id), _("该项不适用于本产品类别"))
                old = getattr(answers.get(item_id) or Answer(item_id), field_name, None)
            value = _coerce(item_id, field_name, new)
            if value == old:
                continue
            out.append({"item_id": item_id, "field": field_name, "old": old, "new": value})
        if not out:
            raise ValidationError(_("更正"), _("更正后的内容与原内容相同"))
        after = dict(answers)
        for c in out:
            if c["item_id"]:
                after[c["item_id"]] = Answer(
                    **{**after.get(c["item_id"], Answer(c["item_id"])).__dict__, c["field"]: c["new"]}
                )
        # The corrected answers obey the form's rules as the answers do (002 附件2; inspections.save_answer).
        for item_id, ans in after.items():
            where = _("更正 {i}").format(i=item_id)
            if ans.conclusion == "nonconform" and not ans.record.strip():
                raise ValidationError(where, _("结论为“不符合”，须填写检查记录"))
            if ans.conclusion == "na" and not template.item(item_id).na_allowed:
                raise ValidationError(where, _("检查表不允许该项填写“不适用”，只能是“符合”或“不符合”"))
            if ans.rectified_on_site and ans.conclusion != "nonconform":
                raise ValidationError(where, _("只有“不符合”的项目才能登记当场整改"))
        am = Amendment(
            inspection_id=inspection_id,
            seq=len(state.amendments) + 1,
            reason=reason,
            changes=signed_json(out),
            status=DRAFT,
            previous_hash=state.current_hash,
            created_at=clock.now(),
        )
        s.add(am)
        s.flush()
        return am.id


def sign_amendment(
    db: Database, amendment_id: str, signatures: list[SignatureInput], *, signed_on: date | None = None
) -> AmendmentView:
    """Sign a draft correction: the same signers as the inspection (team + representative or refusal note)."""
    with db.session() as s:
        am = s.get(Amendment, amendment_id)
        if am is None:
            raise NotFound(_("找不到该更正记录"))
        if am.status == SIGNED:
            raise DomainError(_("该更正已签字，不能再次签字"))
        insp = load_inspection(s, am.inspection_id)
        on = signed_on or clock.today()
        rows = make_signatures(s, insp, signatures, on, amendment_id=am.id)
        text = signed_json(amendment_content(am, rows, on))
        s.add_all(rows)
        am.canonical = text
        am.content_hash = sha256_hex(text)
        am.status = SIGNED
        am.signed_on = on
        s.flush()
        return next(a for a in read_state(s, am.inspection_id).amendments if a.id == am.id)


def delete_draft_amendment(db: Database, amendment_id: str) -> None:
    with db.session() as s:
        am = s.get(Amendment, amendment_id)
        if am is None:
            raise NotFound(_("找不到该更正记录"))
        if am.status == SIGNED:
            raise DomainError(_("已签字的更正不能删除"))
        s.delete(am)
