"""Roster files and rows refused: every bad row named with its spreadsheet row and column, nothing written;
files that are not rosters named."""

import csv
import zipfile

import pytest

from inspector_app.core.roster.base import RosterFileError, RowError
from inspector_app.core.roster.columns import COLUMNS, HEADERS
from inspector_app.core.roster.importer import import_roster
from tests.core.roster_io_helpers import (
    BAD_CHECK,
    USCC3,
    USCC4,
    counts,
    messages,
    row,
    second_enterprise,
    snapshot,
    write_csv,
    write_xlsx,
)

# ------------------------------------------------------------------------------------------------ bad rows


def test_every_bad_row_is_reported_with_spreadsheet_row_and_column_and_nothing_is_written(db, tmp_path):
    import_roster(
        db,
        write_csv(
            tmp_path / "before.csv",
            [
                row(
                    统一社会信用代码=USCC4,
                    生产许可证编号="XK06-001-00001",
                    企业名称="上海既有电缆有限公司",
                    产品类别="电线电缆",
                )
            ],
        ),
    )
    before = counts(db)
    snap = snapshot(db)
    rows = [
        row(),  # row 2: fine
        second_enterprise(统一社会信用代码=BAD_CHECK),  # row 3
        row(统一社会信用代码=USCC3, 企业名称="上海甲有限公司", 生产许可证编号="(沪)XK16-204-00007", 所在区="苏州市"),
        row(统一社会信用代码=USCC3, 企业名称="上海甲有限公司", 生产许可证编号="(沪)XK16-204-00008", 产品类别="玩具"),
        row(生产许可证编号="(沪)XK16-204-9"),  # row 6
        row(生产许可证编号="(沪)XK16-204-00009", 有效期至="2021-01-01"),  # row 7: expiry before issue
        row(生产许可证编号="(沪)XK16-204-00010", 企业分类="D", 风险等级="IV"),  # row 8
        row(生产许可证编号="(沪)XK16-204-00011", 企业名称=""),  # row 9
        row(生产许可证编号="(沪)XK16-204-00012", 发证日期="2022-02-30"),  # row 10
    ]
    report = import_roster(db, write_csv(tmp_path / "bad.csv", rows))
    assert report.written is False
    assert counts(db) == before
    assert snapshot(db) == snap
    got = [(e.row, e.column) for e in report.errors]
    assert got == [
        (3, "统一社会信用代码"),
        (4, "所在区"),
        (5, "产品类别"),
        (6, "生产许可证编号"),
        (7, "有效期至"),
        (8, "企业分类"),
        (8, "风险等级"),
        (9, "企业名称"),
        (10, "发证日期"),
    ]
    text = messages(report)
    assert text[0] == "第3行（列“统一社会信用代码”）：第18位校验码应为“8”，实为“9”，请核对前17位是否抄错"
    assert text[1].startswith("第4行（列“所在区”）：“苏州市”不是上海市的区")
    assert "“玩具”不是发证目录内的产品类别" in text[2]
    assert "格式不正确" in text[3]
    assert text[4] == "第7行（列“有效期至”）：有效期至 2021-01-01 不晚于发证日期 2022-03-01，请核对"
    assert text[7] == "第9行（列“企业名称”）：不能为空"
    assert "不是存在的日期" in text[8]
    assert report.bad_rows == [3, 4, 5, 6, 7, 8, 9, 10]


def test_the_column_is_named_as_the_file_spells_it(db, tmp_path):
    headers = ["社会信用代码" if h == "统一社会信用代码" else h for h in HEADERS]
    r = {**row(), "社会信用代码": "91310120MA1H0000I8"}
    report = import_roster(db, write_csv(tmp_path / "s.csv", [r], headers=headers))
    assert messages(report) == [
        "第2行（列“社会信用代码”）：第17位字符“I”不允许（只能是数字和除I、O、S、V、Z以外的大写字母）"
    ]


def test_usccs_mangled_by_excel_into_scientific_notation(db, tmp_path):
    path = write_xlsx(tmp_path / "sci.xlsx", [list(HEADERS), [row(统一社会信用代码=9.13101201e17)[h] for h in HEADERS]])
    report = import_roster(db, path)
    assert report.errors[0].column == "统一社会信用代码"
    assert "科学计数法" in report.errors[0].message
    report = import_roster(db, write_csv(tmp_path / "sci.csv", [row(统一社会信用代码="9.13101E+17")]))
    assert "科学计数法" in report.errors[0].message


