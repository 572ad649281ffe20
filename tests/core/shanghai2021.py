"""A dataset that reproduces the 2021 Shanghai figures of 000 (沪市监产质〔2022〕84号) from real rows.

`build(db)` writes enterprises, licenses, plans, completed inspections with their answers, teams and
transfers into a real SQLite database through the ORM and the core functions; nothing is a stored result.
The statistics module must then give back 000's tables. The figures below are copied from 000; how the
rows are spread over them (which enterprise is class C, which item was 不符合) is our construction.

Noise that must NOT be counted is added on purpose: inspections of 2020 and 2022, a draft of 2021, an
enterprise whose license expired in 2021, a transfer of 2020, a plan entry of 2022, and an enterprise
whose class changed in 2022 (its 2021 class must be used).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert

from inspector_app.core.catalog import FOOD_CATEGORY, PROBLEM_CATEGORIES
from inspector_app.core.identifiers import uscc_check_char
from inspector_app.core.inspection.snapshots import store_snapshot
from inspector_app.core.inspection.templates import Template
from inspector_app.core.storage.models import (
    Enterprise,
    Inspection,
    InspectionMember,
    Inspector,
    ItemResult,
    License,
    Site,
)
from inspector_app.core.storage.supervision_models import AnnualPlan, ClassificationChange, PlanEntry
from inspector_app.core.supervision import rectification

# ------------------------------------------------------------------ 000's figures
# 表4: district, 获证企业总数, 计划检查单位总数, 实际检查家次, 发现问题总数, 责令改正数, 移交行政处罚总数
TABLE4 = (
    ("奉贤区", 123, 131, 152, 35, 15, 2),
    ("松江区", 104, 132, 132, 24, 24, 1),
    ("金山区", 99, 166, 185, 215, 31, 0),
    ("浦东新区", 96, 156, 175, 175, 19, 0),
    ("嘉定区", 71, 73, 114, 7, 7, 0),
    ("青浦区", 62, 132, 136, 4, 0, 3),
    ("闵行区", 50, 81, 82, 21, 21, 0),
    ("宝山区", 22, 46, 48, 4, 4, 0),
    ("崇明区", 8, 32, 37, 12, 0, 0),
    ("普陀区", 6, 8, 10, 0, 0, 0),
    ("徐汇区", 3, 3, 5, 0, 0, 0),
    ("杨浦区", 1, 2, 2, 0, 0, 0),
    ("虹口区", 1, 1, 2, 0, 0, 0),
    ("静安区", 0, 0, 0, 0, 0, 0),
    ("黄浦区", 0, 0, 0, 0, 0, 0),
    ("长宁区", 0, 0, 0, 0, 0, 0),
)
TOTAL4 = (646, 963, 1080, 497, 121, 6)
# 表2: class, mode (001's name), enterprises, % (取整), 实际检查家次
TABLE2 = (("A", "责任监管", 325, "50%", 411), ("B", "常态监管", 302, "47%", 610), ("C", "加严监管", 19, "3%", 59))
# 表3: certificates per product category
TABLE3 = (
    ("建筑用钢筋", 1),
    ("水泥", 4),
    ("广播电视传输设备", 3),
    ("人民币鉴别仪", 2),
    ("预应力混凝土铁路桥简支梁", 1),
    ("电线电缆", 45),
    ("危险化学品", 48),
    ("危险化学品包装物及容器", 41),
    ("化肥", 4),
    (FOOD_CATEGORY, 539),
)
# 000 二(二): problems per category and % of 497 (one decimal); 其他 = 167 food-related + 19 industrial
PROBLEMS = (
    ("生产条件", 172, "34.6%"),
    ("检验情况", 57, "11.5%"),
    ("检验手段", 41, "8.2%"),
    ("技术、工艺文件", 25, "5.0%"),
    ("许可证标志和编号", 14, "2.8%"),
    ("生产资质", 2, "0.4%"),
    ("其他", 186, "37.4%"),
)
OTHER_FOOD, OTHER_INDUSTRIAL = 167, 19
TURNOUTS = 2305  # 出动检查人员2305人次
CERTIFICATES = 688

YEAR = 2021
ITEMS_PER_CATEGORY = 3
# 表2 classes: C enterprises placed in these districts (how many each); 1st enterprise of every district is B.
C_PLACES = {"奉贤区": 3, "松江区": 3, "金山区": 3, "浦东新区": 3, "嘉定区": 2, "青浦区": 2, "闵行区": 2, "宝山区": 1}


def shanghai_template(kind: str) -> Template:
    """A Shanghai-style record form whose items map to every problem category of 000 二(二) (3 items each)."""
    from inspector_app.core.catalog import PRODUCT_CATEGORIES

    sections = []
    for n, cat in enumerate(PROBLEM_CATEGORIES, start=1):
        items = [
            {
                "id": f"{n}.{k}",
                "text": f"{cat}检查内容（{k}）",
                "na_allowed": False,
                "na_reason": "",
                "applies_to": ["industrial", "food"],
                "category": cat,
                "checkpoint": None,
                "note": "",
            }
            for k in range(1, ITEMS_PER_CATEGORY + 1)
        ]
        sections.append({"no": n, "title": cat, "items": items})
    return Template.from_dict(
        {
            "id": f"sh2021-{kind}",
            "version": 1,
            "title": "上海市工业产品生产许可证获证企业监督检查记录（测试）",
            "product_kind": kind,
            "categories": [FOOD_CATEGORY] if kind == "food" else [c for c in PRODUCT_CATEGORIES if c != FOOD_CATEGORY],
            "source": "000 二(二)",
            "footnotes": [],
            "sections": sections,
        }
    )


def _uscc(n: int) -> str:
    body = f"91310000MA{n:07d}"[:17]
    return body + uscc_check_char(body)


@dataclass
class Built:
    enterprise_ids: list[str]
    reclassified_id: str  # B at the end of 2021, C since 2022


def _split_extras() -> dict[tuple[str, str], int]:
    """Extra inspections (beyond one per enterprise) per (district, class): rows = districts, columns = classes."""
    need_class = {c: ins - ent for c, _m, ent, _p, ins in TABLE2}
    order = ["C", "A", "B"]  # north-west corner: C and A land in large districts, which have such enterprises
    out: dict[tuple[str, str], int] = {}
    ci = 0
    for d, ent, _pl, ins, *_ in TABLE4:
        left = ins - ent
        while left:
            c = order[ci]
            take = min(left, need_class[c])
            if take:
                out[(d, c)] = out.get((d, c), 0) + take
                left -= take
                need_class[c] -= take
            if need_class[c] == 0:
                ci += 1
    return out


def build(db) -> Built:
    templates = {"food": shanghai_template("food"), "industrial": shanghai_template("industrial")}
    industrial_cats = [c for c, n in TABLE3 for _ in range(n) if c != FOOD_CATEGORY]  # 149 certificates
    with db.session() as s:
        snaps = {k: store_snapshot(s, t) for k, t in templates.items()}
        inspectors = [Inspector(name=f"检查员{i:02d}", badge_no=f"3101{i:04d}") for i in range(40)]
        s.add_all(inspectors)
        s.flush()
        inspector_ids = [i.id for i in inspectors]

        # ---- enterprises, sites, licenses (表1, 表3): 497 food-only, 107 industrial-only, 42 with both
        ents: list[dict] = []
        n = 0
        for d, count, *_ in TABLE4:
            for i in range(count):
                n += 1
                kinds = "both" if n % 15 == 0 and n <= 630 else ("industrial" if n % 6 == 1 else "food")
                ents.append({"district": d, "idx": i, "n": n, "kinds": kinds})
        both = [e for e in ents if e["kinds"] == "both"]
        ind_only = [e for e in ents if e["kinds"] == "industrial"]
        food_only = [e for e in ents if e["kinds"] == "food"]
        # adjust to exactly 42 / 107 / 497
        while len(both) > 42:
            e = both.pop()
            e["kinds"] = "food"
            food_only.append(e)
        while len(ind_only) > 107:
            e = ind_only.pop()
            e["kinds"] = "food"
            food_only.append(e)
        while len(ind_only) < 107:
            e = food_only.pop()
            e["kinds"] = "industrial"
            ind_only.append(e)
        assert (len(both), len(ind_only), len(food_only)) == (42, 107, 497)

        # ---- classes (表2): first enterprise of a district is B, C where C_PLACES says, the rest A/B evenly
        by_district: dict[str, list[dict]] = {}
        for e in ents:
            by_district.setdefault(e["district"], []).append(e)
        rest = []
        for d, lst in by_district.items():
            lst[0]["cls"] = "B"
            for e in lst[1 : 1 + C_PLACES.get(d, 0)]:
                e["cls"] = "C"
            rest += lst[1 + C_PLACES.get(d, 0) :]
        need_a, need_b = 325, 302 - len(by_district)
        a = 0
        for pos, e in enumerate(rest):
            if a < need_a and (a + 1) * len(rest) <= (pos + 1) * need_a + len(rest) - 1:
                e["cls"] = "A"
                a += 1
            else:
                e["cls"] = "B"
        assert a == need_a and sum(e["cls"] == "B" for e in rest) == need_b

        ind_iter = iter(industrial_cats)
        lic_no = 0
        for e in ents:
            ent = Enterprise(
                uscc=_uscc(e["n"]),
                name=f"上海测试企业{e['n']:04d}有限公司",
                district=e["district"],
                classification=e["cls"],
                address=f"{e['district']}测试路{e['n']}号",
            )
            site = Site(enterprise=ent, address=ent.address, district=e["district"])
            e["licenses"] = []
            kinds = {"food": ["food"], "industrial": ["industrial"], "both": ["food", "industrial"]}[e["kinds"]]
            for k in kinds:
                lic_no += 1
                cat = FOOD_CATEGORY if k == "food" else next(ind_iter)
                lic = License(
                    enterprise=ent,
                    site=site,
                    number=f"(沪)XK16-{lic_no // 1000:03d}-{lic_no:05d}",
                    category=cat,
                    issue_date=date(2019, 1, 1) + timedelta(days=e["n"]),
                    expiry_date=date(2024, 6, 30),
                )
                s.add(lic)
                e["licenses"].append((lic, k))
            s.add_all([ent, site])
            e["ent"], e["site"] = ent, site
        s.flush()

        # ---- inspections (表4 实际检查家次, 表2 per class): one per enterprise, extras per (district, class)
        extras = _split_extras()
        visits: dict[int, int] = {e["n"]: 1 for e in ents}
        for (d, c), k in extras.items():
            pool = [e for e in by_district[d] if e["cls"] == c]
            assert pool, (d, c)
            for j in range(k):
                visits[pool[j % len(pool)]["n"]] += 1
        insp_rows: list[dict] = []
        per_district_insp: dict[str, list[dict]] = {}
        day0 = date(YEAR, 1, 4)
        for e in ents:
            for v in range(visits[e["n"]]):
                lic, kind = e["licenses"][v % len(e["licenses"])]
                row = {
                    "id": f"{e['n']:05d}-{v}",
                    "ent": e,
                    "lic": lic,
                    "kind": kind,
                    "on": day0 + timedelta(days=(e["n"] * 7 + v * 97) % 355),
                    "problems": [],
                }
                insp_rows.append(row)
                per_district_insp.setdefault(e["district"], []).append(row)

        # ---- problems (表4 发现问题, 000 二(二)) round-robin over a district's inspections; ≤2 per inspection
        slots = []
        for d, _ent, _pl, _ins, probs, _ord, _tr in TABLE4:
            lst = per_district_insp.get(d, [])
            for p in range(probs):
                slots.append((d, lst[p % len(lst)]))
        food_slots = [i for i, (_d, r) in enumerate(slots) if r["kind"] == "food"]
        ind_slots = [i for i, (_d, r) in enumerate(slots) if r["kind"] == "industrial"]
        label: dict[int, str] = {}
        for i in food_slots[:: max(1, len(food_slots) // OTHER_FOOD)][:OTHER_FOOD]:
            label[i] = "其他"
        for i in ind_slots[:OTHER_INDUSTRIAL]:
            label[i] = "其他"
        assert sum(1 for v in label.values() if v == "其他") == OTHER_FOOD + OTHER_INDUSTRIAL
        others = [c for c, k, _p in PROBLEMS if c != "其他" for _ in range(k)]
        rest_slots = [i for i in range(len(slots)) if i not in label]
        assert len(rest_slots) == len(others)
        for i, c in zip(rest_slots, others, strict=True):
            label[i] = c
        for i, (_d, r) in enumerate(slots):
            r["problems"].append(label[i])

        # ---- 责令改正: the first `ordered` inspections with problems keep them open; the others fixed on site
        for d, _ent, _pl, _ins, _probs, ordered, _tr in TABLE4:
            with_problems = [r for r in per_district_insp.get(d, []) if r["problems"]]
            for j, r in enumerate(with_problems):
                r["on_site"] = j >= ordered

        # ---- write inspections, teams (2 each, 145 with 3: 2305 人次), answers
        cat_no = {c: n for n, c in enumerate(PROBLEM_CATEGORIES, start=1)}
        insp_objs, members, results = [], [], []
        three = TURNOUTS - 2 * len(insp_rows)
        for k, r in enumerate(insp_rows):
            e = r["ent"]
            snap = snaps[r["kind"]]
            iid = f"sh2021-{r['id']}"
            insp_objs.append(
                {
                    "id": iid,
                    "rev": 1,
                    "enterprise_id": e["ent"].id,
                    "site_id": e["site"].id,
                    "license_id": r["lic"].id,
                    "template_digest": snap.digest,
                    "template_id": snap.template_id,
                    "template_version": 1,
                    "kind": "scheduled",
                    "inspected_on": r["on"],
                    "status": "completed",
                    "created_at": datetime(YEAR, 1, 1),
                    "completed_at": datetime.combine(r["on"], datetime.min.time()),
                    "updated_at": datetime(YEAR, 1, 1),
                }
            )
            size = 3 if k < three else 2
            for p in range(size):
                members.append({"inspection_id": iid, "inspector_id": inspector_ids[(k + p * 7) % 40], "position": p})
            used: dict[str, int] = {}
            bad = {}
            for c in r["problems"]:
                used[c] = used.get(c, 0) + 1
                bad[f"{cat_no[c]}.{used[c]}"] = c
            for cn in range(1, len(PROBLEM_CATEGORIES) + 1):
                for sub in range(1, ITEMS_PER_CATEGORY + 1):
                    item = f"{cn}.{sub}"
                    nc = item in bad
                    results.append(
                        {
                            "id": f"{iid}-{item}",
                            "rev": 1,
                            "inspection_id": iid,
                            "item_id": item,
                            "conclusion": "nonconform" if nc else "conform",
                            "na_reason": "",
                            "record": f"发现问题：{bad[item]}" if nc else "",
                            "remark": "",
                            "rectified_on_site": bool(nc and r.get("on_site")),
                            "updated_at": datetime(YEAR, 1, 1),
                        }
                    )
        s.execute(insert(Inspection), insp_objs)
        s.execute(insert(InspectionMember), members)
        s.execute(insert(ItemResult), results)

        # ---- plans (表4 计划检查单位总数), months spread over the year
        for d, _ent, planned, *_ in TABLE4:
            if not planned:
                continue
            plan = AnnualPlan(year=YEAR, district=d, created_on=date(YEAR, 1, 15), created_by="测试")
            lst = by_district[d]
            for j in range(planned):
                e = lst[j % len(lst)]
                plan.entries.append(
                    PlanEntry(enterprise_id=e["ent"].id, visit_no=j // len(lst) + 1, month=j % 12 + 1, rule="测试")
                )
            s.add(plan)

        # ---- noise that must not be counted
        noise_ent = Enterprise(
            uscc=_uscc(9001), name="上海已注销测试企业有限公司", district="奉贤区", classification="B"
        )
        noise_site = Site(enterprise=noise_ent, address="奉贤区注销路1号", district="奉贤区")
        s.add_all([noise_ent, noise_site])
        s.add(
            License(
                enterprise=noise_ent,
                site=noise_site,
                number="(沪)XK16-999-99999",
                category=FOOD_CATEGORY,
                issue_date=date(2016, 1, 1),
                expiry_date=date(2021, 6, 30),
            )
        )
        first = ents[0]
        plan2022 = AnnualPlan(year=YEAR + 1, district=first["district"], created_on=date(YEAR + 1, 1, 10))
        plan2022.entries.append(PlanEntry(enterprise_id=first["ent"].id, visit_no=1, month=1))
        s.add(plan2022)
        reclassified = next(e for e in ents if e["cls"] == "B" and e["district"] == "金山区" and e["idx"] > 0)
        reclassified["ent"].classification = "C"
        s.add(
            ClassificationChange(
                enterprise_id=reclassified["ent"].id,
                changed_on=date(YEAR + 1, 3, 1),
                from_class="B",
                to_class="C",
                rule="001 §32",
                reason="2022年监督抽查不合格",
                who="测试",
            )
        )
        s.flush()
        noise_insp = []
        for tag, on, status in (
            ("n2020", date(2020, 12, 31), "completed"),
            ("n2022", date(2022, 1, 1), "completed"),
            ("draft", date(2021, 6, 1), "draft"),
        ):
            iid = f"noise-{tag}"
            noise_insp.append(
                {
                    "id": iid,
                    "rev": 1,
                    "enterprise_id": first["ent"].id,
                    "site_id": first["site"].id,
                    "license_id": None,
                    "template_digest": snaps["food"].digest,
                    "template_id": "sh2021-food",
                    "template_version": 1,
                    "kind": "special",
                    "inspected_on": on,
                    "status": status,
                    "created_at": datetime(2020, 1, 1),
                    "completed_at": None,
                    "updated_at": datetime(2020, 1, 1),
                }
            )
        s.execute(insert(Inspection), noise_insp)
        s.execute(
            insert(ItemResult),
            [
                {
                    "id": f"{r['id']}-1.1",
                    "rev": 1,
                    "inspection_id": r["id"],
                    "item_id": "1.1",
                    "conclusion": "nonconform",
                    "na_reason": "",
                    "record": "噪声",
                    "remark": "",
                    "rectified_on_site": False,
                    "updated_at": datetime(2020, 1, 1),
                }
                for r in noise_insp
            ],
        )
        ids = [e["ent"].id for e in ents]
        transfer_ents = [(by_district[d][0]["ent"].id, tr) for d, *_x, tr in TABLE4 if tr]
        reclassified_id = reclassified["ent"].id
        noise_transfer_ent = first["ent"].id

    # ---- 移交行政处罚 (001 §28) through the core function, plus one of 2020 that must not count
    for eid, count in transfer_ents:
        for j in range(count):
            rectification.transfer_to_penalty(
                db, eid, reason=f"违法线索{j + 1}", who="测试", on=date(YEAR, 9, 1) + timedelta(days=j)
            )
    rectification.transfer_to_penalty(db, noise_transfer_ent, reason="2020年线索", who="测试", on=date(2020, 11, 1))
    return Built(ids, reclassified_id)
