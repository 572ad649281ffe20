"""The double-random draw (双随机, 002 一(四), 二(一), 三(一)–(二)): enterprises by rules, inspectors by lot.

Reproducible and auditable: `compute_draw(snapshot, rules, seed)` is a pure function. The snapshot is the
roster as the draw saw it (core/supervision/draw_snapshot.py), in a canonical text whose SHA-256 is the roster hash.
Every random choice is an order by

    SHA-256("<seed>|<roster hash>|<rules hash>|<what>|<identifier>")

so anyone holding the published seed, the snapshot and the rules can re-run the draw with any SHA-256 tool
and get the same result (docs/supervision.md). The draw record keeps all three and the result's hash;
`verify_draw` re-runs it. The result becomes assignments: each drawn enterprise with its team.

A published seed draws once: `run_draw` refuses a second draw of the same year and scope with the same seed
and rules (identical roster: the same result again; changed roster: another result for the same published
seed), pointing at the existing draw, so that no enterprise gets its assignment twice (docs/supervision.md).
Drawing is the bureau's work: refused on a field laptop (core/storage/sync_models.require_bureau).
"""

import hashlib
import math
import zlib
from dataclasses import dataclass
from datetime import date
from heapq import heappop, heappush, heapreplace

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspector
from inspector_app.core.storage.supervision_models import Assignment, AssignmentMember, Draw
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.core.supervision.draw_rules import Rules, rules_from_canonical
from inspector_app.core.supervision.draw_snapshot import (  # noqa: F401 - re-exported: the draw's public interface
    SnapshotError,
    _snapshot,
    parse_snapshot_text,
    sha256,
    snapshot_hash,
    snapshot_text,
    take_snapshot,
)
from inspector_app.i18n import _

ROLES = {"leader": "组长", "deputy": "副组长", "member": "组员"}


class DrawRefused(DomainError):
    pass


# ------------------------------------------------------------------ the pure draw
@dataclass(frozen=True)
class Pick:
    uscc: str
    group_id: str
    team_no: int  # 0: no team could be matched (see DrawResult.unmatched)
    members: tuple[tuple[str, str], ...]  # (badge, role) in team order


@dataclass(frozen=True)
class GroupOutcome:
    id: str
    title: str
    ratio: float
    size: int  # enterprises in the group
    drawn: int


@dataclass(frozen=True)
class DrawResult:
    seed: str
    roster_hash: str
    rules_hash: str
    groups: tuple[GroupOutcome, ...]
    teams: tuple[tuple[tuple[str, str], ...], ...]  # team n (1-based) = teams[n-1]: (badge, role)
    picks: tuple[Pick, ...]
    unmatched: tuple[tuple[str, str], ...]  # (uscc, reason)
    substitutions: int

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "roster_hash": self.roster_hash,
            "rules_hash": self.rules_hash,
            "groups": [g.__dict__ for g in self.groups],
            "teams": [[list(m) for m in t] for t in self.teams],
            "picks": [
                {"uscc": p.uscc, "group": p.group_id, "team": p.team_no, "members": [list(m) for m in p.members]}
                for p in self.picks
            ],
            "unmatched": [list(u) for u in self.unmatched],
            "substitutions": self.substitutions,
        }

    def canonical_text(self) -> str:
        """What the result hash covers: groups, teams, every pick with its team, unmatched enterprises."""
        lines = [f"G\t{g.id}\t{g.size}\t{g.drawn}" for g in self.groups]
        lines += [f"T\t{n}\t" + "|".join(f"{b}:{r}" for b, r in t) for n, t in enumerate(self.teams, start=1)]
        lines += [
            f"P\t{p.uscc}\t{p.group_id}\t{p.team_no}\t" + "|".join(f"{b}:{r}" for b, r in p.members) for p in self.picks
        ]
        lines += [f"U\t{u}\t{r}" for u, r in self.unmatched]
        return "\n".join(lines) + "\n"

    @property
    def digest(self) -> str:
        return sha256(self.canonical_text())


def lot_key(seed: str, roster_hash: str, rules_hash: str, what: str, ident: str) -> str:
    """The order of every random choice (docs/supervision.md: how to re-run a draw by hand)."""
    return sha256(f"{seed}|{roster_hash}|{rules_hash}|{what}|{ident}")


