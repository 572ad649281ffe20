"""The roster's columns: canonical headers, the synonyms ledgers use, and the header index (docs/roster-format.md)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # canonical header, written by export
    synonyms: tuple[str, ...]
    required: bool
    fmt: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "企业名称",
        ("单位名称", "企业（单位）名称", "生产企业名称", "获证企业名称", "企业名"),
        True,
        "文字",
        "上海申华塑料制品有限公司",
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        ("社会信用代码", "信用代码", "统一代码", "社会统一信用代码"),
        True,
        "18位，GB 32100 校验",
        "91310120MA1J8K2N4D",
    ),
    Column("legal_rep", "法定代表人", ("法人代表", "法人", "负责人", "法定代表人（负责人）"), False, "文字", "王建国"),
    Column("contact", "联系人", ("企业联系人",), False, "文字", "李秀英"),
    Column(
        "phone",
        "联系电话",
        ("电话", "联系方式", "手机", "联系人电话", "联系电话（手机）"),
        False,
        "文字",
        "021-57001234",
    ),
    Column(
        "address", "住所", ("注册地址", "企业住所", "住所地址", "注册地"), False, "文字", "上海市奉贤区南桥镇江海路88号"
    ),
    Column(
        "district", "所在区", ("区域", "辖区", "所属区", "区", "所在区域", "行政区"), True, "上海市16个区之一", "奉贤区"
    ),
    Column(
        "site_address",
        "生产地址",
        ("生产场所", "生产场所地址", "生产地点", "生产地址（场所）"),
        True,
        "文字",
        "上海市奉贤区南桥镇江海路88号",
    ),
    Column(
        "number",
        "生产许可证编号",
        ("许可证编号", "证书编号", "生产许可证号", "许可证号", "证书号", "证号"),
        True,
        "(沪)XK16-204-00006",
        "(沪)XK16-204-00006",
    ),
    Column(
        "category",
        "产品类别",
        ("产品单元", "类别", "产品大类", "发证类别"),
        True,
        "发证目录内的10类之一",
        "直接接触食品的材料等相关产品",
    ),
    Column(
        "products",
        "获证产品",
        ("产品名称", "许可产品", "产品明细", "获证产品名称", "产品"),
        False,
        "文字，多个用“、”分隔",
        "食品用塑料包装容器工具",
    ),
    Column("issue_date", "发证日期", ("发证时间", "颁发日期", "有效期起", "有效期自"), False, "日期", "2022-03-01"),
    Column(
        "expiry_date",
        "有效期至",
        ("有效期截止", "到期日期", "有效期截止日期", "有效期止", "截止日期", "到期日"),
        True,
        "日期，晚于发证日期",
        "2027-02-28",
    ),
    Column(
        "classification",
        "企业分类",
        ("分类", "分类监管类别", "监管类别", "分类结果", "企业类别"),
        False,
        "AA、A、B、C",
        "A",
    ),
    Column("risk_level", "风险等级", ("产品风险等级", "风险级别"), False, "I、II、III（或Ⅰ、Ⅱ、Ⅲ）", "II"),
    # 000 一: 告知承诺审批 or the ordinary procedure; empty: not recorded (an existing value is kept)
    Column(
        "issuance",
        "审批方式",
        ("发证方式", "许可方式", "审批程序", "取证方式"),
        False,
        "告知承诺、一般程序",
        "告知承诺",
    ),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
# A single "有效期" column may hold a range "2022-03-01至2027-02-28" or just the expiry date.
VALIDITY_HEADERS = ("有效期", "有效期限")


def norm_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"\((必填|选填|可选)\)", "", text)
    return text.strip("*:：")


HEADER_INDEX: dict[str, str] = {}
for _col in COLUMNS:
    for _name in (_col.header, *_col.synonyms):
        HEADER_INDEX[norm_header(_name)] = _col.key
for _name in VALIDITY_HEADERS:
    HEADER_INDEX[norm_header(_name)] = "validity"
