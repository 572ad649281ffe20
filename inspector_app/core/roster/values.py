"""One cell's value as a ledger writes it: text, dates (incl. Excel serials), district, category, class, risk."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime, timedelta

from inspector_app.core import catalog
from inspector_app.core.safe_input import check_date
from inspector_app.core.spreadsheet_text import unquote
from inspector_app.i18n import _

_SPACES = re.compile(r"\s+")


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str:  # the common case, kept fast for 100,000-row files
        text = value.strip()
        if text[:1] == "'":  # our CSV export's guard against formulas (core/spreadsheet_text.py)
            text = unquote(text)
        if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\u3000" in text:
            text = _SPACES.sub(" ", text.replace("\u3000", " ")).strip()
        return text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return _SPACES.sub(" ", str(value).replace("\u3000", " ")).strip()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object) -> date:
    """A date as a ledger writes it, within 1949–2100; raise ValueError with the reason in Chinese."""
    return check_date(_parse_date(value))


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value)  # the common case, kept fast
        except ValueError:
            pass
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d)
            except ValueError:
                raise ValueError(_("“{v}”不是存在的日期").format(v=value)) from None
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel date serial that lost its date format
        return _excel_serial(float(text))
    raise ValueError(_("“{v}”不是有效日期，应写成 2024-03-01、2024/3/1 或 2024年3月1日").format(v=value))


def _excel_serial(serial: float) -> date:
    if not 1 <= serial < 2958466:
        raise ValueError(_("“{v}”不是有效日期").format(v=serial))
    result = _EXCEL_EPOCH + timedelta(days=int(serial))
    if not 1950 <= result.year <= 2100:
        raise ValueError(_("“{v}”不是有效日期（换算为 {d}）").format(v=serial, d=result.isoformat()))
    return result


@functools.lru_cache(maxsize=512)
def parse_district(text: str) -> str | None:
    name = unicodedata.normalize("NFKC", text).replace(" ", "")
    name = re.sub(r"\(.*?\)$", "", name)  # 000 表1: "浦东新区（含自由贸易区）"
    name = name.removeprefix("上海市").removeprefix("上海")
    if name in catalog.DISTRICTS:
        return name
    for district in catalog.DISTRICTS:  # "奉贤" → 奉贤区, "浦东" → 浦东新区
        if name and district.startswith(name) and len(name) >= 2:
            return district
    return None


@functools.lru_cache(maxsize=512)
def parse_category(text: str) -> str | None:
    name = unicodedata.normalize("NFKC", text).replace(" ", "")
    name = catalog.CATEGORY_SYNONYMS.get(name, name)
    return name if name in catalog.PRODUCT_CATEGORIES else None


_CLASS_WORDS = {
    **{k: k for k in catalog.CLASSES},
    **{label: k for k, label in catalog.CLASSES.items()},
    **{mode: k for k, mode in catalog.SUPERVISION_MODES.items()},
    "责任监管": "A",  # 000 表2 uses 责任 / 常规 / 加严
    "常规监管": "B",
}
CLASS_ORDER = ("AA", "A", "B", "C")  # best to worst; 001 §31: the lowest class governs


@functools.lru_cache(maxsize=512)
def parse_classification(text: str) -> str | None:
    word = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    word = re.sub(r"(类|级|类企业)$", "", word)
    return _CLASS_WORDS.get(word)


RISK_ORDER = ("I", "II", "III")  # highest risk first
_RISK_WORDS = {"I": "I", "1": "I", "一": "I", "II": "II", "2": "II", "二": "II", "III": "III", "3": "III", "三": "III"}


@functools.lru_cache(maxsize=512)
def parse_risk(text: str) -> str | None:
    word = unicodedata.normalize("NFKC", text).replace(" ", "").upper()  # NFKC: Ⅰ Ⅱ Ⅲ → I II III
    word = re.sub(r"^(风险)?", "", word)
    word = re.sub(r"(级|类)?(\(.*\))?(风险)?$", "", word)
    return _RISK_WORDS.get(word)
