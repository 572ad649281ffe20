"""Does the stored result of a draw (its assignments) match the draw? (002 三(一)–(二), docs/supervision.md)

The hashes of a draw cover what it was computed from and what it computed; the inspectors' task lists and the
published list are its stored assignments. `stored_differences` compares those, enterprise by enterprise
(drawn group, team number, members with their roles in team order), with a fresh computation, and hashes the
stored result the way the result hash was made: a swapped enterprise, a deleted assignment or a replaced team
member is named, and the stored result no longer has the recorded hash. Export and publication refuse a draw
that does not verify (core/supervision/draw.py `require_verified`).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.storage.models import Enterprise, Inspector
from inspector_app.core.storage.supervision_models import Assignment, AssignmentMember, Draw
from inspector_app.core.supervision.draw_compute import ROLES, DrawResult, Pick
from inspector_app.i18n import _


def _stored_picks(s: Session, draw_id: str) -> tuple[dict[str, Pick], dict[str, str], list[str]]:
    """(uscc → the stored pick, uscc → enterprise name, USCCs with more than one assignment)."""
    rows = s.execute(
        select(Assignment.id, Enterprise.uscc, Enterprise.name, Assignment.group_id, Assignment.team_no)
        .join(Enterprise, Enterprise.id == Assignment.enterprise_id)
        .where(Assignment.draw_id == draw_id)
    ).all()
    members: dict[str, list[tuple[str, str]]] = {}
    ids = [r.id for r in rows]
    for k in range(0, len(ids), 900):
        for aid, badge, role in s.execute(
            select(AssignmentMember.assignment_id, Inspector.badge_no, AssignmentMember.role)
            .join(Inspector, Inspector.id == AssignmentMember.inspector_id)
            .where(AssignmentMember.assignment_id.in_(ids[k : k + 900]))
            .order_by(AssignmentMember.assignment_id, AssignmentMember.position)
        ):
            members.setdefault(aid, []).append((badge, role))
    picks: dict[str, Pick] = {}
    names: dict[str, str] = {}
    twice: list[str] = []
    for r in rows:
        if r.uscc in picks:
            twice.append(r.uscc)
        picks[r.uscc] = Pick(r.uscc, r.group_id, r.team_no, tuple(members.get(r.id, ())))
        names[r.uscc] = r.name
    return picks, names, twice


def _team(p: Pick) -> str:
    team = _("第{n}组").format(n=p.team_no) if p.team_no else _("未匹配")
    people = "、".join(f"{ROLES.get(r, r)} {b}" for b, r in p.members)
    return f"{p.group_id}，{team}" + (f"（{people}）" if people else "")


def stored_differences(s: Session, draw: Draw, result: DrawResult) -> tuple[list[str], str]:
    """(what differs between the stored assignments and `result`, the hash of the stored result)."""
    stored, names, twice = _stored_picks(s, draw.id)
    diffs: list[str] = []
    computed = {p.uscc: p for p in result.picks}
    for p in result.picks:
        mine = stored.get(p.uscc)
        if mine is None:
            diffs.append(_("抽中的企业{u}没有检查任务（应为：{t}）").format(u=p.uscc, t=_team(p)))
        elif mine != p:
            diffs.append(
                _("企业{u}（{n}）的检查任务与抽取结果不同：记录为{a}，重新计算为{b}").format(
                    u=p.uscc, n=names.get(p.uscc, ""), a=_team(mine), b=_team(p)
                )
            )
    for uscc, mine in stored.items():
        if uscc not in computed:
            diffs.append(
                _("企业{u}（{n}）未被抽中，却有本次抽取的检查任务（{t}）").format(
                    u=uscc, n=names.get(uscc, ""), t=_team(mine)
                )
            )
    for uscc in twice:
        diffs.append(_("企业{u}有多项本次抽取的检查任务").format(u=uscc))
    # The stored result hashed as the result hash was: the computed picks' order, each replaced by what is stored.
    kept = [stored[p.uscc] for p in result.picks if p.uscc in stored]
    kept += [p for u, p in sorted(stored.items()) if u not in computed]
    return diffs, replace(result, picks=tuple(kept)).digest
