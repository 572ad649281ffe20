"""Benchmark: the bureau statistics (000 表1–表4, 000 二(二), 003 附件) for a city of 100,000 enterprises and
200,000 inspections. Target: ≤ 2 s for a year's report of the whole city.

    .venv/bin/python benchmarks/bench_statistics.py [--enterprises 100000] [--inspections 200000] [--db FILE]

The database is generated with bulk inserts (every inspection has all its answers, as a real one does:
16 sub-items of 002 附件2, ≈ 0.46 不符合 per inspection as in 000), then the report is built several times.
With --db an existing benchmark database is reused (generated if missing). Prints figures and ratios.
"""

import argparse
import random
import statistics as stats
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from inspector_app.core.catalog import DISTRICTS, PRODUCT_CATEGORIES
from inspector_app.core.inspection.snapshots import store_snapshot
from inspector_app.core.inspection.templates import load_templates
from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.models import (
    Enterprise,
    Inspection,
    InspectionMember,
    Inspector,
    ItemResult,
    License,
    Site,
)
from inspector_app.core.storage.supervision_models import AnnualPlan, EnforcementFlag, PlanEntry
from inspector_app.core.supervision import statistics

TARGET_S = 2.0
YEAR = 2025
CHUNK = 50_000


def _chunks(rows, n=CHUNK):
    for k in range(0, len(rows), n):
        yield rows[k : k + n]


