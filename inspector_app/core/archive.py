"""The enterprise archive (一企一档, 001 §36): enterprises, sites, licenses, inspectors, as plain values."""

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspector_app.core import clock
from inspector_app.core.catalog import EXPIRY_WARNING_DAYS
from inspector_app.core.errors import NotFound
from inspector_app.core.storage import audit
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import InspectionSignoff
from inspector_app.core.storage.models import Enterprise, Inspection, InspectionMember, Inspector, License, Site
from inspector_app.core.supervision import inspectors
from inspector_app.i18n import _

LICENSE_STATES = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "ended": "已终止"}


def license_state(expiry: date, today: date | None = None) -> str:
    days = (expiry - (today or clock.today())).days
    if days < 0:
        return "expired"
    return "expiring" if days <= EXPIRY_WARNING_DAYS else "valid"


@dataclass(frozen=True)
class SiteInfo:
    id: str
    address: str
    district: str


@dataclass(frozen=True)
class LicenseInfo:
    id: str
    number: str
    category: str
    products: str
    issue_date: date | None
    expiry_date: date
    site_address: str
    state: str  # LICENSE_STATES key
    days_left: int
    ended: str = ""  # “已注销（2026-06-01，文号）”: a decision ended it (core/supervision/license_actions.py)


@dataclass(frozen=True)
class InspectionSummary:
    id: str
    inspected_on: date
    kind: str
    status: str  # draft / completed / signed
    site_address: str
    template_title: str
    team: str  # names joined with 、


@dataclass(frozen=True)
class EnterpriseDetail:
    id: str
    uscc: str
    name: str
    legal_rep: str
    contact: str
    phone: str
    address: str
    district: str
    classification: str
    risk_level: str | None
    sites: tuple[SiteInfo, ...]
    licenses: tuple[LicenseInfo, ...]
    inspections: tuple[InspectionSummary, ...]
    rev: int = 0  # the revision shown: a save passes it back (core/storage/edits.py: 已被他人修改)


@dataclass(frozen=True)
class InspectorInfo:
    id: str
    name: str
    badge_no: str


def _license_info(lic: License, today: date, ended: dict[str, str]) -> LicenseInfo:
    return LicenseInfo(
        id=lic.id,
        number=lic.number,
        category=lic.category,
        products=lic.products,
        issue_date=lic.issue_date,
        expiry_date=lic.expiry_date,
        site_address=lic.site.address if lic.site else "",
        state="ended" if lic.id in ended else license_state(lic.expiry_date, today),
        days_left=(lic.expiry_date - today).days,
        ended=ended.get(lic.id, ""),
    )


def _ended(session, enterprise_id: str, today: date) -> dict[str, str]:
    """License id → what ended it, for the licenses a 撤回/撤销/吊销/注销 in effect by `today` ended."""
    from inspector_app.core.storage.supervision_records_models import LicenseAction
    from inspector_app.core.supervision.license_actions import KINDS

    q = (
        select(LicenseAction)
        .where(LicenseAction.enterprise_id == enterprise_id, LicenseAction.effective_on <= today)
        .order_by(LicenseAction.effective_on)
    )
    return {
        a.license_id: _("{k}（{d}，{no}）").format(k=KINDS[a.kind][0], d=a.effective_on.isoformat(), no=a.decision_no)
        for a in session.scalars(q)
    }


def inspection_summaries(session, enterprise_id: str) -> tuple[InspectionSummary, ...]:
    signed = set(
        session.scalars(
            select(InspectionSignoff.inspection_id)
            .join(Inspection, Inspection.id == InspectionSignoff.inspection_id)
            .where(Inspection.enterprise_id == enterprise_id)
        )
    )
    rows = session.scalars(
        select(Inspection)
        .where(Inspection.enterprise_id == enterprise_id)
        .options(
            selectinload(Inspection.members).selectinload(InspectionMember.inspector),
            selectinload(Inspection.site),
            selectinload(Inspection.template),
        )
        .order_by(Inspection.inspected_on.desc(), Inspection.created_at.desc())
    ).all()
    out = []
    for insp in rows:
        out.append(
            InspectionSummary(
                id=insp.id,
                inspected_on=insp.inspected_on,
                kind=insp.kind,
                status="signed" if insp.id in signed else insp.status,
                site_address=insp.site.address,
                template_title=_template_title(insp),
                team="、".join(m.inspector.name for m in insp.members),
            )
        )
    return tuple(out)


def _template_title(insp: Inspection) -> str:
    return json.loads(insp.template.content)["title"]


