"""Roster export: the archive as the bureau's ledger, one row per license, CSV (UTF-8 with BOM) or XLSX."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from inspector_app.core import catalog
from inspector_app.core.errors import DomainError
from inspector_app.core.files import replacing
from inspector_app.core.roster.base import ExportReport
from inspector_app.core.roster.columns import HEADERS
from inspector_app.core.spreadsheet_text import csv_row, xlsx_cell
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, License, Site
from inspector_app.i18n import _


def roster_rows(db: Database) -> tuple[list[list[object]], int, int, int]:
    """(rows as values in HEADERS order, enterprises, licenses, enterprises without license)."""
    with db.session() as s:
        ents = [
            (
                e.id,
                e.uscc,
                e.name,
                e.legal_rep,
                e.contact,
                e.phone,
                e.address,
                e.district,
                e.classification,
                e.risk_level,
            )
            for e in s.execute(select(Enterprise)).scalars()
        ]
        # In the report's order of districts (000 表1), then by name.
        order = {d: i for i, d in enumerate(catalog.DISTRICTS)}
        ents.sort(key=lambda e: (order.get(e[7], len(order)), e[7], e[2], e[1]))
        sites = {
            sid: (addr, dist, eid)
            for sid, addr, dist, eid in s.execute(select(Site.id, Site.address, Site.district, Site.enterprise_id))
        }
        lics: dict[str, list] = {}
        for row in s.execute(
            select(
                License.enterprise_id,
                License.number,
                License.category,
                License.products,
                License.issue_date,
                License.expiry_date,
                License.site_id,
                License.issuance,
            ).order_by(License.number)
        ):
            lics.setdefault(row.enterprise_id, []).append(row)
    sites_of: dict[str, list[tuple[str, str, str]]] = {}
    for sid, (addr, dist, eid) in sorted(sites.items(), key=lambda kv: kv[1][0]):
        sites_of.setdefault(eid, []).append((sid, addr, dist))
    out: list[list[object]] = []
    without = n_lic = 0
    for eid, uscc, name, legal_rep, contact, phone, address, district, cls, risk in ents:
        own = lics.get(eid, [])
        if not own:
            without += 1
            continue
        n_lic += len(own)
        ent_sites = sites_of.get(eid, [])
        fallback = ent_sites[0] if ent_sites else ("", address, district)

        def site_of(lic, fallback=fallback):
            return sites.get(lic.site_id, fallback[1:]) if lic.site_id else fallback[1:]

        # The first row decides the enterprise's district on import: start with a license in that district.
        own = sorted(own, key=lambda lic: site_of(lic)[1] != district)
        base = [name, uscc, legal_rep, contact, phone, address]
        tail = [cls, risk or ""]
        used = set()
        for lic in own:
            addr, dist = site_of(lic)[:2]
            used.add(addr)
            issuance = catalog.ISSUANCE_MODES.get(lic.issuance or "", "")
            out.append(
                [
                    *base,
                    *(dist, addr, lic.number, lic.category, lic.products, lic.issue_date, lic.expiry_date),
                    *tail,
                    issuance,
                ]
            )
        # A production address without its own license: repeat the first license with that address
        # (one license covering several addresses); import reads it back as an extra site.
        first = own[0]
        for _sid, addr, dist in ent_sites:
            if addr not in used:
                out.append(
                    [
                        *base,
                        dist,
                        addr,
                        first.number,
                        first.category,
                        first.products,
                        first.issue_date,
                        first.expiry_date,
                        *tail,
                        catalog.ISSUANCE_MODES.get(first.issuance or "", ""),
                    ]
                )
    return out, len(ents) - without, n_lic, without


def export_roster(db: Database, path: str | Path) -> ExportReport:
    """Write the roster as CSV (UTF-8 with BOM, so Excel opens it) or XLSX, chosen by the file extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DomainError(_("无法导出到“{p}”：文件扩展名应为 .csv 或 .xlsx").format(p=path))
    if path.parent and not path.parent.exists():
        raise DomainError(_("无法导出到“{p}”：文件夹“{d}”不存在").format(p=path, d=path.parent))
    rows, n_ent, n_lic, without = roster_rows(db)
    try:
        with replacing(path) as tmp:
            if suffix == ".csv":
                _write_csv(tmp, rows)
            else:
                _write_xlsx(tmp, rows)
    except OSError as exc:
        message = _("无法写入“{p}”：{e}（文件是否正被 Excel 打开？）")
        raise DomainError(message.format(p=path, e=exc.strerror or exc)) from exc
    return ExportReport(str(path), len(rows), n_ent, n_lic, without)


def _write_csv(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(csv_row(row))


_WIDTHS = {
    "企业名称": 34,
    "统一社会信用代码": 22,
    "住所": 40,
    "生产地址": 40,
    "生产许可证编号": 22,
    "产品类别": 28,
    "获证产品": 30,
    "发证日期": 12,
    "有效期至": 12,
    "联系电话": 16,
}


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("获证企业台账")
    for i, header in enumerate(HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(header, 12)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for header in HEADERS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    date_cols = {HEADERS.index("发证日期"), HEADERS.index("有效期至")}
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i in date_cols and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(xlsx_cell(ws, value) if value != "" else None)
        ws.append(cells)
    wb.save(path)