def _keyer(seed: str, roster_hash: str, rules_hash: str):
    """lot_key with the common prefix hashed once (same values, faster)."""
    prefix = hashlib.sha256(f"{seed}|{roster_hash}|{rules_hash}|".encode())

    def key(what: str, ident: str) -> str:
        h = prefix.copy()
        h.update(f"{what}|{ident}".encode())
        return h.hexdigest()

    return key


def compute_draw(snapshot: dict, rules: Rules, seed: str) -> DrawResult:
    """Pure: the same snapshot, rules and seed always give the same result."""
    if not seed.strip():
        raise ValidationError(_("随机种子"), _("不能为空：请使用事先公布的种子（如公证摇号数字）"))
    roster_hash, rules_hash = snapshot_hash(snapshot), rules.digest
    key = _keyer(seed, roster_hash, rules_hash)

    year = snapshot["year"]
    # Each enterprise belongs to the first group it matches (Group.matches, unrolled for speed).
    tests = [
        (
            g.rest,
            frozenset(g.categories),
            frozenset((m.level, y) for m in g.spot_check_failed for y in range(year - m.years, year)),
            [],
        )
        for g in rules.groups
    ]
    for e in snapshot["enterprises"]:
        failures = {(lv, y) for lv, y in e["failures"]} if e["failures"] else ()
        for rest, cats, fails, members in tests:
            if rest or not cats.isdisjoint(e["categories"]) or (failures and not fails.isdisjoint(failures)):
                members.append(e)
                break
    drawn: list[tuple[str, dict]] = []
    outcomes = []
    for g, (_r, _c, _f, pool) in zip(rules.groups, tests, strict=True):
        k = min(len(pool), math.ceil(len(pool) * g.ratio - 1e-9))  # at least the ratio (002 一(四))
        chosen = sorted(pool, key=lambda e: key("enterprise", e["uscc"]))[:k]
        drawn += [(g.id, e) for e in chosen]
        outcomes.append(GroupOutcome(g.id, g.title, g.ratio, len(pool), k))
    teams, reserves = _make_teams(snapshot["inspectors"], rules, key)
    info = {i["badge"]: i for i in snapshot["inspectors"]}
    picks, unmatched, subs = _match(drawn, teams, reserves, info, rules, key)
    return DrawResult(
        seed,
        roster_hash,
        rules_hash,
        tuple(outcomes),
        tuple(tuple(t) for t in teams),
        tuple(picks),
        tuple(unmatched),
        subs,
    )


def _make_teams(inspectors: list[dict], rules: Rules, key) -> tuple[list[list[tuple[str, str]]], list[str]]:
    """Teams of rules.teams.size: a leader (可任组长), a technical deputy (技术专家), members; 002 二(一)."""
    size = rules.teams.size
    order = sorted(inspectors, key=lambda i: key("inspector", i["badge"]))
    leaders_pool = [i for i in order if i["lead"]] if rules.teams.leader else list(order)
    n = len(order) // size
    while n > 0:
        leaders = leaders_pool[:n]
        lead_set = {i["badge"] for i in leaders}
        deputies = [i for i in order if i["badge"] not in lead_set and (i["tech"] or not rules.teams.technical_deputy)]
        if len(leaders) == n and len(deputies) >= n:
            break
        n -= 1
    if n == 0:
        need = []
        if len(order) < size:
            need.append(_("在岗检查人员{n}名，不足一个检查组（每组{s}名）").format(n=len(order), s=size))
        if rules.teams.leader and not leaders_pool:
            need.append(_("没有标记“可任组长”的检查人员"))
        if rules.teams.technical_deputy and not any(i["tech"] for i in order):
            need.append(_("没有标记“技术专家”的检查人员（副组长由技术专家担任，002 二(一)）"))
        raise DrawRefused(_("无法组成检查组：") + "；".join(need or [_("人员不足")]))
    teams = [[(leaders[t]["badge"], "leader"), (deputies[t]["badge"], "deputy")] for t in range(n)]
    used = {b for team in teams for b, _r in team}
    rest = [i["badge"] for i in order if i["badge"] not in used]
    t = 0
    while any(len(team) < size for team in teams):
        teams[t % n].append((rest.pop(0), "member"))
        t += 1
    return teams, rest


