"""The register of inspectors (检查人员): who may be sent to a factory (001 §24: 持合法有效证件的工作人员) and
what a draw needs to know of them (002 二(一): 组长, 技术专家副组长).

The one place of the register's rules; the GUI's 检查人员 dialog (through core/archive.py), the CLI's
`inspectors add|set|import` and the imports of files all call them:
- name: required, at most 50 characters;
- 执法证号: required, at most 30 characters, stored normalised (full-width → half-width, upper case, no
  spaces: core/storage/identity.py norm_code), one inspector per number;
- district (所属区): optional, at most 20 characters;
- 可任组长 / 技术专家: the bureau's draw inputs (refused on a field laptop, like `draw inspector`);
- active (在用): an inspector no longer in service stays in the register (signed records name them) but is
  not drawn, planned or offered for a new inspection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.errors import NotFound, ValidationError
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.identity import norm_code as norm_code  # the CLI names badges by it
from inspector_app.core.storage.models import Inspector
from inspector_app.core.storage.supervision_models import InspectorProfile
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.i18n import _

MAX_NAME, MAX_BADGE, MAX_DISTRICT = 50, 30, 20


@dataclass(frozen=True)
class InspectorRow:
    id: str
    badge_no: str
    name: str
    district: str
    can_lead: bool
    technical: bool
    active: bool


@dataclass(frozen=True)
class Fields:
    """What a caller gives for one inspector; None leaves a value as it is (for an update)."""

    name: str | None = None
    district: str | None = None
    can_lead: bool | None = None
    technical: bool | None = None
    active: bool | None = None


def field_problems(badge_no: str, f: Fields, *, new: bool) -> list[tuple[str, str]]:
    """Every (field, reason) that breaks the register's rules, without a database."""
    problems = []
    if not norm_code(badge_no):
        problems.append((_("执法证号"), _("不能为空")))
    elif len(norm_code(badge_no)) > MAX_BADGE:
        problems.append((_("执法证号"), _("不能超过{n}个字符").format(n=MAX_BADGE)))
    name = None if f.name is None else f.name.strip()
    if (new and not name) or (name is not None and not name):
        problems.append((_("检查人员姓名"), _("不能为空")))
    elif name and len(name) > MAX_NAME:
        problems.append((_("检查人员姓名"), _("不能超过{n}个字符").format(n=MAX_NAME)))
    if f.district is not None and len(f.district.strip()) > MAX_DISTRICT:
        problems.append((_("所属区"), _("不能超过{n}个字符").format(n=MAX_DISTRICT)))
    return problems


def _refuse_first(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise ValidationError(*problems[0])


def _needs_bureau(f: Fields) -> bool:
    return bool(f.can_lead) or bool(f.technical)


def find(session: Session, badge_no: str) -> Inspector | None:
    return session.scalar(select(Inspector).where(Inspector.badge_no == norm_code(badge_no)))


def write(session: Session, badge_no: str, f: Fields, *, create: bool | None = None) -> tuple[str, bool]:
    """Add or change one inspector inside the caller's transaction: (id, created). create=True refuses a
    number already registered, create=False an unknown one, None takes either."""
    badge = norm_code(badge_no)
    row = find(session, badge) if badge else None
    if create is True and row is not None:
        raise ValidationError(_("执法证号"), _("“{b}”已登记").format(b=badge))
    if create is False and row is None:
        raise NotFound(_("找不到执法证号为“{b}”的检查人员").format(b=badge))
    _refuse_first(field_problems(badge, f, new=row is None))
    if _needs_bureau(f) or (row is not None and (f.can_lead is not None or f.technical is not None)):
        require_bureau(session, _("检查人员抽取资格（可任组长、技术专家）的设置"))
    created = row is None
    if row is None:
        # field_problems(new=True) has refused a missing name
        row = Inspector(name=(f.name or "").strip(), badge_no=badge, district=(f.district or "").strip(), active=True)
        session.add(row)
        session.flush()
    else:
        if f.name is not None:
            row.name = f.name.strip()
        if f.district is not None:
            row.district = f.district.strip()
    if f.active is not None:
        row.active = bool(f.active)
    if f.can_lead is not None or f.technical is not None:
        p = session.scalar(select(InspectorProfile).where(InspectorProfile.inspector_id == row.id))
        if p is None:
            p = InspectorProfile(inspector_id=row.id, can_lead=False, technical=False)
            session.add(p)
        if f.can_lead is not None:
            p.can_lead = bool(f.can_lead)
        if f.technical is not None:
            p.technical = bool(f.technical)
    session.flush()
    return row.id, created


def add(db: Database, badge_no: str, name: str, **fields) -> str:
    """Register a new inspector (the GUI dialog's 添加); a number already registered is refused."""
    with db.session() as s:
        return write(s, badge_no, Fields(name=name, **fields), create=True)[0]


def update(db: Database, badge_no: str, **fields) -> InspectorRow:
    """Change a registered inspector; only the fields given change."""
    with db.session() as s:
        iid, _created = write(s, badge_no, Fields(**fields), create=False)
        return _rows(s, [iid])[0]


def list_all(db: Database, *, active_only: bool = False, district: str | None = None) -> list[InspectorRow]:
    with db.session() as s:
        q = select(Inspector.id).order_by(Inspector.badge_no)
        if active_only:
            q = q.where(Inspector.active.is_(True))
        if district:
            q = q.where(Inspector.district == district)
        return _rows(s, list(s.scalars(q)))


def _rows(s: Session, ids: list[str]) -> list[InspectorRow]:
    prof = {
        i: (bool(a), bool(b))
        for i, a, b in s.execute(
            select(InspectorProfile.inspector_id, InspectorProfile.can_lead, InspectorProfile.technical)
        )
    }
    by_id = {i.id: i for i in s.scalars(select(Inspector).where(Inspector.id.in_(ids)))} if ids else {}
    out = []
    for iid in ids:
        i = by_id[iid]
        lead, tech = prof.get(iid, (False, False))
        out.append(InspectorRow(i.id, i.badge_no, i.name, i.district or "", lead, tech, bool(i.active)))
    return out
