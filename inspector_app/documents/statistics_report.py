"""Exports of a statistics Report: JSON for scripts, XLSX with formatted headers, PDF with the documents' font.

The three carry the same tables as the GUI (they all render one `Report`). No Qt.
"""

import json
from pathlib import Path
from xml.sax.saxutils import escape

from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.files import replacing
from inspector_app.core.spreadsheet_text import safe_append
from inspector_app.core.supervision.statistics import CAMPAIGN_COLUMNS, Report
from inspector_app.core.supervision.statistics_more import summary_lines
from inspector_app.i18n import _

EXTENSIONS = (".xlsx", ".pdf", ".json")

T1_HEAD = ("序号", "区", "获证企业总数（生产地址数）")
T2_HEAD = ("类别", "监管方式", "企业数", "百分比（%）（取整）", "实际检查家（次）")
T3_HEAD = ("序号", "产品类别", "证书数")
T4_HEAD = (
    "监管单位",
    "获证企业总数",
    "计划检查单位总数",
    "实际检查家（次）",
    "发现问题总数",
    "责令改正数",
    "移交行政处罚总数",
    "实际检查数/获证企业数",
)
P_HEAD = ("问题分类", "项次", "占发现问题总数")
O_HEAD = ("项目", "情况")


def export(report: Report, path: str | Path) -> Path:
    """Write the report as .xlsx, .pdf or .json, chosen by the file's extension."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise ValidationError(_("输出文件"), _("扩展名应为 .xlsx、.pdf 或 .json，现在是“{e}”").format(e=ext or _("无")))
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:
        {".json": to_json, ".xlsx": to_xlsx, ".pdf": to_pdf}[ext](report, tmp)
    return path


# ------------------------------------------------------------------ the tables as rows (shared by all exports)
def title(report: Report) -> str:
    return _("{scope}{period}工业产品生产许可证证后监管统计").format(
        scope=report.scope_label, period=report.period_label
    )


def both(r) -> str:
    """000 表1's column 获证企业总数（生产地址数）: both figures, e.g. 123（125）."""
    return f"{r.enterprises}（{r.sites}）"


def table1(report: Report) -> list[list]:
    rows = [[n, r.district, both(r)] for n, r in enumerate(report.districts, start=1)]
    return [*rows, [_("合计"), "", both(report.total)]]


def table2(report: Report) -> list[list]:
    rows = [[c.classification, c.mode, c.enterprises, c.percent, c.inspections] for c in report.classes]
    n = sum(c.enterprises for c in report.classes)
    return [*rows, [_("合计"), "", n, "100%" if n else "/", sum(c.inspections for c in report.classes)]]


def table3(report: Report) -> list[list]:
    rows = [[n, c.name, c.count] for n, c in enumerate(report.certificates, start=1)]
    return [*rows, [_("合计"), "", report.certificates_total]]


def table4(report: Report) -> list[list]:
    def row(r):
        return [
            r.district,
            r.enterprises,
            r.planned,
            r.inspections,
            r.problems,
            r.ordered,
            r.transferred,
            r.coverage,  # the total row too: the same figure as the summary line
        ]

    return [row(r) for r in report.districts] + [row(report.total)]


def problem_rows(report: Report) -> list[list]:
    rows = [[p.name, p.count, p.percent] for p in report.problems]
    total = sum(p.count for p in report.problems)
    return [*rows, [_("合计"), total, "100%" if total else "/"]]


def other_note(report: Report) -> str:
    return _("其中“其他”方面涉及食品相关产品{f}项次、工业产品{i}项次。").format(
        f=report.other_food, i=report.other_industrial
    )


def summary_text(report: Report) -> str:
    t = report.total
    return _(
        "统计期间{p}，{scope}获证企业{e}家，有效证书{c}张；出动检查人员{m}人次，实际检查{i}家次，"
        "检查发现各类问题{q}项次，责令改正{o}家次，移交行政处罚{x}起；实际检查企业{v}家，覆盖率{cov}。"
    ).format(
        p=report.period_label,
        scope=report.scope_label,
        e=t.enterprises,
        c=report.certificates_total,
        m=report.inspector_turnouts,
        i=t.inspections,
        q=t.problems,
        o=t.ordered,
        x=t.transferred,
        v=t.inspected_enterprises,
        cov=t.coverage,
    )


def other_figures(report: Report) -> list[tuple[str, str]]:
    """The report's figures outside its tables (告知承诺, 区域, 违法线索, 监督抽查, 飞行检查), one sentence each."""
    return summary_lines(report.more) if report.more else []


def campaign_rows(report: Report) -> list[list]:
    return [[r.category, *("" if v is None else v for v in r.values)] for r in report.campaign]


# ------------------------------------------------------------------ JSON
def to_json(report: Report, path: Path) -> None:
    data = report.to_dict()
    data["title"] = title(report)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# ------------------------------------------------------------------ XLSX
