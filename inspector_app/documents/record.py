"""监督检查记录表 — the inspection record (一企一表, 002 三(四); the form of 002 附件2).

Every page repeats the form header (title, enterprise, product category, site, license) and the column
heads, carries "第 x 页 共 y 页" and the seal strip on its right edge (本检查记录加盖骑缝章有效, 备注(4)).
Each item shows its conclusion marked ☑/☐, the record and the remarks; then the form's footnotes, the
team's and the representative's signatures (or the refusal note) and the inspection date; the items grouped by
the check points of 001 §25 (documents/checkpoint_block.py); then the signed corrections, if any; and, when
asked for, an appendix with a downscaled copy of every evidence photo.
"""

from __future__ import annotations

import io
from typing import TypedDict

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Image, KeepTogether, PageBreak, Paragraph, Spacer, Table

from inspector_app.core.catalog import CONCLUSIONS, PRODUCT_KINDS
from inspector_app.core.inspection import photos
from inspector_app.core.issuing.doc_types import RECORD
from inspector_app.documents import fonts, layout, seal_area
from inspector_app.documents.checkpoint_block import checkpoint_block
from inspector_app.documents.data import DocData, cn_date
from inspector_app.documents.summary import representative_block, team_block


class _Layout(TypedDict):
    margins_mm: tuple[float, float, float, float]
    header_top_mm: float
    col_mm: tuple[float, ...]
    heads: tuple[str, ...]
    title_double_random: str
    checked: str
    unchecked: str
    rectified: str
    sig_mm: tuple[float, float]
    rep_sig_mm: tuple[float, float]
    photo_mm: tuple[float, float]
    seal_strip_text: str
    seal_col_mm: float


LAYOUT: _Layout = {
    "margins_mm": (44, 20, 26, 18),  # top (room for the repeated header), right (seal strip), bottom, left
    "header_top_mm": 12,  # from the top edge to the title's baseline area
    # 序号 | 检查项目 | 检查内容 | 检查结论 | 检查记录 | 备注 — widths in mm, summing to the text width (172)
    "col_mm": (9, 17, 62, 18, 42, 24),
    "heads": ("序号", "检查项目", "检查内容", "检查结论", "检查记录", "备注"),
    "title_double_random": "工业产品生产许可证获证企业“双随机、一公开”监督检查记录表",
    "checked": "☑",
    "unchecked": "☐",
    "rectified": "已当场整改",
    "sig_mm": (29, 12),
    "rep_sig_mm": (50, 16),
    "photo_mm": (82, 62),  # largest size of one appendix photo
    "seal_strip_text": "骑缝章",
    "seal_col_mm": 48,  # first page: the enterprise's seal position right of the header fields (seal_area.py)
}
FIELD_LABELS = {
    "conclusion": "检查结论",
    "na_reason": "不适用理由",
    "record": "检查记录",
    "remark": "备注",
    "rectified_on_site": "当场整改",
    "rectification_days": "整改期限（日）",
}


def _title(data: DocData) -> str:
    if data.is_double_random:
        return LAYOUT["title_double_random"]
    return data.template.title


def _header(data: DocData, w: layout.Writer):
    """The form header drawn at the top of every page (text checked once, here), and the height the first page's
    header takes beyond the top margin. On the first page the fields stand one per line to the left of the
    enterprise's seal position (002 附件2 企业名称（盖章）); later pages carry the compact three lines."""
    info = data.info
    kinds = "&nbsp;&nbsp;".join(
        (LAYOUT["checked"] if k == data.template.product_kind else LAYOUT["unchecked"]) + label
        for k, label in PRODUCT_KINDS.items()
    )
    name = "<b>企业名称（盖章）</b>&nbsp;" + w.t(info["enterprise_name"], "企业名称")
    lic = "<b>生产许可证编号</b>&nbsp;" + w.t(info["license_number"] or "—", "生产许可证编号")
    site = "<b>生产地址</b>&nbsp;" + w.t(info["site_address"], "生产地址")
    uscc = "<b>统一社会信用代码</b>&nbsp;" + w.t(info["uscc"], "统一社会信用代码")
    kinds = "<b>产品类别</b>&nbsp;" + kinds
    gap = "&nbsp;&nbsp;&nbsp;&nbsp;"
    lines = [w.p(name, "left"), w.p(kinds + gap + lic, "left"), w.p(site + gap + uscc, "left")]
    first_lines = [w.p(text, "left") for text in (name, kinds, lic, site, uscc)]
    title = w.p(_title(data), "subtitle")
    margins = LAYOUT["margins_mm"]
    width, height = layout.PAGE
    avail = width - (margins[1] + margins[3]) * mm
    seal = LAYOUT["seal_col_mm"] * mm
    title_h = title.wrap(avail, 40 * mm)[1] + 2 * mm
    first_h = max(sum(p.wrap(avail - seal, 40 * mm)[1] for p in first_lines), seal_area.SIDE_MM * mm)
    first_extra = max(0.0, (LAYOUT["header_top_mm"] + 3) * mm + title_h + first_h - margins[0] * mm)

    def on_page(canvas, doc):
        first = doc.page == 1
        y = height - LAYOUT["header_top_mm"] * mm
        _w, h = title.wrapOn(canvas, avail, 40 * mm)
        y -= h
        title.drawOn(canvas, margins[3] * mm, y)
        y -= 2 * mm
        if first:
            side = seal_area.SIDE_MM * mm
            seal_area.draw(canvas, width - margins[1] * mm - side / 2, y - side / 2)
        for para in first_lines if first else lines:
            _w, h = para.wrapOn(canvas, avail - seal if first else avail, 20 * mm)
            y -= h
            para.drawOn(canvas, margins[3] * mm, y)

    return on_page, first_extra


