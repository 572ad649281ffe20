"""One row of the file: which column holds which field (Layout) and the checks of a row on its own."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from inspector_app.core import catalog
from inspector_app.core.errors import ValidationError
from inspector_app.core.identifiers import normalize_uscc, parse_license_number
from inspector_app.core.problems import Problems
from inspector_app.core.roster.base import RowError, refuse
from inspector_app.core.roster.columns import BY_KEY, COLUMNS, HEADER_INDEX, norm_header
from inspector_app.core.roster.sheets import is_filled
from inspector_app.core.roster.values import (
    cell_text,
    parse_category,
    parse_classification,
    parse_date,
    parse_district,
    parse_risk,
)
from inspector_app.i18n import _


@dataclass(slots=True)
class Rec:
    row: int
    uscc: str
    name: str
    legal_rep: str
    contact: str
    phone: str
    address: str
    district: str
    site_address: str
    number: str
    category: str
    products: str
    issue_date: date | None
    expiry_date: date | None
    classification: str
    risk_level: str
    issuance: str = ""  # catalog.ISSUANCE_MODES code, "" when the column is empty


class Layout:
    """Which column of the file holds which field, and the header text to name in messages."""

    def __init__(self, path: Path, header_row: int, cells: Sequence[object], problems: Problems[RowError]):
        self.index: dict[str, int] = {}
        self.header: dict[str, str] = {}
        for i, raw in enumerate(cells):
            label = cell_text(raw)
            if not label:
                continue
            key = HEADER_INDEX.get(norm_header(raw))
            if key is None:
                problems.warn(header_row, label, _("不是可识别的列，已忽略"))
                continue
            if key in self.index:
                canonical = BY_KEY[key].header if key in BY_KEY else label
                raise refuse(
                    path,
                    _("第{row}行的列“{a}”和“{b}”都表示“{c}”，请删去其中一列").format(
                        row=header_row, a=self.header[key], b=label, c=canonical
                    ),
                )
            self.index[key] = i
            self.header[key] = label
        if "validity" in self.index and "expiry_date" in self.index:
            message = _("已有“{h}”列，此列已忽略").format(h=self.header["expiry_date"])
            problems.warn(header_row, self.header["validity"], message)
            del self.index["validity"]
        missing = [
            c.header
            for c in COLUMNS
            if c.required and c.key not in self.index and not (c.key == "expiry_date" and "validity" in self.index)
        ]
        if missing:
            raise refuse(
                path,
                _("缺少必需的列：{m}（表头在第{row}行）").format(
                    m="、".join(f"“{h}”" for h in missing), row=header_row
                ),
            )

    def name(self, key: str) -> str:
        return self.header.get(key, BY_KEY[key].header if key in BY_KEY else key)


def validate_row(n: int, cells: Sequence[object], layout: Layout, problems: Problems[RowError]) -> Rec | None:
    idx = layout.index
    width = len(cells)

    texts = {key: cell_text(cells[i]) if i < width else "" for key, i in idx.items()}

    def raw(key: str) -> object:
        i = idx.get(key)
        return cells[i] if i is not None and i < width else None

    def text(key: str) -> str:
        return texts.get(key, "")

    def err(key: str, message: str) -> None:
        problems.error(n, layout.name(key), message)

    start = problems.mark()
    empty = [c.key for c in COLUMNS if c.required and c.key in idx and not text(c.key)]
    if len(empty) > 3:  # a note, total or explanation row under the table, not a half-filled license
        names = "、".join(f"“{layout.name(k)}”" for k in empty)
        problems.error(n, "", _("必填的 {c} 都是空的；如果这是备注、合计或说明行，请删除这一行").format(c=names))
        return None
    for key in empty:
        err(key, _("不能为空"))

    uscc = ""
    if "uscc" not in empty:
        raw_uscc = raw("uscc")
        shown = text("uscc")
        if isinstance(raw_uscc, float) or ("E" in shown.upper() and re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", shown)):
            err(
                "uscc",
                _("“{v}”被 Excel 显示成了科学计数法，后几位已经丢失；请把该列设为“文本”格式，重新填写代码").format(
                    v=shown
                ),
            )
        else:
            try:
                uscc = normalize_uscc(shown)
            except ValidationError as exc:
                err("uscc", exc.reason)

    number = ""
    if "number" not in empty:
        try:
            lic = parse_license_number(text("number"))
            number = lic.text
            if lic.warning:
                problems.warn(n, layout.name("number"), lic.warning)
        except ValidationError as exc:
            err("number", exc.reason)

    district = ""
    if "district" not in empty:
        district = parse_district(text("district")) or ""
        if not district:
            err(
                "district",
                _("“{v}”不是上海市的区，应为 {all} 之一").format(v=text("district"), all="、".join(catalog.DISTRICTS)),
            )

    category = ""
    if "category" not in empty:
        category = parse_category(text("category")) or ""
        if not category:
            err(
                "category",
                _("“{v}”不是发证目录内的产品类别，应为 {all} 之一（也可写“食品相关产品”等简称）").format(
                    v=text("category"), all="、".join(catalog.PRODUCT_CATEGORIES)
                ),
            )
        elif number and "XK16-" in number and category != catalog.FOOD_CATEGORY:
            problems.warn(
                n,
                layout.name("category"),
                _("许可证编号为 XK16（食品相关产品），但产品类别为“{c}”，请核对").format(c=category),
            )

    issue = expiry = None
    if "validity" in idx and is_filled(raw("validity")):
        issue, expiry = _validity(raw("validity"), lambda m: err("validity", m))
    elif "validity" in idx:
        err("validity", _("不能为空"))
    if is_filled(raw("issue_date")):
        try:
            issue = parse_date(raw("issue_date"))
        except ValueError as exc:
            err("issue_date", str(exc))
    if "expiry_date" not in empty and "expiry_date" in idx:
        try:
            expiry = parse_date(raw("expiry_date"))
        except ValueError as exc:
            err("expiry_date", str(exc))
    if issue and expiry and expiry <= issue:
        key = "expiry_date" if "expiry_date" in idx else "validity"
        err(key, _("有效期至 {e} 不晚于发证日期 {i}，请核对").format(e=expiry.isoformat(), i=issue.isoformat()))

    classification = ""
    if text("classification"):
        classification = parse_classification(text("classification")) or ""
        if not classification:
            err("classification", _("“{v}”不是有效的企业分类，应为 AA、A、B 或 C").format(v=text("classification")))
    risk = ""
    if text("risk_level"):
        risk = parse_risk(text("risk_level")) or ""
        if not risk:
            message = _("“{v}”不是有效的风险等级，应为 I、II 或 III（Ⅰ、Ⅱ、Ⅲ 也可）")
            err("risk_level", message.format(v=text("risk_level")))

    issuance = ""
    if text("issuance"):
        issuance = catalog.ISSUANCE_SYNONYMS.get(re.sub(r"\s+", "", text("issuance")), "")
        if not issuance:
            err(
                "issuance",
                _("“{v}”不是审批方式，应为 {all} 之一").format(
                    v=text("issuance"), all="、".join(catalog.ISSUANCE_MODES.values())
                ),
            )

    if problems.errors_since(start):
        return None
    return Rec(
        row=n,
        uscc=uscc,
        name=text("name"),
        legal_rep=text("legal_rep"),
        contact=text("contact"),
        phone=text("phone"),
        address=text("address"),
        district=district,
        site_address=text("site_address"),
        number=number,
        category=category,
        products=text("products"),
        issue_date=issue,
        expiry_date=expiry,
        classification=classification,
        risk_level=risk,
        issuance=issuance,
    )


def _validity(value: object, err: Callable[[str], None]) -> tuple[date | None, date | None]:
    if not isinstance(value, str):
        try:
            return None, parse_date(value)
        except ValueError as exc:
            err(str(exc))
            return None, None
    text = unicodedata.normalize("NFKC", value).strip()
    parts = [p for p in re.split(r"\s*(?:至|到|~|—|--|\s-\s)\s*", text) if p]
    try:
        if len(parts) == 2:
            return parse_date(parts[0]), parse_date(parts[1])
        if len(parts) == 1:
            return None, parse_date(parts[0])
    except ValueError as exc:
        err(str(exc))
        return None, None
    err(_("“{v}”应写成“2022-03-01至2027-02-28”或只写有效期截止日期").format(v=value))
    return None, None