def to_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    wb = Workbook()
    wb.remove(wb.active)

    def sheet(name: str, caption: str, head, rows, widths, note: str = ""):
        ws = wb.create_sheet(name)
        safe_append(ws, [caption])
        ws["A1"].font = Font(bold=True, size=13)
        safe_append(ws, [title(report)])
        safe_append(ws, list(head))
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
        ws.row_dimensions[3].height = 32
        for r in rows:
            safe_append(ws, list(r))
            for cell in ws[ws.max_row]:
                cell.border = border
                if isinstance(cell.value, int | float):
                    cell.alignment = Alignment(horizontal="right")
        last = ws.max_row
        if rows and str(rows[-1][0]) in (_("合计"),):
            for cell in ws[last]:
                cell.font = Font(bold=True)
        if note:
            safe_append(ws, [])
            safe_append(ws, [note])
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        ws.freeze_panes = "A4"
        return ws

    sheet(
        _("表4"),
        _("表4 计划制定及实际检查情况"),
        T4_HEAD,
        table4(report),
        (22, 12, 14, 14, 12, 10, 14, 16),
        summary_text(report),
    )
    sheet(_("表1"), _("表1 各区工业产品生产许可证获证企业数"), T1_HEAD, table1(report), (8, 22, 22))
    sheet(_("表2"), _("表2 获证企业分类监管情况"), T2_HEAD, table2(report), (8, 14, 10, 18, 16))
    sheet(_("表3"), _("表3 发证目录内获证企业产品类别数"), T3_HEAD, table3(report), (8, 32, 10))
    sheet(_("问题分类"), _("检查发现问题分类"), P_HEAD, problem_rows(report), (20, 10, 16), other_note(report))
    if report.more:
        sheet(
            _("其他情况"),
            _("告知承诺、区域分布、违法线索、监督抽查、飞行检查"),
            O_HEAD,
            other_figures(report),
            (14, 110),
        )
    ws = wb.create_sheet(_("专项行动"))
    safe_append(ws, [_("产品质量安全专项行动统计表")])
    ws["A1"].font = Font(bold=True, size=13)
    safe_append(ws, [_("数据周期：{p}；填表单位：{s}").format(p=report.period_label, s=report.scope_label)])
    groups = [_("产品类别")] + [g for g, _s, _c in CAMPAIGN_COLUMNS]
    subs = [""] + [sub for _g, sub, _c in CAMPAIGN_COLUMNS]
    cols = [""] + [c for _g, _s, c in CAMPAIGN_COLUMNS]
    for r in (groups, subs, cols):
        safe_append(ws, r)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
    _merge_runs(ws, 3, groups)
    _merge_runs(ws, 4, subs, parents=groups)
    ws.merge_cells(start_row=3, start_column=1, end_row=5, end_column=1)
    for r in campaign_rows(report):
        safe_append(ws, r)
        for cell in ws[ws.max_row]:
            cell.border = border
    safe_append(ws, [])
    safe_append(ws, [_("本程序统计“风险排查·生产领域”（专项检查）和“监督抽查·生产领域”；空白栏目由填表单位补填。")])
    ws.column_dimensions["A"].width = 26
    ws.freeze_panes = "B6"
    wb.save(path)


def _merge_runs(ws, row: int, values: list, parents: list | None = None) -> None:
    """Merge horizontally adjacent equal header cells (003 附件's two-level header)."""
    start = 1
    for i in range(1, len(values) + 1):
        end_of_run = (
            i == len(values) or values[i] != values[start - 1] or (parents and parents[i] != parents[start - 1])
        )
        if end_of_run:
            if i > start and values[start - 1]:
                ws.merge_cells(start_row=row, start_column=start, end_row=row, end_column=i)
            start = i + 1


# ------------------------------------------------------------------ PDF
def pdf_fonts() -> tuple[str, str, str]:
    """(body, bold, where from): the documents' embedded TrueType font (documents/fonts.py), else WenQuanYi."""
    try:
        from inspector_app.documents import fonts

        fonts.register()
        return fonts.BODY, fonts.BOLD, "documents.fonts"
    except (ImportError, DomainError):
        pass
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "XCJC-WQY"
    if name not in pdfmetrics.getRegisteredFontNames():
        path = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        except Exception as exc:  # no Chinese font at all: say so instead of printing blanks
            raise ValidationError(_("PDF字体"), _("找不到可嵌入的中文字体（{p}）：{e}").format(p=path, e=exc)) from exc
    return name, name, path


