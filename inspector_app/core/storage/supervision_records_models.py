"""Tables of the supervision records of issue 15 (migration 0810): the classification notice (001 §11), the
regulatory interview (约谈, 001 §30(四)3, §35) and the actions that end a license (001 §39–§43, 002 四(四)).

Portable SQL only, like core/storage/models.py; every table travels in bundles (sync/kinds_supervision.py).
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inspector_app.core.storage.models import Base, Synced, utcnow


class ClassificationNotice(Synced, Base):
    """A 分类告知书: the enterprise is told its class (001 §11), under a document number, as a signed PDF."""

    __tablename__ = "classification_notice"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    classification: Mapped[str] = mapped_column(String(2))  # the class told, as it was on `decided_on`
    decided_on: Mapped[date] = mapped_column(Date)  # the classification being told
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    number: Mapped[str] = mapped_column(String(80), default="")  # 文书编号
    who: Mapped[str] = mapped_column(String(50), default="")
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")  # the signed PDF, kept under issued/
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Interview(Synced, Base):
    """A regulatory interview (约谈) with the enterprise's legal representative or person in charge."""

    __tablename__ = "interview"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # core/supervision/interviews.py KINDS
    interviewee: Mapped[str] = mapped_column(String(50))  # 被约谈人
    interviewee_title: Mapped[str] = mapped_column(String(50), default="")  # 职务, e.g. 法定代表人
    interviewers: Mapped[str] = mapped_column(String(200))  # 约谈人, names joined with 、
    place: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text)  # 约谈事由
    outcome: Mapped[str] = mapped_column(Text, default="")  # 约谈情况及企业承诺
    deadline: Mapped[date | None] = mapped_column(Date)  # 限期整改 (001 §35)
    category: Mapped[str | None] = mapped_column(String(40))  # product category, for 003 附件
    number: Mapped[str] = mapped_column(String(80), default="")  # 文书编号 of the printed record
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    who: Mapped[str] = mapped_column(String(50), default="")  # recorded by
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LicenseAction(Synced, Base):
    """A decision that ends a production license: 撤回, 撤销, 吊销 or 注销 (001 §39), from its effective date."""

    __tablename__ = "license_action"
    __table_args__ = (UniqueConstraint("license_id", "kind"),)

    license_id: Mapped[str] = mapped_column(ForeignKey("license.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # core/supervision/license_actions.py KINDS
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    decision_no: Mapped[str] = mapped_column(String(80))  # 决定书文号
    authority: Mapped[str] = mapped_column(String(100), default="")  # 作出决定的许可审批机关 (001 §39)
    basis: Mapped[str] = mapped_column(Text)  # the facts and legal basis of the decision
    note: Mapped[str] = mapped_column(Text, default="")
    who: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
