"""Roster import with real files (CSV in UTF-8-BOM, UTF-8, GBK and UTF-16; XLSX via openpyxl) and real SQLite:
every field stored, spellings and dates understood, dry run and partial import, updates by USCC."""

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from inspector_app.core import catalog
from inspector_app.core.roster.columns import COLUMNS, HEADERS
from inspector_app.core.roster.importer import import_roster
from inspector_app.core.roster.values import parse_date
from inspector_app.core.storage.models import Enterprise, License
from tests.core.roster_io_helpers import (
    BAD_CHECK,
    USCC1,
    USCC2,
    USCC3,
    counts,
    row,
    second_enterprise,
    snapshot,
    write_csv,
    write_xlsx,
)

# ------------------------------------------------------------------------------------------------ happy paths


def test_csv_utf8_bom_import_stores_every_field(db, tmp_path):
    path = write_csv(tmp_path / "台账.csv", [row(), second_enterprise()])
    report = import_roster(db, path)
    assert report.errors == []
    assert report.written is True
    assert (report.rows_read, report.enterprises_added, report.licenses_added, report.sites_added) == (2, 2, 2, 2)
    snap = snapshot(db)
    assert snap["enterprises"][USCC1] == (
        "上海申华塑料制品有限公司",
        "王建国",
        "李秀英",
        "021-57001234",
        "上海市奉贤区南桥镇江海路88号",
        "奉贤区",
        "A",
        "II",
    )
    assert snap["licenses"]["(沪)XK16-204-00006"] == (
        USCC1,
        catalog.FOOD_CATEGORY,
        "食品用塑料包装容器工具",
        date(2022, 3, 1),
        date(2027, 2, 28),
        "上海市奉贤区南桥镇江海路88号",
    )
    assert (USCC2, "上海市松江区车墩镇工业路1号", "松江区") in snap["sites"]


def test_new_records_start_at_revision_1_and_updates_bump_it(db, tmp_path):
    import_roster(db, write_csv(tmp_path / "a.csv", [row()]))
    with db.session() as s:
        assert s.scalar(select(Enterprise.rev)) == 1
    import_roster(db, write_csv(tmp_path / "b.csv", [row(联系电话="13900001111")]))
    with db.session() as s:
        assert s.scalar(select(Enterprise.rev)) == 2  # sync tells the newer copy by rev
        assert s.scalar(select(License.rev)) == 1  # the license did not change


def test_gbk_csv_as_chinese_excel_writes_it_is_detected(db, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [row(), second_enterprise()], encoding="gbk")
    assert path.read_bytes()[:3] != b"\xef\xbb\xbf"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = import_roster(db, path)
    assert report.errors == []
    assert snapshot(db)["enterprises"][USCC1][0] == "上海申华塑料制品有限公司"


def test_utf8_without_bom_and_gb18030(db, tmp_path):
    assert import_roster(db, write_csv(tmp_path / "u.csv", [row()], encoding="utf-8")).errors == []
    report = import_roster(db, write_csv(tmp_path / "g.csv", [second_enterprise()], encoding="gb18030"))
    assert report.errors == [] and report.enterprises_added == 1


def test_tab_separated_utf16_unicode_text_from_excel(db, tmp_path):
    path = tmp_path / "unicode.txt"
    lines = ["\t".join(HEADERS), "\t".join(str(row()[h]) for h in HEADERS)]
    path.write_bytes("\r\n".join(lines).encode("utf-16"))
    report = import_roster(db, path)
    assert report.errors == [] and report.enterprises_added == 1


def test_synonym_headers_and_ledger_spellings(db, tmp_path):
    headers = [
        "单位名称",
        "社会信用代码",
        "法人代表",
        "联系人",
        "电话",
        "注册地址",
        "辖区",
        "生产场所",
        "证书编号",
        "产品单元",
        "产品名称",
        "发证日期",
        "到期日期",
        "分类",
        "风险等级",
    ]
    values = [
        "上海申华塑料制品有限公司",
        USCC1.lower(),
        "王建国",
        "李秀英",
        "021-57001234",
        "上海市奉贤区南桥镇江海路88号",
        "浦东新区（含自由贸易区）",  # 000 表1 spelling
        "上海市浦东新区康桥镇秀浦路1号",
        "（沪）XK16-204-00006",  # full-width parentheses
        "食品相关产品",  # short name
        "餐具洗涤剂",
        "2022年3月1日",
        "2027/2/28",
        "B类",
        "Ⅰ级",
    ]
    path = tmp_path / "synonyms.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([headers, values])
    report = import_roster(db, path)
    assert report.errors == []
    assert report.warnings == []
    snap = snapshot(db)
    assert snap["enterprises"][USCC1][5:] == ("浦东新区", "B", "I")
    assert snap["licenses"]["(沪)XK16-204-00006"][1:5] == (
        catalog.FOOD_CATEGORY,
        "餐具洗涤剂",
        date(2022, 3, 1),
        date(2027, 2, 28),
    )


