"""Demo data: a Shanghai roster shaped like the 2021 report (000), deterministic for a given seed.

646 enterprises in the district proportions of 000 表1, 688 licenses in the category proportions of 000 表3,
classes A/B/C as 000 表2. USCCs carry a valid GB 32100 check character and the district's division code;
the organisation code inside them (positions 9–17) carries a valid GB 11714 check character too.
Licenses are current-form numbers; some are expired and some expire within 90 days of today.

The rows go through the roster import's checks and writer (core/roster/importer.py), so demo data is exactly
what an import would make.
`write_roster_csv(path, n, seed)` writes a roster of any size for benchmarks (benchmarks/).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from inspector_app.core import catalog, clock
from inspector_app.core.identifiers import USCC_CHARSET, uscc_check_char
from inspector_app.core.roster.columns import HEADERS
from inspector_app.core.roster.importer import import_records
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Inspector
from inspector_app.core.storage.supervision_models import InspectorProfile

DEMO_SEED = 2021

# 000 表1: licensed enterprises per district (646 in all).
DISTRICT_COUNTS: dict[str, int] = {
    "奉贤区": 123,
    "松江区": 104,
    "金山区": 99,
    "浦东新区": 96,
    "嘉定区": 71,
    "青浦区": 62,
    "闵行区": 50,
    "宝山区": 22,
    "崇明区": 8,
    "普陀区": 6,
    "徐汇区": 3,
    "杨浦区": 1,
    "虹口区": 1,
    "静安区": 0,
    "黄浦区": 0,
    "长宁区": 0,
}
# 000 表3: valid certificates per product category (688 in all).
CATEGORY_COUNTS: dict[str, int] = {
    "建筑用钢筋": 1,
    "水泥": 4,
    "广播电视传输设备": 3,
    "人民币鉴别仪": 2,
    "预应力混凝土铁路桥简支梁": 1,
    "电线电缆": 45,
    "危险化学品": 48,
    "危险化学品包装物及容器": 41,
    "化肥": 4,
    "直接接触食品的材料等相关产品": 539,
}
# 000 表2: enterprises per class (A 责任 325, B 常规 302, C 加严 19).
CLASS_COUNTS: dict[str, int] = {"A": 325, "B": 302, "C": 19}

# GB/T 2260 division codes of Shanghai's districts: USCC positions 3–8.
DIVISION_CODES: dict[str, str] = {
    "黄浦区": "310101",
    "徐汇区": "310104",
    "长宁区": "310105",
    "静安区": "310106",
    "普陀区": "310107",
    "虹口区": "310109",
    "杨浦区": "310110",
    "闵行区": "310112",
    "宝山区": "310113",
    "嘉定区": "310114",
    "浦东新区": "310115",
    "金山区": "310116",
    "松江区": "310117",
    "青浦区": "310118",
    "奉贤区": "310120",
    "崇明区": "310151",
}

# License number parts per category: (XK industry code, product unit code). Only XK16 for food-related
# products is certain (the seeds' example (沪)XK16-204-00006); the others are plausible codes chosen for the
# demo — one per category, distinct — and not a statement of the official numbering.
LICENSE_CODES: dict[str, tuple[str, str]] = {
    "建筑用钢筋": ("05", "001"),
    "电线电缆": ("06", "001"),
    "水泥": ("08", "001"),
    "广播电视传输设备": ("09", "001"),
    "危险化学品": ("13", "006"),
    "化肥": ("13", "002"),
    "直接接触食品的材料等相关产品": ("16", "204"),
    "危险化学品包装物及容器": ("19", "001"),
    "人民币鉴别仪": ("21", "001"),
    "预应力混凝土铁路桥简支梁": ("22", "001"),
}

# Illustrative product risk levels for the demo (001 §12 leaves the list to the bureau's catalogue).
_RISK = {
    "危险化学品": "I",
    "危险化学品包装物及容器": "I",
    "电线电缆": "I",
    "建筑用钢筋": "I",
    "预应力混凝土铁路桥简支梁": "I",
    "直接接触食品的材料等相关产品": "II",
}

# What a company in each category calls itself, and what its license covers.
_INDUSTRY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "建筑用钢筋": (("钢铁", "钢材"), ("钢筋混凝土用热轧钢筋", "冷轧带肋钢筋")),
    "水泥": (("水泥", "建材"), ("通用硅酸盐水泥",)),
    "广播电视传输设备": (("通信设备", "电子科技"), ("广播电视传输设备",)),
    "人民币鉴别仪": (("金融设备", "电子科技"), ("人民币鉴别仪",)),
    "预应力混凝土铁路桥简支梁": (("桥梁构件", "混凝土制品"), ("预应力混凝土铁路桥简支梁",)),
    "电线电缆": (("电线电缆", "电缆", "线缆"), ("电力电缆", "架空绞线", "塑料绝缘控制电缆", "建筑用绝缘电线")),
    "危险化学品": (
        ("化工", "涂料", "化学", "精细化工"),
        ("危险化学品有机产品", "危险化学品无机产品", "涂料", "工业气体"),
    ),
    "危险化学品包装物及容器": (("包装容器", "桶业", "包装制品"), ("危险化学品包装物及容器",)),
    "化肥": (("肥业", "农资"), ("复混肥料", "掺混肥料")),
    "直接接触食品的材料等相关产品": (
        ("塑料制品", "包装材料", "纸制品", "餐具", "印务", "塑胶", "新材料", "包装", "日用制品", "容器"),
        (
            "食品用塑料包装容器工具",
            "食品用纸包装、容器等制品",
            "餐具洗涤剂",
            "工业和商用电热食品加工设备",
            "密胺塑料餐具",
            "食品用塑料包装容器工具、食品用纸包装、容器等制品",
        ),
    ),
}
_WORD_A = "申浦沪金华宏鑫永恒达丰盛隆泰安顺瑞祥新宇鼎源通海江嘉诚信德汇佳美康博科创力星光明正天"
_WORD_B = "华达盛丰兴隆泰安顺祥瑞源通宝利成发茂昌晟辉腾越翔凯捷宇鸿泽润科创力铭"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦傅方邹孟熊秦邱江尹薛"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉红玉兰志斌宁峰浩凯晨欣怡子轩浩然雪梅海燕立新"
# Towns (镇/街道) of each district where the demo's factories stand.
_TOWNS: dict[str, tuple[str, ...]] = {
    "奉贤区": ("南桥镇", "奉城镇", "青村镇", "柘林镇", "金汇镇", "庄行镇", "海湾镇", "四团镇"),
    "松江区": ("九亭镇", "泗泾镇", "车墩镇", "新桥镇", "洞泾镇", "石湖荡镇", "小昆山镇", "叶榭镇"),
    "金山区": ("朱泾镇", "枫泾镇", "亭林镇", "山阳镇", "金山卫镇", "漕泾镇", "张堰镇", "吕巷镇"),
    "浦东新区": ("康桥镇", "川沙新镇", "祝桥镇", "惠南镇", "周浦镇", "航头镇", "书院镇", "宣桥镇"),
    "嘉定区": ("南翔镇", "安亭镇", "马陆镇", "徐行镇", "华亭镇", "外冈镇", "江桥镇"),
    "青浦区": ("华新镇", "重固镇", "白鹤镇", "练塘镇", "朱家角镇", "赵巷镇", "徐泾镇"),
    "闵行区": ("华漕镇", "马桥镇", "吴泾镇", "颛桥镇", "浦江镇", "梅陇镇"),
    "宝山区": ("罗店镇", "月浦镇", "杨行镇", "顾村镇", "罗泾镇"),
    "崇明区": ("城桥镇", "堡镇", "陈家镇", "新河镇", "港西镇"),
    "普陀区": ("桃浦镇", "长征镇", "真如镇街道"),
    "徐汇区": ("华泾镇", "漕河泾街道"),
    "杨浦区": ("长白新村街道", "殷行街道"),
    "虹口区": ("江湾镇街道", "凉城新村街道"),
    "静安区": ("彭浦镇", "大宁路街道"),
    "黄浦区": ("外滩街道", "半淞园路街道"),
    "长宁区": ("新泾镇", "程家桥街道"),
}
_ROADS = (
    "工业 振业 科技 环城 新港 兴园 民乐 宏达 富民 建业 沪杭 浦星 金都 长兴 友谊 育才 胜利 发展 创业 同济 恒丰 园区"
).split()

# 20 inspectors of the city's bureaus with their law-enforcement certificate numbers (执法证号), district and
# draw marks (002 二(一): 组长, 技术专家副组长): five teams of four, or four of five (the shipped rules' size),
# so that a demo draw deals its tasks over several teams.
DEMO_INSPECTORS: tuple[tuple[str, str], ...] = (
    ("张伟", "31020001"), ("刘洋", "31020002"), ("陈静", "31020003"), ("王磊", "31020004"), ("李娜", "31020005"),
    ("赵军", "31020006"), ("周敏", "31020007"), ("孙浩", "31020008"), ("吴芳", "31020009"), ("郑强", "31020010"),
    ("冯丽", "31020011"), ("何斌", "31020012"), ("高翔", "31020013"), ("罗琳", "31020014"), ("梁栋", "31020015"),
    ("宋佳", "31020016"), ("唐亮", "31020017"), ("韩雪", "31020018"), ("曹阳", "31020019"), ("许婷", "31020020"),
)  # fmt: skip
DEMO_INSPECTOR_DISTRICTS = ("奉贤区", "松江区", "金山区", "浦东新区")  # in turn: the districts with most licensees
DEMO_LEADERS = frozenset({"31020001", "31020006", "31020011", "31020016", "31020020"})  # 可任组长
DEMO_EXPERTS = frozenset({"31020002", "31020007", "31020012", "31020017", "31020019"})  # 技术专家

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check weights
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714): 8 body characters and their check character."""
    # Codes issued since 2015 start with MA (91310120MA1…); older ones are all digits.
    prefix = "MA1" if rng.random() < 0.6 else ""
    body = prefix + "".join(rng.choice(_ORG_CHARS if prefix else "0123456789") for _ in range(8 - len(prefix)))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]  # A = 10 … Z = 35
    check = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, district: str) -> str:
    """91 (enterprise registered with market regulation) + division code + organisation code + check."""
    first17 = "91" + DIVISION_CODES[district] + _org_code(rng)
    assert all(c in USCC_CHARSET for c in first17)
    return first17 + uscc_check_char(first17)