def get_enterprise(db: Database, enterprise_id: str, today: date | None = None) -> EnterpriseDetail:
    today = today or clock.today()
    with db.session() as s:
        ent = s.get(
            Enterprise,
            enterprise_id,
            options=[selectinload(Enterprise.sites), selectinload(Enterprise.licenses).selectinload(License.site)],
        )
        if ent is None:
            raise NotFound(_("找不到该企业（可能已被删除）"))
        ended = _ended(s, ent.id, today)
        return EnterpriseDetail(
            id=ent.id,
            uscc=ent.uscc,
            name=ent.name,
            legal_rep=ent.legal_rep,
            contact=ent.contact,
            phone=ent.phone,
            address=ent.address,
            district=ent.district,
            classification=ent.classification,
            risk_level=ent.risk_level,
            sites=tuple(SiteInfo(x.id, x.address, x.district) for x in ent.sites),
            licenses=tuple(_license_info(x, today, ended) for x in ent.licenses),
            inspections=inspection_summaries(s, ent.id),
            rev=ent.rev,
        )


def change_history(db: Database, enterprise_id: str) -> list[audit.Change]:
    """Who changed what of the enterprise, and when (classes, plans, draws, decisions), newest first."""
    with db.session() as s:
        return audit.history(s, enterprise_id)


def list_inspectors(db: Database, active_only: bool = True) -> list[InspectorInfo]:
    with db.session() as s:
        q = select(Inspector).order_by(Inspector.badge_no)
        if active_only:
            q = q.where(Inspector.active.is_(True))
        return [InspectorInfo(i.id, i.name, i.badge_no) for i in s.scalars(q)]


def own_inspector_id(db: Database) -> str | None:
    """The inspector this laptop belongs to: the one the bureau registered the device for (its register comes
    back with the bureau's bundles), else the one named by the setting 本机使用人 (device.inspector)."""
    from inspector_app.core import settings
    from inspector_app.core.storage.models import Setting
    from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID, Device

    with db.session() as s:
        own = s.get(Setting, SETTING_DEVICE_ID)
        device = s.get(Device, own.value) if own is not None else None
        if device is not None and device.inspector_id and s.get(Inspector, device.inspector_id) is not None:
            return device.inspector_id
        name = settings.read(s, "device.inspector").strip() or (device.inspector_name if device is not None else "")
        if not name:
            return None
        ids = s.scalars(select(Inspector.id).where(Inspector.name == name, Inspector.active.is_(True))).all()
        return ids[0] if len(ids) == 1 else None  # two inspectors of that name: do not guess


def add_inspector(db: Database, name: str, badge_no: str) -> str:
    """The 检查人员 dialog's 添加: the register's rules (core/supervision/inspectors.py)."""
    return inspectors.add(db, badge_no, name)


# The names a script uses: enterprises by unified social credit code, inspectors by badge number (执法证号),
# sites by address. Each returns our id, or None when nothing matches; the caller says what was not found.
def enterprise_id_by_uscc(db: Database, uscc: str) -> str | None:
    code = uscc.strip().upper()
    with db.session() as s:
        return s.scalar(select(Enterprise.id).where((Enterprise.uscc == code) | (Enterprise.id == uscc.strip())))


def inspector_id_by_badge(db: Database, badge: str) -> str | None:
    with db.session() as s:
        return s.scalar(
            select(Inspector.id).where((Inspector.badge_no == badge.strip()) | (Inspector.id == badge.strip()))
        )


def site_id_by_address(db: Database, enterprise_id: str, address: str) -> str | None:
    with db.session() as s:
        return s.scalar(select(Site.id).where(Site.enterprise_id == enterprise_id, Site.address == address.strip()))


@dataclass(frozen=True)
class InspectionListRow:
    id: str
    inspected_on: date
    status: str  # draft / completed (Inspection.status, not the signed state)
    kind: str
    enterprise_name: str
    site_address: str


def all_inspections(db: Database) -> list[InspectionListRow]:
    """Every inspection record, oldest first (`inspector-app inspection list`)."""
    with db.session() as s:
        rows = s.scalars(
            select(Inspection)
            .options(selectinload(Inspection.enterprise), selectinload(Inspection.site))
            .order_by(Inspection.inspected_on, Inspection.created_at, Inspection.id)
        ).all()
        return [
            InspectionListRow(i.id, i.inspected_on, i.status, i.kind, i.enterprise.name, i.site.address) for i in rows
        ]
