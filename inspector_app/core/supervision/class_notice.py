"""The classification of a new licensee within two months, and the notice that tells the enterprise its class.

001 §10: 对新申请生产许可证企业的分类工作，在企业取得生产许可证后两个月内…开展企业分类有关工作。
新申请生产许可证企业一般判定为B类企业。 001 §11: 区级市场监管局应将企业分类结果告知本企业。

- The date an enterprise obtained its license is the earliest issue date (发证日期) of its licenses in force;
  its deadline is two calendar months later (`two_months_after`: 3 March → 3 May; 31 December → the last
  day of February). It is classified when a classification change that sets its class (classify new/set,
  or a roster import that sets it) is recorded on or after that date. `due` lists the enterprises not yet
  classified: 已逾期 after the deadline, 待分类 before it.
- The 分类告知书 (documents/supervision_docs.py) tells the class of the latest change and the supervision
  that follows from it (001 §30), under a document number (core/issuing/numbers.py), as a signed PDF kept
  in the archive of issued files; `issue_notice` records it (table classification_notice).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from inspector_app.core import clock, settings
from inspector_app.core.catalog import CLASSES
from inspector_app.core.errors import DomainError, NotFound
from inspector_app.core.issuing import issued, legal_basis, numbers
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, License
from inspector_app.core.storage.supervision_models import ClassificationChange
from inspector_app.core.storage.supervision_records_models import ClassificationNotice
from inspector_app.core.supervision.classification_rules import supervision_of
from inspector_app.core.supervision.license_actions import in_force
from inspector_app.i18n import _

DEADLINE_MONTHS = 2  # 001 §10
OVERDUE, PENDING = "overdue", "pending"
STATES = {OVERDUE: "已逾期", PENDING: "待分类"}
# What each supervision mode means for the enterprise told (001 §30(一)–(四)), keyed by the mode's class.
MODE_TEXT = {
    "AA": "主要监督检查你单位落实自我承诺情况，你单位应每年定期报告自我承诺落实情况",
    "A": "主要监督你单位落实产品质量主体责任情况",
    "B": "每年对你单位至少开展1次检查",
    "C": "每年对你单位进行不少于2次检查，并根据需要开展产品质量监督抽查和专项监督检查",
}


def two_months_after(d: date) -> date:
    """The same day two calendar months later, or the last day of that month when it has no such day."""
    month = d.month - 1 + DEADLINE_MONTHS
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DueRow:
    enterprise_id: str
    name: str
    uscc: str
    district: str
    licensed_on: date
    due_on: date
    state: str  # OVERDUE / PENDING
    days: int  # days overdue (state OVERDUE) or left (PENDING)


def due(
    db: Database, *, today: date | None = None, since: date | None = None, district: str | None = None
) -> list[DueRow]:
    """New licensees (first license issued on or after `since`, default 1 January of last year) not yet
    classified; overdue ones first, then by deadline."""
    today = today or clock.today()
    since = since or date(today.year - 1, 1, 1)
    with db.session() as s:
        first = (
            select(License.enterprise_id.label("eid"), func.min(License.issue_date).label("licensed_on"))
            .where(License.issue_date.is_not(None), License.issue_date <= today, License.expiry_date >= today)
            .where(in_force(today))
            .group_by(License.enterprise_id)
            .subquery()
        )
        classified = (
            select(ClassificationChange.id)
            .where(
                ClassificationChange.enterprise_id == first.c.eid,
                ClassificationChange.to_class.is_not(None),
                ClassificationChange.changed_on >= first.c.licensed_on,
            )
            .exists()
        )
        q = (
            select(Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.district, first.c.licensed_on)
            .join(first, first.c.eid == Enterprise.id)
            .where(first.c.licensed_on >= since, ~classified)
        )
        if district:
            q = q.where(Enterprise.district == district)
        rows = []
        for eid, name, uscc, dist, licensed_on in s.execute(q):
            due_on = two_months_after(licensed_on)
            late = today > due_on
            days = (today - due_on).days if late else (due_on - today).days
            rows.append(DueRow(eid, name, uscc, dist, licensed_on, due_on, OVERDUE if late else PENDING, days))
    return sorted(rows, key=lambda r: (r.state != OVERDUE, r.due_on, r.uscc))


# ------------------------------------------------------------------ the notice (001 §11)
@dataclass(frozen=True)
class NoticeData:
    """What the 分类告知书 prints, as plain values."""

    id: str
    number: str
    issued_on: date
    enterprise_name: str
    uscc: str
    address: str
    classification: str
    class_label: str  # 良好自律
    decided_on: date
    mode: str  # 责任监管
    requirement: str  # what the mode means for the enterprise (MODE_TEXT)
    stricter_by_risk: bool
    legal_basis: str
    bureau: str
    seal_text: str
    contact_phone: str
    who: str


def issue_notice(db: Database, enterprise_id: str, *, who: str = "", on: date | None = None) -> NoticeData:
    """Record a new notice of the enterprise's current class under a new document number. Refused while the
    enterprise has no classification on record, or while no legal basis is in force on the notice's date for
    the enterprise's products (core/issuing/legal_basis.py, setting class_notice.legal_bases)."""
    from inspector_app.core.storage.sync_models import FIELD, device_role

    on = on or clock.today()
    bureau = device_role(db) != FIELD  # a laptop is told the bureau's settings arrive with its bundle
    with db.session() as s:
        ent = s.get(Enterprise, enterprise_id)
        if ent is None:
            raise NotFound(_("找不到该企业"))
        lines = legal_basis.class_lines(
            settings.read(s, legal_basis.CLASS.key), settings.read(s, legal_basis.OLD_CLASS_KEY)
        )
        categories = list(s.scalars(select(License.category).where(License.enterprise_id == enterprise_id)))
        # 001 §2: the kind of the enterprise's products; the basis that covers it on the notice's date.
        basis = legal_basis.in_force(legal_basis.CLASS, lines, on, legal_basis.kind_of(categories), bureau=bureau)
        last = s.scalar(
            select(ClassificationChange)
            .where(ClassificationChange.enterprise_id == enterprise_id, ClassificationChange.to_class.is_not(None))
            .order_by(ClassificationChange.changed_on.desc(), ClassificationChange.created_at.desc())
        )
        if last is None:
            raise DomainError(
                _("{n}还没有分类记录：请先分类（新获证企业一般判定为B类），再出具分类告知书").format(n=ent.name)
            )
        if last.changed_on > on:
            raise DomainError(_("告知日期{o}早于分类日期{d}").format(o=on, d=last.changed_on))
        number = numbers.issue(s, numbers.CLASS_NOTICE, on=on).number
        row = ClassificationNotice(
            enterprise_id=enterprise_id,
            classification=ent.classification,
            decided_on=last.changed_on,
            issued_on=on,
            number=number,
            who=who.strip(),
            pdf_sha256="",
        )
        s.add(row)
        s.flush()
        sup = supervision_of(ent.classification, ent.risk_level)
        return NoticeData(
            id=row.id,
            number=number,
            issued_on=on,
            enterprise_name=ent.name,
            uscc=ent.uscc,
            address=ent.address,
            classification=ent.classification,
            class_label=CLASSES[ent.classification],
            decided_on=last.changed_on,
            mode=sup.mode,
            requirement=MODE_TEXT[sup.mode_class],
            stricter_by_risk=sup.stricter_by_risk,
            legal_basis=basis,
            bureau=settings.read(s, "bureau.name"),
            seal_text=settings.read(s, "bureau.seal_text"),
            contact_phone=settings.read(s, "bureau.contact_phone"),
            who=who.strip(),
        )


