"""Document numbers (文书编号) issued offline without collisions between laptops.

Two laptops never see each other's numbers before they sync, so uniqueness comes from the number itself:
each laptop has its own prefix (`device.docnumber_prefix`, e.g. "03-") or its own block of serials
(`device.docnumber_block_start`/`_end`, e.g. 3001–3999). The prefix is a short name chosen at device setup
(core/issuing/number_prefix.py); a laptop that has neither, or still the random prefix of an earlier version, gets
no number made up for it: `issue` raises number_prefix.PrefixNeeded, and the GUI and CLI ask for a prefix.
Every number issued is recorded in `doc_number`; a misprinted one is voided (作废) with a reason, never reused
and never deleted, so the bureau's register has no gaps it cannot explain.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core import clock, settings
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.issuing import number_prefix
from inspector_app.core.issuing.number_rules import NUMBER_KEYS, check_pattern
from inspector_app.core.storage.db import Database, serialize
from inspector_app.core.storage.docs_models import DocNumber
from inspector_app.i18n import _

NOTICE = "notice"
CLASS_NOTICE, INTERVIEW = "class_notice", "interview"  # core/supervision/class_notice.py, interviews.py
DOC_TYPES = {NOTICE: "责令整改通知书", CLASS_NOTICE: "分类告知书", INTERVIEW: "约谈记录"}
# The documents that are not the notice have a fixed pattern: the notice's (setting docnumber.pattern) says 责改.
FIXED_PATTERNS = {
    CLASS_NOTICE: "{short}分类告〔{year}〕{prefix}{serial:04d}号",
    INTERVIEW: "{short}约谈〔{year}〕{prefix}{serial:04d}号",
}
ISSUED, VOIDED = "issued", "voided"
STATUSES = {ISSUED: "已使用", VOIDED: "已作废"}


@dataclass(frozen=True)
class DocNumberInfo:
    id: str
    number: str
    doc_type: str
    year: int
    prefix: str
    serial: int
    inspection_id: str | None
    status: str
    issued_at: datetime
    voided_at: datetime | None
    void_reason: str


def _info(row: DocNumber) -> DocNumberInfo:
    return DocNumberInfo(
        row.id,
        row.number,
        row.doc_type,
        row.year,
        row.prefix,
        row.serial,
        row.inspection_id,
        row.status,
        row.issued_at,
        row.voided_at,
        row.void_reason,
    )


def _device_scheme(session: Session) -> tuple[str, tuple[int, int] | None]:
    """This laptop's (prefix, block); PrefixNeeded when it has neither or an earlier version's random prefix."""
    prefix = settings.read(session, "device.docnumber_prefix").strip()
    start = settings.read_int(session, "device.docnumber_block_start")
    end = settings.read_int(session, "device.docnumber_block_end")
    block = None
    if start is not None or end is not None:
        if start is None or end is None or start < 1 or end < start:
            raise ValidationError(
                _("本机编号段"), _("起止号不完整或起号大于止号（{a}–{b}），请在设置中改正").format(a=start, b=end)
            )
        block = (start, end)
    if block is None:
        missing = number_prefix.needed(session)
        if missing is not None:
            raise missing
    return prefix, block


def issue(
    session: Session, doc_type: str, *, inspection_id: str | None = None, on: date | None = None
) -> DocNumberInfo:
    """Issue the next number of this laptop for `doc_type` in the year of `on` and record it."""
    if doc_type not in DOC_TYPES:
        raise ValidationError(_("文书类型"), _("“{t}”不是已知的文书类型").format(t=doc_type))
    year = (on or clock.today()).year
    pattern = FIXED_PATTERNS.get(doc_type) or settings.read(session, "docnumber.pattern")
    check_pattern(pattern)
    prefix, block = _device_scheme(session)
    if block is None and "{prefix" not in pattern:
        raise DomainError(
            _("文书编号格式中没有本机前缀 {prefix}，不同电脑会编出相同的号。")
            + _("请在设置中把 {prefix} 加入编号格式，或向局里申请本机编号段。")
        )
    serialize(session, "doc_number", doc_type, year, prefix)  # two clerks never read the same last number
    used = select(func.max(DocNumber.serial)).where(
        DocNumber.doc_type == doc_type, DocNumber.year == year, DocNumber.prefix == prefix
    )
    if block is not None:
        used = used.where(DocNumber.serial.between(*block))
    last = session.scalar(used)
    if block is None:
        serial = (last or 0) + 1
    else:
        serial = (last + 1) if last is not None else block[0]
        if serial > block[1]:
            raise DomainError(
                _("本机编号段 {a}–{b} 已用完，请向局里申请新的编号段后在设置中填写。").format(a=block[0], b=block[1])
            )
    number = pattern.format(short=settings.read(session, "bureau.short_name"), year=year, prefix=prefix, serial=serial)
    if session.scalar(select(DocNumber.id).where(DocNumber.number == number)):
        raise DomainError(_("文书编号“{n}”已经用过，请检查编号格式和本机前缀设置。").format(n=number))
    row = DocNumber(
        number=number,
        doc_type=doc_type,
        year=year,
        prefix=prefix,
        serial=serial,
        inspection_id=inspection_id,
        status=ISSUED,
        issued_at=clock.now(),
        void_reason="",
        device=settings.read(session, "device.name"),
    )
    session.add(row)
    session.flush()
    return _info(row)


def number_for(session: Session, inspection_id: str, doc_type: str = NOTICE) -> DocNumberInfo:
    """The inspection's valid number of this document type, issued on first use (a reprint keeps it)."""
    row = session.scalar(
        select(DocNumber)
        .where(DocNumber.inspection_id == inspection_id, DocNumber.doc_type == doc_type, DocNumber.status == ISSUED)
        .order_by(DocNumber.issued_at.desc())
    )
    return _info(row) if row is not None else issue(session, doc_type, inspection_id=inspection_id)


