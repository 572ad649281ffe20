"""000's figures outside its tables, added to the 2021 Shanghai world of tests/core/shanghai2021.py.

`add_other_figures(db)` changes the built world without moving any figure of 表1–表4: it re-labels some of
its completed inspections (kind, date within 2021), marks licenses as issued under 告知承诺, and adds spot
checks. The expected figures below are 000's own words; how the rows are chosen is our construction.
"""

from datetime import date, timedelta

from sqlalchemy import func, insert, select, update

from inspector_app.core.catalog import FOOD_CATEGORY
from inspector_app.core.storage.models import Enterprise, Inspection, InspectionMember, ItemResult, License
from inspector_app.core.storage.supervision_models import SpotCheck

# 000 二(一): 出动检查人员2305人次（含全覆盖例行检查348人次），实际检查单位1080家次（含全覆盖例行检查169家次）
ROUTINE_INSPECTIONS, ROUTINE_TURNOUTS = 169, 348
# 000 一(一): 分布于13个区……位于郊区的企业占98.3％，位于中心城区的企业占1.7％ (普陀6 徐汇3 杨浦1 虹口1 = 11 of 646)
DISTRICTS_WITH_ENTERPRISES, CENTRAL, CENTRAL_SHARE, SUBURBAN, SUBURBAN_SHARE = 13, 11, "1.7%", 635, "98.3%"
# 000 二(二): 日常监督检查中发现6条违法线索
LEADS = 6
# 000 三: 抽查本市499家企业生产的609批次产品，发现不合格产品18批次，不合格检出率为3.0％
SPOT_ENTERPRISES, SPOT_BATCHES, SPOT_FAILED, SPOT_RATE = 499, 609, 18, "3.0%"
SPOT_PRODUCTS = 22  # 000 三: 22种产品 (the city-wide figure; here all of them were sampled from local producers)
# 000 四: 2021年8月19日至9月28日……共对8个区的12家……企业进行检查，其中生产电线电缆企业4家、危险化学品企业2家、
# 危险化学品包装物及容器企业2家、食品相关产品企业4家……共计22项问题
FLIGHT_FIRST, FLIGHT_LAST = date(2021, 8, 19), date(2021, 9, 28)
FLIGHT_ENTERPRISES, FLIGHT_DISTRICTS, FLIGHT_PROBLEMS = 12, 8, 22
FLIGHT_CATEGORIES = (("电线电缆", 4), ("危险化学品", 2), ("危险化学品包装物及容器", 2), (FOOD_CATEGORY, 4))
# Our construction: one license issued under 告知承诺 in 2021 not yet visited, one issued in 2020 and visited in 2021
COMMITMENT_ISSUED, COMMITMENT_COVERED, COMMITMENT_HELD = 169, 168, 170


def _inspections(s) -> list[tuple]:
    """(id, district, enterprise id, license id, license category, inspected_on, problems, members) of 2021."""
    problems = (
        select(ItemResult.inspection_id.label("iid"), func.count(ItemResult.id).label("n"))
        .where(ItemResult.conclusion == "nonconform")
        .group_by(ItemResult.inspection_id)
        .subquery()
    )
    members = (
        select(InspectionMember.inspection_id.label("iid"), func.count().label("n"))
        .group_by(InspectionMember.inspection_id)
        .subquery()
    )
    q = (
        select(
            Inspection.id,
            Enterprise.district,
            Inspection.enterprise_id,
            Inspection.license_id,
            License.category,
            Inspection.inspected_on,
            func.coalesce(problems.c.n, 0),
            members.c.n,
        )
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .join(License, License.id == Inspection.license_id)
        .outerjoin(problems, problems.c.iid == Inspection.id)
        .join(members, members.c.iid == Inspection.id)
        .where(Inspection.id.like("sh2021-%"))
        .order_by(Inspection.id)
    )
    return [tuple(r) for r in s.execute(q)]


# Where the flight inspections went (our construction): 8 districts whose inspections have findings to move
FLIGHT_PLAN = (
    ("电线电缆", "奉贤区"),
    ("电线电缆", "松江区"),
    ("电线电缆", "松江区"),
    ("电线电缆", "奉贤区"),
    ("危险化学品", "浦东新区"),
    ("危险化学品", "嘉定区"),
    ("危险化学品包装物及容器", "闵行区"),
    ("危险化学品包装物及容器", "青浦区"),
    (FOOD_CATEGORY, "崇明区"),
    (FOOD_CATEGORY, "金山区"),
    (FOOD_CATEGORY, "浦东新区"),
    (FOOD_CATEGORY, "青浦区"),
)


def _pick_flight(rows) -> list[tuple]:
    """12 inspections of 12 enterprises with 000 四's categories in 8 districts, each with at most 1 problem."""
    picked: list[tuple] = []
    for cat, district in FLIGHT_PLAN:
        used = {r[2] for r in picked}
        picked.append(next(r for r in rows if r[1] == district and r[4] == cat and r[2] not in used and r[6] <= 1))
    assert sorted(c for c, _n in FLIGHT_CATEGORIES) == sorted({c for c, _d in FLIGHT_PLAN})
    assert len({r[1] for r in picked}) == FLIGHT_DISTRICTS
    return picked


