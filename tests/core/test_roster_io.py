"""Roster import/export with real files (CSV in UTF-8-BOM, UTF-8 and GBK; XLSX via openpyxl) and real SQLite."""

import csv
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from inspector_app.core import catalog
from inspector_app.core.roster.base import RosterFileError, RowError
from inspector_app.core.roster.columns import COLUMNS, HEADERS
from inspector_app.core.roster.export import export_roster
from inspector_app.core.roster.importer import import_roster
from inspector_app.core.roster.values import parse_date
from inspector_app.core.storage.models import Enterprise, License, Site

USCC1 = "91310120MA1H000018"  # 奉贤区
USCC2 = "91310117MA1H000021"  # 松江区
USCC3 = "91310116MA1H00003M"  # 金山区
USCC4 = "91310115MA1H00004A"  # 浦东新区
BAD_CHECK = "91310120MA1H000019"  # USCC1 with a wrong check character


def row(**fields) -> dict[str, object]:
    base = {
        "企业名称": "上海申华塑料制品有限公司",
        "统一社会信用代码": USCC1,
        "法定代表人": "王建国",
        "联系人": "李秀英",
        "联系电话": "021-57001234",
        "住所": "上海市奉贤区南桥镇江海路88号",
        "所在区": "奉贤区",
        "生产地址": "上海市奉贤区南桥镇江海路88号",
        "生产许可证编号": "(沪)XK16-204-00006",
        "产品类别": "直接接触食品的材料等相关产品",
        "获证产品": "食品用塑料包装容器工具",
        "发证日期": "2022-03-01",
        "有效期至": "2027-02-28",
        "企业分类": "A",
        "风险等级": "II",
        "审批方式": "",
    }
    base.update(fields)
    return base


def second_enterprise(**fields) -> dict[str, object]:
    return row(
        **{
            "企业名称": "上海金鼎化工有限公司",
            "统一社会信用代码": USCC2,
            "所在区": "松江区",
            "住所": "上海市松江区车墩镇工业路1号",
            "生产地址": "上海市松江区车墩镇工业路1号",
            "生产许可证编号": "(沪)XK13-006-00021",
            "产品类别": "危险化学品",
            "获证产品": "涂料",
            **fields,
        }
    )


def write_csv(path: Path, rows: list[dict], headers=HEADERS, encoding="utf-8-sig", before=()) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        for line in before:
            writer.writerow(line)
        writer.writerow(headers)
        for r in rows:
            writer.writerow([r.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, rows: list[list], before=()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in before:
        ws.append(line)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def counts(db) -> dict[str, int]:
    with db.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in (Enterprise, License, Site)}


def snapshot(db) -> dict:
    """The roster as plain values, independent of ids, for comparing two databases."""
    with db.session() as s:
        ents = {
            e.uscc: (e.name, e.legal_rep, e.contact, e.phone, e.address, e.district, e.classification, e.risk_level)
            for e in s.scalars(select(Enterprise))
        }
        sites = {(s_.enterprise.uscc, s_.address, s_.district) for s_ in s.scalars(select(Site))}
        lics = {
            lic.number: (
                lic.enterprise.uscc,
                lic.category,
                lic.products,
                lic.issue_date,
                lic.expiry_date,
                lic.site.address if lic.site else None,
            )
            for lic in s.scalars(select(License))
        }
    return {"enterprises": ents, "sites": sites, "licenses": lics}


def messages(report) -> list[str]:
    return [str(e) for e in report.errors]


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
    assert any("001 §31" in w.message for w in report.warnings)


def test_one_license_covering_two_addresses(db, tmp_path):
    rows = [row(), row(生产地址="上海市奉贤区青村镇光明路6号")]
    report = import_roster(db, write_csv(tmp_path / "addr.csv", rows))
    assert report.errors == []
    assert counts(db) == {"enterprise": 1, "license": 1, "site": 2}
    assert snapshot(db)["licenses"]["(沪)XK16-204-00006"][5] == "上海市奉贤区南桥镇江海路88号"


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


def test_row_error_format():
    assert str(RowError(5, "所在区", "不能为空")) == "第5行（列“所在区”）：不能为空"
    assert str(RowError(7, "", "与第2行重复，已忽略")) == "第7行：与第2行重复，已忽略"
    assert str(RowError(0, "", "读取工作表“台账”")) == "读取工作表“台账”"  # about the whole file


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
