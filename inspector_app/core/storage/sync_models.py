"""Tables of bundle sync (issue 4): registered devices, per-record sync state, outgoing streams, the bundle
log, conflicts kept for a person to resolve, and receipts. Portable SQL only, like core/storage/models.py.

The logic lives in inspector_app/sync (no Qt); this module holds only the tables and the two settings the
rest of the app needs without importing sync: this installation's device id and its role (field / bureau),
and `require_bureau`, the one guard of the work only the bureau does.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from inspector_app.core.errors import BureauOnly
from inspector_app.core.storage.models import Base, Setting, Synced, utcnow
from inspector_app.i18n import _

# Settings of this installation (never sent in a bundle: see sync/records.py LOCAL_SETTING_PREFIXES).
SETTING_DEVICE_ID = "device.id"
SETTING_DEVICE_ROLE = "device.role"
SETTING_DEVICE_NAME = "device.name"

FIELD, BUREAU = "field", "bureau"
ROLES: dict[str, str] = {FIELD: "现场检查终端", BUREAU: "区局"}


class Device(Synced, Base):
    """A device allowed to send bundles: its public keys, the inspector it belongs to, validity, revocation.

    The bureau keeps the register; it travels bureau → field so that every laptop knows the bureau's key
    and the revocations. `id` is the device id (a UUID chosen when the device's keys were made).
    """

    __tablename__ = "sync_device"

    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(10))  # FIELD / BUREAU
    signing_key: Mapped[str] = mapped_column(String(64))  # Ed25519 public key, base64 of 32 bytes
    encryption_key: Mapped[str] = mapped_column(String(64))  # X25519 public key, base64 of 32 bytes
    inspector_id: Mapped[str | None] = mapped_column(String(36))  # no FK: the roster may arrive later
    inspector_name: Mapped[str] = mapped_column(String(50), default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RecordState(Base):
    """Sync bookkeeping of one record of one kind: its version vector and what the peers hold.

    `mark` is the record's local change marker when the state was last brought up to date (its revision, or
    a content hash for tables without one); a different marker means a local edit, which increments this
    device's entry of the version vector `vv`. `changed_seq` orders state changes for incremental export.
    """

    __tablename__ = "sync_record_state"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mark: Mapped[str] = mapped_column(String(100))
    vv: Mapped[str] = mapped_column(Text)  # JSON {device id: counter}
    hash: Mapped[str] = mapped_column(String(64))
    changed_seq: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(36))  # device whose bundle brought this version, or this device
    received_hash: Mapped[str | None] = mapped_column(String(64))  # version the bureau confirmed holding
    received_at: Mapped[datetime | None] = mapped_column(DateTime)


class Outbox(Base):
    """One outgoing stream: a destination device (or "*", every device) and what was already sent to it."""

    __tablename__ = "sync_outbox"

    destination: Mapped[str] = mapped_column(String(36), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # sequence numbers used so far
    sent_upto: Mapped[int] = mapped_column(Integer, default=0)  # changed_seq high-water of the last export
    last_export_at: Mapped[datetime | None] = mapped_column(DateTime)


class BundleLog(Base):
    """Every bundle exported (direction "out") or applied (direction "in")."""

    __tablename__ = "sync_bundle_log"
    __table_args__ = (UniqueConstraint("direction", "source", "destination", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    direction: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(36), index=True)
    destination: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)  # when the bundle was made
    logged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # exported / applied here
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    ordered: Mapped[bool] = mapped_column(Boolean, default=False)  # carried roster/assignment kinds
    file_name: Mapped[str] = mapped_column(String(300), default="")
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON {kind: records}
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON {kind: {outcome: n}}
    # JSON [seq, …]: numbers of the stream the sender reserved for exports that never finished (a kill, a
    # crash), declared in its next manifest so that they are not reported as missing.
    abandoned: Mapped[str] = mapped_column(Text, default="[]")


class Conflict(Base):
    """Two revisions of one record that neither supersedes: both kept until a person chooses."""

    __tablename__ = "sync_conflict"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))
    detected_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(36))  # device that sent the incoming revision
    bundle_log_id: Mapped[int | None] = mapped_column(ForeignKey("sync_bundle_log.id"))
    reason: Mapped[str] = mapped_column(String(20))  # "concurrent" / "immutable"
    local_hash: Mapped[str] = mapped_column(String(64))
    local_vv: Mapped[str] = mapped_column(Text)
    local_data: Mapped[str] = mapped_column(Text)  # JSON of the local revision when detected
    incoming_hash: Mapped[str] = mapped_column(String(64))
    incoming_vv: Mapped[str] = mapped_column(Text)
    incoming_data: Mapped[str] = mapped_column(Text)  # JSON of the incoming revision (files: see files_dir)
    files_dir: Mapped[str] = mapped_column(String(300), default="")  # kept attachments of the incoming one
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open / resolved
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str] = mapped_column(String(10), default="")  # local / incoming


class Receipt(Base):
    """The bureau's confirmation of one applied field bundle: which version of each record it now holds.

    direction "out": issued at the bureau, waiting to travel (sent_at set when a bundle carried it);
    direction "in": received on the laptop (records marked as received).
    """

    __tablename__ = "sync_receipt"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    device_id: Mapped[str] = mapped_column(String(36), index=True)  # the field device whose bundle it confirms
    issuer: Mapped[str] = mapped_column(String(36))
    bundle_destination: Mapped[str] = mapped_column(String(36))
    bundle_seq: Mapped[int] = mapped_column(Integer)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime] = mapped_column(DateTime)
    items: Mapped[str] = mapped_column(Text)  # JSON [[kind, record id, hash, outcome], ...]
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime | None] = mapped_column(DateTime)


Index("ix_sync_conflict_record", Conflict.kind, Conflict.record_id)


def _role(s: Session) -> str | None:
    return s.scalar(select(Setting.value).where(Setting.key == SETTING_DEVICE_ROLE))


def device_role(db) -> str | None:
    """This installation's role, FIELD or BUREAU, or None before first setup (for the title bar)."""
    with db.session() as s:
        return _role(s)


def require_bureau(db_or_session, what: str) -> None:
    """Refuse bureau-only work on a field laptop; `what` names the work (e.g. "分类调整").

    The bureau's kinds (sync/kinds_supervision.py: classification history, spot checks, plans, draws,
    assignments) travel bureau → field only, so what a laptop wrote there would never reach the bureau as
    written (a class change arrived as an enterprise update without its history row; a laptop's own plan
    became sync conflicts). Allowed on the bureau and on an installation not set up for sync (role None:
    a standalone install does everything). Call it before writing anything: the refusal changes nothing.
    """
    if isinstance(db_or_session, Session):
        role = _role(db_or_session)
    else:
        role = device_role(db_or_session)
    if role == FIELD:
        raise BureauOnly(
            _(
                "{w}由区局进行，本机是现场检查终端，不能办理；请在区局的电脑上操作，结果会随区局的数据包同步到本机"
            ).format(w=what)
        )


def device_role_label(db) -> str:
    """The role as the title bar shows it: 区局 / 现场检查终端, or "" before first setup."""
    return ROLES.get(device_role(db) or "", "")
