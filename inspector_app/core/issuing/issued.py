"""The archive of issued documents: the exact signed PDF that was handed to the enterprise (issue 3: a document
is verifiable later; issue 4 §1: the bureau receives the documents issued in the field).

A document is *issued* when it is saved as PDF or printed, from the documents dialog or `inspector-app pdf
summary|record|notice`; a preview is not. Each issue records an `issued_document` row (type, number, code,
the file's SHA-256 and size, time, how, device, signing key) and keeps the file byte for byte under
data_dir()/issued/<sha256[:2]>/<sha256>.pdf, content-addressed like the photo originals (core/inspection/photos.py);
a server database keeps the bytes in the database instead (core/storage/attachments.py).
The same bytes issued again (saved, then printed from the same preview) are one document: the first record
is returned. A row is never changed; sync carries it to the bureau with its file (sync/kinds_documents.py).

The documents of a supervision record that belong to no inspection — the 分类告知书 and the 约谈记录 — are in the
same register (migration 0870): their row has no inspection, names its record in `record_id`, and is recorded
when the document is printed (documents/supervision_docs.py), so that `pdf verify` and `pdf lookup` find them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app import paths
from inspector_app.core import clock, settings
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.files import replacing, write_atomic
from inspector_app.core.issuing.doc_types import ALL_TITLES, CLASS_NOTICE, INTERVIEW, RECORD_DOC_TITLES, doc_title
from inspector_app.core.storage import attachments
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import IssuedDocument
from inspector_app.core.storage.models import Inspection, Setting
from inspector_app.core.storage.supervision_records_models import ClassificationNotice, Interview
from inspector_app.i18n import _

SAVED, PRINTED = "saved", "printed"
HOWS = {SAVED: _("另存为PDF"), PRINTED: _("打印")}
RECORD_TABLES: dict[str, type[ClassificationNotice] | type[Interview]] = {
    CLASS_NOTICE: ClassificationNotice,
    INTERVIEW: Interview,
}  # the record a record document names


@dataclass(frozen=True)
class IssuedInfo:
    id: str
    inspection_id: str  # "" for a document of a supervision record (record_id)
    doc_type: str
    number: str
    verification_code: str
    content_hash: str
    sha256: str
    size: int
    filename: str
    how: str
    issued_at: datetime
    device: str
    device_id: str
    signer_fingerprint: str
    record_id: str = ""  # the 分类告知书 or 约谈记录 it prints; "" for a document of an inspection

    @property
    def title(self) -> str:
        return doc_title(self.doc_type)

    @property
    def how_label(self) -> str:
        return HOWS.get(self.how, self.how)


def doc_titles() -> dict[str, str]:
    return ALL_TITLES  # the one list of documents (core/issuing/doc_types.py)


def issued_dir() -> Path:
    return paths.data_dir() / "issued"


def archive_path(sha256: str) -> Path:
    return issued_dir() / sha256[:2] / f"{sha256}.pdf"


def _info(row: IssuedDocument) -> IssuedInfo:
    return IssuedInfo(
        row.id, row.inspection_id or "", row.doc_type, row.number, row.verification_code, row.content_hash,
        row.sha256, row.size, row.filename, row.how, row.issued_at, row.device, row.device_id, row.signer_fingerprint,
        row.record_id,
    )  # fmt: skip


def store_file(session: Session, data: bytes, sha256: str | None = None) -> str:
    """Keep `data` in the archive (once; a damaged copy is replaced), in the transaction of `session`; its SHA-256."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    attachments.keep(session, data, sha256, archive_path(sha256))
    return sha256


@dataclass(frozen=True)
class ToIssue:
    """A signed document to archive, as plain values (documents/issue.py makes it from a generated PDF)."""

    inspection_id: str
    doc_type: str
    number: str
    verification_code: str
    content_hash: str  # the signed state it prints
    pdf: bytes
    filename: str
    signer_fingerprint: str  # of the key that signed the PDF, as verify reports it to the bureau later
    record_id: str = ""  # a document of a supervision record (RECORD_TABLES): its record, and inspection_id ""


