"""Roster export (CSV with BOM, XLSX for a clerk) and its round trip into a fresh database."""

import csv
from datetime import datetime

import openpyxl
import pytest

from inspector_app.core.roster.columns import HEADERS
from inspector_app.core.roster.export import export_roster
from inspector_app.core.roster.importer import import_roster
from tests.core.roster_io_helpers import (
    snapshot,
)

# ------------------------------------------------------------------------------------------------ export


@pytest.fixture
def demo_db(db, fixed_today):
    from inspector_app.core.demo import load_demo

    load_demo(db)
    return db


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_into_a_fresh_database_gives_the_same_roster(demo_db, tmp_path, suffix):
    from inspector_app.core.storage.db import open_database

    path = tmp_path / f"roster{suffix}"
    exported = export_roster(demo_db, path)
    assert (exported.enterprises, exported.licenses, exported.enterprises_without_license) == (646, 688, 0)
    fresh = open_database(tmp_path / "fresh.sqlite3")
    try:
        report = import_roster(fresh, path)
        assert report.errors == [] and report.warnings == []
        assert snapshot(fresh) == snapshot(demo_db)
    finally:
        fresh.close()


def test_csv_export_has_a_bom_and_the_canonical_headers(demo_db, tmp_path):
    path = tmp_path / "r.csv"
    export_roster(demo_db, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert header == list(HEADERS)


def test_xlsx_export_is_formatted_for_a_clerk(demo_db, tmp_path):
    path = tmp_path / "r.xlsx"
    exported = export_roster(demo_db, path)
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= 30
    assert isinstance(ws.cell(row=2, column=HEADERS.index("有效期至") + 1).value, datetime)
    assert ws.max_row == 1 + exported.rows > 646


def test_export_refuses_an_unknown_extension_and_a_missing_folder(db, tmp_path):
    from inspector_app.core.errors import DomainError

    with pytest.raises(DomainError, match=r"\.csv 或 \.xlsx"):
        export_roster(db, tmp_path / "r.docx")
    with pytest.raises(DomainError, match="不存在"):
        export_roster(db, tmp_path / "no" / "r.csv")
