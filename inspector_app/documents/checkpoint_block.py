"""The record's items grouped by the six check points of 001 §25, printed under the form (documents/record.py).

The paper form (002 附件2) is laid out by 检查项目; this small table says, per check point of
《上海市工业产品生产许可证证后监督检查管理办法》第二十五条, which items covered it and what was found, so that a reader
sees at once which points were checked and where the problems are (core/supervision/checkpoints.py).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from inspector_app.core.catalog import CONCLUSIONS
from inspector_app.core.supervision.checkpoints import REGULATION, record_groups
from inspector_app.documents import layout
from inspector_app.documents.data import DocData

LAYOUT: dict[str, Any] = {
    "title": "检查重点归类（" + REGULATION + "）",
    "heads": ("检查重点", "对应检查项及结论", "不符合"),
    "col_share": (0.36, 0.52, 0.12),
    "unanswered": "未填写",
}


def _said(conclusion: str | None) -> str:
    return CONCLUSIONS.get(conclusion, LAYOUT["unanswered"]) if conclusion else LAYOUT["unanswered"]


def checkpoint_block(data: DocData, w: layout.Writer, width: float) -> list:
    """Flowables: a title and one row per check point (items as the form numbers them, with their conclusion)."""
    rows = [[w.p(h, "head_c") for h in LAYOUT["heads"]]]
    for group in record_groups(data.template, data.answers):
        items = "；".join(f"{data.label(data.template.item(i))} {_said(c)}" for i, c in group.items)
        bad = sum(1 for _i, c in group.items if c == "nonconform")
        rows.append([w.p(group.name, "cell"), w.p(items, "cell"), w.p(str(bad) if bad else "—", "cell_c")])
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, layout.GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    table = Table(rows, colWidths=[width * s for s in LAYOUT["col_share"]], style=layout.table_style(style))
    return [Spacer(1, 3 * mm), KeepTogether([w.p("<b>" + LAYOUT["title"] + "</b>", "small"), Spacer(1, 1 * mm), table])]
