"""The values of a production-status form (002 附件3 钢铁, 附件4 水泥): checked, stored, totalled.

A value is stored as the `record` of an item result whose item id is the field's key ("S2.1"), with no
conclusion: it travels in bundles, is signed and archived exactly as an answer's record does. Its text:
a number as a plain decimal ("12.5"), ticks as a JSON list of the ticked options, a date as "2022-03-01",
rows as a JSON list of lists of cells, text as typed; "" when blank. Every refusal names the field as the
paper does (2021年钢材产量·总产量（万吨）) and says how to write it.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection.snapshots import template_from_snapshot
from inspector_app.core.inspection.status_model import DATE, NUMBER, RECORD, ROWS, TICKS, StatusField, StatusForm
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Inspection, ItemResult
from inspector_app.i18n import _

MAX_TEXT = 500
MAX_ROWS = 50


def _number(raw: str, name: str, *, integer: bool, minimum, maximum, unit: str) -> str:
    text = raw.strip().replace("，", ".").replace("。", ".")
    try:
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        example = "3" if integer else "12.5"
        message = _("“{v}”不是数字，请只填数字，如 {e}").format(v=raw.strip()[:20], e=example)
        raise ValidationError(name, message) from None
    if integer and value != value.to_integral_value():
        raise ValidationError(name, _("应为整数（{u}），“{v}”不是整数").format(u=unit or _("个"), v=raw.strip()))
    if minimum is not None and value < Decimal(str(minimum)):
        raise ValidationError(name, _("不能小于 {m}，现在是 {v}").format(m=minimum, v=raw.strip()))
    if maximum is not None and value > Decimal(str(maximum)):
        raise ValidationError(name, _("不能大于 {m}，现在是 {v}").format(m=maximum, v=raw.strip()))
    out = format(value.normalize(), "f")
    return "0" if out in ("-0", "0.0") else out


def parse_value(field: StatusField, raw) -> str:
    """The stored text of `raw` for `field` ("" for blank); ValidationError naming the field otherwise.

    raw: text for number/text/date; a list of ticked options for ticks; a list of rows (lists of cell texts)
    for rows."""
    name = field.name
    if not field.editable:
        raise ValidationError(name, _("取自检查记录，不能在此修改"))
    if field.kind == TICKS:
        ticked = [str(t) for t in (raw or [])]
        unknown = [t for t in ticked if t not in field.options]
        if unknown:
            raise ValidationError(
                name, _("“{v}”不是可勾选的选项，只能勾选{o}").format(v=unknown[0][:20], o="、".join(field.options))
            )
        if not field.multiple and len(ticked) > 1:
            raise ValidationError(name, _("只能勾选一项（{o}）").format(o="、".join(field.options)))
        return json.dumps([o for o in field.options if o in ticked], ensure_ascii=False) if ticked else ""
    if field.kind == ROWS:
        return _rows(field, raw or [])
    text = str(raw or "").strip()
    if not text:
        return ""
    if field.kind == NUMBER:
        return _number(text, name, integer=field.integer, minimum=field.minimum, maximum=field.maximum, unit=field.unit)
    if field.kind == DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(name, _("“{v}”不是日期，请写成 2022-03-01 的形式").format(v=text[:20])) from None
    if len(text) > MAX_TEXT:
        raise ValidationError(name, _("不能超过 {n} 个字").format(n=MAX_TEXT))
    return text


def _rows(field: StatusField, raw) -> str:
    rows = []
    for n, row in enumerate(raw, start=1):
        cells = [str(c or "").strip() for c in row]
        if not any(cells):
            continue
        if len(cells) != len(field.columns):
            raise ValidationError(field.name, _("第 {n} 行应有 {c} 列").format(n=n, c=len(field.columns)))
        out = []
        for col, cell in zip(field.columns, cells, strict=True):
            where = _("{f} 第 {n} 行{c}").format(f=field.name, n=n, c=col.label)
            where += f"（{col.unit}）" if col.unit else ""
            if col.kind == NUMBER and cell:
                cell = _number(cell, where, integer=col.integer, minimum=0, maximum=None, unit=col.unit)
            elif len(cell) > MAX_TEXT:
                raise ValidationError(where, _("不能超过 {n} 个字").format(n=MAX_TEXT))
            out.append(cell)
        rows.append(out)
    if len(rows) > MAX_ROWS:
        raise ValidationError(field.name, _("最多 {n} 行").format(n=MAX_ROWS))
    return json.dumps(rows, ensure_ascii=False) if rows else ""


def decode(field: StatusField, stored: str):
    """The stored text as a value: list of options (ticks), list of rows (rows), text otherwise."""
    if field.kind in (TICKS, ROWS):
        return json.loads(stored) if stored else []
    return stored or ""


def number_of(field: StatusField, stored: str) -> Decimal:
    """The figure a field adds to a total: the number, or a rows field's number column summed."""
    if field.kind == NUMBER:
        return Decimal(stored) if stored else Decimal(0)
    col = next((i for i, c in enumerate(field.columns) if c.kind == NUMBER), None)
    if col is None:
        return Decimal(0)
    return sum((Decimal(r[col]) for r in decode(field, stored) if r[col]), Decimal(0))