def generate(db, n_ent: int, n_insp: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    forms = load_templates(Path(__file__).resolve().parents[1] / "forms")
    now = datetime(YEAR, 1, 1)
    t0 = time.perf_counter()
    with db.session() as s:
        snaps = {k: store_snapshot(s, t) for k, t in forms.items()}
        snap_items = {k: [(i.id, i.applies(t.product_kind)) for i in t.items] for k, t in forms.items()}
        inspectors = [
            {
                "id": f"insp-{i}",
                "rev": 1,
                "updated_at": now,
                "name": f"检查员{i}",
                "badge_no": f"B{i:05d}",
                "active": True,
            }
            for i in range(2000)
        ]
        s.execute(insert(Inspector), inspectors)
        ents, sites, lics = [], [], []
        for n in range(n_ent):
            d = DISTRICTS[min(int(rnd.paretovariate(1.2)) - 1, 15)]
            cat = PRODUCT_CATEGORIES[9] if rnd.random() < 0.78 else rnd.choice(PRODUCT_CATEGORIES[:9])
            cls = rnd.choices(("A", "B", "C", "AA"), (50, 46, 3, 1))[0]
            eid = f"ent-{n}"
            ents.append(
                {
                    "id": eid,
                    "rev": 1,
                    "updated_at": now,
                    "uscc": f"U{n:017d}",
                    "name": f"企业{n}",
                    "legal_rep": "",
                    "contact": "",
                    "phone": "",
                    "address": "",
                    "district": d,
                    "classification": cls,
                    "risk_level": None,
                }
            )
            sites.append(
                {
                    "id": f"site-{n}",
                    "rev": 1,
                    "updated_at": now,
                    "enterprise_id": eid,
                    "address": f"地址{n}",
                    "district": d,
                }
            )
            for k in range(1 + (rnd.random() < 0.065)):
                lics.append(
                    {
                        "id": f"lic-{n}-{k}",
                        "rev": 1,
                        "updated_at": now,
                        "enterprise_id": eid,
                        "site_id": f"site-{n}",
                        "number": f"L{n:07d}-{k}",
                        "category": cat if k == 0 else rnd.choice(PRODUCT_CATEGORIES),
                        "products": "",
                        "issue_date": date(2021, 1, 1),
                        "expiry_date": date(2028, 1, 1) if rnd.random() < 0.97 else date(2025, 6, 30),
                    }
                )
        for table, rows in ((Enterprise, ents), (Site, sites), (License, lics)):
            for chunk in _chunks(rows):
                s.execute(insert(table), chunk)
        print(f"  roster: {n_ent:,} enterprises, {len(lics):,} licenses in {time.perf_counter() - t0:.1f} s")
        t1 = time.perf_counter()
        insp, members, results = [], [], []
        food_ents = {e["id"] for e, lic in zip(ents, lics, strict=False) if lic["category"] == PRODUCT_CATEGORIES[9]}
        n_results = n_members = 0
        for n in range(n_insp):
            e = ents[n % n_ent] if n < n_ent else ents[rnd.randrange(n_ent)]
            kind = "food" if e["id"] in food_ents else "industrial"
            iid = f"i-{n}"
            on = date(YEAR - 1, 7, 1) + timedelta(days=rnd.randrange(730))  # mid-2024 … mid-2026
            insp.append(
                {
                    "id": iid,
                    "rev": 1,
                    "updated_at": now,
                    "enterprise_id": e["id"],
                    "site_id": "site-" + e["id"][4:],
                    "license_id": None,
                    "template_digest": snaps[kind].digest,
                    "template_id": kind,
                    "template_version": 1,
                    "kind": rnd.choice(("scheduled", "scheduled", "double_random", "special")),
                    "inspected_on": on,
                    "status": "completed" if rnd.random() < 0.98 else "draft",
                    "created_at": now,
                    "completed_at": now,
                }
            )
            a, b = rnd.sample(range(2000), 2)
            members += [
                {"inspection_id": iid, "inspector_id": f"insp-{a}", "position": 0},
                {"inspection_id": iid, "inspector_id": f"insp-{b}", "position": 1},
            ]
            for item_id, applies in snap_items[kind]:
                nc = applies and rnd.random() < 0.035
                results.append(
                    {
                        "id": f"{iid}-{item_id}",
                        "rev": 1,
                        "updated_at": now,
                        "inspection_id": iid,
                        "item_id": item_id,
                        "conclusion": ("nonconform" if nc else "conform") if applies else "na",
                        "na_reason": "",
                        "record": "问题" if nc else "",
                        "remark": "",
                        "rectified_on_site": nc and rnd.random() < 0.7,
                    }
                )
            if len(results) >= CHUNK * 4 or n == n_insp - 1:
                s.execute(insert(Inspection), insp)
                s.execute(insert(InspectionMember), members)
                s.execute(insert(ItemResult), results)
                n_results += len(results)
                n_members += len(members)
                insp, members, results = [], [], []
        print(
            f"  {n_insp:,} inspections, {n_results:,} answers, {n_members:,} team members "
            f"in {time.perf_counter() - t1:.1f} s"
        )
        plans, entries, flags = [], [], []
        for y in (YEAR - 1, YEAR, YEAR + 1):
            for d in DISTRICTS:
                plans.append(
                    {
                        "id": f"p-{y}-{d}",
                        "rev": 1,
                        "updated_at": now,
                        "year": y,
                        "district": d,
                        "created_on": date(y, 1, 10),
                        "created_by": "",
                        "note": "",
                    }
                )
        for n, e in enumerate(ents):
            for v in range(2 if e["classification"] == "C" else 1):
                entries.append(
                    {
                        "id": f"pe-{n}-{v}",
                        "rev": 1,
                        "updated_at": now,
                        "plan_id": f"p-{YEAR}-{e['district']}",
                        "enterprise_id": e["id"],
                        "visit_no": v + 1,
                        "month": rnd.randint(1, 12),
                        "inspector_id": None,
                        "rule": "",
                    }
                )
            if rnd.random() < 0.006:
                flags.append(
                    {
                        "id": f"f-{n}",
                        "rev": 1,
                        "updated_at": now,
                        "enterprise_id": e["id"],
                        "kind": "transfer_penalty",
                        "raised_on": date(YEAR, 5, 1),
                        "reason": "",
                        "citation": "",
                        "status": "confirmed",
                        "decided_on": date(YEAR, 5, 2),
                        "decided_by": "",
                    }
                )
        s.execute(insert(AnnualPlan), plans)
        for chunk in _chunks(entries):
            s.execute(insert(PlanEntry), chunk)
        s.execute(insert(EnforcementFlag), flags)
    with db.engine.connect() as c:
        c.exec_driver_sql("ANALYZE")
    print(f"  generated in {time.perf_counter() - t0:.1f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--inspections", type=int, default=200_000)
    ap.add_argument("--db", type=Path, help="reuse / keep the benchmark database at this path")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench_statistics.sqlite3"
    fresh = not path.exists()
    db = open_database(path)
    if fresh:
        print(f"generating {path} …")
        generate(db, args.enterprises, args.inspections)
    with db.session() as s:
        n_ent = s.scalar(select(func.count(Enterprise.id)))
        n_insp = s.scalar(select(func.count(Inspection.id)))
        n_res = s.scalar(select(func.count(ItemResult.id)))
    print(
        f"database: {n_ent:,} enterprises, {n_insp:,} inspections, {n_res:,} answers, "
        f"{path.stat().st_size / 1e6:.0f} MB"
    )

    def timed(label, fn):
        fn()  # warm the page cache once
        times, cpu = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            r = fn()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        med = stats.median(times)
        print(
            f"{label:<36} median {med:6.3f} s  (min {min(times):.3f}, max {max(times):.3f}; "
            f"CPU median {stats.median(cpu):.3f} s)  target {TARGET_S:.1f} s → {med / TARGET_S:5.1%} of target"
        )
        return r, med

    r, med = timed(f"city, year {YEAR}", lambda: statistics.build_report(db, *statistics.year_period(YEAR)))
    print(
        f"  → {r.total.enterprises:,} licensed, {r.total.inspections:,} inspections 家次, "
        f"{r.total.problems:,} problems, "
        f"{r.total.ordered:,} ordered, {r.total.transferred:,} transferred, coverage {r.total.coverage}"
    )
    timed("city, first half-year", lambda: statistics.build_report(db, date(YEAR, 1, 1), date(YEAR, 6, 30)))
    timed(
        "one district (奉贤区), year",
        lambda: statistics.build_report(db, *statistics.year_period(YEAR), district="奉贤区"),
    )
    timed(
        "city, 2 years (2024-07 … 2026-06)",
        lambda: statistics.build_report(db, date(YEAR - 1, 7, 1), date(YEAR + 1, 6, 30)),
    )
    db.close()
    print("PASS" if med <= TARGET_S else "SLOWER THAN TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