def get_or_issue(db: Database, inspection_id: str, doc_type: str = NOTICE) -> DocNumberInfo:
    with db.session() as s:
        return number_for(s, inspection_id, doc_type)


def void(db: Database, number: str, reason: str) -> DocNumberInfo:
    """Void a number (e.g. the notice was misprinted); the next print of that document gets a new number."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("作废原因"), _("不能为空"))
    with db.session() as s:
        row = s.scalar(select(DocNumber).where(DocNumber.number == number))
        if row is None:
            raise NotFound(_("没有编号为“{n}”的文书").format(n=number))
        if row.status == VOIDED:
            raise DomainError(_("文书编号“{n}”已于 {d:%Y-%m-%d} 作废").format(n=number, d=row.voided_at))
        row.status = VOIDED
        row.voided_at = clock.now()
        row.void_reason = reason
        s.flush()
        return _info(row)


def list_numbers(db: Database, *, year: int | None = None, inspection_id: str | None = None) -> list[DocNumberInfo]:
    """The register of numbers: issued and voided, in issue order."""
    with db.session() as s:
        q = select(DocNumber).order_by(DocNumber.year, DocNumber.prefix, DocNumber.serial)
        if year is not None:
            q = q.where(DocNumber.year == year)
        if inspection_id is not None:
            q = q.where(DocNumber.inspection_id == inspection_id)
        return [_info(r) for r in s.scalars(q)]


# ---------------------------------------------------------------------------------------------- preview
@dataclass(frozen=True)
class NumberPreview:
    number: str  # the next new number of a 责令整改通知书 on this laptop
    note: str = ""


class _Preview(Exception):
    def __init__(self, number: str):
        self.number = number


def preview_number(db: Database, changes: Mapping[str, str] | None = None, *, on: date | None = None) -> NumberPreview:
    """The number the next new notice would get with `changes` applied (settings.SettingsRefused /
    ValidationError / DomainError if it could not be issued, e.g. number_prefix.PrefixNeeded while this laptop
    has not chosen its prefix). Runs `issue` itself in a transaction that is always rolled back, so the
    preview is exactly what printing will give, and nothing is written."""
    changes = dict(changes or {})
    update_errors = {}
    for key, value in changes.items():
        try:
            changes[key] = settings.validate(key, value)
        except ValidationError as exc:
            update_errors[key] = exc
    if update_errors:
        raise settings.SettingsRefused(update_errors)
    note = ""
    try:
        with db.session() as s:
            for key, value in changes.items():
                settings.store(s, key, value)
            merged = {key: settings.read(s, key) for key in settings.DEFAULTS}
            errors = settings.check_together(merged, set(NUMBER_KEYS))
            if errors:
                raise settings.SettingsRefused(errors)
            raise _Preview(issue(s, NOTICE, on=on).number)
    except _Preview as preview:
        return NumberPreview(preview.number, note)