def test_same_license_number_for_two_enterprises_in_one_file(db, tmp_path):
    rows = [row(), second_enterprise(生产许可证编号="(沪)XK16-204-00006", 产品类别="食品相关产品")]
    report = import_roster(db, write_csv(tmp_path / "dup.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "生产许可证编号")]
    assert "与第2行相同，但属于另一家企业" in report.errors[0].message
    assert counts(db) == {"enterprise": 0, "license": 0, "site": 0}


def test_same_uscc_with_different_names_in_one_file(db, tmp_path):
    rows = [row(), row(企业名称="上海申华塑料有限公司", 生产许可证编号="(沪)XK16-204-00007")]
    report = import_roster(db, write_csv(tmp_path / "names.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "企业名称")]
    assert "与第2行统一社会信用代码相同" in report.errors[0].message
    assert "上海申华塑料制品有限公司" in report.errors[0].message


def test_license_already_registered_to_another_enterprise_in_the_database(db, tmp_path):
    import_roster(db, write_csv(tmp_path / "a.csv", [row()]))
    report = import_roster(db, write_csv(tmp_path / "b.csv", [second_enterprise(生产许可证编号="(沪)XK16-204-00006")]))
    assert report.written is False
    assert "已登记在企业“上海申华塑料制品有限公司”" in report.errors[0].message
    assert counts(db) == {"enterprise": 1, "license": 1, "site": 1}


def test_same_license_on_two_rows_with_different_data(db, tmp_path):
    rows = [row(), row(有效期至="2028-01-01", 生产地址="上海市奉贤区青村镇光明路6号")]
    report = import_roster(db, write_csv(tmp_path / "x.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "有效期至")]
    assert "同一许可证编号在第2行为“2027-02-28”，此行为“2028-01-01”" in report.errors[0].message


def test_a_note_row_under_the_table_is_one_clear_error(db, tmp_path):
    path = write_csv(tmp_path / "note.csv", [row(), {"企业名称": "注：本表截至2021年12月31日"}])
    report = import_roster(db, path)
    assert len(report.errors) == 1
    assert report.errors[0].row == 3 and report.errors[0].column == ""
    assert str(report.errors[0]).startswith("第3行：必填的")
    assert "备注、合计或说明行" in report.errors[0].message


def test_blank_rows_are_skipped_but_counted_in_row_numbers(db, tmp_path):
    path = tmp_path / "blank.csv"
    write_csv(path, [row()])
    with path.open("a", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([""] * len(HEADERS))
        w.writerow([second_enterprise(所在区="")[h] for h in HEADERS])
    report = import_roster(db, path)
    assert report.rows_read == 2
    assert [(e.row, e.column) for e in report.errors] == [(4, "所在区")]


def test_older_license_form_is_a_warning_and_kept_verbatim(db, tmp_path):
    report = import_roster(db, write_csv(tmp_path / "old.csv", [row(生产许可证编号="XK16-204-0006")]))
    assert report.errors == []
    assert [(w.row, w.column) for w in report.warnings] == [(2, "生产许可证编号")]
    assert "旧版编号格式" in report.warnings[0].message
    assert "XK16-204-0006" in snapshot(db)["licenses"]


def test_unknown_columns_are_ignored_with_a_warning(db, tmp_path):
    headers = [*HEADERS, "备注", "经办人"]
    r = {**row(), "备注": "复查中", "经办人": "张三"}
    report = import_roster(db, write_csv(tmp_path / "extra.csv", [r], headers=headers))
    assert report.errors == []
    assert [str(w) for w in report.warnings] == [
        "第1行（列“备注”）：不是可识别的列，已忽略",
        "第1行（列“经办人”）：不是可识别的列，已忽略",
    ]


def test_header_decorations_are_tolerated(db, tmp_path):
    headers = [f"*{h}" if c.required else f"{h}（选填）" for h, c in zip(HEADERS, COLUMNS, strict=True)]
    headers[0] = " 企业\n名称 "
    path = tmp_path / "deco.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([headers, [row()[h] for h in HEADERS]])
    report = import_roster(db, path)
    assert report.errors == [] and report.warnings == []


# ------------------------------------------------------------------------------------------------ refused files


def test_missing_required_column_is_refused_naming_it(db, tmp_path):
    headers = [h for h in HEADERS if h not in ("所在区", "有效期至")]
    with pytest.raises(RosterFileError) as caught:
        import_roster(db, write_csv(tmp_path / "m.csv", [row()], headers=headers))
    assert "缺少必需的列：“所在区”、“有效期至”" in str(caught.value)
    assert "m.csv" in str(caught.value)


def test_two_columns_for_the_same_field_are_refused(db, tmp_path):
    headers = [*HEADERS, "单位名称"]
    with pytest.raises(RosterFileError, match="“企业名称”和“单位名称”都表示“企业名称”"):
        import_roster(db, write_csv(tmp_path / "two.csv", [row()], headers=headers))


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("empty.csv", b"", "文件是空的"),
        ("blank.csv", b"\xef\xbb\xbf\r\n\r\n", "文件是空的"),
        ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "这是PDF文件，不是表格"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "这是图片"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Office 文件"),
        ("web.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页"),
        ("bin.csv", b"\x00\x01\x02\x03garbage\x00", "二进制文件"),
        ("words.csv", "这是一段说明文字，不是台账。\n第二行。\n".encode(), "找不到表头"),
    ],
)
def test_wrong_files_are_refused_naming_the_file(db, tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterFileError) as caught:
        import_roster(db, path)
    assert str(path) in str(caught.value)
    assert fragment in str(caught.value)
    assert counts(db) == {"enterprise": 0, "license": 0, "site": 0}


def test_a_word_document_renamed_csv_is_refused(db, tmp_path):
    path = tmp_path / "台账.csv"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(RosterFileError, match=r"Word文档（\.docx）"):
        import_roster(db, path)


def test_an_xlsx_renamed_csv_is_read_as_a_workbook(db, tmp_path):
    path = write_xlsx(tmp_path / "really.xlsx", [list(HEADERS), [row()[h] for h in HEADERS]])
    renamed = path.rename(tmp_path / "really.csv")
    assert import_roster(db, renamed).enterprises_added == 1


def test_header_only_and_missing_file(db, tmp_path):
    with pytest.raises(RosterFileError, match="只有表头"):
        import_roster(db, write_csv(tmp_path / "h.csv", []))
    with pytest.raises(RosterFileError, match="找不到该文件"):
        import_roster(db, tmp_path / "nothere.csv")


def test_row_error_format():
    assert str(RowError(5, "所在区", "不能为空")) == "第5行（列“所在区”）：不能为空"
    assert str(RowError(7, "", "与第2行重复，已忽略")) == "第7行：与第2行重复，已忽略"
    assert str(RowError(0, "", "读取工作表“台账”")) == "读取工作表“台账”"  # about the whole file