def _match(drawn, teams, reserves, info, rules: Rules, key):
    """Each drawn enterprise → the least-loaded team with nobody to avoid; else substitute the conflicted."""
    heap = [(0, n) for n in range(len(teams))]
    load = [0] * len(teams)
    badges = [frozenset(b for b, _r in t) for t in teams]
    frozen = [tuple(t) for t in teams]
    picks, unmatched, subs = [], [], 0
    for group_id, e in drawn:
        avoid = set(e["last_team"]).union(e["conflicts"]) if e["last_team"] or e["conflicts"] else None
        if avoid is None or avoid.isdisjoint(badges[heap[0][1]]):  # the usual case: the least-loaded team
            t = heap[0][1]
            load[t] += 1
            heapreplace(heap, (load[t], t))
            picks.append(Pick(e["uscc"], group_id, t + 1, frozen[t]))
            continue
        popped, chosen = [], None
        while heap:
            item = heappop(heap)
            popped.append(item)
            if avoid.isdisjoint(badges[item[1]]):
                chosen = item[1]
                break
        for item in popped:
            if item[1] != chosen:
                heappush(heap, item)
        if chosen is not None:
            load[chosen] += 1
            heappush(heap, (load[chosen], chosen))
            picks.append(Pick(e["uscc"], group_id, chosen + 1, frozen[chosen]))
            continue
        # every team has someone to avoid: the least-loaded team with substitutes for those members
        t = min(range(len(teams)), key=lambda n: (load[n], n))
        team = list(teams[t])
        in_team = {b for b, _r in team}
        candidates = sorted(set(info) - in_team - avoid, key=lambda b: (b not in reserves, key("substitute", b)))
        ok = True
        for pos, (b, role) in enumerate(team):
            if b not in avoid:
                continue
            fit = [c for c in candidates if _can_fill(info[c], role, rules)]
            if not fit:
                ok = False
                break
            team[pos] = (fit[0], role)
            candidates.remove(fit[0])
            subs += 1
        if not ok:
            unmatched.append((e["uscc"], _("回避（上次检查人员或利益冲突）后无法组成检查组")))
            picks.append(Pick(e["uscc"], group_id, 0, ()))
            continue
        load[t] += 1
        heap = [(load[n], n) for n in range(len(teams))]
        heap.sort()
        picks.append(Pick(e["uscc"], group_id, t + 1, tuple(team)))
    return picks, unmatched, subs


def _can_fill(i: dict, role: str, rules: Rules) -> bool:
    if role == "leader" and rules.teams.leader:
        return i["lead"]
    if role == "deputy" and rules.teams.technical_deputy:
        return i["tech"]
    return True


# ------------------------------------------------------------------ running and storing a draw
@dataclass(frozen=True)
class DrawSummary:
    id: str
    year: int
    district: str | None
    drawn_on: date
    seed: str
    rules_id: str
    rules_title: str
    rules_hash: str
    roster_hash: str
    result_hash: str
    drawn_by: str
    groups: tuple[GroupOutcome, ...]
    assignments: int
    unmatched: tuple[tuple[str, str], ...]
    teams: int


def run_draw(
    db: Database,
    rules: Rules,
    *,
    seed: str,
    year: int,
    district: str | None = None,
    on: date | None = None,
    who: str = "",
) -> DrawSummary:
    """Take the snapshot, draw, and store the draw with its assignments in one transaction."""
    require_bureau(db, _("双随机抽取"))
    on = on or clock.today()
    with db.session() as s:
        snapshot = _snapshot(s, year=year, on=on, district=district)
        if not snapshot["enterprises"]:
            raise DrawRefused(
                _("{d}在{on}没有持有效生产许可证的企业，无法抽取").format(
                    d=district or _("全部辖区"), on=on.isoformat()
                )
            )
        _refuse_rerun(s, year=year, district=district, seed=seed, rules=rules, roster_hash=snapshot_hash(snapshot))
        result = compute_draw(snapshot, rules, seed)
        text = snapshot_text(snapshot)
        draw = Draw(
            year=year,
            district=district,
            drawn_on=on,
            seed=seed,
            rules_id=rules.id,
            rules_json=rules.canonical(),
            rules_hash=result.rules_hash,
            roster_hash=result.roster_hash,
            roster_snapshot=zlib.compress(text.encode("utf-8"), 6),
            result_hash=result.digest,
            drawn_by=who.strip(),
        )
        s.add(draw)
        s.flush()
        _store_assignments(s, draw.id, result)
        return _summary(draw, rules, result)


