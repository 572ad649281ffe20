"""The register of inspectors in and out of a spreadsheet (CSV or XLSX), with the rules of
core/supervision/inspectors.py applied row by row.

Columns (header row within the first 10 rows; the order is free): 执法证号, 姓名 (required), 所属区,
可任组长, 技术专家, 在用 (是/否; also Y/N, 1/0, √/×; an empty cell leaves the value as it is, or 否 / 是(在用)
for a new inspector). A row that names a registered 执法证号 changes that inspector; another adds one.
Strict (the default): one bad row and nothing is written; every bad row is reported with its row, column and
reason. With skip_invalid the good rows are written and the bad ones reported.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from inspector_app.core.errors import DomainError
from inspector_app.core.roster.base import RowError
from inspector_app.core.roster.sheets import is_filled, read_table
from inspector_app.core.safe_input import InputLimits
from inspector_app.core.spreadsheet_text import csv_row, safe_append, unquote
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.identity import norm_code
from inspector_app.core.supervision import inspectors
from inspector_app.i18n import _

HEADERS = ("执法证号", "姓名", "所属区", "可任组长", "技术专家", "在用")
REQUIRED = ("执法证号", "姓名")
_ALIASES = {"执法证编号": "执法证号", "检查人员": "姓名", "检查人员姓名": "姓名", "区": "所属区", "组长": "可任组长"}
_YES = {"是", "Y", "YES", "1", "TRUE", "√", "✓", "可", "在用"}
_NO = {"否", "N", "NO", "0", "FALSE", "×", "✗", "不可", "停用"}


@dataclass
class ImportReport:
    path: str
    added: int = 0
    changed: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        text = _("新增{a}人，更新{c}人").format(a=self.added, c=self.changed)
        if self.errors:
            text += _("；{n}行有错误").format(n=len(self.errors))
        return text


def _norm_header(value: object) -> str:
    text = "".join(str(value or "").split()).replace("（", "(").split("(")[0]
    return _ALIASES.get(text, text)


def _find_header(rows) -> int | None:
    for idx, (_n, cells) in enumerate(rows[:10]):
        names = {_norm_header(c) for c in cells}
        if all(r in names for r in REQUIRED):
            return idx
    return None


def _yes_no(value: object) -> tuple[bool | None, str]:
    if not is_filled(value):
        return None, ""
    if isinstance(value, bool):
        return value, ""
    text = norm_code(value)
    if text in _YES:
        return True, ""
    if text in _NO:
        return False, ""
    return None, _("应填“是”或“否”，不是“{v}”").format(v=str(value).strip())


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into Excel comes back as 12345.0
    return unquote(str(value).strip())


def import_file(db: Database, path: str | Path, *, skip_invalid: bool = False) -> ImportReport:
    """Read the file and write the register in one transaction (see the module's rules)."""
    path = Path(path)
    rows, _note = read_table(path, limits=InputLimits.of(db))
    head = _find_header(rows)
    if head is None:
        raise DomainError(_("无法导入“{p}”：前10行中找不到表头（至少需要“执法证号”和“姓名”两列）").format(p=path))
    cols = {_norm_header(c): i for i, c in enumerate(rows[head][1]) if _norm_header(c) in HEADERS}
    report = ImportReport(str(path))
    try:
        _import_rows(db, rows, head, cols, report, skip_invalid)
    except _Refused:
        report.added = report.changed = 0
        return report
    report.written = True
    return report


class _Refused(Exception):
    """Rolls the import's transaction back (strict, with bad rows)."""


def _import_rows(db: Database, rows, head: int, cols: dict, report: ImportReport, skip_invalid: bool) -> None:
    seen: dict[str, int] = {}
    with db.session() as s:
        for n, cells in rows[head + 1 :]:
            if not any(is_filled(c) for c in cells):
                continue

            def cell(name: str, cells=cells):
                i = cols.get(name)
                return cells[i] if i is not None and i < len(cells) else None

            row_errors: list[RowError] = []
            badge = norm_code(_text(cell("执法证号")))
            flags = {}
            for col, key in (("可任组长", "can_lead"), ("技术专家", "technical"), ("在用", "active")):
                value, problem = _yes_no(cell(col))
                if problem:
                    row_errors.append(RowError(n, col, problem))
                flags[key] = value
            name, district = _text(cell("姓名")), _text(cell("所属区"))
            fields = inspectors.Fields(name=name or None, district=district if "所属区" in cols else None, **flags)
            if badge in seen:
                row_errors.append(RowError(n, "执法证号", _("与第{r}行重复").format(r=seen[badge])))
            elif badge:
                seen[badge] = n
            if not row_errors:
                exists = inspectors.find(s, badge) is not None if badge else False
                for column, reason in inspectors.field_problems(badge, fields, new=not exists):
                    header = {_("执法证号"): "执法证号", _("检查人员姓名"): "姓名", _("所属区"): "所属区"}
                    row_errors.append(RowError(n, header.get(column, column), reason))
            if not row_errors:
                try:
                    with s.begin_nested():
                        _iid, created = inspectors.write(s, badge, fields)
                except DomainError as exc:
                    row_errors.append(RowError(n, "", str(exc)))
                else:
                    report.added += created
                    report.changed += not created
            report.errors += row_errors
        if report.errors and not skip_invalid:
            raise _Refused


def export_rows(db: Database) -> list[list[object]]:
    yes_no = {True: "是", False: "否"}
    return [
        [r.badge_no, r.name, r.district, yes_no[r.can_lead], yes_no[r.technical], yes_no[r.active]]
        for r in inspectors.list_all(db)
    ]


def export_file(db: Database, path: str | Path) -> int:
    """Write the register to .csv (UTF-8 with BOM, as Excel opens it) or .xlsx; the number of inspectors."""
    path = Path(path)
    rows = export_rows(db)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DomainError(_("“{p}”：只能导出为 .csv 或 .xlsx 文件").format(p=path))
    try:
        if suffix == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(HEADERS)
                for row in rows:
                    writer.writerow(csv_row(row))
        else:
            import openpyxl

            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet("检查人员")
            ws.append(list(HEADERS))
            for row in rows:
                safe_append(ws, row)
            wb.save(path)
    except OSError as exc:
        raise DomainError(
            _("无法写入“{p}”：{e}（文件是否正被 Excel 打开？）").format(p=path, e=exc.strerror or exc)
        ) from exc
    return len(rows)
