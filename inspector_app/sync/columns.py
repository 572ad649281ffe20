"""Column values to and from JSON: each column's encoder and checking decoder, chosen once from its type.

A decoder raises ValueError with a Chinese reason (the importer adds kind, line, id and field).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from inspector_app.core.safe_input import check_date
from inspector_app.i18n import _
from inspector_app.sync.format import b64, unb64


def _to_json(col: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        return value.isoformat()
    if isinstance(t, sa.Date):
        return value.isoformat()
    if isinstance(t, sa.LargeBinary):
        return b64(value)
    if isinstance(t, sa.Boolean):
        return bool(value)
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        return str(value)
    return value


def _from_json(col: sa.Column, value: Any) -> Any:
    """Convert and check one value; raise ValueError with a Chinese reason."""
    if value is None:
        if not col.nullable:
            raise ValueError(_("不能为空"))
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        if not isinstance(value, str):
            raise ValueError(_("应为日期时间"))
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(_("日期时间“{v}”无效").format(v=value[:40])) from None
        check_date(moment)  # 9999-12-20 would overflow every deadline computed from it (issue 13 §4)
        return moment.replace(tzinfo=None) if moment.tzinfo is None else moment
    if isinstance(t, sa.Date):
        if not isinstance(value, str):
            raise ValueError(_("应为日期"))
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(_("日期“{v}”无效").format(v=value[:40])) from None
        return check_date(day)
    if isinstance(t, sa.Boolean):
        if not isinstance(value, bool):
            raise ValueError(_("应为是/否"))
        return value
    if isinstance(t, sa.Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(_("应为整数"))
        if not -(2**63) <= value < 2**63:
            raise ValueError(_("整数超出范围"))
        return value
    if isinstance(t, sa.Float):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(_("应为数值"))
        return float(value)
    if isinstance(t, sa.Numeric):
        from decimal import Decimal, InvalidOperation

        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("应为数值")) from None
    if isinstance(t, sa.LargeBinary):
        try:
            return unb64(value)
        except (ValueError, TypeError, AttributeError):
            raise ValueError(_("应为base64编码的数据")) from None
    if isinstance(t, sa.String):  # String and Text
        if not isinstance(value, str):
            raise ValueError(_("应为文本"))
        if "\x00" in value:
            raise ValueError(_("含有空字符"))
        if t.length is not None and len(value) > t.length:
            raise ValueError(_("超过{n}个字符").format(n=t.length))
        return value
    raise ValueError(_("不支持的字段类型"))


def _isoformat(v: Any) -> Any:
    return None if v is None else v.isoformat()


def encoder(col: sa.Column) -> Callable[[Any], Any] | None:
    """The JSON encoder of one column, chosen once (None: the value is already JSON)."""
    t = col.type
    if isinstance(t, sa.Date | sa.DateTime):
        return _isoformat
    if isinstance(t, sa.String | sa.Integer | sa.Float) and not isinstance(t, sa.Boolean):
        return None
    return lambda v: _to_json(col, v)


def decoder(col: sa.Column) -> Callable[[Any], Any]:
    """The checking decoder of one column, chosen once: a fast path for text, the general one otherwise."""
    t = col.type
    if isinstance(t, sa.String) and not isinstance(t, sa.Enum):
        length, nullable = t.length, col.nullable

        def text(value: Any) -> Any:
            if value.__class__ is str:
                if (length is not None and len(value) > length) or "\x00" in value:
                    return _from_json(col, value)  # the general path words the refusal
                return value
            if value is None and nullable:
                return None
            return _from_json(col, value)

        return text
    return lambda value: _from_json(col, value)


def encode_row(codecs: list[tuple[str, Callable | None]], m) -> dict:
    return {name: (m[name] if enc is None else enc(m[name])) for name, enc in codecs}