def record_issued(db: Database, doc: ToIssue, how: str) -> IssuedInfo:
    """Archive a document that was just saved or printed. Identical bytes already archived for the inspection
    (or the record) return the existing record."""
    from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID

    if how not in HOWS:
        raise ValidationError(_("出具方式"), _("“{h}”无效，应为 saved 或 printed").format(h=how))
    if doc.doc_type not in ALL_TITLES:
        raise ValidationError(_("文书类型"), _("“{t}”不是已知的文书").format(t=doc.doc_type))
    of_record = doc.doc_type in RECORD_DOC_TITLES
    owner = doc.record_id if of_record else doc.inspection_id
    if not owner or not doc.pdf:
        raise ValidationError(_("文书"), _("没有可存档的文书内容，请重新生成后再出具"))
    data = bytes(doc.pdf)
    digest = hashlib.sha256(data).hexdigest()
    with db.session() as s:
        if of_record:
            if s.get(RECORD_TABLES[doc.doc_type], owner) is None:
                raise NotFound(_("找不到该{d}的记录").format(d=doc_title(doc.doc_type)))
            mine = IssuedDocument.record_id == owner
        else:
            if s.get(Inspection, owner) is None:
                raise NotFound(_("找不到该检查记录"))
            mine = IssuedDocument.inspection_id == owner
        existing = s.scalar(select(IssuedDocument).where(mine, IssuedDocument.sha256 == digest))
        store_file(s, data, digest)  # for an existing row: puts back a lost file
        if existing is not None:
            return _info(existing)
        own = s.get(Setting, SETTING_DEVICE_ID)  # not a user setting: set once by sync's first setup
        row = IssuedDocument(
            inspection_id=None if of_record else owner,
            record_id=owner if of_record else "",
            doc_type=doc.doc_type,
            number=doc.number or "",
            verification_code=doc.verification_code,
            content_hash=doc.content_hash,
            sha256=digest,
            size=len(data),
            filename=Path(doc.filename).name[:255],
            how=how,
            issued_at=clock.now(),
            device=(settings.read(s, "device.name") or "")[:100],
            device_id=own.value[:36] if own is not None else "",
            signer_fingerprint=doc.signer_fingerprint,
        )
        s.add(row)
        s.flush()
        return _info(row)


