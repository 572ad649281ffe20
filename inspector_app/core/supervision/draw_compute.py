"""The pure draw (002 一(四), 二(一), 三(一)–(二)): `compute_draw(snapshot, rules, seed)` orders enterprises and
inspectors by SHA-256 lots and forms the teams. No database: core/supervision/draw.py runs, stores and verifies
draws with it (the lot formula is documented there and in docs/supervision.md).
"""

import hashlib
import math
from dataclasses import dataclass
from heapq import heappop, heappush, heapreplace

from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.supervision.draw_rules import Rules
from inspector_app.core.supervision.draw_snapshot import sha256, snapshot_hash
from inspector_app.i18n import _


class DrawRefused(DomainError):
    pass


ROLES = {"leader": "组长", "deputy": "副组长", "member": "组员"}  # a team member's role (002 二(一))


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
    tests: list[tuple[bool, frozenset[str], frozenset[tuple[str, int]], list[dict]]] = [
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


# Where the bureau fixes the pool: the register's screen (ui/inspectors_dialog.py), opened from the menu.
WHERE_TO_FIX = _(
    "。请在菜单“检查人员 → 管理检查人员…”中添加检查人员、勾选“可任组长”“技术专家”和“在用”，或在抽取时调整每组人数"
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
            need.append(_("没有标记“技术专家”的检查人员（检查组副组长由技术专家担任）"))
        raise DrawRefused(_("无法组成检查组：") + "；".join(need or [_("人员不足")]) + WHERE_TO_FIX)
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