def to_pdf(report: Report, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )
    from reportlab.platypus.doctemplate import BaseDocTemplate
    from reportlab.platypus.frames import Frame

    body, bold, _src = pdf_fonts()
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=16, leading=22, alignment=1, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4, alignment=1)
    txt = ParagraphStyle("t", fontName=body, fontSize=10, leading=15, firstLineIndent=20, wordWrap="CJK")
    small = ParagraphStyle("s", fontName=body, fontSize=8, leading=10, alignment=1, wordWrap="CJK")
    cell_head = ParagraphStyle("ch", fontName=bold, fontSize=8.5, leading=11, alignment=1, wordWrap="CJK")

    def table(head, rows, widths, font_size=9):
        data = [[Paragraph(str(h), cell_head) for h in head]] + [
            [("" if v is None else str(v)) for v in r] for r in rows
        ]
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), body, font_size),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#666666")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE7F0")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (1, 1), (-1, -1), "CENTER"),
                    ("FONT", (0, -1), (-1, -1), bold, font_size),
                ]
            )
        )
        return t

    portrait = A4
    doc = BaseDocTemplate(
        str(path),
        pagesize=portrait,
        title=title(report),
        author="inspector-app",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )

    def footer(canvas, d):
        canvas.saveState()
        canvas.setFont(body, 8)
        canvas.drawCentredString(d.pagesize[0] / 2, 9 * mm, _("第 {n} 页").format(n=d.page))
        canvas.restoreState()

    w, h = portrait
    doc.addPageTemplates(
        [
            PageTemplate(
                "portrait", [Frame(18 * mm, 16 * mm, w - 36 * mm, h - 32 * mm)], onPage=footer, pagesize=portrait
            ),
            PageTemplate(
                "landscape", [Frame(12 * mm, 14 * mm, h - 24 * mm, w - 28 * mm)], onPage=footer, pagesize=landscape(A4)
            ),
        ]
    )
    story = [
        Paragraph(title(report), h1),
        Paragraph(
            _("统计范围：{s}　统计期间：{a} 至 {b}　生成日期：{g}").format(
                s=report.scope_label,
                a=report.start.isoformat(),
                b=report.end.isoformat(),
                g=report.generated_on.isoformat(),
            ),
            small,
        ),
        Spacer(1, 4 * mm),
        Paragraph(summary_text(report), txt),
        Paragraph(
            _("统计口径：问题按“项次”（结论为“不符合”的检查项）计，检查按“家次”计。"),
            txt,
        ),
    ]
    story += [
        Paragraph(_("表4　计划制定及实际检查情况"), h2),
        table(T4_HEAD, table4(report), (30, 17, 20, 19, 18, 17, 19, 22), 8.5),
    ]
    story += [
        KeepTogether(
            [
                Paragraph(_("检查发现问题分类"), h2),
                table(P_HEAD, problem_rows(report), (50, 25, 35)),
                Spacer(1, 2 * mm),
                Paragraph(other_note(report), txt),
            ]
        )
    ]
    if report.more:
        story += [Paragraph(_("其他情况"), h2)]
        story += [
            Paragraph(f'<font name="{bold}">{escape(head)}</font>　{escape(text)}', txt)
            for head, text in other_figures(report)
        ]
    story += [PageBreak(), Paragraph(_("表1　各区获证企业数"), h2), table(T1_HEAD, table1(report), (15, 45, 50))]
    story += [Spacer(1, 3 * mm), _bar_chart(report, body)]
    story += [Paragraph(_("图1　区域分布情况图"), small)]
    story += [
        KeepTogether(
            [
                Paragraph(_("表2　获证企业分类监管情况"), h2),
                table(T2_HEAD, table2(report), (18, 30, 22, 35, 35)),
                Spacer(1, 3 * mm),
                _pie_chart(report, body),
                Paragraph(_("图2　分类监管企业分布图"), small),
            ]
        )
    ]
    story += [
        KeepTogether(
            [Paragraph(_("表3　发证目录内获证企业产品类别数"), h2), table(T3_HEAD, table3(report), (15, 80, 30))]
        )
    ]
    if report.campaign:
        head = [_("产品类别")] + [f"{g}{('·' + s) if s else ''}·{c}" for g, s, c in CAMPAIGN_COLUMNS]
        story += [
            NextPageTemplate("landscape"),
            PageBreak(),
            Paragraph(_("产品质量安全专项行动统计表"), h2),
        ]
        story += [table(head, campaign_rows(report), [24] + [10.6] * 24, 6.5)]
        story += [Spacer(1, 2 * mm), Paragraph(_("空白栏目本程序无数据，由填表单位补填。"), small)]
    doc.build(story)


def _bar_chart(report: Report, font: str):
    """000 图1: enterprises per district."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    rows = [r for r in report.districts if r.enterprises] or list(report.districts)
    d = Drawing(470, 190)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 35, 45, 420, 130
    chart.data = [[r.enterprises for r in rows]]
    chart.categoryAxis.categoryNames = [r.district for r in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#4A7DB5")
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    d.add(chart)
    return d


def _pie_chart(report: Report, font: str):
    """000 图2: enterprises per class."""
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    classes = [c for c in report.classes if c.enterprises]
    d = Drawing(300, 150)
    if not classes:
        return d
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 90, 15, 120, 120
    pie.data = [c.enterprises for c in classes]
    pie.labels = [f"{c.classification}类 {c.enterprises}家 {c.percent}" for c in classes]
    pie.simpleLabels = 0
    pie.sideLabels = 1
    palette = {"AA": "#2E7D32", "A": "#4A7DB5", "B": "#F2B134", "C": "#C62828"}
    for i, c in enumerate(classes):
        pie.slices[i].fillColor = colors.HexColor(palette.get(c.classification, "#999999"))
        pie.slices[i].fontName = font
        pie.slices[i].fontSize = 8
    d.add(pie)
    return d