def apportion(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split total in proportion to weights, by largest remainder (exact when total equals the weights' sum)."""
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (counts[k] - raw[k], list(weights).index(k)))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def _shuffled(rng: random.Random, counts: dict[str, int]) -> list[str]:
    items = [k for k, n in counts.items() for _ in range(n)]
    rng.shuffle(items)
    return items


def _person(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(_SURNAMES) + given


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"021-{rng.choice('56')}{rng.randrange(1000000, 9999999)}"
    return f"1{rng.choice('3589')}{rng.randrange(0, 10)}{rng.randrange(10000000, 99999999)}"


def _address(rng: random.Random, district: str) -> str:
    town = rng.choice(_TOWNS[district])
    road = rng.choice(_ROADS) + rng.choice(("路", "路", "公路", "街"))
    return f"上海市{district}{town}{road}{rng.randrange(1, 3000)}号"


def _expiry(rng: random.Random, today: date) -> date:
    roll = rng.random()
    if roll < 0.04:  # expired, not yet cancelled
        return today - timedelta(days=rng.randrange(1, 200))
    if roll < 0.10:  # expiring within EXPIRY_WARNING_DAYS
        return today + timedelta(days=rng.randrange(0, catalog.EXPIRY_WARNING_DAYS + 1))
    return today + timedelta(days=rng.randrange(catalog.EXPIRY_WARNING_DAYS + 1, 5 * 365))


def _issue(expiry: date) -> date:
    """Licenses run five years: issued 2022-03-01, valid until 2027-02-28."""
    start = expiry + timedelta(days=1)
    try:
        return start.replace(year=start.year - 5)
    except ValueError:  # 29 February
        return start.replace(year=start.year - 5, day=28)


@dataclass
class _DemoEnt:
    district: str
    categories: list[str]
    sites: list[str]


def generate_roster_rows(n: int = 646, seed: int = DEMO_SEED, today: date | None = None) -> list[dict[str, str]]:
    """A roster of n enterprises as rows {canonical header: text}, one per license (and per extra site).

    With n = 646 the districts, categories and classes match 000 表1–表3 exactly; other n scale them.
    """
    rng = random.Random(seed)
    # Dates count from the first of the month: a laptop and the bureau that load the demo in the same month
    # hold the same licenses, so their first sync has nothing to reconcile.
    today = today or clock.today().replace(day=1)
    n_licenses = round(n * sum(CATEGORY_COUNTS.values()) / sum(DISTRICT_COUNTS.values()))
    districts = _shuffled(rng, apportion(n, DISTRICT_COUNTS))
    categories = _shuffled(rng, apportion(n_licenses, CATEGORY_COUNTS))
    classes = _shuffled(rng, apportion(n, CLASS_COUNTS))
    ents = [_DemoEnt(d, [c], []) for d, c in zip(districts, categories[:n], strict=True)]
    # Second licenses go to enterprises of another category (a chemicals maker that also makes packaging).
    pool = list(range(n))  # enterprises with one license so far
    for category in categories[n:]:
        for _attempt in range(200):  # a few draws at most: 4 in 5 enterprises are food-related
            j = rng.randrange(len(pool))
            if ents[pool[j]].categories[0] != category:
                break
        pool[j], pool[-1] = pool[-1], pool[j]
        ents[pool.pop()].categories.append(category)
    # A few enterprises produce at two or three addresses (002 附件2 备注(2): checked per address).
    multi_list = rng.sample(range(n), k=max(1, n // 40))
    multi, triple = set(multi_list), set(multi_list[: max(1, len(multi_list) // 6)])
    rows: list[dict[str, str]] = []
    used_usccs: set[str] = set()
    used_names: set[str] = set()
    serials: dict[tuple[str, str], int] = {}
    for i, ent in enumerate(ents):
        n_sites = 1 + (i in multi) + (i in triple)
        ent.sites = []
        while len(ent.sites) < max(n_sites, 1):
            address = _address(rng, ent.district)
            if address not in ent.sites:
                ent.sites.append(address)
        uscc = make_uscc(rng, ent.district)
        while uscc in used_usccs:
            uscc = make_uscc(rng, ent.district)
        used_usccs.add(uscc)
        name = _company_name(rng, ent.categories[0], used_names)
        registered = ent.sites[0] if rng.random() < 0.85 else _address(rng, ent.district)
        base = {
            "企业名称": name,
            "统一社会信用代码": uscc,
            "法定代表人": _person(rng),
            "联系人": _person(rng),
            "联系电话": _phone(rng),
            "住所": registered,
            "所在区": ent.district,
            "企业分类": classes[i],
            "风险等级": min((_RISK.get(c, "III") for c in ent.categories), key=("I", "II", "III").index),
        }
        licenses = []
        for k, category in enumerate(ent.categories):
            cc, unit = LICENSE_CODES[category]
            serial = serials.get((cc, unit), 0) + 1
            if serial > 99999:  # a five-digit serial is full: the next product unit code
                unit = f"{int(unit) + 1:03d}"
                serial = 1
            serials[(cc, unit)] = serial
            expiry = _expiry(rng, today)
            lic = {
                "生产许可证编号": f"(沪)XK{cc}-{unit}-{serial:05d}",
                "产品类别": category,
                "获证产品": rng.choice(_INDUSTRY[category][1]),
                "发证日期": _issue(expiry).isoformat(),
                "有效期至": expiry.isoformat(),
            }
            licenses.append(lic)
            site = ent.sites[min(k, len(ent.sites) - 1)]
            rows.append({**base, **lic, "生产地址": site})
        # An address without a license of its own: the first license covers it (one row per address).
        for site in ent.sites[len(ent.categories) :]:
            rows.append({**base, **licenses[0], "生产地址": site})
    return rows


def _company_name(rng: random.Random, category: str, used: set[str]) -> str:
    words = _INDUSTRY[category][0]
    for attempt in range(50):
        word = rng.choice(_WORD_A) + rng.choice(_WORD_B)
        if attempt > 10:
            word += rng.choice(_WORD_B)
        form = "股份有限公司" if rng.random() < 0.06 else "有限公司"
        name = f"上海{word}{rng.choice(words)}{form}"
        if name not in used:
            used.add(name)
            return name
    return name


def write_roster_csv(path: str | Path, n: int, seed: int = DEMO_SEED, today: date | None = None) -> int:
    """Write a roster CSV (UTF-8 with BOM, canonical headers) of n enterprises; returns the number of rows."""
    rows = generate_roster_rows(n, seed, today)
    with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


@dataclass(frozen=True)
class DemoReport:
    enterprises_added: int
    enterprises_skipped: int
    licenses_added: int
    sites_added: int
    inspectors_added: int


def load_demo(db: Database, progress: Callable[[int, int], object] | None = None, seed: int = DEMO_SEED) -> DemoReport:
    """Load the demo roster and inspectors. Idempotent: enterprises (by USCC), licenses (by number) and
    inspectors (by 执法证号) already in the database are left as they are, so loading twice adds nothing."""
    report = import_records(db, generate_roster_rows(646, seed), skip_existing=True, progress=progress)
    if report.errors:  # the generator and the importer disagree: a bug, not a user error
        raise AssertionError("demo roster refused: " + "; ".join(str(e) for e in report.errors[:5]))
    added = 0
    with db.session() as s:
        known = set(s.scalars(select(Inspector.badge_no)))
        marked = set(s.scalars(select(Inspector.badge_no).join(InspectorProfile)))
        for n, (name, badge) in enumerate(DEMO_INSPECTORS):
            if badge not in known:
                s.add(Inspector(name=name, badge_no=badge, district=DEMO_INSPECTOR_DISTRICTS[n % 4]))
                added += 1
            if badge not in marked:  # a demo loaded before the marks existed gets them too
                s.flush()
                iid = s.scalar(select(Inspector.id).where(Inspector.badge_no == badge))
                lead, tech = badge in DEMO_LEADERS, badge in DEMO_EXPERTS
                s.add(InspectorProfile(inspector_id=iid, can_lead=lead, technical=tech))
    return DemoReport(
        report.enterprises_added, report.enterprises_skipped, report.licenses_added, report.sites_added, added
    )
