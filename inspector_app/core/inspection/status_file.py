"""Reading the production-status forms (forms/status/*.toml: 002 附件3 钢铁, 附件4 水泥), every problem in Chinese.

A clerk edits these files as the checklist templates (docs/template-format.md, "生产状况登记表"): each file is
checked whole and every unknown key, wrong type and inconsistent value is reported with the file and field id.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from inspector_app.core import catalog
from inspector_app.core.inspection.status_model import (
    FIELD_KINDS,
    NUMBER,
    RECORD,
    RECORD_SOURCES,
    ROWS,
    TEXT,
    TICKS,
    StatusColumn,
    StatusField,
    StatusForm,
    StatusSection,
    make_status_form,
)
from inspector_app.core.inspection.template_model import TemplateError, TemplateProblem
from inspector_app.core.problems import Problems
from inspector_app.core.safe_input import UnsafeInput, load_toml

_FORM_KEYS = {"id": str, "version": int, "title": str, "categories": list, "source": str, "footnotes": list}
_FORM_REQUIRED = ("id", "version", "title", "categories")
_SECTION_KEYS = {"no": int, "title": str, "band": int, "fields": list}
_FIELD_KEYS = {
    "id": str,
    "label": str,
    "kind": str,
    "unit": str,
    "integer": bool,
    "minimum": (int, float),
    "maximum": (int, float),
    "options": list,
    "multiple": bool,
    "columns": list,
    "total_of": list,
    "source": str,
    "note": str,
}
_COLUMN_KEYS = {"label": str, "kind": str, "unit": str, "integer": bool}
_ID_RE = re.compile(r"(\d+)\.(\d+)")


class _Reader:
    def __init__(self, file: str):
        self.file = file
        # Each problem as error(message) or error(message, field_id).
        self.c = Problems(lambda message, field_id=None: TemplateProblem(file, field_id, message))

    def keys(self, table: Any, spec: dict, where: str, field_id: str | None = None) -> dict:
        if not isinstance(table, dict):
            self.c.error(f"{where}应写成表（方括号）", field_id)
            return {}
        out = {}
        for key, value in table.items():
            if key not in spec:
                close = difflib.get_close_matches(key, spec, n=1)
                hint = f"（是否想写 {close[0]}？）" if close else f"；可用的字段：{'、'.join(spec)}"
                self.c.error(f"{where}有未知字段 {key}{hint}", field_id)
            elif (isinstance(value, bool) and spec[key] is not bool) or not isinstance(value, spec[key]):
                self.c.error(f"{where}字段 {key} 的写法不对：{value!r}", field_id)
            else:
                out[key] = value
        return out

    def read(self, data: dict) -> StatusForm | None:
        for key in data:
            if key not in ("form", "sections"):
                self.c.error(f"有未知的表或字段 {key}；文件只能包含 [form] 和 [[sections]]")
        head = self.keys(data.get("form", {}), _FORM_KEYS, "[form] 中")
        for key in _FORM_REQUIRED:
            if key not in head:
                self.c.error(f"[form] 中缺少字段 {key}，请补上")
        if "id" in head and not re.fullmatch(r"[a-z0-9_-]+", head["id"]):
            self.c.error(f"[form] 中 id “{head['id']}” 只能用小写英文字母、数字、- 和 _")
        if head.get("version", 1) < 1:
            self.c.error("[form] 中 version 应为从 1 开始的整数，内容每改一次加 1")
        for category in head.get("categories", []):
            if catalog.product_kind(category) != "industrial" or category not in catalog.PRODUCT_CATEGORIES:
                self.c.error(f"[form] 中产品类别“{category}”不认识，或不是工业产品的类别（请写全称）")
        sections: list = []
        seen: set[str] = set()
        for index, raw in enumerate(data.get("sections") or [], start=1):
            sections.append(self.read_section(raw, index, seen))
        if not sections:
            self.c.error("没有任何 [[sections]]，请至少写一个并在其中写 [[sections.fields]]")
        by_id = {f.id: f for s in sections for f in s.fields}
        for f in by_id.values():
            self.check_total(f, by_id)
        if self.c.errors:
            return None
        return make_status_form(
            id=head["id"],
            version=head["version"],
            title=head["title"],
            categories=tuple(head["categories"]),
            source=head.get("source", ""),
            sections=tuple(sections),
            footnotes=tuple(head.get("footnotes", ())),
        )

    def read_section(self, raw: Any, index: int, seen: set[str]) -> StatusSection:
        s = self.keys(raw, _SECTION_KEYS, f"第 {index} 个 [[sections]] ")
        no, title = s.get("no", index), s.get("title", "")
        if "no" not in s or "title" not in s or not s.get("fields"):
            self.c.error(f"第 {index} 个 [[sections]] 须有 no、title 和至少一个 [[sections.fields]]")
        fields = tuple(self.read_field(f, no, title, seen) for f in s.get("fields", []))
        if s.get("band", 1) not in (1, 2, 3):
            self.c.error(f"第 {no} 部分的 band 只能是 1、2 或 3（印在表格的第几栏）")
        return StatusSection(no=no, title=title, fields=fields, band=s.get("band", 1))

    def read_field(self, raw: Any, no: int, title: str, seen: set[str]) -> StatusField:
        fid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        v = self.keys(raw, _FIELD_KEYS, "" if fid else f"第 {no} 部分的一个字段", fid)
        for key in ("id", "label", "kind"):
            if key not in v:
                self.c.error(f"缺少字段 {key}，请补上", fid)
        match = _ID_RE.fullmatch(fid or "")
        if fid and (not match or int(match.group(1)) != no):
            self.c.error(f'编号 id 应写成“部分号.序号”，并以所在部分的编号 {no}. 开头（如 "{no}.1"）', fid)
        if fid in seen:
            self.c.error("编号 id 与前面的字段重复，请改为不同的编号", fid)
        seen.add(fid or "")
        kind = v.get("kind", TEXT)
        if kind not in FIELD_KINDS:
            known = "、".join(f'"{k}"（{label}）' for k, label in FIELD_KINDS.items())
            self.c.error(f"类型 kind “{kind}” 不认识，只能是 {known}", fid)
        options = tuple(v.get("options", ()))
        if kind == TICKS and (len(options) < 2 or len(set(options)) != len(options)):
            self.c.error('勾选框 ticks 须在 options 写至少两个不重复的选项，如 ["有", "无"]', fid)
        if kind != TICKS and (options or "multiple" in v):
            self.c.error('只有勾选框（kind = "ticks"）才能写 options 和 multiple', fid)
        columns = tuple(self.read_column(c, fid) for c in v.get("columns", []))
        if (kind == ROWS) != bool(columns):
            self.c.error('表格行（kind = "rows"）须写 [[sections.fields.columns]]，其他类型不能写', fid)
        if kind == RECORD and v.get("source") not in RECORD_SOURCES:
            self.c.error(f"取自检查记录的字段须写 source，只能是 {'、'.join(RECORD_SOURCES)} 之一", fid)
        if kind != NUMBER and any(k in v for k in ("unit", "integer", "minimum", "maximum")):
            self.c.error('只有数字（kind = "number"）才能写 unit、integer、minimum、maximum', fid)
        return StatusField(
            id=fid or "",
            section_no=no,
            section_title=title,
            label=v.get("label", ""),
            kind=kind,
            unit=v.get("unit", ""),
            integer=v.get("integer", False),
            minimum=v.get("minimum", 0),
            maximum=v.get("maximum"),
            options=options,
            multiple=v.get("multiple", False),
            columns=columns,
            total_of=tuple(v.get("total_of", ())),
            source=v.get("source", ""),
            note=v.get("note", ""),
        )

    def read_column(self, raw: Any, fid: str | None) -> StatusColumn:
        c = self.keys(raw, _COLUMN_KEYS, "表格列中", fid)
        if "label" not in c or c.get("kind") not in (NUMBER, TEXT):
            self.c.error('表格列须写 label 和 kind（"number" 或 "text"）', fid)
        return StatusColumn(c.get("label", ""), c.get("kind", TEXT), c.get("unit", ""), c.get("integer", False))

    def check_total(self, f: StatusField, by_id: dict[str, StatusField]) -> None:
        if not f.total_of:
            return
        if f.kind != NUMBER:
            self.c.error("只有数字字段才能写 total_of（合计）", f.id)
        for part in f.total_of:
            p = by_id.get(part)
            numeric = p is not None and (p.kind == NUMBER or any(c.kind == NUMBER for c in p.columns))
            if not numeric or part == f.id:
                self.c.error(f"total_of 中的“{part}”不是本表的其他数字字段或含数字列的表格行", f.id)
            elif p is not None and p.kind == NUMBER and p.unit != f.unit:
                self.c.error(f"total_of 中的“{part}”单位（{p.unit}）与合计单位（{f.unit}）不同", f.id)


def read_status_file(path: Path) -> tuple[StatusForm | None, list[TemplateProblem]]:
    file = path.name
    try:
        data = load_toml(path.read_bytes().decode("utf-8-sig"))
    except OSError as e:
        return None, [TemplateProblem(file, None, f"无法读取文件（{e.strerror}）")]
    except UnicodeDecodeError:
        return None, [TemplateProblem(file, None, "文件不是 UTF-8 编码，请用记事本“另存为”并选择 UTF-8 编码")]
    except (UnsafeInput, tomllib.TOMLDecodeError) as e:
        return None, [TemplateProblem(file, None, f"TOML 语法错误：{e}")]
    reader = _Reader(file)
    return reader.read(data), reader.c.errors


def load_status_forms(directory: str | Path | None = None) -> dict[str, StatusForm]:
    """forms/status/*.toml by id; TemplateError listing every problem of every file. No folder: no forms."""
    if directory is None:
        from inspector_app.paths import forms_dir  # lazily: paths pulls in platformdirs

        directory = forms_dir() / "status"
    return dict(_load(str(directory)))


@lru_cache(maxsize=8)
def _load(directory: str) -> tuple[tuple[str, StatusForm], ...]:
    problems: list[TemplateProblem] = []
    forms: dict[str, StatusForm] = {}
    owner: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        form, file_problems = read_status_file(path)
        problems += file_problems
        if form is None:
            continue
        if form.id in forms:
            problems.append(TemplateProblem(path.name, None, f"登记表编号 id = “{form.id}” 重复"))
        for category in form.categories:
            if category in owner:
                problems.append(TemplateProblem(path.name, None, f"产品类别“{category}”已有登记表 {owner[category]}"))
            owner[category] = path.name
        forms[form.id] = form
    if problems:
        raise TemplateError(problems)
    return tuple(forms.items())


def status_form_for_category(forms: dict[str, StatusForm], category: str | None) -> StatusForm | None:
    """The production-status form enterprises of this product category fill (002 附件3/附件4), or None."""
    category = catalog.CATEGORY_SYNONYMS.get(category or "", category)
    return next((f for f in forms.values() if category in f.categories), None)