def _refuse_rerun(s: Session, *, year: int, district: str | None, seed: str, rules: Rules, roster_hash: str) -> None:
    """One draw per published seed, year, scope and rules: a re-run would assign the same enterprises again."""
    same = s.execute(
        select(Draw.id, Draw.drawn_on, Draw.roster_hash)
        .where(
            Draw.year == year,
            Draw.district.is_(None) if district is None else Draw.district == district,
            Draw.seed == seed,
            Draw.rules_hash == rules.digest,
        )
        .order_by(Draw.created_at)
        .limit(1)
    ).first()
    if same is None:
        return
    draw_id, drawn_on, stored_roster = same
    n = s.scalar(select(func.count(Assignment.id)).where(Assignment.draw_id == draw_id)) or 0
    where = _("{d}{y}年度").format(d=district or _("全部辖区"), y=year)
    look = _("查看结果请打开该抽取记录（命令行：draw show {i}；核验：draw verify {i}）").format(i=draw_id)
    if stored_roster == roster_hash:
        raise DrawRefused(
            _(
                "{w}已于{on}用同一种子“{seed}”、同一规则和相同的名录快照抽取过（抽取编号 {i}，检查任务{n}项）："
                "重新抽取的结果完全相同，只会重复派发检查任务，因此未再抽取。{look}"
            ).format(w=where, on=drawn_on.isoformat(), seed=seed, i=draw_id, n=n, look=look)
        )
    raise DrawRefused(
        _(
            "{w}已于{on}用种子“{seed}”和同一规则抽取过（抽取编号 {i}，检查任务{n}项）；此后名录或抽取日期有变化，"
            "用同一种子重抽会得到另一个结果，并给已抽中的企业重复派发任务。公布的种子只用于一次抽取：{look}；"
            "确需另行抽取（如补充抽取）时，请事先公布新的种子"
        ).format(w=where, on=drawn_on.isoformat(), seed=seed, i=draw_id, n=n, look=look)
    )


def _store_assignments(s: Session, draw_id: str, result: DrawResult) -> None:
    from inspector_app.core.storage.models import new_id, utcnow

    ent_ids = {}
    usccs = [p.uscc for p in result.picks]
    for k in range(0, len(usccs), 900):
        ent_ids.update(
            s.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(usccs[k : k + 900]))).all()
        )
    badges = dict(s.execute(select(Inspector.badge_no, Inspector.id)).all())
    now = utcnow()
    assignments, members = [], []
    for p in result.picks:
        aid = new_id()
        assignments.append(
            {
                "id": aid,
                "rev": 1,
                "updated_at": now,
                "draw_id": draw_id,
                "enterprise_id": ent_ids[p.uscc],
                "group_id": p.group_id,
                "team_no": p.team_no,
                "status": "open",
            }
        )
        for pos, (b, role) in enumerate(p.members):
            members.append(
                {
                    "id": new_id(),
                    "rev": 1,
                    "updated_at": now,
                    "assignment_id": aid,
                    "inspector_id": badges[b],
                    "role": role,
                    "position": pos,
                }
            )
    # Core inserts (executemany): tens of thousands of rows for a province-wide draw
    if assignments:
        s.execute(insert(Assignment.__table__), assignments)
    if members:
        s.execute(insert(AssignmentMember.__table__), members)


def _summary(draw: Draw, rules: Rules, result: DrawResult) -> DrawSummary:
    return DrawSummary(
        id=draw.id,
        year=draw.year,
        district=draw.district,
        drawn_on=draw.drawn_on,
        seed=draw.seed,
        rules_id=draw.rules_id,
        rules_title=rules.title,
        rules_hash=draw.rules_hash,
        roster_hash=draw.roster_hash,
        result_hash=draw.result_hash,
        drawn_by=draw.drawn_by,
        groups=result.groups,
        assignments=sum(1 for p in result.picks if p.team_no),
        unmatched=result.unmatched,
        teams=len(result.teams),
    )