def test_xlsx_with_title_row_excel_dates_and_numeric_cells(db, tmp_path):
    values = row(
        联系电话=13900001111,  # a number cell
        发证日期=datetime(2022, 3, 1),  # a date cell
        有效期至=46446,  # an Excel serial that lost its date format: 2027-02-28
    )
    path = write_xlsx(
        tmp_path / "台账.xlsx",
        [list(HEADERS), [values[h] for h in HEADERS], [second_enterprise()[h] for h in HEADERS]],
        before=[["2021年奉贤区工业产品生产许可证获证企业台账"]],
    )
    report = import_roster(db, path)
    assert report.errors == []
    snap = snapshot(db)
    assert snap["enterprises"][USCC1][3] == "13900001111"
    assert snap["licenses"]["(沪)XK16-204-00006"][3:5] == (date(2022, 3, 1), date(2027, 2, 28))


def test_xlsx_bad_row_numbers_count_the_title_row(db, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [list(HEADERS), [row()[h] for h in HEADERS], [row(所在区="火星区")[h] for h in HEADERS]],
        before=[["台账"], []],
    )
    report = import_roster(db, path)
    assert [(e.row, e.column) for e in report.errors] == [(5, "所在区")]


def test_xlsx_reads_the_sheet_that_holds_the_roster(db, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由区局填写"])
    ws = wb.create_sheet("台账")
    ws.append(list(HEADERS))
    ws.append([row()[h] for h in HEADERS])
    wb.save(tmp_path / "two.xlsx")
    report = import_roster(db, tmp_path / "two.xlsx")
    assert report.errors == [] and report.enterprises_added == 1
    assert any("台账" in w.message and "说明" in w.message for w in report.warnings)


def test_validity_range_column(db, tmp_path):
    headers = [h for h in HEADERS if h not in ("发证日期", "有效期至")] + ["有效期"]
    r = {**row(), "有效期": "2022-03-01至2027-02-28"}
    report = import_roster(db, write_csv(tmp_path / "v.csv", [r], headers=headers))
    assert report.errors == []
    assert snapshot(db)["licenses"]["(沪)XK16-204-00006"][3:5] == (date(2022, 3, 1), date(2027, 2, 28))


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024.3.1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        ("2024年03月01日", date(2024, 3, 1)),
        ("２０２４－０３－０１", date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1)),
        ("2024-03-01 00:00:00", date(2024, 3, 1)),
        (datetime(2024, 3, 1, 0, 0), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        (45352, date(2024, 3, 1)),  # Excel serial
        ("45352", date(2024, 3, 1)),
    ],
)
def test_date_spellings(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2024-02-30", "2024-13-01", "明年", "3/1/2024", "", "12"])
def test_bad_dates_are_refused_in_chinese(value):
    with pytest.raises(ValueError, match="日期"):
        parse_date(value)


# ------------------------------------------------------------------------------------------------ modes


def test_dry_run_counts_but_writes_nothing(db, tmp_path):
    report = import_roster(db, write_csv(tmp_path / "d.csv", [row(), second_enterprise()]), dry_run=True)
    assert report.errors == []
    assert report.written is False and report.dry_run is True
    assert (report.enterprises_added, report.licenses_added, report.sites_added) == (2, 2, 2)
    assert counts(db) == {"enterprise": 0, "license": 0, "site": 0}


def test_skip_invalid_writes_only_the_good_rows(db, tmp_path):
    rows = [
        row(),
        second_enterprise(统一社会信用代码=BAD_CHECK),
        row(统一社会信用代码=USCC3, 企业名称="上海丙有限公司", 生产许可证编号="(沪)XK16-204-00099"),
    ]
    report = import_roster(db, write_csv(tmp_path / "s.csv", rows), skip_invalid=True)
    assert report.written is True
    assert report.rows_skipped == 1 and report.bad_rows == [3]
    assert report.enterprises_added == 2
    assert set(snapshot(db)["enterprises"]) == {USCC1, USCC3}


def test_progress_is_reported_and_an_exception_from_it_cancels(db, tmp_path):
    path = write_csv(tmp_path / "p.csv", [row(), second_enterprise()])
    seen = []
    import_roster(db, path, dry_run=True, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)

    class Cancelled(Exception):
        pass

    def cancel(done, total):
        raise Cancelled

    with pytest.raises(Cancelled):
        import_roster(db, path, progress=cancel)
    assert counts(db) == {"enterprise": 0, "license": 0, "site": 0}


# ------------------------------------------------------------------------------------------------ upsert


def test_upsert_by_uscc_updates_fields_and_adds_a_second_license(db, tmp_path):
    import_roster(db, write_csv(tmp_path / "a.csv", [row()]))
    update = [
        row(企业名称="上海申华新材料有限公司", 联系电话="13900001111", 法定代表人=""),
        row(
            企业名称="上海申华新材料有限公司",
            联系电话="13900001111",
            生产许可证编号="(沪)XK19-001-00003",
            产品类别="危险化学品包装物及容器",
            获证产品="塑料桶",
        ),
    ]
    report = import_roster(db, write_csv(tmp_path / "b.csv", update))
    assert report.errors == []
    assert (report.enterprises_added, report.enterprises_updated) == (0, 1)
    assert (report.licenses_added, report.licenses_updated, report.sites_added) == (1, 0, 0)
    snap = snapshot(db)
    name, legal_rep, _contact, phone = snap["enterprises"][USCC1][:4]
    assert (name, phone) == ("上海申华新材料有限公司", "13900001111")
    assert legal_rep == "王建国"  # an empty cell does not erase what the archive knows
    assert set(snap["licenses"]) == {"(沪)XK16-204-00006", "(沪)XK19-001-00003"}
    assert counts(db) == {"enterprise": 1, "license": 2, "site": 1}


def test_upsert_updates_a_license_by_number_and_adds_a_site_by_address(db, tmp_path):
    import_roster(db, write_csv(tmp_path / "a.csv", [row()]))
    again = [row(有效期至="2028-02-28", 生产地址="上海市奉贤区青村镇光明路6号")]
    report = import_roster(db, write_csv(tmp_path / "b.csv", again))
    assert (report.licenses_updated, report.sites_added, report.enterprises_unchanged) == (1, 1, 1)
    lic = snapshot(db)["licenses"]["(沪)XK16-204-00006"]
    assert lic[4:] == (date(2028, 2, 28), "上海市奉贤区青村镇光明路6号")
    assert counts(db) == {"enterprise": 1, "license": 1, "site": 2}


def test_importing_the_same_file_twice_changes_nothing(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), second_enterprise()])
    import_roster(db, path)
    snap = snapshot(db)
    report = import_roster(db, path)
    assert (report.enterprises_added, report.enterprises_updated, report.enterprises_unchanged) == (0, 0, 2)
    assert (report.licenses_added, report.licenses_updated, report.sites_added) == (0, 0, 0)
    assert snapshot(db) == snap


