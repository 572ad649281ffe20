"""ORM models. Portable SQL only (the bureau will run the same models on PostgreSQL).

Every record that travels between machines has a UUID primary key (stable across laptops and the bureau)
and a revision counter that SQLAlchemy increments on every update (version_id_col), which sync uses to
tell a newer copy from an older one and to refuse a lost update.
"""

import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from inspector_app.core.storage import identity


def new_id() -> str:
    """A random id: for records without a natural key (core/storage/identity.py derives the others)."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    if TYPE_CHECKING:  # every model maps one Table (DeclarativeBase declares the wider FromClause)
        __table__: ClassVar[Table]


class Synced:
    """Identity and revision of a record that travels between machines."""

    # Derived from the record's natural key where its table has one (core/storage/identity.py), random otherwise.
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=identity.column_default)
    rev: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.rev}


class Enterprise(Synced, Base):
    __tablename__ = "enterprise"

    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_rep: Mapped[str] = mapped_column(String(50), default="")
    contact: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")  # registered address (住所)
    district: Mapped[str] = mapped_column(String(20), index=True)
    # 001 §10: a new licensee is class B until the bureau classifies it.
    classification: Mapped[str] = mapped_column(String(2), default="B")
    risk_level: Mapped[str | None] = mapped_column(String(3))

    sites: Mapped[list["Site"]] = relationship(back_populates="enterprise", order_by="Site.address")
    licenses: Mapped[list["License"]] = relationship(back_populates="enterprise", order_by="License.number")


class Site(Synced, Base):
    """A production address; 002 附件2 备注(2): each is inspected separately."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("enterprise_id", "address"),)

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    district: Mapped[str] = mapped_column(String(20))

    enterprise: Mapped[Enterprise] = relationship(back_populates="sites")


class License(Synced, Base):
    __tablename__ = "license"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("site.id"))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    products: Mapped[str] = mapped_column(Text, default="")  # 获证产品, separated by 、
    issue_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date] = mapped_column(Date, index=True)
    # 000 一: issued under 告知承诺 ("commitment") or the ordinary procedure ("standard"); None: not recorded.
    issuance: Mapped[str | None] = mapped_column(String(12))  # migration 0860

    enterprise: Mapped[Enterprise] = relationship(back_populates="licenses")
    site: Mapped[Site | None] = relationship()


class Inspector(Synced, Base):
    __tablename__ = "inspector"

    name: Mapped[str] = mapped_column(String(50))
    badge_no: Mapped[str] = mapped_column(String(30), unique=True)  # 执法证号
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    district: Mapped[str] = mapped_column(String(20), default="", server_default="")  # migration 0810


class TemplateSnapshot(Base):
    """The exact template an inspection was started with; forms/ may change later, records never do."""

    __tablename__ = "template_snapshot"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)  # Template.to_dict() as JSON


class Inspection(Synced, Base):
    __tablename__ = "inspection"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"), index=True)
    license_id: Mapped[str | None] = mapped_column(ForeignKey("license.id"))
    template_digest: Mapped[str] = mapped_column(ForeignKey("template_snapshot.digest"))
    template_id: Mapped[str] = mapped_column(String(50))
    template_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft → completed
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

    members: Mapped[list["InspectionMember"]] = relationship(
        order_by="InspectionMember.position", cascade="all, delete-orphan"
    )
    results: Mapped[list["ItemResult"]] = relationship(cascade="all, delete-orphan")
    site: Mapped[Site] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    license: Mapped[License | None] = relationship()
    template: Mapped[TemplateSnapshot] = relationship()


class InspectionMember(Base):
    __tablename__ = "inspection_member"

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True)
    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspector.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 = team leader (组长)
    inspector: Mapped[Inspector] = relationship()


class ItemResult(Synced, Base):
    """One sub-item's answer (002 附件2): conclusion, record (检查记录), remark (备注)."""

    __tablename__ = "item_result"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(20))
    conclusion: Mapped[str | None] = mapped_column(String(12))  # catalog.CONCLUSIONS key
    na_reason: Mapped[str] = mapped_column(String(200), default="")
    record: Mapped[str] = mapped_column(Text, default="")
    remark: Mapped[str] = mapped_column(Text, default="")
    rectified_on_site: Mapped[bool] = mapped_column(Boolean, default=False)  # 002 附件2 备注(3)
    # 000 二(二) category a 不符合 is counted under, one of the item's `categories`; NULL = the item's `category`.
    problem_category: Mapped[str | None] = mapped_column(String(20))


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TemplateRelease(Synced, Base):
    """One published version of a template. Never edited: a change is a new version (a new row)."""

    __tablename__ = "template_release"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    template_id: Mapped[str] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer)
    snapshot_digest: Mapped[str] = mapped_column(ForeignKey("template_snapshot.digest"))
    # Tells the unit of work to insert the snapshot before its release (it orders mappers by name otherwise).
    snapshot: Mapped[TemplateSnapshot] = relationship()
    file_name: Mapped[str] = mapped_column(String(200), default="")  # the file it was published from
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # UTC
    published_by: Mapped[str] = mapped_column(String(50), default="")


Index("ix_enterprise_name", Enterprise.name)