def keep_pdf(db: Database, table, record_id: str, pdf: bytes) -> Path:
    """Keep a signed PDF of a notice or interview record in the archive of issued files, and its SHA-256 on
    the record (`table`: ClassificationNotice or Interview)."""
    with db.session() as s:
        row = s.get(table, record_id)
        if row is None:
            raise NotFound(_("找不到该记录"))
        row.pdf_sha256 = issued.store_file(s, pdf)
    return issued.archive_path(row.pdf_sha256)


@dataclass(frozen=True)
class NoticeRow:
    id: str
    number: str
    issued_on: date
    name: str
    uscc: str
    classification: str
    decided_on: date
    who: str
    pdf_sha256: str


def list_notices(db: Database, *, year: int | None = None) -> list[NoticeRow]:
    with db.session() as s:
        q = (
            select(ClassificationNotice, Enterprise.name, Enterprise.uscc)
            .join(Enterprise, Enterprise.id == ClassificationNotice.enterprise_id)
            .order_by(ClassificationNotice.issued_on, ClassificationNotice.number)
        )
        if year is not None:
            q = q.where(ClassificationNotice.issued_on.between(date(year, 1, 1), date(year, 12, 31)))
        return [
            NoticeRow(n.id, n.number, n.issued_on, name, uscc, n.classification, n.decided_on, n.who, n.pdf_sha256)
            for n, name, uscc in s.execute(q)
        ]
