"""Tables of the signing and documents feature: sign-offs, signatures, amendments, photos, document numbers,
the archive of issued documents.

A signed inspection is an `inspection` row with status "completed" plus one `inspection_signoff` row; the
record itself (core/storage/models.py) is never edited after that. Corrections are `amendment` rows that point at
the inspection and at the hash of the state they correct; they are signed in turn.
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inspector_app.core.storage.models import Base, Synced, utcnow


class InspectionSignoff(Synced, Base):
    """The finalisation of one inspection: the content hash over what was signed (core/issuing/signing/)."""

    __tablename__ = "inspection_signoff"

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    canonical: Mapped[str] = mapped_column(Text)  # the exact JSON that was hashed, kept for audit
    rectification_days: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[date] = mapped_column(Date)
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    device: Mapped[str] = mapped_column(String(100), default="")


class Amendment(Synced, Base):
    """A signed correction of a signed inspection (更正). Its hash chains to the state it corrects."""

    __tablename__ = "amendment"
    __table_args__ = (UniqueConstraint("inspection_id", "seq"),)

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, … in signing order
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)  # JSON list of {item_id, field, old, new}
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft → signed
    previous_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    canonical: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    signed_on: Mapped[date | None] = mapped_column(Date)


class Signature(Synced, Base):
    """One signature (or the note that the representative refused or was absent) on an inspection or amendment."""

    __tablename__ = "signature"

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    amendment_id: Mapped[str | None] = mapped_column(ForeignKey("amendment.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # inspector | representative
    position: Mapped[int] = mapped_column(Integer, default=0)
    inspector_id: Mapped[str | None] = mapped_column(ForeignKey("inspector.id"))
    name: Mapped[str] = mapped_column(String(50), default="")
    title: Mapped[str] = mapped_column(String(50), default="")  # 职务
    phone: Mapped[str] = mapped_column(String(50), default="")
    state: Mapped[str] = mapped_column(String(12))  # signed | refused | absent
    reason: Mapped[str] = mapped_column(Text, default="")
    witness: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(12), default="pad")  # pad | paper
    strokes: Mapped[str] = mapped_column(Text, default="")  # JSON [[[x, y], …], …] in pad units
    image: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG
    image_sha256: Mapped[str] = mapped_column(String(64), default="")
    signed_on: Mapped[date] = mapped_column(Date)


class Photo(Synced, Base):
    """An evidence photo of one item (002 三(四): 必要时可拍照). The original file stays byte for byte."""

    __tablename__ = "photo"
    __table_args__ = (
        UniqueConstraint("inspection_id", "sha256"),
        # Covers the sync change marker (migration 0710): id and rev sit after the blobs in the row.
        Index("ix_photo_marks", "id", "rev", "item_id", "position", "filename", "caption"),
    )

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))  # of the original file
    filename: Mapped[str] = mapped_column(String(255), default="")
    ext: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)  # after EXIF orientation
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime)
    caption: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)  # JPEG, upright
    print_copy: Mapped[bytes] = mapped_column(LargeBinary)  # JPEG, upright, downscaled for the appendix
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Migration 0840: quarter turns clockwise chosen by the inspector (0, 90, 180, 270), applied to the thumbnail
    # and print copy, never to the original; and where it was taken, from EXIF GPS (WGS-84 degrees, N/E > 0).
    rotation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class DocNumber(Synced, Base):
    """Every document number ever issued on this device, and whether it was voided (作废)."""

    __tablename__ = "doc_number"
    __table_args__ = (UniqueConstraint("doc_type", "year", "prefix", "serial"),)

    number: Mapped[str] = mapped_column(String(80), unique=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(20))  # the device's prefix, "" when numbered by block
    serial: Mapped[int] = mapped_column(Integer)
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspection.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="issued")  # issued | voided
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime)
    void_reason: Mapped[str] = mapped_column(Text, default="")
    device: Mapped[str] = mapped_column(String(100), default="")


class IssuedDocument(Synced, Base):
    """A copy of a document as it was handed out (saved as PDF or printed): the exact signed PDF bytes are kept
    content-addressed under data_dir()/issued/ (core/issuing/issued.py). Never changed once recorded."""

    __tablename__ = "issued_document"
    __table_args__ = (UniqueConstraint("inspection_id", "sha256"),)

    # The inspection a document of an inspection belongs to; None for a document of a supervision record,
    # which names its record in record_id instead (migration 0870, core/issuing/issued.py RECORD_TABLES).
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[str] = mapped_column(String(36), default="", server_default="", index=True)
    doc_type: Mapped[str] = mapped_column(String(20))  # summary | record | notice | status | class_notice | interview
    number: Mapped[str] = mapped_column(String(80), default="")  # 文号, only the notice has one
    verification_code: Mapped[str] = mapped_column(String(30))
    content_hash: Mapped[str] = mapped_column(String(64))  # the signed state (after amendments) it prints
    sha256: Mapped[str] = mapped_column(String(64))  # of the PDF file
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), default="")  # suggested name, for 另存为
    how: Mapped[str] = mapped_column(String(10))  # saved | printed: how it was first issued
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    device: Mapped[str] = mapped_column(String(100), default="")  # setting device.name
    device_id: Mapped[str] = mapped_column(String(36), default="")  # setting device.id, "" before sync setup
    signer_fingerprint: Mapped[str] = mapped_column(String(64), default="")  # as pdfsign.verify_pdf reports it
