"""Double-random draw rules as data (forms/draw/*.toml) and the working-day calendar of 002 三(五).

A rules file says which groups of enterprises are drawn at which ratio (002 一(四)), how teams are made
(002 二(一)) and how many working days the bureau has to publish results (002 三(五)). The loader lists every
problem of a file in Chinese, like the checklist loader. `Rules.canonical()` is what a draw stores and hashes,
so comments and formatting never change a draw's identity.
"""

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from inspector_app.core.catalog import CATEGORY_SYNONYMS, PRODUCT_CATEGORIES
from inspector_app.core.errors import DomainError
from inspector_app.core.problems import Problems
from inspector_app.core.safe_input import UnsafeInput, load_json, load_toml
from inspector_app.core.supervision.classification import SPOT_CHECK_LEVELS
from inspector_app.core.supervision.workdays import is_working_day

RULES_FILE_NAME = "draw-rules-2022-shanxi.toml"


def default_rules_path() -> Path:
    """The shipped 2022 Shanxi rules (forms/draw/, so that the checklist loader does not read them)."""
    from inspector_app.paths import forms_dir

    for candidate in (forms_dir() / "draw" / RULES_FILE_NAME, forms_dir() / RULES_FILE_NAME):
        if candidate.exists():
            return candidate
    return forms_dir() / "draw" / RULES_FILE_NAME


