"""The device register as a verifier of issued documents asks it: which registered device may have signed.

The register (`sync_device`) travels bureau → field with every revocation; documents/trust.py (a PDF's
signer) and documents/lookup.py (a signed QR code) judge with the plain values read here, one session each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import IssuedDocument
from inspector_app.core.storage.models import Setting
from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID, Device


@dataclass(frozen=True)
class RegisteredDevice:
    id: str
    name: str
    signing_key: str  # Ed25519 public key, base64 of 32 bytes
    inspector_name: str
    valid_from: date | None
    valid_until: date | None
    revoked_at: datetime | None

    @property
    def label(self) -> str:
        """How messages name the device: its name, else the start of its id."""
        return self.name or self.id[:8]


@dataclass(frozen=True)
class SignerFacts:
    """What the register says about a PDF's signer."""

    own_id: str  # this installation's device id ("" when never set up)
    claimed: RegisteredDevice | None  # the device the certificate's statement names, if registered
    archived: tuple[RegisteredDevice, ...]  # registered devices whose archived documents carry the key


def _plain(row: Device) -> RegisteredDevice:
    return RegisteredDevice(
        row.id, row.name, row.signing_key, row.inspector_name, row.valid_from, row.valid_until, row.revoked_at
    )


def registered_devices(db: Database) -> list[RegisteredDevice]:
    with db.session() as s:
        return [_plain(row) for row in s.scalars(select(Device))]


def signer_facts(db: Database, claimed_id: str | None, fingerprint: str) -> SignerFacts:
    """The register's rows for a PDF signer: the device its certificate claims (`claimed_id`, None when the
    certificate makes no claim); or, when it claims none, those the archive of issued documents attributes its
    key (`fingerprint`) to, in the archive's order (a claim is judged by the claimed device alone)."""
    with db.session() as s:
        own = s.get(Setting, SETTING_DEVICE_ID)
        claimed = s.get(Device, claimed_id) if claimed_id else None
        archived = []
        if fingerprint and not claimed_id:
            ids = s.scalars(
                select(IssuedDocument.device_id).where(IssuedDocument.signer_fingerprint == fingerprint).distinct()
            ).all()
            rows = (s.get(Device, device_id) if device_id else None for device_id in ids)
            archived = [_plain(row) for row in rows if row is not None]
        return SignerFacts(
            own.value if own is not None else "", _plain(claimed) if claimed is not None else None, tuple(archived)
        )
