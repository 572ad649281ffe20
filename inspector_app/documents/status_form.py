"""生产状况登记表 — the production-status form of a steel or cement enterprise (002 附件3 钢铁, 附件4 水泥).

The paper form is one wide table, one row per enterprise, with two bands of column heads; this prints the
enterprise's row as the paper does, on landscape A4: the title, 填表单位 and 填表时间, then one table per band
(column group, column, sub-column heads over the values; tick boxes marked ☑/☐ as on paper), the
representative's confirmation (企业代表确认签字（公章）, 联系人, 联系电话, date) and the form's 填表说明.
The values are the ones signed with the record (core/issuing/signing: "status" of the signed content).
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection.status_model import NUMBER, RECORD, ROWS, TICKS, StatusField, StatusSection
from inspector_app.core.inspection.status_values import decode, record_value
from inspector_app.core.issuing.doc_types import STATUS
from inspector_app.documents import fonts, layout
from inspector_app.documents.data import DocData, cn_date

LAYOUT = {
    "page": landscape(A4),
    "margins_mm": (14, 12, 26, 12),  # top, right, bottom (room for the QR mark and page number), left
    "head_pt": 7,
    "value_pt": 8,
    # Relative widths of a column; the columns of a band fill the text width.
    "weights": {"enterprise_name": 2.4, "site_address": 2.4, "license_number": 1.8, "license_validity": 1.8},
    "text_weight": 1.6,
    "checked": "☑",
    "unchecked": "☐",
    "fill_unit": "填表单位",
    "fill_time": "填表时间",
    "confirm": "企业代表确认签字（公章）",
    "contact": "联系人",
    "phone": "联系电话",
    "notes": "填表说明：",
    "rep_sig_mm": (40, 13),
}


def _styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    fonts.register()
    h, v = LAYOUT["head_pt"], LAYOUT["value_pt"]
    head = ParagraphStyle("status_head", fontName=fonts.BOLD, fontSize=h, leading=h * 1.3, alignment=1, wordWrap="CJK")
    value = ParagraphStyle("status_value", fontName=fonts.BODY, fontSize=v, leading=v * 1.35, wordWrap="CJK")
    return head, value


def _label(field: StatusField) -> str:
    text = field.label + (f"（{field.unit}）" if field.unit else "")
    return text + (f"（{field.note}）" if field.note else "")


def _leaves(field: StatusField, stored: str, info: dict, w: layout.Writer) -> list[tuple[str | None, str, float]]:
    """The paper's columns of one field: (sub-column head or None, value markup, relative width)."""
    where = f"{field.section_title}·{field.label}"
    if field.kind == TICKS:
        ticked = decode(field, stored)
        mark = {o: LAYOUT["checked"] if o in ticked else LAYOUT["unchecked"] for o in field.options}
        if field.multiple:  # one column per option, as 附件3 prints 棒材产品 … 冷轧产品
            return [(o, mark[o], 1.0) for o in field.options]
        return [(None, "<br/>".join(mark[o] + o for o in field.options), 1.1)]
    if field.kind == ROWS:
        rows = decode(field, stored)
        return [
            (
                c.label + (f"（{c.unit}）" if c.unit else ""),
                "<br/>".join(w.t(r[n], where) for r in rows),
                LAYOUT["text_weight"] if c.kind != NUMBER else 1.0,
            )
            for n, c in enumerate(field.columns)
        ]
    if field.kind == RECORD:
        return [(None, w.t(record_value(field, info), where), LAYOUT["weights"].get(field.source, 0.8))]
    return [(None, w.t(stored, where), 1.0 if field.kind == NUMBER else LAYOUT["text_weight"])]