class RulesError(DomainError):
    def __init__(self, file: str, problems: list[str]):
        super().__init__("\n".join(f"抽取规则文件 {file}：{p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class SpotCheckMatch:
    level: str
    years: int  # calendar years before the draw year: years = 5 in 2022 → 2017–2021


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    ratio: float
    categories: tuple[str, ...] = ()
    spot_check_failed: tuple[SpotCheckMatch, ...] = ()
    rest: bool = False

    def matches(self, categories: frozenset[str], failures: frozenset[tuple[str, int]], year: int) -> bool:
        if self.rest:
            return True
        if self.categories and categories & set(self.categories):
            return True
        return any((m.level, y) in failures for m in self.spot_check_failed for y in range(year - m.years, year))


@dataclass(frozen=True)
class Teams:
    size: int = 5
    leader: bool = True  # the leader must be marked 可任组长
    technical_deputy: bool = True  # a deputy marked 技术专家 is required
    # The sizes a draw may choose instead of `size` (002 二(一): 每组5-6人); None: only `size` itself.
    min_size: int | None = None
    max_size: int | None = None

    def bounds(self) -> tuple[int, int]:
        return (self.min_size or self.size, self.max_size or self.size)


@dataclass(frozen=True)
class Publication:
    working_days: int = 20
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # weekend days worked (调休)

    def is_working_day(self, d: date) -> bool:
        """The State Council's schedule, this table overriding it (core/supervision/workdays.py); raises
        CalendarUnknown for a year neither knows."""
        return is_working_day(d, self.holidays, self.workdays)

    def deadline(self, done_on: date) -> date:
        """The last day of publication: the n-th working day after the day the inspection was completed."""
        d, left = done_on, self.working_days
        while left:
            d += timedelta(days=1)
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_left(self, today: date, deadline: date) -> int:
        """Working days from tomorrow up to and including the deadline (negative when overdue)."""
        if today > deadline:
            n, d = 0, deadline
            while d < today:
                d += timedelta(days=1)
                if self.is_working_day(d):
                    n -= 1
            return n
        n, d = 0, today
        while d < deadline:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n += 1
        return n


@dataclass(frozen=True)
class Rules:
    id: str
    title: str
    source: str
    groups: tuple[Group, ...]
    teams: Teams
    publication: Publication

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "groups": [
                {
                    "id": g.id,
                    "title": g.title,
                    "ratio": g.ratio,
                    "categories": list(g.categories),
                    "spot_check_failed": [{"level": m.level, "years": m.years} for m in g.spot_check_failed],
                    "rest": g.rest,
                }
                for g in self.groups
            ],
            "teams": {
                "size": self.teams.size,
                "leader": self.teams.leader,
                "technical_deputy": self.teams.technical_deputy,
                # written only when the file has them, so that the rules hash of older draws stays the same
                **({"min_size": self.teams.min_size} if self.teams.min_size is not None else {}),
                **({"max_size": self.teams.max_size} if self.teams.max_size is not None else {}),
            },
            "publication": {
                "working_days": self.publication.working_days,
                "holidays": sorted(d.isoformat() for d in self.publication.holidays),
                "workdays": sorted(d.isoformat() for d in self.publication.workdays),
            },
        }

    def canonical(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    def with_team_size(self, size: int) -> "Rules":
        """The rules with another team size, within the bounds the rules file gives (002 二(一): 5-6人)."""
        low, high = self.teams.bounds()
        if not low <= size <= high:
            allowed = f"{low}" if low == high else f"{low}到{high}"
            raise RulesError(
                self.id,
                [
                    f"每组人数{size}超出规则允许的范围（{allowed}人，{self.source or self.title}）；"
                    "如需其他人数，请在规则文件 [teams] 中修改 size 或 min_size / max_size"
                ],
            )
        t = self.teams
        return Rules(
            self.id,
            self.title,
            self.source,
            self.groups,
            Teams(size, t.leader, t.technical_deputy, t.min_size, t.max_size),
            self.publication,
        )

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)


def rules_from_dict(data: dict, file: str = "") -> Rules:
    """Validate a parsed rules file (TOML layout or Rules.to_dict()); raise RulesError listing every problem."""
    problems = Problems(str)
    head = data.get("rules", data)
    for key in ("id", "title"):
        if not isinstance(head.get(key), str) or not head.get(key).strip():
            problems.error(f"[rules] 缺少 {key}（文字）")
    groups = []
    seen: set[str] = set()
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        problems.error("没有任何抽取组，请至少写一个 [[groups]]")
        raw_groups = []
    for n, g in enumerate(raw_groups, start=1):
        where = f"第{n}个抽取组"
        if not isinstance(g, dict):
            problems.error(f"{where}应写成 [[groups]] 表")
            continue
        unknown = set(g) - {"id", "title", "ratio", "categories", "spot_check_failed", "rest"}
        if unknown:
            problems.error(f"{where}有未知字段 {'、'.join(sorted(unknown))}")
        gid = g.get("id")
        if not isinstance(gid, str) or not gid.strip():
            problems.error(f"{where}缺少 id")
            gid = f"#{n}"
        elif gid in seen:
            problems.error(f"{where}的 id “{gid}” 重复")
        seen.add(gid)
        ratio = g.get("ratio")
        if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 < ratio <= 1:
            problems.error(f"{where}（{gid}）的 ratio 应为大于0、不大于1的小数，如 0.3 表示30%")
            ratio = 1.0
        cats = []
        for c in g.get("categories", []) or []:
            full = CATEGORY_SYNONYMS.get(c, c)
            if full not in PRODUCT_CATEGORIES:
                problems.error(f"{where}（{gid}）的产品类别“{c}”不在发证目录中")
            cats.append(full)
        matches = []
        for m in g.get("spot_check_failed", []) or []:
            if not isinstance(m, dict) or m.get("level") not in SPOT_CHECK_LEVELS:
                problems.error(f"{where}（{gid}）的 spot_check_failed 级别应为 {'、'.join(SPOT_CHECK_LEVELS)} 之一")
                continue
            years = m.get("years")
            if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 20:
                problems.error(f"{where}（{gid}）的 spot_check_failed 年数 years 应为1到20的整数")
                continue
            matches.append(SpotCheckMatch(m["level"], years))
        rest = g.get("rest", False) is True
        if not (cats or matches or rest):
            problems.error(f"{where}（{gid}）须写 categories、spot_check_failed 或 rest = true 之一")
        groups.append(Group(gid, str(g.get("title", gid)), float(ratio), tuple(cats), tuple(matches), rest))
    t = data.get("teams", {}) or {}
    size = t.get("size", 5)
    if not isinstance(size, int) or isinstance(size, bool) or not 2 <= size <= 20:
        problems.error(
            "[teams] size 应为2到20的整数"
            "（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条：检查人员不少于2名）"
        )
        size = 5
    bounds = {}
    for key in ("min_size", "max_size"):
        v = t.get(key)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 2 <= v <= 20):
            problems.error(
                f"[teams] {key} 应为2到20的整数"
                "（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条：检查人员不少于2名）"
            )
            v = None
        bounds[key] = v
    if not (bounds["min_size"] or size) <= size <= (bounds["max_size"] or size):
        problems.error("[teams] size 应在 min_size 与 max_size 之间")
    teams = Teams(size, bool(t.get("leader", True)), bool(t.get("technical_deputy", True)), **bounds)
    if teams.technical_deputy and size < 2:
        problems.error("[teams] 需要技术专家副组长时 size 至少为2")
    p = data.get("publication", {}) or {}
    days = p.get("working_days", 20)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 250:
        problems.error("[publication] working_days 应为1到250的整数")
        days = 20
    dates: dict[str, frozenset[date]] = {}
    for key in ("holidays", "workdays"):
        parsed = set()
        for v in p.get(key, []) or []:
            try:
                parsed.add(v if isinstance(v, date) else date.fromisoformat(str(v)))
            except ValueError:
                problems.error(f'[publication] {key} 中“{v}”不是日期（应写成 "2022-10-01"）')
        dates[key] = frozenset(parsed)
    if problems.errors:
        raise RulesError(file or str(head.get("id", "")), problems.errors)
    return Rules(
        id=head["id"].strip(),
        title=head["title"].strip(),
        source=str(head.get("source", "")),
        groups=tuple(groups),
        teams=teams,
        publication=Publication(days, dates["holidays"], dates["workdays"]),
    )


def load_rules(path: str | Path | None = None) -> Rules:
    path = Path(path) if path else default_rules_path()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise RulesError(path.name, [f"无法读取（{e.strerror}）"]) from None
    except UnicodeDecodeError:
        raise RulesError(path.name, ["不是 UTF-8 编码，请用记事本“另存为”UTF-8"]) from None
    try:
        data = load_toml(text)
    except UnsafeInput as e:
        raise RulesError(path.name, [str(e)]) from None
    except tomllib.TOMLDecodeError as e:
        raise RulesError(path.name, [f"TOML 语法错误：{e}"]) from None
    return rules_from_dict(data, path.name)


def rules_from_canonical(text: str) -> Rules:
    return rules_from_dict(load_json(text))
