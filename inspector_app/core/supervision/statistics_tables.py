"""The bureau's tables as values (000 表1–表4, the problem categories, 003's campaign table): one row type per
table, the Report that holds them, and 000's conventions for percentages and coverage. core/supervision/
statistics.py counts them; documents/statistics_report.py renders them.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from inspector_app.core.supervision.statistics_figures import MoreFigures
from inspector_app.i18n import _


# ------------------------------------------------------------------ formatting (000's conventions)
def percent(part: int, whole: int, decimals: int = 1) -> str:
    """Half-up rounded percentage as printed in 000: 34.6% (one decimal), 47% (取整); "/" when whole is 0."""
    if not whole:
        return "/"
    q = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(q, rounding=ROUND_HALF_UP)
    return f"{value}%"


def coverage_text(part: int, whole: int) -> str:
    """Coverage: "100%" when complete, else one decimal (never rounded up to a misleading 100%)."""
    if not whole:
        return "/"
    if part >= whole:
        return "100%"
    text = percent(part, whole, 1)
    return "99.9%" if text == "100.0%" else text


# ------------------------------------------------------------------ the report
@dataclass(frozen=True)
class DistrictRow:  # 000 表4 (and 表1's count)
    district: str
    enterprises: int  # 获证企业总数
    planned: int  # 计划检查单位总数
    inspections: int  # 实际检查家（次）
    problems: int  # 发现问题总数（项次）
    ordered: int  # 责令改正数
    transferred: int  # 移交行政处罚总数
    inspected_enterprises: int  # enterprises with ≥1 inspection (coverage numerator)
    coverage: str  # 实际检查数/获证企业数
    sites: int = 0  # 表1 生产地址数: production addresses of valid licenses in the district (001 §15)


@dataclass(frozen=True)
class ClassRow:  # 000 表2
    classification: str
    mode: str
    enterprises: int
    percent: str  # 取整
    inspections: int


@dataclass(frozen=True)
class CountRow:
    name: str
    count: int
    percent: str = ""


@dataclass(frozen=True)
class CampaignRow:  # 003 附件 (None: not known to this app; the bureau fills it in)
    category: str
    values: tuple  # one value per CAMPAIGN_COLUMNS


# 003 附件 columns, (group, sub-group, column). Computed: 风险排查/生产领域 and 监督抽查/生产领域.
CAMPAIGN_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("风险排查", "生产领域", "排查企业"),
    ("风险排查", "生产领域", "发现问题企业"),
    ("风险排查", "流通领域", "排查企业"),
    ("风险排查", "流通领域", "发现问题企业"),
    ("监督抽查", "生产领域", "抽查企业"),
    ("监督抽查", "生产领域", "抽查批次"),
    ("监督抽查", "生产领域", "不合格批次"),
    ("监督抽查", "生产领域", "同比变化"),
    ("监督抽查", "流通领域", "抽查企业"),
    ("监督抽查", "流通领域", "抽查批次"),
    ("监督抽查", "流通领域", "不合格批次"),
    ("监督抽查", "流通领域", "同比变化"),
    ("风险监测", "", "采集风险信息（条）"),
    ("风险监测", "", "开展风险监测产品（批次）"),
    ("风险监测", "", "发现质量问题（个）"),
    ("案件查办", "", "查处案件（起）"),
    ("案件查办", "", "罚没金额"),
    ("案件查办", "", "案值"),
    ("案件查办", "", "移送司法机关案件（起）"),
    ("行纪衔接", "", "行纪衔接（起）"),
    ("质量技术帮扶", "", "帮扶企业（家）"),
    ("质量技术帮扶", "", "解决质量问题（个）"),
    ("质量技术帮扶", "", "帮助企业提升产值"),
    ("约谈", "", "约谈企业（家）"),
)


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    district: str | None  # None: the whole city (every district)
    generated_on: date
    districts: tuple[DistrictRow, ...]  # 表1 and 表4
    total: DistrictRow
    classes: tuple[ClassRow, ...]  # 表2
    certificates: tuple[CountRow, ...]  # 表3
    certificates_total: int
    problems: tuple[CountRow, ...]  # 000 二(二)
    other_food: int  # 其他: food-related products
    other_industrial: int  # 其他: industrial products
    inspector_turnouts: int  # 出动检查人员（人次）
    campaign: tuple[CampaignRow, ...] = field(default_factory=tuple)
    campaign_kinds: tuple[str, ...] = ("special",)
    more: MoreFigures | None = None  # 000's figures outside its tables (statistics_more.py)

    @property
    def scope_label(self) -> str:
        return self.district or _("全市")

    @property
    def period_label(self) -> str:
        if self.start.month == 1 and self.start.day == 1 and self.end == date(self.start.year, 12, 31):
            return _("{y}年度").format(y=self.start.year)
        return _("{a}至{b}").format(a=self.start.isoformat(), b=self.end.isoformat())

    def to_dict(self) -> dict:
        """Plain JSON-able dict: the same tables as the GUI and the exports (docs/statistics.md)."""
        d = asdict(self)
        for key in ("start", "end", "generated_on"):
            d[key] = d[key].isoformat()
        d["scope"] = self.scope_label
        d["period"] = self.period_label
        d["campaign_columns"] = [list(c) for c in CAMPAIGN_COLUMNS]
        d["campaign"] = [{"category": r.category, "values": list(r.values)} for r in self.campaign]
        return json.loads(json.dumps(d, ensure_ascii=False))  # tuples → lists: exactly what the JSON file holds


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