def _conclusion_cell(item, ans, w: layout.Writer) -> Paragraph:
    options = ["conform", "nonconform"]
    if item.na_allowed or (ans and ans.conclusion == "na"):
        options.append("na")
    marks = []
    for code in options:
        mark = LAYOUT["checked"] if ans and ans.conclusion == code else LAYOUT["unchecked"]
        marks.append(f"{mark}{CONCLUSIONS[code]}")
    return w.p("<br/>".join(marks), "cell")


def _remark_cell(item, ans, w: layout.Writer, where: str) -> Paragraph:
    parts = []
    if item.note:
        parts.append(w.t(item.note, where + "备注"))
    if ans and ans.conclusion == "na" and ans.na_reason and ans.na_reason != item.note:
        parts.append("不适用理由：" + w.t(ans.na_reason, where + "不适用理由"))
    if ans and ans.rectified_on_site:
        parts.append("<b>" + LAYOUT["rectified"] + "</b>")
    if ans and ans.remark:
        parts.append(w.t(ans.remark, where + "备注"))
    return w.p("<br/>".join(parts), "cell")


def _items_table(data: DocData, w: layout.Writer) -> Table:
    heads = [w.p(h, "head_c") for h in LAYOUT["heads"]]
    rows: list[list] = [heads]
    style: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), 0.9, layout.GRID),
        ("GRID", (2, 0), (-1, -1), 0.5, layout.GRID),
        ("LINEAFTER", (0, 0), (1, -1), 0.5, layout.GRID),
        ("LINEBELOW", (0, 0), (-1, 0), 0.9, layout.GRID),
        # close the table at the bottom of a page where it breaks, and the section columns on the next page
        ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.9, layout.GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for section in data.template.sections:
        first = len(rows)
        style.append(("LINEABOVE", (0, first), (1, first), 0.5, layout.GRID))
        for n, item in enumerate(section.items):
            ans = data.answers.get(item.id)
            where = f"检查项 {data.label(item)}"
            text = w.t(item.text, where + "检查内容")
            if len(section.items) > 1:
                text = f"({n + 1})&nbsp;" + text
            rows.append(
                [
                    w.p(str(section.no) if n == 0 else "", "cell_c"),
                    w.p(w.t(section.title, where) if n == 0 else "", "cell_c"),
                    w.p(text, "cell"),
                    _conclusion_cell(item, ans, w),
                    w.p(w.t(ans.record if ans else "", where + "检查记录"), "cell"),
                    _remark_cell(item, ans, w, where),
                ]
            )
    return Table(
        rows, colWidths=[c * mm for c in LAYOUT["col_mm"]], repeatRows=1, style=layout.table_style(style), splitByRow=1
    )


def _footnotes(data: DocData, w: layout.Writer) -> Paragraph:
    notes = "&nbsp;".join(
        f"({n}){w.t(text, f'模板备注({n})')}" for n, text in enumerate(data.template.footnotes, start=1)
    )
    return w.p("<b>备注</b>&nbsp;" + notes, "small")


