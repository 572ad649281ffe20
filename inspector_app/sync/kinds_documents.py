"""Record kinds of the signing and documents work (core/storage/docs_models.py): sign-offs, amendments, signatures,
evidence photos with their original files, issued document numbers. Both directions: a laptop sends what
it signed, the bureau's archive carries them to the other laptops. The archive of issued documents (the
signed PDFs handed out, core/issuing/issued.py) travels field → bureau only, each with its PDF.

A signed inspection is immutable (issue 4 §2): once it has a sign-off, an incoming copy that differs is a
conflict, never an overwrite; the same holds for its sign-off, signatures, signed amendments and photos.
"""

import re
from hashlib import sha256

from sqlalchemy import select

from inspector_app.core.safe_input import load_json
from inspector_app.core.storage import attachments
from inspector_app.i18n import _
from inspector_app.sync.records import FileRef, RecordProblem, TableKind

_EXT = re.compile(r"^[a-z0-9]{1,8}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PHOTO_SLOTS = frozenset({"original", "thumbnail", "print"})
# Far above what photos.prepare() makes (≈ 15 KB, ≈ 300 KB), far below anything harmful to a row.
_MAX_COPY = (("thumbnail", 1024**2), ("print", 16 * 1024**2))


def _signed(session, inspection_id) -> bool:
    from inspector_app.core.storage.docs_models import InspectionSignoff

    return (
        session.scalar(select(InspectionSignoff.id).where(InspectionSignoff.inspection_id == inspection_id)) is not None
    )


def _kept(session, slot: str, digest: str, path, name: str, size: int) -> FileRef:
    """An attachment kept by content (core/storage/attachments.py): a file, or bytes in a server database."""
    if attachments.on_server(session):
        return FileRef(slot, load=attachments.loader(session, digest), name=name, sha256=digest, size=size)
    return FileRef(slot, path=path, name=name, sha256=digest, size=size)


def _adopt(ctx, rec, slot: str, final) -> None:
    """Keep a verified incoming attachment: moved into the data folder, or into a server database's table."""
    digest = rec.files[slot]["sha256"]
    if attachments.on_server(ctx.session):
        attachments.keep(ctx.session, ctx.staged(rec, slot).read_bytes(), digest, final)
    elif not final.exists():
        ctx.adopt(ctx.staged(rec, slot), final)


class PhotoKind(TableKind):
    """An evidence photo: the row and three attachments, each stored in the zip as it is (issue 4 §1: no
    recompression, no base64). `original` is the file byte for byte; `thumbnail` and `print` are the upright
    copies core/inspection/photos.py made when the photo was taken, which the receiver stores in the row again: making
    them anew there would decode every photo (measured ≈ 30 ms at 1.2 megapixels, ≈ 250 ms for a phone's 12).

    The row's columns for the copies stay out of the record's data; the copies' digests are in its hash
    through the attachments, like the original's."""

    def __init__(self):
        from inspector_app.core.storage.docs_models import Photo

        super().__init__(
            Photo,
            "photo",
            "照片",
            order=340,
            exclude=("thumbnail", "print_copy"),
            files=self._files,
            store_files=self._store,
            title=lambda d: d.get("filename") or d.get("item_id", ""),
        )
        self.immutability_rules.append(lambda s, rid, data: _signed(s, data.get("inspection_id")))
        self.inline_slots = frozenset({"thumbnail", "print"})

    # Columns of migration 0840 at their defaults (a photo never turned, without a position) are left out of
    # the hash: a photo synced before that migration keeps the hash it travelled with, and is not sent again.
    _NEW_DEFAULTS = (("rotation", 0), ("latitude", None), ("longitude", None))

    def hash_view(self, data):
        if all(data.get(k, d) == d for k, d in self._NEW_DEFAULTS):
            return {k: v for k, v in data.items() if k not in dict(self._NEW_DEFAULTS)}
        return data

    def marks(self, session, ids=None):
        # `rev` alone is not enough: a photo removed and attached again (photos.stable_id: the same id) starts
        # at rev 1 again, and between two exports that looks like no change at all. Where it is attached tells
        # the two apart; attached again exactly as before, it is the same content but for the time. Only
        # columns of the covering index ix_photo_marks: in the row, id and rev (and added_at) are stored after
        # the blobs, and the export's scan of every photo would walk all their overflow pages (measured
        # 150 ms per 5,000 photos from the table, 15 ms from the index).
        from inspector_app.sync.records import rows

        t = self.table
        q = select(t.c.id, t.c.rev, t.c.item_id, t.c.position, t.c.filename, t.c.caption)
        return {
            str(rid): f"{rev}:" + sha256(repr(rest).encode()).hexdigest()[:32]
            for rid, rev, *rest in rows(session, q, t.c.id, ids)
        }

    def undeletable(self, session, record_id, data):
        # Only a photo that is part of the signed content: one removed before signing may still be deleted
        # by its tombstone arriving after the signed record (a late bundle).
        from inspector_app.core.storage.docs_models import InspectionSignoff

        q = select(InspectionSignoff.canonical).where(InspectionSignoff.inspection_id == data.get("inspection_id"))
        canonical = session.scalar(q)
        if canonical is None:
            return False
        signed = load_json(canonical).get("photos", [])
        return {"item_id": data.get("item_id"), "sha256": data.get("sha256")} in signed

    @staticmethod
    def _files(session, row) -> list[FileRef]:
        from inspector_app.core.inspection.photos import original_path
        from inspector_app.sync.format import SyncError

        path = original_path(row["sha256"], row["ext"])
        size = attachments.size(session, row["sha256"], path)
        if size is None:
            where = _("（数据库中）") if attachments.on_server(session) else f"“{path}”"
            raise SyncError(_("照片原件{p}缺失，无法导出；请从备份恢复该文件。").format(p=where))
        thumb, copy = row["thumbnail"], row["print_copy"]
        original = _kept(session, "original", row["sha256"], path, row["filename"], size)
        return [
            original,
            FileRef("thumbnail", data=thumb, sha256=sha256(thumb).hexdigest(), size=len(thumb)),
            FileRef("print", data=copy, sha256=sha256(copy).hexdigest(), size=len(copy)),
        ]

    def check_against(self, session, recs) -> None:
        for rec in recs:
            if not _EXT.match(str(rec.data.get("ext", ""))):
                raise RecordProblem(_("照片 {i} 的扩展名无效").format(i=rec.id))
            if rec.files.keys() != _PHOTO_SLOTS:
                raise RecordProblem(_("照片 {i} 应带有原件、缩略图和打印件三个文件").format(i=rec.id))
            if rec.files["original"]["sha256"] != rec.data.get("sha256"):
                raise RecordProblem(_("照片 {i} 的原件与记录的校验值不符").format(i=rec.id))
            for slot, limit in _MAX_COPY:
                if rec.files[slot]["size"] > limit:
                    raise RecordProblem(_("照片 {i} 的缩略图或打印件过大").format(i=rec.id))

    def placements(self, rec) -> list:
        from inspector_app.core.inspection.photos import original_path

        return [original_path(rec.parsed["sha256"], rec.parsed["ext"])]

    @staticmethod
    def _store(ctx, rec) -> dict:
        from inspector_app.core.inspection.photos import original_path

        final = original_path(rec.parsed["sha256"], rec.parsed["ext"])  # content-addressed: same name, same bytes
        _adopt(ctx, rec, "original", final)
        return {"thumbnail": ctx.read(rec, "thumbnail"), "print_copy": ctx.read(rec, "print")}


class IssuedDocumentKind(TableKind):
    """A document as it was handed out (issue 4 §1): the archive row and the signed PDF, byte for byte.
    Field → bureau: the bureau keeps what every laptop issued; the laptops need not see each other's."""

    def __init__(self):
        from inspector_app.core.storage.docs_models import IssuedDocument
        from inspector_app.core.storage.sync_models import FIELD

        super().__init__(
            IssuedDocument,
            "issued_document",
            "已出具文书",
            senders={FIELD},
            order=355,  # after the inspection (300) it belongs to
            files=self._files,
            store_files=self._store,
            domain=self._domain,
            title=self._title,
        )
        # The very bytes given to the enterprise: a different copy under the same id is never an update.
        self.immutability_rules.append(lambda s, rid, data: True)
        self.deletable = False  # the archive of what was handed out

    def hash_view(self, data):
        # A document of an inspection has record_id "" (migration 0870): left out of the hash, so that a row
        # synced before that migration keeps the hash it travelled with and is not sent again.
        if not data.get("record_id"):
            return {k: v for k, v in data.items() if k != "record_id"}
        return data

    @staticmethod
    def _title(d: dict) -> str:
        from inspector_app.core.issuing.issued import doc_title

        return " ".join(p for p in (doc_title(str(d.get("doc_type", ""))), d.get("number", "")) if p)

    @staticmethod
    def _domain(d: dict) -> None:
        from inspector_app.core.issuing.issued import HOWS, doc_titles

        if d.get("doc_type") not in doc_titles():
            raise RecordProblem(_("文书类型“{t}”不是已知的文书").format(t=str(d.get("doc_type"))[:20]))
        from inspector_app.core.issuing.issued import RECORD_TABLES

        # A document of an inspection names its inspection; a 分类告知书 or 约谈记录 its record, and no inspection.
        if (d.get("doc_type") in RECORD_TABLES) != bool(d.get("record_id")) or bool(d.get("inspection_id")) == bool(
            d.get("record_id")
        ):
            raise RecordProblem(_("已出具文书应属于一项检查或一份分类告知书、约谈记录，二者之一"))
        if d.get("how") not in HOWS:
            raise RecordProblem(_("出具方式“{h}”无效").format(h=str(d.get("how"))[:20]))
        if not _SHA256.match(str(d.get("sha256", ""))):
            raise RecordProblem(_("文书文件的校验值无效"))

    @staticmethod
    def _files(session, row) -> list[FileRef]:
        from inspector_app.core.issuing.issued import archive_path
        from inspector_app.sync.format import SyncError

        path = archive_path(row["sha256"])
        if attachments.size(session, row["sha256"], path) is None:
            where = _("（数据库中）") if attachments.on_server(session) else f"“{path}”"
            raise SyncError(_("已出具文书的存档文件{p}缺失，无法导出；请从备份恢复该文件。").format(p=where))
        return [_kept(session, "pdf", row["sha256"], path, row["filename"], row["size"])]

    def check_against(self, session, recs) -> None:
        for rec in recs:
            meta = rec.files.get("pdf")
            if (
                set(rec.files) != {"pdf"}
                or meta["sha256"] != rec.data.get("sha256")
                or meta["size"] != rec.data.get("size")
            ):
                raise RecordProblem(_("已出具文书 {i} 的PDF文件与记录的校验值或大小不符").format(i=rec.id))

    def placements(self, rec) -> list:
        from inspector_app.core.issuing.issued import archive_path

        return [archive_path(rec.parsed["sha256"])]

    @staticmethod
    def _store(ctx, rec) -> dict:
        from inspector_app.core.issuing.issued import archive_path

        _adopt(ctx, rec, "pdf", archive_path(rec.parsed["sha256"]))  # content-addressed: same name, same bytes
        return {}


def register(registry) -> None:
    from inspector_app.core.storage.docs_models import Amendment, DocNumber, InspectionSignoff, Signature

    always = lambda s, rid, data: True  # noqa: E731 - a record that never changes once made
    signoff = TableKind(InspectionSignoff, "inspection_signoff", "签字确认", order=310)
    signoff.immutability_rules.append(always)
    amendment = TableKind(Amendment, "amendment", "更正", order=320, title=lambda d: d.get("reason", "")[:30])
    amendment.immutability_rules.append(lambda s, rid, data: data.get("status") == "signed")
    signature = TableKind(Signature, "signature", "签名", order=330, title=lambda d: d.get("name", ""))
    signature.immutability_rules.append(always)
    numbers = TableKind(DocNumber, "doc_number", "文书编号", order=350, title=lambda d: d.get("number", ""))
    numbers.deletable = False  # a number handed out is never reused nor deleted (cli/numbers.py)
    for kind in (signoff, amendment, signature, PhotoKind(), numbers, IssuedDocumentKind()):
        registry.add(kind)
    inspection = registry.get("inspection")
    if inspection is not None:
        inspection.immutability_rules.append(lambda s, rid, data: _signed(s, rid))
