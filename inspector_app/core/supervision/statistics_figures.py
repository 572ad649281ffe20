"""000's figures outside its tables, as values: licenses under 告知承诺 and their full-coverage routine
inspections (000 一, 二(一)), the 中心城区/郊区 shares (000 一(一)), the 违法线索 found (000 二(二)), the spot-check
summary (000 三) and the flight-inspection summary (000 四). core/supervision/statistics_more.py counts them;
the counting rules are in docs/statistics.md.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CommitmentFigures:  # 000 一, 二(一), 五
    licenses: int  # valid on the last day and issued under 告知承诺
    issued: int  # issued under 告知承诺 within the period
    covered: int  # of those, with a 全覆盖例行检查 on or after the issue date, by the end of the period
    coverage: str  # covered / issued
    inspections: int  # 全覆盖例行检查 家次 in the period
    turnouts: int  # … 人次


@dataclass(frozen=True)
class RegionShares:  # 000 一(一)
    districts: int  # districts with at least one licensed enterprise (分布于13个区)
    central: int
    central_share: str  # one decimal
    suburban: int
    suburban_share: str
    central_districts: tuple[str, ...]


@dataclass(frozen=True)
class SpotCheckSummary:  # 000 三
    products: int  # 种: distinct products sampled
    enterprises: int
    batches: int
    failed: int
    rate: str  # 不合格检出率, one decimal


@dataclass(frozen=True)
class CategoryCount:
    category: str
    enterprises: int


@dataclass(frozen=True)
class FlightSummary:  # 000 四
    inspections: int  # 家次
    enterprises: int
    districts: int
    first: str  # ISO date of the first flight inspection of the period, "" when none
    last: str
    by_category: tuple[CategoryCount, ...]  # enterprises per product category
    problems: int  # 项次
    transferred: int  # transfers to penalty raised from these inspections


@dataclass(frozen=True)
class MoreFigures:
    commitment: CommitmentFigures
    regions: RegionShares
    leads: int  # 违法线索 found by routine supervision (000 二(二))
    spot: SpotCheckSummary
    flight: FlightSummary