def save_issued(db: Database, doc: ToIssue, path: str | Path) -> IssuedInfo:
    """Write `doc` to `path` and archive it as saved: the file appears only once the archive holds it,
    so a refused archive leaves no file behind and a failed write no record."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(_("输出文件"), _("无法写入“{p}”：{e}").format(p=path, e=exc.strerror)) from None
    with replacing(path) as tmp:
        try:
            tmp.write_bytes(doc.pdf)
        except OSError as exc:
            raise ValidationError(_("输出文件"), _("无法写入“{p}”：{e}").format(p=path, e=exc.strerror)) from None
        return record_issued(db, doc, SAVED)


def list_issued(db: Database, inspection_id: str) -> list[IssuedInfo]:
    """The documents issued for an inspection, oldest first."""
    with db.session() as s:
        q = (
            select(IssuedDocument)
            .where(IssuedDocument.inspection_id == inspection_id)
            # updated_at (set at insert, never changed) breaks ties of a coarse or pinned clock
            .order_by(IssuedDocument.issued_at, IssuedDocument.updated_at, IssuedDocument.id)
        )
        return [_info(r) for r in s.scalars(q)]


def list_issued_for_record(db: Database, record_id: str) -> list[IssuedInfo]:
    """The documents issued of a 分类告知书 or 约谈记录 record, oldest first."""
    with db.session() as s:
        q = (
            select(IssuedDocument)
            .where(IssuedDocument.record_id == record_id, IssuedDocument.record_id != "")
            .order_by(IssuedDocument.issued_at, IssuedDocument.updated_at, IssuedDocument.id)
        )
        return [_info(r) for r in s.scalars(q)]


def find_record_documents(db: Database, record_prefix: str, hash_prefix: str) -> list[IssuedInfo]:
    """The issued documents of a supervision record whose record id and content hash begin with these hex
    prefixes (what a 核验码 or a QR code names), oldest first."""
    compact = IssuedDocument.record_id.startswith(record_prefix[:8])  # the index narrows; the check below is exact
    with db.session() as s:
        q = (
            select(IssuedDocument)
            .where(IssuedDocument.record_id != "", compact, IssuedDocument.content_hash.startswith(hash_prefix))
            .order_by(IssuedDocument.issued_at, IssuedDocument.updated_at, IssuedDocument.id)
        )
        return [
            _info(r) for r in s.scalars(q) if r.record_id.replace("-", "").startswith(record_prefix.replace("-", ""))
        ]


def record_enterprise(db: Database, info: IssuedInfo) -> tuple[str, str]:
    """(name, 统一社会信用代码) of the enterprise a record document was issued to; ("", "") if its record is gone."""
    from inspector_app.core.storage.models import Enterprise

    table = RECORD_TABLES.get(info.doc_type)
    if table is None:
        return "", ""
    with db.session() as s:
        q = select(Enterprise.name, Enterprise.uscc).join(table, table.enterprise_id == Enterprise.id)
        found = s.execute(q.where(table.id == info.record_id)).first()
        return (found[0], found[1]) if found is not None else ("", "")


def get_issued(db: Database, issued_id: str) -> IssuedInfo:
    with db.session() as s:
        row = s.get(IssuedDocument, issued_id)
        if row is None:
            raise NotFound(_("找不到该已出具文书的存档记录"))
        return _info(row)


def issued_pdf(db: Database, issued_id: str) -> bytes:
    """The archived bytes, checked against the recorded SHA-256."""
    info = get_issued(db, issued_id)
    path = archive_path(info.sha256)
    with db.session() as s:
        data = attachments.read(s, info.sha256, path)
        kept = attachments.size(s, info.sha256, path) is not None
    if data is not None:
        return data
    where = _("（数据库中）") if db.is_server else f"“{path}”"
    if kept:
        raise DomainError(
            _("已出具的{d}的存档文件{w}已损坏（校验值不符），请从备份恢复。").format(d=info.title, w=where)
        )
    raise DomainError(_("已出具的{d}的存档文件{w}缺失，请从备份恢复。").format(d=info.title, w=where))


def export_issued(db: Database, issued_id: str, path: str | Path) -> Path:
    """Write the archived copy out to `path` (另存为): the bytes handed out, not a new document."""
    data = issued_pdf(db, issued_id)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise ValidationError(_("输出文件"), _("无法写入“{p}”：{e}").format(p=path, e=exc.strerror)) from None
    return path


def find_copy(db: Database, data: bytes) -> IssuedInfo | None:
    """The archive record of exactly these bytes, if this database holds one (a copy brought back for checking)."""
    digest = hashlib.sha256(data).hexdigest()
    with db.session() as s:
        row = s.scalar(select(IssuedDocument).where(IssuedDocument.sha256 == digest).limit(1))
        return _info(row) if row is not None else None


def devices_of_key(db: Database, fingerprint: str) -> list[str]:
    """The devices whose archived documents were signed with this key (how the bureau knows its laptops' keys)."""
    if not fingerprint:
        return []
    with db.session() as s:
        q = (
            select(IssuedDocument.device, IssuedDocument.device_id)
            .where(IssuedDocument.signer_fingerprint == fingerprint)
            .distinct()
        )
        return sorted({device or device_id for device, device_id in s.execute(q) if device or device_id})
