"""Record kinds of the signing and documents work (core/docs_models.py): sign-offs, amendments, signatures,
evidence photos with their original files, issued document numbers. Both directions: a laptop sends what
it signed, the bureau's archive carries them to the other laptops.

A signed inspection is immutable (issue 4 §2): once it has a sign-off, an incoming copy that differs is a
conflict, never an overwrite; the same holds for its sign-off, signatures, signed amendments and photos.
"""

import os
import re

from sqlalchemy import select

from inspector_app.i18n import _
from inspector_app.sync.records import FileRef, RecordProblem, TableKind

_EXT = re.compile(r"^[a-z0-9]{1,8}$")


def _signed(session, inspection_id) -> bool:
    from inspector_app.core.docs_models import InspectionSignoff

    return (
        session.scalar(select(InspectionSignoff.id).where(InspectionSignoff.inspection_id == inspection_id)) is not None
    )


class PhotoKind(TableKind):
    """An evidence photo: the row (with its thumbnail and print copy) and the original file, byte for byte."""

    def __init__(self):
        from inspector_app.core.docs_models import Photo

        super().__init__(
            Photo,
            "photo",
            "照片",
            order=340,
            files=self._files,
            store_files=self._store,
            title=lambda d: d.get("filename") or d.get("item_id", ""),
        )
        self.immutability_rules.append(lambda s, rid, data: _signed(s, data.get("inspection_id")))

    @staticmethod
    def _files(session, row) -> list[FileRef]:
        from inspector_app.core.photos import original_path
        from inspector_app.sync.format import SyncError

        path = original_path(row["sha256"], row["ext"])
        try:
            size = os.path.getsize(path)
        except OSError:
            raise SyncError(_("照片原件“{p}”缺失，无法导出；请从备份恢复该文件。").format(p=path)) from None
        return [FileRef("original", path=path, name=row["filename"], sha256=row["sha256"], size=size)]

    def check_against(self, session, recs) -> None:
        for rec in recs:
            meta = rec.files.get("original")
            if not _EXT.match(str(rec.data.get("ext", ""))):
                raise RecordProblem(_("照片 {i} 的扩展名无效").format(i=rec.id))
            if meta is None or meta["sha256"] != rec.data.get("sha256"):
                raise RecordProblem(_("照片 {i} 的原件与记录的校验值不符").format(i=rec.id))

    @staticmethod
    def _store(ctx, rec) -> dict:
        from inspector_app.core.photos import original_path

        final = original_path(rec.parsed["sha256"], rec.parsed["ext"])  # content-addressed: same name, same bytes
        if not final.exists():
            ctx.adopt(ctx.staged(rec, "original"), final)
        return {}


def register(registry) -> None:
    from inspector_app.core.docs_models import Amendment, DocNumber, InspectionSignoff, Signature

    always = lambda s, rid, data: True  # noqa: E731 - a record that never changes once made
    signoff = TableKind(InspectionSignoff, "inspection_signoff", "签字确认", order=310)
    signoff.immutability_rules.append(always)
    amendment = TableKind(Amendment, "amendment", "更正", order=320, title=lambda d: d.get("reason", "")[:30])
    amendment.immutability_rules.append(lambda s, rid, data: data.get("status") == "signed")
    signature = TableKind(Signature, "signature", "签名", order=330, title=lambda d: d.get("name", ""))
    signature.immutability_rules.append(always)
    numbers = TableKind(DocNumber, "doc_number", "文书编号", order=350, title=lambda d: d.get("number", ""))
    for kind in (signoff, amendment, signature, PhotoKind(), numbers):
        registry.add(kind)
    inspection = registry.get("inspection")
    if inspection is not None:
        inspection.immutability_rules.append(lambda s, rid, data: _signed(s, rid))