def status_problems(form: StatusForm, values: dict[str, str]) -> list[tuple[StatusField, str]]:
    """What is inconsistent between fields (each value alone was checked when saved): a total below its parts."""
    out = []
    for f in form.fields:
        if not f.total_of or not values.get(f.key):
            continue
        parts = [form.field(p) for p in f.total_of]
        total = number_of(f, values[f.key])
        summed = sum((number_of(p, values.get(p.key, "")) for p in parts), Decimal(0))
        if summed > total:
            out.append(
                (
                    f,
                    _("{f}：{p}之和 {s} {u}大于总产量 {t} {u}，请核对").format(
                        f=f.name, p="、".join(p.label for p in parts), s=summed, t=total, u=f.unit
                    ),
                )
            )
    return out


def values_of(form: StatusForm | None, answers: dict) -> dict[str, str]:
    """Field key -> stored text, from an inspection's answers (Answer values or dicts with "record")."""
    if form is None:
        return {}
    out = {}
    for f in form.fields:
        a = answers.get(f.key)
        if a is not None:
            out[f.key] = a["record"] if isinstance(a, dict) else a.record
    return out


def save_status_value(db: Database, inspection_id: str, field_id: str, raw) -> str:
    """Check and store one field of the inspection's status form; returns the stored text. One transaction."""
    with db.session() as s:
        insp = s.get(Inspection, inspection_id)
        if insp is None:
            raise NotFound(_("找不到该检查记录"))
        if insp.status != "draft":
            raise DomainError(_("该检查记录已完成，不能再修改"))
        form = template_from_snapshot(insp.template_digest, insp.template.content).status
        if form is None:
            raise ValidationError(_("生产状况登记表"), _("本检查不填写生产状况登记表（只用于钢铁、水泥获证企业）"))
        try:
            field = form.field(field_id)
        except KeyError:
            raise ValidationError(form.title, _("没有字段“{i}”").format(i=str(field_id)[:20])) from None
        value = parse_value(field, raw)
        res = s.scalar(select(ItemResult).where(ItemResult.inspection_id == insp.id, ItemResult.item_id == field.key))
        if res is None:
            res = ItemResult(inspection_id=insp.id, item_id=field.key, na_reason="", remark="")
            res.rectified_on_site = False
            s.add(res)
        res.record = value
        return value


def record_value(field: StatusField, info: dict) -> str:
    """A `record` field's text, from the signed inspection's header (or InspectionView-like values)."""
    if field.kind != RECORD:
        return ""
    if field.source == "seq":
        return "1"
    if field.source == "license_validity":
        start, end = info.get("license_issue_date"), info.get("license_expiry_date")
        return f"{start or ''}—{end}" if end else ""
    return str(info.get(field.source) or "")


@dataclasses.dataclass(frozen=True)
class StatusFormData:
    """What the form screen and the documents dialog need of an inspection's status form (plain values)."""

    form: StatusForm | None  # None: the record has no status form (not a steel or cement enterprise)
    info: dict[str, str] = dataclasses.field(default_factory=dict)  # what the `record` fields print (record_value)


def status_form_data(db: Database, inspection_id: str) -> StatusFormData:
    """The inspection's status form (from its template snapshot) and what the record knows that the form prints
    read-only: 企业名称, 生产地址, 许可证编号 and the license's validity (有效期). One session."""
    with db.session() as s:
        insp = s.get(Inspection, inspection_id)
        if insp is None:
            raise NotFound(_("找不到该检查记录"))
        form = template_from_snapshot(insp.template_digest, insp.template.content).status
        if form is None:
            return StatusFormData(None)
        lic = insp.license
        info = {
            "enterprise_name": insp.enterprise.name,
            "site_address": insp.site.address,
            "license_number": lic.number if lic else "",
            "license_issue_date": lic.issue_date.isoformat() if lic and lic.issue_date else "",
            "license_expiry_date": lic.expiry_date.isoformat() if lic else "",
        }
        return StatusFormData(form, info)


def has_status_form(db: Database, inspection_id: str) -> bool:
    """Whether the inspection fills a 生产状况登记表 (002 附件3/附件4): the documents dialog offers it only then."""
    return status_form_data(db, inspection_id).form is not None
