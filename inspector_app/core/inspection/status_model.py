"""Production-status forms as data: the frozen values of 002 附件3 (钢铁) and 附件4 (水泥).

These registration forms (生产状况登记表) are not checklists: they ask for figures with units (产量 万吨, 高炉 台),
tick boxes as on paper (有/无, 是/否, the products made), text and small tables (拉力试验机 吨位及数量), and no
符合/不符合. A status form travels inside the inspection's template snapshot (Template.status), so a recorded
inspection keeps the exact form it was filled on; its answers are stored as item results whose item id is
`StatusField.key` ("S" + the field's id) and whose `record` holds the value (status_values.py).
Files: forms/status/*.toml, read by status_file.py; format in docs/template-format.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

# The kinds of field a status form has (docs/template-format.md, "生产状况登记表").
NUMBER, TICKS, TEXT, DATE, ROWS, RECORD = "number", "ticks", "text", "date", "rows", "record"
FIELD_KINDS = {
    NUMBER: "数字（带单位）",
    TICKS: "勾选框",
    TEXT: "文字",
    DATE: "日期",
    ROWS: "表格行",
    RECORD: "取自检查记录",
}
# What a `record` field prints, taken from the inspection (not typed again).
RECORD_SOURCES = {
    "seq": "序号",
    "enterprise_name": "企业名称",
    "site_address": "生产地址",
    "license_number": "生产许可证编号",
    "license_validity": "有效期",
}
KEY_PREFIX = "S"  # item_result.item_id of a status field: never clashes with a checklist item ("2.1")


@dataclass(frozen=True)
class StatusColumn:
    """One column of a `rows` field (e.g. 拉力试验机: 吨位 t, 数量 台)."""

    label: str
    kind: str  # NUMBER or TEXT
    unit: str = ""
    integer: bool = False


@dataclass(frozen=True)
class StatusField:
    id: str  # "<section no>.<sub no>", as checklist items
    section_no: int
    section_title: str
    label: str  # the form's column head, verbatim
    kind: str
    unit: str = ""
    integer: bool = False
    minimum: float | None = 0
    maximum: float | None = None
    options: tuple[str, ...] = ()
    multiple: bool = False
    columns: tuple[StatusColumn, ...] = ()
    total_of: tuple[str, ...] = ()  # ids of fields whose sum may not exceed this one (the form's 总产量)
    source: str = ""  # RECORD fields: a RECORD_SOURCES key
    note: str = ""  # the form's parenthesis, e.g. "如有，填写问题汇总表"

    @property
    def key(self) -> str:
        return KEY_PREFIX + self.id

    @property
    def name(self) -> str:
        """How a message names the field: the section and the column, with the unit (钢材产量·总产量（万吨）)."""
        head = self.label if self.label == self.section_title else f"{self.section_title}·{self.label}"
        return f"{head}（{self.unit}）" if self.unit else head

    @property
    def editable(self) -> bool:
        return self.kind != RECORD


@dataclass(frozen=True)
class StatusSection:
    no: int
    title: str
    fields: tuple[StatusField, ...]
    band: int = 1  # the band of the paper table it is printed in (附件3/附件4 have two rows of column heads)


@dataclass(frozen=True)
class StatusForm:
    id: str
    version: int
    title: str
    categories: tuple[str, ...]
    source: str
    sections: tuple[StatusSection, ...]
    footnotes: tuple[str, ...]
    digest: str

    @property
    def fields(self) -> tuple[StatusField, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, field_id: str) -> StatusField:
        """By id ("1.1") or key ("S1.1"); KeyError otherwise."""
        for f in self.fields:
            if field_id in (f.id, f.key):
                return f
        raise KeyError(field_id)

    def to_dict(self) -> dict:
        return {**_content(self), "digest": self.digest}

    @classmethod
    def from_dict(cls, d: dict) -> StatusForm:
        sections = tuple(
            StatusSection(
                no=s["no"],
                title=s["title"],
                fields=tuple(_field_from(f, s["no"], s["title"]) for f in s["fields"]),
                band=s.get("band", 1),
            )
            for s in d["sections"]
        )
        return make_status_form(
            id=d["id"],
            version=d["version"],
            title=d["title"],
            categories=tuple(d["categories"]),
            source=d["source"],
            sections=sections,
            footnotes=tuple(d["footnotes"]),
        )


def _field_from(f: dict, no: int, title: str) -> StatusField:
    return StatusField(
        id=f["id"],
        section_no=no,
        section_title=title,
        label=f["label"],
        kind=f["kind"],
        unit=f.get("unit", ""),
        integer=f.get("integer", False),
        minimum=f.get("minimum", 0),
        maximum=f.get("maximum"),
        options=tuple(f.get("options", ())),
        multiple=f.get("multiple", False),
        columns=tuple(StatusColumn(**c) for c in f.get("columns", ())),
        total_of=tuple(f.get("total_of", ())),
        source=f.get("source", ""),
        note=f.get("note", ""),
    )


def _field_content(f: StatusField) -> dict:
    d: dict[str, Any] = {"id": f.id, "label": f.label, "kind": f.kind}
    for key, value, empty in (
        ("unit", f.unit, ""),
        ("integer", f.integer, False),
        ("minimum", f.minimum, 0),
        ("maximum", f.maximum, None),
        ("options", list(f.options), []),
        ("multiple", f.multiple, False),
        ("columns", [c.__dict__ for c in f.columns], []),
        ("total_of", list(f.total_of), []),
        ("source", f.source, ""),
        ("note", f.note, ""),
    ):
        if value != empty:
            d[key] = value
    return d


def _content(form: StatusForm) -> dict:
    return {
        "id": form.id,
        "version": form.version,
        "title": form.title,
        "categories": list(form.categories),
        "source": form.source,
        "footnotes": list(form.footnotes),
        "sections": [
            {"no": s.no, "title": s.title, "band": s.band, "fields": [_field_content(f) for f in s.fields]}
            for s in form.sections
        ],
    }


def make_status_form(**fields: Any) -> StatusForm:
    draft = StatusForm(**fields, digest="")
    canonical = json.dumps(_content(draft), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return StatusForm(**fields, digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest())
