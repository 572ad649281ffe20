"""Benchmark: a double-random draw (002) over 100,000 enterprises. Target: the draw itself ≤ 1 s.

    .venv/bin/python benchmarks/bench_draw.py [--enterprises 100000] [--db FILE]

Uses the database of bench_statistics.py (100,000 enterprises, 200,000 inspections with their teams) plus
inspector profiles (leaders, technical experts), failed spot checks and declared conflicts. Measures:
  1. compute_draw: the pure draw from a snapshot (groups, lots, teams, avoidance) — the target;
  2. take_snapshot: reading the roster the draw sees from the database;
  3. run_draw: snapshot + draw + storing the draw and its assignments in one transaction;
  4. verify_draw: re-running a stored draw.
"""

import argparse
import random
import statistics as stats
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[0]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_statistics import generate
from sqlalchemy import delete, func, insert, select

from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.models import Enterprise, Inspector
from inspector_app.core.storage.supervision_models import (
    Assignment,
    AssignmentMember,
    ConflictOfInterest,
    Draw,
    InspectorProfile,
    SpotCheck,
)
from inspector_app.core.supervision import draw
from inspector_app.core.supervision.draw_rules import load_rules

TARGET_S = 1.0
ON = date(2025, 6, 10)


def prepare(db, seed: int = 11) -> None:
    """Profiles, failed spot checks and conflicts (idempotent)."""
    rnd = random.Random(seed)
    now = datetime(2025, 1, 1)
    with db.session() as s:
        if s.scalar(select(func.count(InspectorProfile.id))):
            return
        inspectors = list(s.scalars(select(Inspector.id)))
        s.execute(
            insert(InspectorProfile),
            [
                {
                    "id": f"prof-{i}",
                    "rev": 1,
                    "updated_at": now,
                    "inspector_id": iid,
                    "can_lead": i % 10 == 0,
                    "technical": i % 10 == 1,
                }
                for i, iid in enumerate(inspectors)
            ],
        )
        ents = list(s.scalars(select(Enterprise.id)))
        s.execute(
            insert(SpotCheck),
            [
                {
                    "id": f"sc-{n}",
                    "rev": 1,
                    "updated_at": now,
                    "enterprise_id": eid,
                    "category": None,
                    "level": rnd.choice(("national", "provincial")),
                    "checked_on": date(rnd.randint(2019, 2024), 5, 1),
                    "batches": 2,
                    "failed_batches": 1,
                    "reference": "",
                    "who": "",
                }
                for n, eid in enumerate(rnd.sample(ents, 2000))
            ],
        )
        s.execute(
            insert(ConflictOfInterest),
            [
                {
                    "id": f"coi-{n}",
                    "rev": 1,
                    "updated_at": now,
                    "inspector_id": rnd.choice(inspectors),
                    "enterprise_id": eid,
                    "reason": "亲属",
                    "declared_on": date(2025, 1, 2),
                }
                for n, eid in enumerate(rnd.sample(ents, 500))
            ],
        )


def timed(label: str, fn, repeat: int, target: float | None = None):
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    med = stats.median(times)
    extra = f"  target {target:.1f} s → {med / target:5.1%} of target" if target else ""
    print(
        f"{label:<44} median {med:6.3f} s  (min {min(times):.3f}, max {max(times):.3f}; "
        f"CPU median {stats.median(cpu):.3f} s){extra}"
    )
    return result, med


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--inspections", type=int, default=200_000)
    ap.add_argument("--db", type=Path, help="reuse / keep the benchmark database (shared with bench_statistics.py)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench_draw.sqlite3"
    fresh = not path.exists()
    db = open_database(path)
    if fresh:
        print(f"generating {path} …")
        generate(db, args.enterprises, args.inspections)
    prepare(db)
    with db.session() as s:  # earlier runs of this benchmark leave their draws: remove them
        s.execute(delete(AssignmentMember))
        s.execute(delete(Assignment))
        s.execute(delete(Draw))
    rules = load_rules()
    snapshot, _snap_s = timed("take_snapshot (database → roster)", lambda: draw.take_snapshot(db, year=2025, on=ON), 3)
    print(
        f"  snapshot: {len(snapshot['enterprises']):,} enterprises, {len(snapshot['inspectors']):,} inspectors, "
        f"hash {draw.snapshot_hash(snapshot)[:16]}…"
    )
    result, med = timed(
        "compute_draw (the draw itself)",
        lambda: draw.compute_draw(snapshot, rules, "2025-06-10 公证摇号 4417"),
        args.repeat,
        TARGET_S,
    )
    for g in result.groups:
        print(f"  {g.id:<18} {g.size:>7,} enterprises × {g.ratio:.0%} → {g.drawn:>6,} drawn")
    print(
        f"  {len(result.teams)} teams of {rules.teams.size}, {len(result.picks):,} assignments, "
        f"{result.substitutions} substitutions, {len(result.unmatched)} unmatched"
    )
    again = draw.compute_draw(snapshot, rules, "2025-06-10 公证摇号 4417")
    print(f"  re-run identical: {again.digest == result.digest}")
    summary, _run_s = timed(
        "run_draw (snapshot + draw + store)", lambda: draw.run_draw(db, rules, seed="s", year=2025, on=ON), 1
    )
    timed("verify_draw (re-run a stored draw)", lambda: draw.verify_draw(db, summary.id), 1)
    db.close()
    print("PASS" if med <= TARGET_S else "SLOWER THAN TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