def _band(sections: list[StatusSection], values: dict, info: dict, w: layout.Writer, width: float) -> Table:
    """Three rows of heads (column group, column, sub-column) and the values, spans as on paper."""
    head, value = _styles()
    rows: list[list] = [[], [], [], []]
    spans: list[tuple] = []
    weights: list[float] = []
    for section in sections:
        first = len(weights)
        one = len(section.fields) == 1 and section.fields[0].label == section.title
        for field in section.fields:
            leaves = _leaves(field, values.get(field.key, ""), info, w)
            start = len(weights)
            for sub, markup, weight in leaves:
                rows[0].append("")
                rows[1].append("")
                rows[2].append(Paragraph(sub, head) if sub else "")
                rows[3].append(Paragraph(markup, value))
                weights.append(weight)
            end = len(weights) - 1
            top = 0 if one else 1
            bottom = 2 if all(sub is None for sub, _m, _w in leaves) else 1
            rows[top][start] = Paragraph(w.t(_label(field), field.section_title), head)
            spans.append(("SPAN", (start, top), (end, bottom)))
        if not one:
            rows[0][first] = Paragraph(w.t(section.title, section.title), head)
            spans.append(("SPAN", (first, 0), (len(weights) - 1, 0)))
    total = sum(weights)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, layout.GRID),
        ("BOX", (0, 0), (-1, -1), 0.9, layout.GRID),
        ("VALIGN", (0, 0), (-1, 2), "MIDDLE"),
        ("VALIGN", (0, 3), (-1, 3), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        *spans,
    ]
    return Table(rows, colWidths=[width * x / total for x in weights], style=layout.table_style(style))


def _confirmation(data: DocData, w: layout.Writer, width: float) -> Table:
    """企业代表确认签字（公章） 联系人 联系电话 年 月 日 — the last row of the paper form."""
    from inspector_app.documents.summary import representative_block

    info = data.info
    left = [w.p("<b>" + LAYOUT["confirm"] + "</b>", "cell"), *representative_block(data, w, LAYOUT["rep_sig_mm"])]
    middle = w.p(
        f"<b>{LAYOUT['contact']}</b>&nbsp;{w.t(info.get('contact') or '', '联系人')}&nbsp;&nbsp;&nbsp;&nbsp;"
        f"<b>{LAYOUT['phone']}</b>&nbsp;{w.t(info.get('phone') or '', '联系电话')}",
        "cell",
    )
    signed = data.state.representative.state == "signed"
    right = w.p(cn_date(data.state.signed_on if signed else None), "right")
    t = Table([[left, middle, right]], colWidths=[width * 0.4, width * 0.4, width * 0.2])
    t.setStyle(
        layout.table_style([("BOX", (0, 0), (-1, -1), 0.9, layout.GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    )
    return t


def build(data: DocData, *, strict: bool = True) -> tuple[bytes, list[str]]:
    """The production-status form as PDF bytes (unsigned) and the glyph warnings (non-strict mode)."""
    form = data.template.status
    if form is None:
        raise ValidationError("生产状况登记表", "本检查不填写生产状况登记表（只用于钢铁、水泥获证企业）")
    check = fonts.GlyphCheck(strict=strict)
    w = layout.Writer(check)
    info = data.info
    values = {v["field_id"]: v["value"] for v in data.state.canonical.get("status", [])}
    page_w, _h = LAYOUT["page"]
    margins = tuple(v * mm for v in LAYOUT["margins_mm"])
    width = page_w - margins[1] - margins[3]
    story: list = [
        w.p(w.t(form.title, "登记表标题"), "subtitle"),
        Spacer(1, 2 * mm),
        w.p(
            f"<b>{LAYOUT['fill_unit']}</b>&nbsp;{w.t(info['enterprise_name'], '企业名称')}"
            f"&nbsp;&nbsp;&nbsp;&nbsp;<b>{LAYOUT['fill_time']}</b>&nbsp;{cn_date(data.inspected_on)}",
            "left",
        ),
        Spacer(1, 2 * mm),
    ]
    for band in sorted({s.band for s in form.sections}):
        story += [_band([s for s in form.sections if s.band == band], values, info, w, width), Spacer(1, 3 * mm)]
    story.append(_confirmation(data, w, width))
    notes = "".join(w.t(n, "填表说明") for n in form.footnotes)
    story += [Spacer(1, 2 * mm), w.p("<b>" + LAYOUT["notes"] + "</b>" + notes, "small")]
    furniture = layout.Furniture(
        doc_type=STATUS,
        title=form.title,
        inspection_id=data.inspection_id,
        content_hash=data.state.current_hash,
        footer_note=w.t(data.setting("bureau.name"), "设置：局名"),
        page=LAYOUT["page"],
    )
    warnings = check.finish()
    return layout.render(story, furniture, data, margins=margins), warnings
