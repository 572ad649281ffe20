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

import zlib
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspector
from inspector_app.core.storage.supervision_models import Assignment, AssignmentMember, Draw
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.core.supervision.draw_compute import (  # noqa: F401 - re-exported: callers import them from here
    ROLES,
    DrawRefused,
    DrawResult,
    GroupOutcome,
    Pick,
    compute_draw,
    lot_key,
)
from inspector_app.core.supervision.draw_rules import Rules, rules_from_canonical
from inspector_app.core.supervision.draw_snapshot import (  # noqa: F401 - re-exported: the draw's public interface
    SnapshotError,
    parse_snapshot_text,
    roster_snapshot_in,
    sha256,
    snapshot_hash,
    snapshot_text,
    take_snapshot,
)
from inspector_app.core.supervision.draw_verify import stored_differences
from inspector_app.i18n import _


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
        snapshot = roster_snapshot_in(s, year=year, on=on, district=district)
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


def run_draw_file(
    db: Database,
    rules_path: str | None,
    *,
    team_size: int | None,
    seed: str,
    year: int,
    district: str | None = None,
    on: date | None = None,
    who: str = "",
) -> DrawSummary:
    """run_draw with the rules read from a file (None: the bureau's own, core/supervision/bureau_rules.py) and, if
    given, another team size within the bounds those rules set (002 二(一)): what the CLI and the window do."""
    from inspector_app.core.supervision.bureau_rules import bureau_rules
    from inspector_app.core.supervision.draw_rules import load_rules

    rules = load_rules(rules_path) if rules_path else bureau_rules(db, year).rules
    if team_size:
        rules = rules.with_team_size(team_size)
    return run_draw(db, rules, seed=seed, year=year, district=district, on=on, who=who)


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

    ent_ids: dict[str, str] = {}
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
        return cast("list[tuple[str, date, int, str | None, str, str, int]]", [tuple(r) for r in rows])


@dataclass(frozen=True)
class Verification:
    ok: bool
    messages: tuple[str, ...]
    result: DrawResult
    problems: tuple[str, ...] = ()  # what failed, of the messages and the stored result's differences


class DrawNotVerified(DomainError):
    """The stored result of a draw differs from the draw: nothing may be exported or published from it."""


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


def _verify(
    snapshot: dict, rules: Rules, record: dict, session: Session | None = None, draw: Draw | None = None
) -> Verification:
    """Re-run with the recorded seed and compare the three hashes with the record's; with a stored draw, also
    its assignments (core/supervision/draw_verify.py) and the hash of what is stored."""
    result = compute_draw(snapshot, rules, record["seed"])
    msgs, problems = [], []
    checks = [
        (_("名录快照哈希"), record.get("roster_hash"), result.roster_hash),
        (_("规则哈希"), record.get("rules_hash"), result.rules_hash),
        (_("结果哈希"), record.get("result_hash"), result.digest),
    ]
    diffs: list[str] = []
    if session is not None and draw is not None:
        diffs, stored_digest = stored_differences(session, draw, result)
        checks.append((_("已存检查任务的结果哈希"), record.get("result_hash"), stored_digest))
    for label, stored, now in checks:
        if stored == now:
            msgs.append(_("{l}一致：{h}").format(l=label, h=now))
        else:
            problems.append(_("{l}不一致：记录为{a}，重新计算为{b}").format(l=label, a=stored, b=now))
            msgs.append(problems[-1])
    if session is not None and not diffs:
        msgs.append(_("检查任务与抽取结果一致（{n}项）").format(n=len(result.picks)))
    msgs += diffs
    problems += diffs
    return Verification(not problems, tuple(msgs), result, tuple(problems))


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


def verification_in(s: Session, draw_id: str) -> Verification:
    draw, snapshot, rules = _load(s, draw_id)
    stored = {
        "seed": draw.seed,
        "rules_hash": draw.rules_hash,
        "roster_hash": draw.roster_hash,
        "result_hash": draw.result_hash,
    }
    return _verify(snapshot, rules, stored, s, draw)


def verify_draw(db: Database, draw_id: str) -> Verification:
    """Re-run a stored draw and compare with what was stored: the hashes (as verify_package) and the assignments."""
    with db.session() as s:
        return verification_in(s, draw_id)


def require_verified(s: Session, draw_id: str) -> None:
    """Refuse, naming what differs, when a draw does not verify: its list is not exported nor its results
    recorded as published (the published list must be the drawn one)."""
    v = verification_in(s, draw_id)
    if not v.ok:
        raise DrawNotVerified(
            _(
                "抽取记录{i}核验未通过，不能导出公示清单或登记公示：\n{m}\n"
                "检查任务与抽取结果不一致，请查明数据库被改动的原因（核验：draw verify {i}）"
            ).format(i=draw_id, m="\n".join(v.problems))
        )
