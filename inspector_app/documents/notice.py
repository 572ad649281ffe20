"""责令整改通知书 — the rectification notice (001 §27: 责令企业限期整改，并在规定的整改期限到期后进行复查).

Issued by the bureau (name, seal text, legal basis and re-inspection wording from settings; the basis in force
on the notice's date for the enterprise's products, core/issuing/legal_basis.py) under a
document number from core/issuing/numbers.py; lists the problems that were not rectified on the spot, the
deadline (signing date + the period in days), what happens at re-inspection, and ends with the receipt
(送达回证) the enterprise signs when it is served.

Set in the GB/T 9704 faces (documents/fonts.py): the title in 小标宋 (Noto Serif bold stands in: we found no
freely licensed 小标宋), the text in 仿宋 (XCJC Fangsong), the receipt's heading and labels and the deadline in 黑体.
"""

from __future__ import annotations

from typing import TypedDict

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from inspector_app.core.errors import DomainError
from inspector_app.core.issuing.doc_types import NOTICE
from inspector_app.documents import fonts, layout
from inspector_app.documents.data import DocData, cn_date
from inspector_app.i18n import _


class _Layout(TypedDict):
    margins_mm: tuple[float, float, float, float]
    title: str
    opening: str
    order: str
    contact: str
    title_pt: float  # GB/T 9704: title 二号 (22 pt)
    body_pt: float  # GB/T 9704: body 三号 (16 pt)
    seal_mm: float
    receipt_title: str
    receipt_rows: tuple[tuple[str, str], ...]
    receipt_col_mm: tuple[float, float]


LAYOUT: _Layout = {
    "margins_mm": (20, 24, 28, 26),
    "title": "责令整改通知书",
    "opening": "{date}，本局检查人员{team}对你单位{site}（生产许可证编号：{license}；获证产品：{products}）"
    "进行了{kind}监督检查，发现你单位存在下列问题：",
    "order": "依据{basis}的规定，现责令你单位于<b>{deadline}</b>前完成整改（整改期限{days}日），"
    "并将整改情况书面报告本局。",
    "contact": "联系人：{leader}&nbsp;&nbsp;&nbsp;&nbsp;联系电话：{phone}",
    "title_pt": 22,  # GB/T 9704: title 二号 小标宋
    "body_pt": 16,  # GB/T 9704: addressee and text 三号 仿宋 (the receipt goes to page 2 as at 12.5 pt)
    "seal_mm": 36,  # diameter of the seal position circle (the seal overlaps the issuer lines, as stamped)
    "receipt_title": "送 达 回 证",
    "receipt_rows": (
        ("文书名称及文号", "《责令整改通知书》{number}"),
        ("受送达单位", "{enterprise}"),
        ("送达地点", "{site}"),
        ("受送达人签收", ""),
        ("签收日期", "&nbsp;" * 16 + "年" + "&nbsp;" * 6 + "月" + "&nbsp;" * 6 + "日"),
        ("送达人", "{team}"),
        ("备注", "受送达人拒绝签收的，由送达人在此注明情况，并由见证人签字。"),
    ),
    "receipt_col_mm": (38, 122),
}


def _fs(w: layout.Writer, value: str | None, where: str) -> str:
    """User text for a 仿宋 paragraph: checked against the regular face (GBK), and what 仿宋 (GB 2312) lacks
    set in that face, so an enterprise or a person named with a rarer character still prints whole."""
    return fonts.fallback_markup(w.t(value, where), fonts.FANGSONG)


def _notice_styles(w: layout.Writer) -> None:
    L = LAYOUT
    size = L["body_pt"]
    for name in ("body", "left", "right", "cell_c"):
        w.st[name].fontName = fonts.FANGSONG
    w.st["body"].fontSize, w.st["body"].leading, w.st["body"].firstLineIndent = size, size * 1.6, 2 * size
    w.st["title"].fontSize, w.st["title"].leading = L["title_pt"], L["title_pt"] * 1.4
    w.st["addressee"] = w.st["left"].clone("addressee", fontSize=size, leading=size * 1.6)
    w.st["heading"] = w.st["subtitle"].clone("heading", fontName=fonts.HEI)


class SealPosition(Flowable):
    """The dashed circle where the bureau's seal is stamped, with its text; the issuer lines to its left."""

    def __init__(self, lines: list[str], seal_text: str, diameter: float, width: float):
        super().__init__()
        self.lines, self.seal_text, self.d, self.width = lines, seal_text, diameter, width
        self.height = 22 * mm

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        c = self.canv
        cx, cy, r = self.width - self.d / 2 - 8 * mm, self.height / 2, self.d / 2
        c.saveState()
        c.setStrokeColor(layout.LIGHT)
        c.setDash(3, 2)
        c.circle(cx, cy, r, stroke=1, fill=0)
        c.setFillColor(layout.LIGHT)
        c.setFont(fonts.FANGSONG, 8)
        c.drawCentredString(cx, cy - r + 4 * mm, "（盖章处）")
        c.restoreState()
        c.setFont(fonts.FANGSONG, 12)
        y = cy + 2 * mm
        for line in self.lines:
            c.drawCentredString(cx, y, line)
            y -= 8 * mm
        _ = self.seal_text


