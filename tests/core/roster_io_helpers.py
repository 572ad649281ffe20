"""Helpers of the roster file tests (test_roster_io_*.py): rows as a ledger spells them, CSV and XLSX files
written for real, and what the database holds afterwards."""

import csv
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from inspector_app.core.roster.columns import HEADERS
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