def _load(s: Session, draw_id: str) -> tuple[Draw, dict, Rules]:
    draw = s.get(Draw, draw_id)
    if draw is None:
        raise NotFound(_("找不到该抽取记录：{i}").format(i=draw_id))
    snapshot = parse_snapshot_text(zlib.decompress(draw.roster_snapshot).decode("utf-8"))
    return draw, snapshot, rules_from_canonical(draw.rules_json)


def get_draw(db: Database, draw_id: str) -> DrawSummary:
    with db.session() as s:
        draw, snapshot, rules = _load(s, draw_id)
        return _summary(draw, rules, compute_draw(snapshot, rules, draw.seed))


def list_draws(db: Database) -> list[tuple[str, date, int, str | None, str, str, int]]:
    """(id, drawn on, year, district, rules id, seed, assignments), newest first."""
    with db.session() as s:
        rows = s.execute(
            select(
                Draw.id, Draw.drawn_on, Draw.year, Draw.district, Draw.rules_id, Draw.seed, func.count(Assignment.id)
            )
            .outerjoin(Assignment, Assignment.draw_id == Draw.id)
            .group_by(Draw.id, Draw.drawn_on, Draw.year, Draw.district, Draw.rules_id, Draw.seed, Draw.created_at)
            .order_by(Draw.created_at.desc())
        ).all()
        return [tuple(r) for r in rows]


@dataclass(frozen=True)
class Verification:
    ok: bool
    messages: tuple[str, ...]
    result: DrawResult


def verify_package(package: dict) -> Verification:
    """Re-run a draw from its published package (export_package) without any database."""
    snapshot = package["snapshot"]
    if isinstance(snapshot, str):
        snapshot = parse_snapshot_text(snapshot)
    rules = rules_from_canonical(package["rules"]) if isinstance(package["rules"], str) else None
    if rules is None:
        from inspector_app.core.supervision.draw_rules import rules_from_dict

        rules = rules_from_dict(package["rules"])
    return _verify(snapshot, rules, package)


def _verify(snapshot: dict, rules: Rules, record: dict) -> Verification:
    """Re-run with the recorded seed and compare the three hashes with the record's."""
    result = compute_draw(snapshot, rules, record["seed"])
    msgs, ok = [], True
    for label, stored, now in (
        (_("名录快照哈希"), record.get("roster_hash"), result.roster_hash),
        (_("规则哈希"), record.get("rules_hash"), result.rules_hash),
        (_("结果哈希"), record.get("result_hash"), result.digest),
    ):
        if stored == now:
            msgs.append(_("{l}一致：{h}").format(l=label, h=now))
        else:
            ok = False
            msgs.append(_("{l}不一致：记录为{a}，重新计算为{b}").format(l=label, a=stored, b=now))
    return Verification(ok, tuple(msgs), result)


def export_package(db: Database, draw_id: str) -> dict:
    """Everything needed to re-run the draw: seed, rules, roster snapshot and the three hashes."""
    with db.session() as s:
        draw, snapshot, rules = _load(s, draw_id)
        return {
            "format": "inspector-app draw package",
            "version": 1,
            "draw_id": draw.id,
            "drawn_on": draw.drawn_on.isoformat(),
            "seed": draw.seed,
            "rules": rules.to_dict(),
            "rules_hash": draw.rules_hash,
            "roster_hash": draw.roster_hash,
            "result_hash": draw.result_hash,
            "snapshot": snapshot_text(snapshot),  # the exact text the roster hash covers
        }


def verify_draw(db: Database, draw_id: str) -> Verification:
    """Re-run a stored draw and compare with what was stored (the same check as verify_package)."""
    with db.session() as s:
        draw, snapshot, rules = _load(s, draw_id)
        stored = {
            "seed": draw.seed,
            "rules_hash": draw.rules_hash,
            "roster_hash": draw.roster_hash,
            "result_hash": draw.result_hash,
        }
    return _verify(snapshot, rules, stored)