def build(data: DocData, *, strict: bool = True) -> tuple[bytes, list[str]]:
    """The rectification notice as PDF bytes (unsigned) and the glyph warnings (non-strict mode)."""
    L = LAYOUT
    problems = data.problems(include_rectified=False)
    if not problems:
        raise DomainError(
            _("本次检查没有需要限期整改的问题（不符合项均已当场整改或没有不符合项），无需出具责令整改通知书。")
        )
    check = fonts.GlyphCheck(strict=strict)
    w = layout.Writer(check, base=11)
    _notice_styles(w)
    info = data.info
    bureau = w.t(data.setting("bureau.name"), "设置：局名", fonts.BOLD)
    team = "、".join(_fs(w, m["name"], "检查人员") for m in data.team)
    number = _fs(w, data.number, "文书编号")
    width = (210 - L["margins_mm"][1] - L["margins_mm"][3]) * mm

    story: list = [
        w.p(bureau, "subtitle"),
        Spacer(1, 2 * mm),
        w.p(L["title"], "title"),
        Spacer(1, 1 * mm),
        w.p(number, "right"),
        Spacer(1, 5 * mm),
        w.p(_fs(w, info["enterprise_name"], "企业名称") + "：", "addressee"),
        Spacer(1, 1 * mm),
        w.p(
            L["opening"].format(
                date=cn_date(data.inspected_on),
                team=team,
                site=("（生产地址：" + _fs(w, info["site_address"], "生产地址") + "）") if info["site_address"] else "",
                license=_fs(w, info["license_number"] or "—", "生产许可证编号"),
                products=_fs(w, info["license_products"] or "—", "获证产品"),
                kind=data.kind_label if not data.is_double_random else "“双随机、一公开”",
            ),
            "body",
        ),
    ]
    for pr in problems:
        where = f"问题{pr.no}（检查项 {pr.label}）"
        para = w.p(
            f"{pr.no}. {_fs(w, pr.answer.record, where + '检查记录')}"
            f"（检查项 {pr.label} {_fs(w, pr.item.section_title, where)}）",
            "body",
        )
        size = w.st["body"].fontSize
        para.style = w.st["body"].clone("problem", firstLineIndent=-size, leftIndent=3 * size, bulletIndent=2 * size)
        story.append(para)
    basis = _fs(w, data.legal_basis, "设置：整改通知书法律依据")
    story.append(w.p(L["order"].format(basis=basis, deadline=cn_date(data.deadline), days=data.days), "body"))
    story.append(w.p(_fs(w, data.setting("notice.reinspection"), "设置：复查说明"), "body"))
    leader = _fs(w, data.team[0]["name"], "检查组组长") if data.team else ""
    phone = _fs(w, data.setting("bureau.contact_phone"), "设置：局联系电话") or "<u>" + "&nbsp;" * 24 + "</u>"
    story += [Spacer(1, 2 * mm), w.p(L["contact"].format(leader=leader, phone=phone), "body"), Spacer(1, 6 * mm)]
    seal_text = w.t(data.setting("bureau.seal_text"), "设置：印章文字")
    story.append(
        SealPosition(
            [check.text(data.setting("bureau.name"), "设置：局名", fonts.FANGSONG), cn_date(data.state.signed_on)],
            seal_text,
            L["seal_mm"] * mm,
            width,
        )
    )

    # the receipt, below a cut line
    rows = []
    for label, template in L["receipt_rows"]:
        text = template.format(
            number=number,
            enterprise=_fs(w, info["enterprise_name"], "企业名称"),
            site=_fs(w, info["site_address"], "生产地址"),
            team=team,
        )
        rows.append([w.p(f"<b>{label}</b>", "cell_c"), w.p(text, "left")])
    receipt = Table(
        rows,
        colWidths=[c * mm for c in L["receipt_col_mm"]],
        rowHeights=[None, None, None, 13 * mm, None, None, None],
        style=layout.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, layout.GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )
    story.append(
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                w.p(" -" * 24 + "（沿此线剪下）" + "- " * 24, "cell_c"),
                Spacer(1, 1 * mm),
                w.p(L["receipt_title"], "heading"),
                Spacer(1, 2 * mm),
                receipt,
            ]
        )
    )

    furniture = layout.Furniture(
        doc_type=NOTICE,
        title=L["title"],
        inspection_id=data.inspection_id,
        content_hash=data.state.current_hash,
        number=data.number,
        footer_note=data.number,
    )
    warnings = check.finish()
    pdf = layout.render(story, furniture, data, margins=tuple(v * mm for v in L["margins_mm"]))
    return pdf, warnings