def test_multi_row_enterprise_with_two_licenses_and_two_sites(db, tmp_path):
    rows = [
        row(),
        row(
            生产地址="上海市奉贤区青村镇光明路6号",
            生产许可证编号="(沪)XK13-006-00021",
            产品类别="危险化学品",
            获证产品="涂料",
            企业分类="C",
            风险等级="I",
        ),
    ]
    report = import_roster(db, write_csv(tmp_path / "multi.csv", rows))
    assert (report.enterprises_added, report.licenses_added, report.sites_added) == (1, 2, 2)
    snap = snapshot(db)
    assert snap["licenses"]["(沪)XK13-006-00021"][5] == "上海市奉贤区青村镇光明路6号"
    assert snap["licenses"]["(沪)XK16-204-00006"][5] == "上海市奉贤区南桥镇江海路88号"
    # 001 §31: several product types → the lowest class governs; the highest risk governs.
    assert snap["enterprises"][USCC1][6:] == ("C", "I")
    assert any("《上海市工业产品生产许可证证后监督检查管理办法》第三十一条" in w.message for w in report.warnings)


def test_one_license_covering_two_addresses(db, tmp_path):
    rows = [row(), row(生产地址="上海市奉贤区青村镇光明路6号")]
    report = import_roster(db, write_csv(tmp_path / "addr.csv", rows))
    assert report.errors == []
    assert counts(db) == {"enterprise": 1, "license": 1, "site": 2}
    assert snapshot(db)["licenses"]["(沪)XK16-204-00006"][5] == "上海市奉贤区南桥镇江海路88号"


def test_docs_list_every_header_and_synonym():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "roster-format.md").read_text("utf-8")
    table = {line.split("|")[1].strip(): line for line in doc.splitlines() if line.startswith("| ")}
    for column in COLUMNS:
        assert column.header in table, column.header
        line = table[column.header]
        assert all(s in line for s in column.synonyms), column.header
        assert ("| 是 |" in line) == column.required, column.header


def test_every_class_the_roster_sets_is_in_the_classification_history(db, tmp_path, fixed_today):
    """001 §18: the classification archive says where each class came from, the roster's too."""
    from inspector_app.core.supervision.classification import history

    import_roster(db, write_csv(tmp_path / "r1.csv", [row(), second_enterprise(企业分类="")]))
    with db.session() as s:
        ids = dict(s.execute(select(Enterprise.uscc, Enterprise.id)).all())
    first, second = history(db, ids[USCC1]), history(db, ids[USCC2])
    assert [(c.from_class, c.to_class) for c in first] == [(None, "A")]
    assert [(c.from_class, c.to_class, c.rule) for c in second] == [(None, "B", "001 §10")]  # new licensee
    import_roster(db, write_csv(tmp_path / "r2.csv", [row(企业分类="C")]))
    changes = history(db, ids[USCC1])
    assert {(c.from_class, c.to_class) for c in changes} == {(None, "A"), ("A", "C")}
    assert all(c.changed_on == fixed_today for c in changes)
    import_roster(db, write_csv(tmp_path / "r3.csv", [row(企业分类="C")]))  # unchanged: no new row
    assert len(history(db, ids[USCC1])) == 2
