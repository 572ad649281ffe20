"""问题汇总表 — the problem summary handed to the enterprise at the end of the inspection (002 附件1).

Layout of the paper form: title; the enterprise's name on a line; the introduction; a two-column table:
license number and validity | licensed products; the numbered problems and the rectification period; team
signatures and date | representative's signature, contact and phone, the clear seal position for the
enterprise's 公章 (documents/seal_area.py), date; 备注 with the revocation
warning. A refused or absent representative is printed as a note in place of the signature (002 三(四)).
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from inspector_app.core.issuing.doc_types import SUMMARY
from inspector_app.documents import fonts, layout, seal_area
from inspector_app.documents.data import DocData, cn_date


class _Layout(TypedDict):
    margins_mm: tuple[float, float, float, float]
    col_mm: tuple[float, float]
    sig_mm: tuple[float, float]
    rep_sig_mm: tuple[float, float]
    title_double_random: str
    title: str
    intro: str
    intro_none: str
    how_double_random: str
    how: str
    problems_head: str
    no_problems: str
    period: str
    rectified: str


LAYOUT: _Layout = {
    "margins_mm": (22, 20, 30, 20),  # top, right, bottom (room for the QR mark), left
    "col_mm": (100, 70),  # left and right column of the table
    "sig_mm": (29, 12),  # one inspector's signature image (width, height); as many per row as fit
    "rep_sig_mm": (50, 16),
    "title_double_random": "“双随机、一公开”监督检查问题汇总表",
    "title": "监督检查问题汇总表",
    # 002 附件1 introduction; {bureau} from settings; {how} per inspection kind
    "intro": "根据{bureau}工作安排，检查组{how}，对你企业进行了证后监督检查，检查结果发现你企业存在以下问题，"
    "请企业按要求完成整改。",
    "intro_none": "根据{bureau}工作安排，检查组{how}，对你企业进行了证后监督检查，本次检查未发现问题。",
    "how_double_random": "按照“双随机、一公开”的监管方式",
    "how": "按照{kind}检查的方式",
    "problems_head": "现场检查发现问题汇总如下：",
    "no_problems": "本次检查未发现问题。",
    "period": "请企业在<u>&nbsp;{days}&nbsp;</u>日内（即{deadline}前）完成整改，并将整改情况报告{bureau}。",
    "rectified": "（已当场整改）",
}


def _date_or_blank(d: date | None) -> str:
    """The date, or the blanks the representative fills in by hand."""
    blank = "&nbsp;" * 8
    return cn_date(d) if d else f"{blank}年{blank}月{blank}日"


def _validity(data: DocData) -> str:
    info = data.info
    start = date.fromisoformat(info["license_issue_date"]) if info.get("license_issue_date") else None
    end = date.fromisoformat(info["license_expiry_date"]) if info.get("license_expiry_date") else None
    if not end:
        return ""
    return f"{cn_date(start)}—{cn_date(end)}" if start else f"至{cn_date(end)}"


def team_block(data: DocData, w: layout.Writer, width: float, size_mm: tuple[float, float]) -> Table:
    """The team's signatures side by side (as many as fit in `width`), each with the printed name under it."""
    sw, sh = size_mm[0] * mm, size_mm[1] * mm
    per_row = max(1, int(width // (sw + 2 * mm)))
    cells = []
    for sig in data.state.inspectors:
        where = f"检查组签字（{sig.name}）"
        name = w.p(w.t(sig.name, where), "cell_c")
        cells.append([layout.signature_flowable(sig, w, sw, sh, where), name])
    rows = []
    for i in range(0, len(cells), per_row):
        chunk = cells[i : i + per_row]
        chunk += [["", ""]] * (per_row - len(chunk))
        rows.append([c[0] for c in chunk])
        rows.append([c[1] for c in chunk])
    t = Table(rows, colWidths=[sw + 2 * mm] * per_row, hAlign="LEFT")
    t.setStyle(
        layout.table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return t


def representative_block(data: DocData, w: layout.Writer, size_mm: tuple[float, float]) -> list:
    """The representative's signature, or the refusal/absence note in its place."""
    rep = data.state.representative
    out = []
    if rep.state == "signed":
        out.append(layout.signature_flowable(rep, w, size_mm[0] * mm, size_mm[1] * mm, "企业代表签字"))
        who = w.t(rep.name, "企业代表姓名")
        if rep.title:
            who += "（" + w.t(rep.title, "企业代表职务") + "）"
        out.append(w.p(who, "cell"))
    else:
        out.append(w.p("<b>" + w.t(rep.note, "拒绝签字说明") + "</b>", "cell"))
    return out


def build(data: DocData, *, strict: bool = True) -> tuple[bytes, list[str]]:
    """The problem summary as PDF bytes (unsigned) and the glyph warnings (non-strict mode)."""
    L = LAYOUT
    check = fonts.GlyphCheck(strict=strict)
    w = layout.Writer(check)
    info = data.info
    bureau = w.t(data.setting("bureau.name"), "设置：局名")
    title = L["title_double_random"] if data.is_double_random else L["title"]
    how = L["how_double_random"] if data.is_double_random else L["how"].format(kind=data.kind_label)
    problems = data.problems()

    story: list = [
        w.p(title, "title"),
        Spacer(1, 5 * mm),
        w.p(layout.underline("&nbsp;" + w.t(info["enterprise_name"], "企业名称") + "&nbsp;") + "（企业名称）", "left"),
        Spacer(1, 2 * mm),
        w.p((L["intro"] if problems else L["intro_none"]).format(bureau=bureau, how=how), "body"),
        Spacer(1, 3 * mm),
    ]

    left_w, right_w = L["col_mm"][0] * mm, L["col_mm"][1] * mm
    rows: list[list] = []
    style: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), 0.9, layout.GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    lic = w.t(info["license_number"], "生产许可证编号")
    rows.append(
        [
            [
                w.p("<b>生产许可证</b>&nbsp;&nbsp;" + lic, "plain"),
                w.p("<b>有效期</b>&nbsp;&nbsp;" + w.t(_validity(data), "许可证有效期"), "plain"),
            ],
            [w.p("<b>获证产品</b>", "plain"), w.p(w.t(info["license_products"], "获证产品"), "plain")],
        ]
    )
    style += [("LINEBELOW", (0, 0), (-1, 0), 0.6, layout.GRID), ("LINEAFTER", (0, 0), (0, 0), 0.6, layout.GRID)]

    first_problem_row = len(rows)
    rows.append([w.p("<b>" + L["problems_head"] + "</b>", "plain"), ""])
    if not problems:
        rows.append([w.p(L["no_problems"], "plain"), ""])
    for pr in problems:
        where = f"问题{pr.no}（检查项 {pr.label}）"
        record = w.t(pr.answer.record, where + "检查记录")
        note = L["rectified"] if pr.answer.rectified_on_site else ""
        text = (
            f"{pr.no}. 〔{pr.label} {w.t(pr.item.section_title, where)}〕{record}{note}"
            f"<br/><font size='8.5'>检查内容：{w.t(pr.item.text, where + '检查内容')}</font>"
        )
        para = w.p(text, "plain")
        para.style = w.st["plain"].clone("problem", leftIndent=14, firstLineIndent=-14)
        rows.append([para, ""])
    if problems:
        rows.append(
            [
                w.p(L["period"].format(days=data.days, deadline=cn_date(data.deadline), bureau=bureau), "plain"),
                "",
            ]
        )
    last_problem_row = len(rows) - 1
    for r in range(first_problem_row, last_problem_row + 1):
        style.append(("SPAN", (0, r), (1, r)))
        style.append(("TOPPADDING", (0, r), (-1, r), 1))
        style.append(("BOTTOMPADDING", (0, r), (-1, r), 1))
    style.append(("TOPPADDING", (0, first_problem_row), (-1, first_problem_row), 5))
    style.append(("BOTTOMPADDING", (0, last_problem_row), (-1, last_problem_row), 8))
    style.append(("LINEBELOW", (0, last_problem_row), (-1, last_problem_row), 0.6, layout.GRID))

    rep = data.state.representative
    # 联系人 and 联系电话 are one person: the representative who signed, else the enterprise's contact.
    if rep.state == "signed" and rep.name:
        contact, phone = rep.name, rep.phone or info.get("phone", "")
    else:
        contact, phone = info.get("contact", ""), info.get("phone", "")
    left_cell = [
        w.p("<b>检查组签字：</b>", "plain"),
        Spacer(1, 1 * mm),
        team_block(data, w, left_w - 12, L["sig_mm"]),
        Spacer(1, 2 * mm),
        w.p(cn_date(data.state.signed_on), "right"),
    ]
    right_cell = [
        w.p("<b>企业代表确认签字（公章）：</b>", "plain"),
        Spacer(1, 1 * mm),
        *representative_block(data, w, L["rep_sig_mm"]),
        Spacer(1, 1 * mm),
        w.p("联系人：" + w.t(contact, "联系人"), "plain"),
        w.p("联系电话：" + w.t(phone, "联系电话"), "plain"),
        Spacer(1, 1 * mm),
        seal_area.SealArea(right_w - 10, align="CENTER"),  # the enterprise's 公章, clear of the lines above
        w.p(cn_date(data.state.signed_on) if rep.state == "signed" else _date_or_blank(None), "right"),
    ]
    sig_row = len(rows)
    rows.append([left_cell, right_cell])
    style += [
        ("LINEAFTER", (0, sig_row), (0, sig_row), 0.6, layout.GRID),
        ("TOPPADDING", (0, sig_row), (-1, sig_row), 6),
        ("BOTTOMPADDING", (0, sig_row), (-1, sig_row), 6),
    ]
    table = Table(rows, colWidths=[left_w, right_w], style=layout.table_style(style), splitByRow=1)
    story.append(table)
    story.append(Spacer(1, 3 * mm))
    warning = w.t(data.setting("summary.warning"), "设置：问题汇总表备注")
    story.append(KeepTogether([w.p("<b>备注</b>&nbsp;&nbsp;" + warning, "plain")]))

    furniture = layout.Furniture(
        doc_type=SUMMARY,
        title=title,
        inspection_id=data.inspection_id,
        content_hash=data.state.current_hash,
        footer_note=w.t(data.setting("bureau.name"), "设置：局名"),
    )
    warnings = check.finish()  # raises MissingGlyphs in strict mode, before any time is spent on layout
    pdf = layout.render(story, furniture, data, margins=tuple(v * mm for v in L["margins_mm"]))
    return pdf, warnings