def _move_problems(s, flight: list[tuple]) -> None:
    """Bring the flight inspections to 22 problems by moving findings rectified on the spot from inspections of
    the same district and the same form: 表4 (per district problems, 责令改正) and 000 二(二) do not change."""
    ids = [r[0] for r in flight]
    total = sum(r[6] for r in flight)
    assert total <= FLIGHT_PROBLEMS
    insp = {i.id: i for i in s.scalars(select(Inspection).where(Inspection.id.like("sh2021-%")))}
    district = {r[0]: r[1] for r in flight}
    for target in ids * 10:
        if total == FLIGHT_PROBLEMS:
            break
        t = insp[target]
        answers = {a.item_id: a for a in s.scalars(select(ItemResult).where(ItemResult.inspection_id == target))}
        free = {i for i, a in answers.items() if a.conclusion != "nonconform"}
        # a finding moves to a free sub-item of the same section: the same problem category (shanghai_template)
        donor = next(
            (
                (a, item)
                for a in s.scalars(
                    select(ItemResult)
                    .join(Inspection, Inspection.id == ItemResult.inspection_id)
                    .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
                    .where(
                        ItemResult.conclusion == "nonconform",
                        ItemResult.rectified_on_site.is_(True),
                        Enterprise.district == district[target],
                        Inspection.template_digest == t.template_digest,
                        Inspection.id.not_in(ids),
                        Inspection.id.like("sh2021-%"),
                    )
                    .order_by(ItemResult.id)
                )
                for item in sorted(free)
                if item.split(".")[0] == a.item_id.split(".")[0]
            ),
            None,
        )
        if donor is None:
            continue
        moved, item = donor
        mine = answers[item]
        mine.conclusion, mine.record, mine.rectified_on_site = "nonconform", moved.record, True
        moved.conclusion, moved.record, moved.rectified_on_site = "conform", "", False
        s.flush()
        total += 1
    assert total == FLIGHT_PROBLEMS, total


def add_other_figures(db) -> None:
    with db.session() as s:
        rows = _inspections(s)
        flight = _pick_flight(rows)
        _move_problems(s, flight)
        span = (FLIGHT_LAST - FLIGHT_FIRST).days
        for k, r in enumerate(flight):
            on = FLIGHT_FIRST + timedelta(days=span * k // (len(flight) - 1))
            s.execute(update(Inspection).where(Inspection.id == r[0]).values(kind="flight", inspected_on=on))
        # 全覆盖例行检查: 169 inspections of distinct licenses, 10 by teams of 3 and 159 by teams of 2 (348 人次)
        taken = {r[0] for r in flight} | {r[3] for r in flight}
        routine: list[tuple] = []
        threes = twos = 0
        for r in rows:
            if r[0] in taken or r[3] in taken:
                continue
            if r[7] == 3 and threes < 10:
                threes += 1
            elif r[7] == 2 and twos < ROUTINE_INSPECTIONS - 10:
                twos += 1
            else:
                continue
            routine.append(r)
            taken.add(r[3])
        assert len(routine) == ROUTINE_INSPECTIONS
        for k, r in enumerate(routine):
            s.execute(update(Inspection).where(Inspection.id == r[0]).values(kind="routine"))
            # the license was issued under 告知承诺 shortly before its routine visit; the first one in 2020
            issued = max(date(2021, 1, 1), r[5] - timedelta(days=15)) if k else date(2020, 12, 1)
            s.execute(update(License).where(License.id == r[3]).values(issuance="commitment", issue_date=issued))
        # two licenses issued in 2021 under 告知承诺 and not visited yet: one counts (its enterprise had no routine
        # visit since), the other is the ordinary procedure and does not
        spare = [
            lic
            for lic in s.scalars(select(License).where(License.id.not_in(taken)).order_by(License.number))
            if lic.issuance is None
        ][:2]
        spare[0].issuance, spare[0].issue_date = "commitment", date(2021, 12, 20)
        spare[1].issuance, spare[1].issue_date = "standard", date(2021, 12, 20)
        taken.update({spare[0].id, spare[1].id})

        # 监督抽查: 499 enterprises, 609 batches (110 with 2), 18 failed — on class C enterprises (001 §32)
        ents = list(s.execute(select(Enterprise.id, Enterprise.classification).order_by(Enterprise.uscc)))
        c_ids = [e for e, c in ents if c == "C"][:SPOT_FAILED]
        others = [e for e, c in ents if c != "C"][: SPOT_ENTERPRISES - len(c_ids)]
        checks = []
        for k, eid in enumerate(c_ids + others):
            failed = 1 if eid in c_ids else 0
            checks.append(
                {
                    "id": f"spot-{k:04d}",
                    "rev": 1,
                    "updated_at": date(2021, 12, 31),
                    "enterprise_id": eid,
                    "category": None,
                    "level": "municipal",
                    "checked_on": date(2021, 3, 1) + timedelta(days=k % 270),
                    "batches": 2 if k >= SPOT_ENTERPRISES - (SPOT_BATCHES - SPOT_ENTERPRISES) else 1,
                    "failed_batches": failed,
                    "reference": "",
                    "who": "测试",
                    "product": f"抽查产品{k % SPOT_PRODUCTS + 1:02d}",
                }
            )
        for tag, on in (("2020", date(2020, 12, 31)), ("2022", date(2022, 1, 1))):  # outside the period
            checks.append({**checks[0], "id": f"spot-noise-{tag}", "checked_on": on, "product": "噪声产品"})
        s.execute(insert(SpotCheck), checks)
