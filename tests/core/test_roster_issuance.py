"""The roster's optional 审批方式 column (000 一: licenses issued under 告知承诺): read, refused when unknown,
kept when a later file leaves it empty, written back by export."""

import csv

from sqlalchemy import select

from inspector_app.core.roster.export import export_roster
from inspector_app.core.roster.importer import import_roster
from inspector_app.core.storage.models import License
from tests.core.roster_io_helpers import row, write_csv


def issuance(db) -> str | None:
    with db.session() as s:
        return s.scalar(select(License.issuance).where(License.number == "(沪)XK16-204-00006"))


def test_issuance_read_kept_and_exported(db, tmp_path):
    assert import_roster(db, write_csv(tmp_path / "a.csv", [row(审批方式="告知承诺审批")])).errors == []
    assert issuance(db) == "commitment"
    assert import_roster(db, write_csv(tmp_path / "b.csv", [row(审批方式="")])).errors == []
    assert issuance(db) == "commitment"  # an empty cell keeps what is known
    out = export_roster(db, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig") as f:
        exported = list(csv.DictReader(f))
    assert out and exported[0]["审批方式"] == "告知承诺"


def test_unknown_issuance_is_refused_naming_row_and_column(db, tmp_path):
    report = import_roster(db, write_csv(tmp_path / "a.csv", [row(审批方式="随便批")]))
    assert not report.written and issuance(db) is None
    [e] = report.errors
    assert (e.row, e.column) == (2, "审批方式") and "随便批" in e.message and "告知承诺" in e.message
