"""Tables of the supervision loop: classification history, spot checks, plans, draws, assignments,
rectifications and enforcement flags (issue 5). Portable SQL only, like core/storage/models.py.

Every table that may travel in a bureau → field bundle uses the `Synced` mixin (UUID id + revision).
Codes are stored; the Chinese labels live in the modules that own each rule.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspector_app.core.storage.models import Base, ItemResult, Synced, utcnow


class ClassificationChange(Synced, Base):
    """One change of an enterprise's class and/or risk level (001 §18: the classification archive)."""

    __tablename__ = "classification_change"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    changed_on: Mapped[date] = mapped_column(Date, index=True)
    category: Mapped[str | None] = mapped_column(String(40))  # product category classified (001 §31), or None
    from_class: Mapped[str | None] = mapped_column(String(2))
    to_class: Mapped[str | None] = mapped_column(String(2))
    from_risk: Mapped[str | None] = mapped_column(String(3))
    to_risk: Mapped[str | None] = mapped_column(String(3))
    rule: Mapped[str] = mapped_column(String(40))  # the rule applied, e.g. "001 §32"
    reason: Mapped[str] = mapped_column(Text, default="")
    who: Mapped[str] = mapped_column(String(50), default="")
    commitment: Mapped[str] = mapped_column(String(200), default="")  # 001 §8: the AA self-commitment
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProductClass(Synced, Base):
    """Class of one product category of an enterprise with several (001 §31: classified separately)."""

    __tablename__ = "product_class"
    __table_args__ = (UniqueConstraint("enterprise_id", "category"),)

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str] = mapped_column(String(2))


class SpotCheck(Synced, Base):
    """A product quality spot check (监督抽查) of an enterprise: feeds §32, the draw rules and 003 附件."""

    __tablename__ = "spot_check"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    category: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(12))  # draw.SPOT_CHECK_LEVELS key
    checked_on: Mapped[date] = mapped_column(Date, index=True)
    batches: Mapped[int] = mapped_column(Integer, default=1)
    failed_batches: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str] = mapped_column(String(100), default="")
    who: Mapped[str] = mapped_column(String(50), default="")
    # 000 三: the product sampled (抽查……22种产品), finer than the license category; "" when not given.
    product: Mapped[str] = mapped_column(String(100), default="", server_default="")  # migration 0860


class InspectorProfile(Synced, Base):
    """What a draw needs to know about an inspector (002 二(一): leader, technical-expert deputy)."""

    __tablename__ = "inspector_profile"

    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspector.id"), unique=True)
    can_lead: Mapped[bool] = mapped_column(Boolean, default=False)  # may be 组长
    technical: Mapped[bool] = mapped_column(Boolean, default=False)  # 技术专家, may be 副组长


class ConflictOfInterest(Synced, Base):
    """A declared conflict of interest: the inspector is never drawn for this enterprise."""

    __tablename__ = "conflict_of_interest"
    __table_args__ = (UniqueConstraint("inspector_id", "enterprise_id"),)

    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspector.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_on: Mapped[date] = mapped_column(Date)


class AnnualPlan(Synced, Base):
    """The yearly plan of scheduled inspections of one district (001 §23: made every January)."""

    __tablename__ = "annual_plan"
    __table_args__ = (UniqueConstraint("year", "district"),)

    year: Mapped[int] = mapped_column(Integer)
    district: Mapped[str] = mapped_column(String(20))
    created_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    entries: Mapped[list["PlanEntry"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanEntry.month"
    )


class PlanEntry(Synced, Base):
    """One planned visit: which enterprise, roughly when (month), who is responsible, and why."""

    __tablename__ = "plan_entry"
    __table_args__ = (UniqueConstraint("plan_id", "enterprise_id", "visit_no"),)

    plan_id: Mapped[str] = mapped_column(ForeignKey("annual_plan.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    visit_no: Mapped[int] = mapped_column(Integer, default=1)
    month: Mapped[int] = mapped_column(Integer)  # 1–12
    inspector_id: Mapped[str | None] = mapped_column(ForeignKey("inspector.id"))
    rule: Mapped[str] = mapped_column(String(40), default="")  # e.g. "001 §30(四)"

    plan: Mapped[AnnualPlan] = relationship(back_populates="entries")


class Draw(Synced, Base):
    """A double-random draw (002 三(一)–(二)) with everything needed to re-run it."""

    __tablename__ = "draw"

    year: Mapped[int] = mapped_column(Integer, index=True)
    district: Mapped[str | None] = mapped_column(String(20))  # None: every district of the database
    drawn_on: Mapped[date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(String(200))
    rules_id: Mapped[str] = mapped_column(String(60))
    rules_json: Mapped[str] = mapped_column(Text)  # canonical JSON of the rules used
    rules_hash: Mapped[str] = mapped_column(String(64))
    roster_hash: Mapped[str] = mapped_column(String(64))
    roster_snapshot: Mapped[bytes] = mapped_column(LargeBinary)  # zlib(canonical JSON), for re-running
    result_hash: Mapped[str] = mapped_column(String(64))
    drawn_by: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Assignment(Synced, Base):
    """An enterprise to inspect and the team that inspects it: one line of inspectors' task lists."""

    __tablename__ = "assignment"

    draw_id: Mapped[str | None] = mapped_column(ForeignKey("draw.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    group_id: Mapped[str] = mapped_column(String(40), default="")  # the rule group that drew it
    team_no: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open → done
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspection.id"))
    done_on: Mapped[date | None] = mapped_column(Date)
    publish_by: Mapped[date | None] = mapped_column(Date)  # 002 三(五): 20 working days after done_on
    published_on: Mapped[date | None] = mapped_column(Date)

    members: Mapped[list["AssignmentMember"]] = relationship(
        cascade="all, delete-orphan", order_by="AssignmentMember.position"
    )


class AssignmentMember(Synced, Base):
    __tablename__ = "assignment_member"
    __table_args__ = (UniqueConstraint("assignment_id", "inspector_id"),)

    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspector.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # leader / deputy / member
    position: Mapped[int] = mapped_column(Integer)


class Rectification(Synced, Base):
    """A 不符合 not rectified on the spot: to be rectified by a deadline and re-inspected (001 §27)."""

    __tablename__ = "rectification"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20), default="")
    problem: Mapped[str] = mapped_column(Text, default="")  # the 检查记录 of the finding
    found_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    followup_inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspection.id"))
    checked_on: Mapped[date | None] = mapped_column(Date)
    check_record: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str] = mapped_column(String(300), default="")


class EnforcementFlag(Synced, Base):
    """A proposed or decided measure: stop production, transfer to penalty, downgrade (004 二(三), 001 §28)."""

    __tablename__ = "enforcement_flag"

    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    rectification_id: Mapped[str | None] = mapped_column(ForeignKey("rectification.id"))
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspection.id"))
    kind: Mapped[str] = mapped_column(String(20))
    raised_on: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    citation: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(50), default="")


# Statistics count 不符合 findings (docs/statistics.md): an index on the conclusion finds the few findings
# among millions of answers without scanning them all (measured in benchmarks/bench_statistics.py).
Index("ix_item_result_conclusion", ItemResult.conclusion, ItemResult.inspection_id)