def _signatures(data: DocData, w: layout.Writer) -> Table:
    width = sum(LAYOUT["col_mm"]) * mm
    left = [
        w.p("<b>检查组成员签字：</b>", "plain"),
        team_block(data, w, width * 0.55 - 10, LAYOUT["sig_mm"]),
        Spacer(1, 2 * mm),
        w.p("<b>检查时间：</b>" + cn_date(data.inspected_on), "plain"),
    ]
    right = [
        w.p("<b>企业代表确认签字（盖章）：</b>", "plain"),
        *representative_block(data, w, LAYOUT["rep_sig_mm"]),
        w.p(cn_date(data.state.signed_on) if data.state.representative.state == "signed" else "", "right"),
    ]
    t = Table([[left, right]], colWidths=[width * 0.55, width * 0.45])
    t.setStyle(
        layout.table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.9, layout.GRID),
                ("LINEAFTER", (0, 0), (0, 0), 0.5, layout.GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return t


def _value(field: str, value) -> str:
    if field == "conclusion":
        return CONCLUSIONS.get(value, "未填写") if value else "未填写"
    if field == "rectified_on_site":
        return "是" if value else "否"
    return str(value) if value not in (None, "") else "（空）"


def _amendments(data: DocData, w: layout.Writer) -> list:
    out: list = []
    signed = data.state.signed_amendments
    if not signed:
        return out
    out += [Spacer(1, 5 * mm), w.p("<b>更正记录</b>（原记录不作改动，以下更正经检查组和企业代表签字确认）", "plain")]
    width = sum(LAYOUT["col_mm"]) * mm
    for am in signed:
        where = f"第{am.seq}次更正"
        lines = []
        for c in am.changes:
            label = f"检查项 {data.label(data.template.item(c.item_id))}" if c.item_id else "整改期限"
            lines.append(
                f"{label} {FIELD_LABELS.get(c.field, c.field)}：{w.t(_value(c.field, c.old), where)}"
                f" → <b>{w.t(_value(c.field, c.new), where)}</b>"
            )
        signers = "、".join(w.t(s.name, where + "签字人") for s in am.signatures if s.role == "inspector")
        rep = next((s for s in am.signatures if s.role == "representative"), None)
        rep_text = w.t(rep.name if rep and rep.state == "signed" else (rep.note if rep else ""), where + "企业代表")
        body = [
            w.p(
                f"<b>第{am.seq}次更正</b>（{cn_date(am.signed_on)}）更正原因：{w.t(am.reason, where + '原因')}", "cell"
            ),
            w.p("<br/>".join(lines), "cell"),
            w.p(f"检查组签字：{signers}；企业代表：{rep_text}", "cell"),
        ]
        t = Table([[body]], colWidths=[width])
        t.setStyle(layout.table_style([("BOX", (0, 0), (-1, -1), 0.5, layout.GRID)]))
        out.append(KeepTogether([Spacer(1, 2 * mm), t]))
    return out


def _photo_appendix(data: DocData, w: layout.Writer) -> list:
    if not data.photos:
        return []
    pw, ph = LAYOUT["photo_mm"][0] * mm, LAYOUT["photo_mm"][1] * mm
    cells = []
    for n, (info, jpeg) in enumerate(data.photos, start=1):
        scale = min(pw / info.width, ph / info.height) if info.width and info.height else 1
        img = Image(io.BytesIO(jpeg), width=info.width * scale, height=info.height * scale)
        item = data.template.item(info.item_id)
        where = f"照片{n}"
        caption = f"照片{n}&nbsp;&nbsp;检查项 {data.label(item)}"
        if info.taken_at:
            caption += f"&nbsp;&nbsp;拍摄于 {info.taken_at:%Y-%m-%d %H:%M}"
        place = photos.place_text(info.latitude, info.longitude)  # EXIF GPS (issue 16 §2)
        if place:
            caption += f"<br/>拍摄位置 {place}"
        if info.caption:
            caption += "<br/>" + w.t(info.caption, where + "说明")
        caption += f"<br/><font size='6.5'>原始文件 SHA-256：{info.sha256[:32]}…</font>"
        cells.append([img, w.p(caption, "cell_c")])
    rows = []
    for i in range(0, len(cells), 2):
        pair = cells[i : i + 2] + ([["", ""]] if i + 1 >= len(cells) else [])
        rows.append([pair[0][0], pair[1][0]])
        rows.append([pair[0][1], pair[1][1]])
    col = sum(LAYOUT["col_mm"]) * mm / 2
    t = Table(rows, colWidths=[col, col], splitByRow=1)
    t.setStyle(
        layout.table_style(
            [
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [PageBreak(), w.p(f"附：现场检查照片（共 {len(data.photos)} 张）", "subtitle"), Spacer(1, 3 * mm), t]


def build(data: DocData, *, strict: bool = True) -> tuple[bytes, list[str]]:
    """The inspection record as PDF bytes (unsigned) and the glyph warnings (non-strict mode)."""
    check = fonts.GlyphCheck(strict=strict)
    w = layout.Writer(check)
    on_page, first_extra = _header(data, w)
    story: list = [
        Spacer(1, first_extra),  # the first page's taller header, with the seal position
        _items_table(data, w),
        Spacer(1, 2 * mm),
        _footnotes(data, w),
        Spacer(1, 3 * mm),
        CondPageBreak(45 * mm),
        KeepTogether([_signatures(data, w)]),
        *checkpoint_block(data, w, sum(LAYOUT["col_mm"]) * mm),  # 001 §25: the items by check point, after the form
        *_amendments(data, w),
        *_photo_appendix(data, w),
    ]
    furniture = layout.Furniture(
        doc_type=RECORD,
        title=_title(data),
        inspection_id=data.inspection_id,
        content_hash=data.state.current_hash,
        seal_strip=True,
        seal_text=LAYOUT["seal_strip_text"],
        footer_note=w.t(data.setting("bureau.name"), "设置：局名"),
    )
    warnings = check.finish()
    pdf = layout.render(story, furniture, data, margins=tuple(v * mm for v in LAYOUT["margins_mm"]), on_page=on_page)
    return pdf, warnings
