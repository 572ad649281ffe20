"""Tables of a bureau of several clerks (migration 0850, issue 17): attachments by content, and who changed what.

Local to each database: neither travels in bundles (a bundle carries a photo's original as its own file; the
change log is the bureau's own account of its clerks).
"""

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inspector_app.core.storage.models import Base, utcnow


class StoredFile(Base):
    """A photo original or an issued PDF, by content (core/storage/attachments.py). Used on a server database."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChangeLog(Base):
    """One change a clerk made (core/storage/audit.py): shown in the enterprise's archive history."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    who: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    enterprise_id: Mapped[str | None] = mapped_column(String(36), index=True)
    record_id: Mapped[str | None] = mapped_column(String(64))  # the draw, plan, conflict… it was about
    detail: Mapped[str] = mapped_column(Text, default="")
