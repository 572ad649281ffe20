"""Reading one checklist template file (forms/*.toml) with tomllib, collecting every problem in Chinese.

A bureau clerk edits forms/*.toml without touching Python, so a file is checked whole: every unknown or
missing field, wrong type and inconsistent value is reported at once, with a hint how to write it.
The file format is documented in docs/template-format.md.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any, cast

from inspector_app.core import catalog
from inspector_app.core.inspection.template_model import Section, Template, TemplateItem, TemplateProblem, make_template
from inspector_app.core.problems import Problems
from inspector_app.core.safe_input import UnsafeInput, load_toml

_ALL_KINDS = tuple(catalog.PRODUCT_KINDS)

# key -> (type, required, default). "strs" is a list of strings.
_TEMPLATE_KEYS: dict[str, tuple[str, bool, Any]] = {
    "id": ("str", True, None),
    "version": ("int", True, None),
    "title": ("str", True, None),
    "product_kind": ("str", True, None),
    "categories": ("strs", True, None),
    "source": ("str", False, ""),
    "footnotes": ("strs", False, []),
}
_SECTION_KEYS: dict[str, tuple[str, bool, Any]] = {
    "no": ("int", True, None),
    "title": ("str", True, None),
    "items": ("tables", True, None),
}
_ITEM_KEYS: dict[str, tuple[str, bool, Any]] = {
    "id": ("str", True, None),
    "text": ("str", True, None),
    "na_allowed": ("bool", False, False),
    "na_reason": ("str", False, ""),
    "applies_to": ("strs", False, list(_ALL_KINDS)),
    "category": ("str", True, None),
    "categories": ("strs", False, None),
    "checkpoint": ("int", False, 0),
    "note": ("str", False, ""),
}
_TYPE_NAMES = {
    "str": "文字（用英文双引号括起来）",
    "int": "整数（不加引号）",
    "bool": "小写的 true 或 false（不加引号）",
    "strs": '文字列表，如 ["甲", "乙"]',
    "tables": "[[sections.items]] 表（两层方括号）",
}
_ID_RE = re.compile(r"[a-z0-9_-]+")
_ITEM_ID_RE = re.compile(r"(\d+)\.(\d+)")

# Chinese hints for the tomllib messages a clerk is most likely to meet.
_TOML_HINTS = {
    "Invalid value": '值的写法不对：文字要用英文双引号 " "，true/false 要小写，数字不加引号',
    "Cannot overwrite a value": "同一个字段写了两次",
    "Cannot declare": "同一个表写了两次；检查项要用 [[sections.items]]（两层方括号）",
    "Unclosed array": "方括号 [ ] 没有配对",
    "Unterminated string": "引号没有配对",
    "Illegal character": "引号没有配对，或用了不允许的字符",
    "Expected '=' after a key": "字段名后面缺少等号 =",
    "Invalid statement": "这一行不是“字段 = 值”的形式；字段名只能用英文字母、数字、下划线",
    "Expected newline or end of document": "一行只能写一个“字段 = 值”，或引号多了一个",
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "strs":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


class _Reader:
    """Reads one file, collecting every problem instead of stopping at the first."""

    def __init__(self, file: str):
        self.file = file
        # Each problem as error(message) or error(message, item_id).
        self.c = Problems(lambda message, item_id=None: TemplateProblem(file, item_id, message))

    def fields(self, table: dict, spec: dict, where: str, item_id: str | None = None) -> dict:
        """Checks keys and types; returns every known key, None where the value is missing or wrong."""
        values: dict[str, Any] = {}
        for key in table:
            if key not in spec:
                close = difflib.get_close_matches(key, spec, n=1)
                hint = f"（是否想写 {close[0]}？）" if close else f"；可用的字段：{'、'.join(spec)}"
                self.c.error(f"{where}有未知字段 {key}{hint}", item_id)
        for key, (kind, required, default) in spec.items():
            if key not in table:
                if required:
                    self.c.error(f"{where}缺少字段 {key}，请补上", item_id)
                values[key] = None if required else default
            elif not _type_ok(table[key], kind):
                self.c.error(f"{where}字段 {key} 应为{_TYPE_NAMES[kind]}，现在是 {table[key]!r}", item_id)
                values[key] = None
            else:
                values[key] = table[key]
        return values

    def read(self, data: dict) -> Template | None:
        for key in data:
            if key not in ("template", "sections"):
                self.c.error(f"有未知的表或字段 {key}；文件只能包含 [template] 和 [[sections]]")
        head = data.get("template")
        if not isinstance(head, dict):
            self.c.error("缺少 [template] 表（编号、版本、标题、产品类型、产品类别），请照模板格式说明补上")
            head = {}
        t = self.fields(head, _TEMPLATE_KEYS, "[template] 中")
        self.check_head(t)

        raw_sections = data.get("sections")
        if raw_sections is None or raw_sections == []:
            self.c.error("没有任何检查部分，请至少写一个 [[sections]] 并在其中写 [[sections.items]]")
            raw_sections = []
        elif not _type_ok(raw_sections, "tables"):
            self.c.error("sections 应写成 [[sections]]（两层方括号），每个检查部分一个")
            raw_sections = []

        seen_nos: set[int] = set()
        seen_ids: set[str] = set()
        sections = tuple(
            self.read_section(raw, index, t["product_kind"], seen_nos, seen_ids)
            for index, raw in enumerate(raw_sections, start=1)
        )

        if self.c.errors:
            return None
        return make_template(
            id=t["id"],
            version=t["version"],
            title=t["title"],
            product_kind=t["product_kind"],
            categories=tuple(t["categories"]),
            source=t["source"],
            sections=sections,
            footnotes=tuple(t["footnotes"]),
        )

    def check_head(self, t: dict) -> None:
        if t["id"] is not None and not _ID_RE.fullmatch(t["id"]):
            self.c.error(f'[template] 中 id “{t["id"]}” 只能用小写英文字母、数字、- 和 _，如 "industrial"')
        if t["version"] is not None and t["version"] < 1:
            self.c.error("[template] 中 version 应为从 1 开始的整数，内容每改一次加 1")
        if t["title"] is not None and not t["title"].strip():
            self.c.error("[template] 中 title 为空，请填写记录表标题")
        kind = t["product_kind"]
        if kind is not None and kind not in catalog.PRODUCT_KINDS:
            self.c.error(f"[template] 中 product_kind “{kind}” 不认识，只能是 {_kinds_text()}")
            t["product_kind"] = None
        categories = t["categories"]
        if categories == []:
            self.c.error("[template] 中 categories 为空，请至少写一个产品类别")
        for category in categories or []:
            if category not in catalog.PRODUCT_CATEGORIES:
                full = catalog.CATEGORY_SYNONYMS.get(category)
                hint = f"请写全称“{full}”" if full else f"可用的类别：{'、'.join(catalog.PRODUCT_CATEGORIES)}"
                self.c.error(f"[template] 中产品类别“{category}”不认识，{hint}")
            elif t["product_kind"] and catalog.product_kind(category) != t["product_kind"]:
                self.c.error(
                    f"[template] 中产品类别“{category}”属于{catalog.PRODUCT_KINDS[catalog.product_kind(category)]}，"
                    f"但本模板的 product_kind 是 {t['product_kind']}；请把它移到对应的模板中"
                )
        if categories and len(set(categories)) != len(categories):
            self.c.error("[template] 中 categories 有重复的产品类别，请删去重复项")
        if any(not note.strip() for note in t["footnotes"] or []):
            self.c.error("[template] 中 footnotes 有空的备注，请删去或填写")

    def read_section(self, raw: dict, index: int, kind: str | None, seen_nos: set[int], seen_ids: set[str]) -> Section:
        where = f"第 {index} 个 [[sections]] "
        if _type_ok(raw.get("no"), "int"):
            where = f"第 {raw['no']} 部分" + (f"（{raw['title']}）" if isinstance(raw.get("title"), str) else "")
        s = self.fields(raw, _SECTION_KEYS, where)
        no = s["no"]
        if no is not None:
            if no < 1:
                self.c.error(f"{where}的编号 no 应为从 1 开始的整数")
            elif no in seen_nos:
                self.c.error(f"{where}的编号 no = {no} 与前面的部分重复，请改为不同的编号")
            seen_nos.add(no)
        if s["title"] is not None and not s["title"].strip():
            self.c.error(f"{where}的 title 为空，请填写检查项目名称")
        if s["items"] == []:
            self.c.error(f"{where}没有检查内容，请至少写一个 [[sections.items]]")
        items = tuple(
            self.read_item(raw_item, position, no, s["title"], kind, seen_ids)
            for position, raw_item in enumerate(s["items"] or [], start=1)
        )
        return Section(no=no, title=s["title"], items=items)

    def read_item(
        self,
        raw: dict,
        position: int,
        section_no: int | None,
        section_title: str | None,
        kind: str | None,
        seen_ids: set[str],
    ) -> TemplateItem:
        # Problems of an item with a usable id are reported under that id, others by position.
        item_id = raw.get("id") if isinstance(raw.get("id"), str) and raw.get("id") else None
        where = "" if item_id else f"第 {section_no or '?'} 部分第 {position} 个检查项"
        v = self.fields(raw, _ITEM_KEYS, where, item_id)

        if item_id is not None:
            match = _ITEM_ID_RE.fullmatch(item_id)
            if not match:
                self.c.error('编号 id 应写成“部分号.序号”，如 "2.3"', item_id)
            elif section_no is not None and int(match.group(1)) != section_no:
                self.c.error(f'编号 id 应以所在部分的编号 {section_no}. 开头（如 "{section_no}.1"）', item_id)
            if item_id in seen_ids:
                self.c.error("编号 id 与前面的检查项重复，请改为不同的编号", item_id)
            seen_ids.add(item_id)
        elif raw.get("id") == "":
            self.c.error(f'{where}编号 id 为空，请填写如 "2.3"')

        if v["text"] is not None and not v["text"].strip():
            self.c.error(f"{where}检查内容 text 为空，请照记录表原文填写", item_id)
        if v["category"] is not None and v["category"] not in catalog.PROBLEM_CATEGORIES:
            self.c.error(
                f"{where}问题分类 category “{v['category']}” 不认识，只能是{'、'.join(catalog.PROBLEM_CATEGORIES)}之一",
                item_id,
            )
        categories = self.check_categories(v["category"], v["categories"], where, item_id)
        checkpoint = v["checkpoint"]
        if checkpoint and checkpoint not in catalog.CHECKPOINTS:
            self.c.error(
                f"{where}检查重点 checkpoint = {checkpoint} 超出范围，应为 1–{len(catalog.CHECKPOINTS)}"
                "（《上海市工业产品生产许可证证后监督检查管理办法》第二十五条），不对应任何检查重点时写 0 或不写",
                item_id,
            )
        applies_to = v["applies_to"]
        if applies_to == []:
            self.c.error(f"{where}applies_to 为空，请写 {_kinds_text()} 中的至少一个，或删去此字段表示都适用", item_id)
        for k in applies_to or []:
            if k not in catalog.PRODUCT_KINDS:
                self.c.error(f"{where}applies_to 中的“{k}”不认识，只能是 {_kinds_text()}", item_id)
        na_allowed, na_reason = v["na_allowed"], v["na_reason"]
        if na_allowed and na_reason is not None and not na_reason.strip():
            self.c.error(
                f'{where}允许“不适用”（na_allowed = true）时须在 na_reason 写明记录表给出的理由，如 "停产不适用"',
                item_id,
            )
        if na_allowed is False and na_reason:
            self.c.error(
                f"{where}写了 na_reason 但 na_allowed = false；允许不适用请设 na_allowed = true，否则删去 na_reason",
                item_id,
            )
        # 002 附件2: an item not for this product kind is answered 不适用 automatically, so the form must allow it.
        if kind and applies_to and kind not in applies_to and na_allowed is False:
            self.c.error(
                f"{where}本模板用于{catalog.PRODUCT_KINDS[kind]}，此项却不适用于它，将自动记为“不适用”；"
                '请设 na_allowed = true 并在 na_reason 写明理由（如 "适用于食品相关产品"）',
                item_id,
            )
        # Built even when something is wrong: read() discards the whole template if there was any problem.
        # (None only where a problem was reported: the casts hold for every template read() keeps.)
        return TemplateItem(
            id=cast(str, item_id),
            section_no=cast(int, section_no),
            section_title=cast(str, section_title),
            text=v["text"],
            na_allowed=na_allowed,
            na_reason=na_reason,
            applies_to=tuple(applies_to or ()),
            category=v["category"],
            checkpoint=checkpoint or None,
            note=v["note"],
            categories=categories,
        )

    def check_categories(
        self, category: str | None, categories: list[str] | None, where: str, item_id: str | None
    ) -> tuple[str, ...]:
        """The problem categories a finding on the item may be counted under; `category` is the default."""
        if categories is None:
            return (category,) if category is not None else ()
        if not categories:
            self.c.error(f"{where}问题分类 categories 为空；没有可选类别时请删去此字段", item_id)
            return ()
        known = "、".join(catalog.PROBLEM_CATEGORIES)
        for c in categories:
            if c not in catalog.PROBLEM_CATEGORIES:
                self.c.error(f"{where}可选问题分类 categories 中的“{c}”不认识，只能是{known}之一", item_id)
        twice = sorted({c for c in categories if categories.count(c) > 1}, key=categories.index)
        if twice:
            self.c.error(f"{where}可选问题分类 categories 中“{'、'.join(twice)}”重复，请删去重复项", item_id)
        if category is not None and category not in categories:
            self.c.error(
                f"{where}默认问题分类 category “{category}” 不在 categories 中；categories 须包含 category，"
                f'如 categories = ["{category}", "{next((c for c in categories if c != category), "其他")}"]',
                item_id,
            )
        return tuple(categories)


def _kinds_text() -> str:
    return " 或 ".join(f'"{k}"（{label}）' for k, label in catalog.PRODUCT_KINDS.items())


def _toml_problem(file: str, error: tomllib.TOMLDecodeError) -> TemplateProblem:
    message = str(error)
    position = re.search(r"\(at line (\d+), column (\d+)\)", message)
    where = f"第 {position.group(1)} 行第 {position.group(2)} 列" if position else "文件末尾"
    hint = next((text for key, text in _TOML_HINTS.items() if message.startswith(key)), "")
    original = re.sub(r"\s*\(at [^)]*\)$", "", message)
    message = f"TOML 语法错误，{where}：{hint or '写法不对'}（{original}）。请改正这一行后再试"
    return TemplateProblem(file, None, message)


def read_template_file(path: Path) -> tuple[Template | None, list[TemplateProblem]]:
    """The template of one file, or None; and every problem found in it (empty when it is good)."""
    file = path.name
    try:
        # utf-8-sig: Windows Notepad may save UTF-8 with a byte-order mark.
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        return None, [TemplateProblem(file, None, f"无法读取文件（{e.strerror}），请检查文件是否存在、是否有权限")]
    except UnicodeDecodeError:
        return None, [TemplateProblem(file, None, "文件不是 UTF-8 编码，请用记事本“另存为”并选择 UTF-8 编码")]
    try:
        data = load_toml(text)
    except UnsafeInput as e:
        return None, [TemplateProblem(file, None, str(e))]
    except tomllib.TOMLDecodeError as e:
        return None, [_toml_problem(file, e)]
    reader = _Reader(file)
    template = reader.read(data)
    return template, reader.c.errors
