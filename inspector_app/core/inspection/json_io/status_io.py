"""The production-status form's values of one inspection of the file (002 附件3 钢铁 / 附件4 水泥), both ways.

A file carries them as `status_values`, a list of {"field_id": "2.1", "value": …} (docs/inspection-json.md).
Each value passes the same checks as the form screen (status_values.parse_value); a refusal names the JSON path
and the field as the paper does. They become the item results `S<field id>` that the app stores and signs.
"""

from __future__ import annotations

from typing import Any

from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection.inspections import Answer
from inspector_app.core.inspection.json_io.base import STATUS_VALUE_KEYS
from inspector_app.core.inspection.json_io.shape import check_keys, type_name
from inspector_app.core.inspection.status_model import ROWS, TICKS, StatusForm
from inspector_app.core.inspection.status_values import decode, parse_value
from inspector_app.core.inspection.templates import Template
from inspector_app.core.problems import Problems
from inspector_app.i18n import _


def status_values_list(form: StatusForm | None, records: dict[str, str]) -> list[dict]:
    """The export's `status_values`: the filled fields in form order, each value as the file writes it."""
    if form is None:
        return []
    return [
        {"field_id": f.id, "value": decode(f, records[f.key])} for f in form.fields if f.editable and records.get(f.key)
    ]


def _raw_of(kind: str, value: Any) -> Any:
    """The value as parse_value takes it, or None when its JSON type cannot be one (reported by the caller)."""
    if value is None:
        return [] if kind in (TICKS, ROWS) else ""
    if kind == TICKS:
        if isinstance(value, str):
            return [value]
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value if ok else None
    if kind == ROWS:
        ok = isinstance(value, list) and all(
            isinstance(row, list) and all(isinstance(c, str | int | float) and not isinstance(c, bool) for c in row)
            for row in value
        )
        return [[str(c) for c in row] for row in value] if ok else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value)


EXAMPLE = '{"field_id": "2.1", "value": "12.5"}'
SHAPES = {
    TICKS: _('勾选的选项列表，如 ["有"]'),
    ROWS: _('行的列表，每行是各列文字，如 [["1000", "2"]]'),
}


class StatusReader:
    """The status values of one inspection of the file (a part of Importer)."""

    c: Problems[str]  # set by InspectionReader.__init__ for the whole Importer

    def read_status_values(self, raw: Any, template: Template | None, where: str) -> dict[str, Answer] | None:
        """Field key ("S2.1") -> Answer holding the stored text; None if anything was refused (reported)."""
        c = self.c
        if raw is None or raw == []:
            return {}
        if not isinstance(raw, list):
            c.error(where, _("应为列表，如 [{e}]，现在是{t}").format(e=EXAMPLE, t=type_name(raw)))
            return None
        form = template.status if template is not None else None
        if template is not None and form is None:
            c.error(
                where,
                _(
                    "本检查不填写生产状况登记表（只用于钢铁、水泥获证企业，且须使用本程序导出的带模板快照的文件）；"
                    "请删去 status_values"
                ),
            )
            return None
        before = c.mark()
        out: dict[str, Answer] = {}
        seen: dict[str, int] = {}
        for j, entry in enumerate(raw):
            aw = f"{where}[{j}]"
            if not isinstance(entry, dict):
                c.error(aw, _("应为对象，如 {e}，现在是{t}").format(e=EXAMPLE, t=type_name(entry)))
                continue
            check_keys(c, entry, STATUS_VALUE_KEYS, aw, required=("field_id",))
            field_id = entry.get("field_id")
            if not isinstance(field_id, str) or not field_id.strip():
                if "field_id" in entry:
                    c.error(aw, _('field_id 应为栏目编号文字，如 "2.1"，现在是{t}').format(t=type_name(field_id)))
                continue
            if form is None:
                continue
            try:
                field = form.field(field_id.strip())
            except KeyError:
                c.error(aw, _("“{t}”中没有栏目 {i}").format(t=form.title, i=field_id.strip()[:20]))
                continue
            aw = f"{aw} ({field.name})"
            if field.key in seen:
                c.error(aw, _("与 status_values[{j}] 是同一栏目，每个栏目只能写一次").format(j=seen[field.key]))
                continue
            seen[field.key] = j
            value = _raw_of(field.kind, entry.get("value"))
            if value is None:
                shape = SHAPES.get(field.kind, _('文字或数字，如 "12.5"'))
                c.error(aw, _("value 应为{s}，现在是{t}").format(s=shape, t=type_name(entry.get("value"))))
                continue
            try:
                stored = parse_value(field, value)
            except ValidationError as e:
                place = aw if e.field == field.name else f"{where}[{j}] ({e.field})"
                c.error(place, e.reason)
                continue
            if stored:
                out[field.key] = Answer(field.key, None, "", stored)
        return None if c.errors_since(before) else out
