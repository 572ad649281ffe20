"""The document's shape: reading the JSON with Chinese hints for its syntax errors, field names and types."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inspector_app.core.catalog import PROBLEM_CATEGORIES, PRODUCT_KINDS
from inspector_app.core.errors import DomainError
from inspector_app.core.inspection.json_io.base import JSON_HINTS, ImportRefused
from inspector_app.core.inspection.templates import Template
from inspector_app.core.problems import Problems, placed
from inspector_app.core.safe_input import (
    MAX_JSON_BYTES,
    UnsafeInput,
    input_file,
    load_json,
)
from inspector_app.i18n import _


def new_collector() -> Problems[str]:
    """Problems of the file, each as `place in the file: message` (inspections[0].answers[3] (检查项 4.1): …)."""
    return Problems(placed)


def check_keys(c: Problems[str], obj: dict, allowed: Iterable[str], where: str, required: Iterable[str] = ()) -> None:
    """Unknown fields (with the closest known name as a hint) and missing required fields of one object."""
    allowed = tuple(allowed)
    for key in obj:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = (
                _("（是否想写 {k}？）").format(k=close[0])
                if close
                else _("；可用的字段：{k}").format(k="、".join(allowed))
            )
            c.error(where, _("未知字段“{k}”{hint}").format(k=key, hint=hint))
    for key in required:
        if key not in obj:
            c.error(where, _("缺少字段 {k}").format(k=key))


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float):
        return _("数字 {v}").format(v=value)
    if isinstance(value, str):
        return _("文字“{v}”").format(v=value)
    if isinstance(value, list):
        return _("列表")
    return _("对象")


def text_field(c: Problems[str], obj: dict, key: str, where: str, *, required: bool = False) -> str | None:
    """A string field (null counts as empty); None if it is missing-and-required or of the wrong type."""
    value = obj.get(key)
    if value is None:
        if required and key in obj:
            c.error(f"{where}.{key}", _("不能为空"))
        return None if required else ""
    if not isinstance(value, str):
        c.error(f"{where}.{key}", _("应为文字（用英文双引号括起来），现在是{t}").format(t=type_name(value)))
        return None
    if required and not value.strip():
        c.error(f"{where}.{key}", _("不能为空"))
        return None
    return value


def read_json(path: Path, c: Problems[str]) -> Any:
    try:
        if path.exists():  # a FIFO or device would block the read; a missing file is reported below
            input_file(path, _("检查记录文件"), max_bytes=MAX_JSON_BYTES)
    except DomainError as e:
        raise ImportRefused(str(path), [str(e)]) from None
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ImportRefused(str(path), [_("无法读取文件（{e}）").format(e=e.strerror or e)]) from e
    try:
        text = raw.decode("utf-8-sig")  # Notepad may save UTF-8 with a byte-order mark
    except UnicodeDecodeError as e:
        raise ImportRefused(
            str(path), [_("文件不是 UTF-8 编码（第 {n} 个字节），请另存为 UTF-8 编码").format(n=e.start + 1)]
        ) from e
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict:
        obj: dict = {}
        for key, value in items:
            if key in obj:
                duplicates.append(key)
            obj[key] = value
        return obj

    try:
        data = load_json(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as e:
        hint = next((h for k, h in JSON_HINTS.items() if e.msg.startswith(k)), _("写法不对"))
        message = _("JSON 格式错误，第 {line} 行第 {col} 列：{hint}（{msg}）").format(
            line=e.lineno, col=e.colno, hint=hint, msg=e.msg
        )
        raise ImportRefused(str(path), [message]) from e
    except UnsafeInput as e:
        raise ImportRefused(str(path), [str(e)]) from None
    for key in dict.fromkeys(duplicates):
        c.error("", _("同一个对象中字段“{k}”写了两次，请只保留一个").format(k=key))
    return data


def squash(text: str) -> str:
    """Compare addresses and numbers ignoring width (全角/半角) and spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def snapshot_problem(template: Template) -> str | None:
    """A template snapshot carried by a file must at least be usable as a form."""
    if template.product_kind not in PRODUCT_KINDS:
        return _("模板快照的 product_kind “{k}” 不认识").format(k=template.product_kind)
    ids = [i.id for i in template.items]
    if not ids or len(set(ids)) != len(ids):
        return _("模板快照没有检查项或检查项编号重复")
    for item in template.items:
        if not item.applies(template.product_kind) and not item.na_allowed:
            return _("模板快照中检查项 {i} 不适用于本产品类别却不允许“不适用”").format(i=item.id)
        cats = item.categories
        if item.category not in cats or len(set(cats)) != len(cats) or not set(cats) <= set(PROBLEM_CATEGORIES):
            return _("模板快照中检查项 {i} 的问题分类不正确").format(i=item.id)
    return None
