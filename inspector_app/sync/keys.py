"""This installation's identity and the device register.

Identity: on first setup a device gets a UUID, an Ed25519 signing key and an X25519 encryption key. The
private keys live in a file of their own, `<data dir>/keys/<device id>.key` (mode 0600), never in the
database: a copied database or backup carries no private key. The database keeps the device id and the
role (field laptop or bureau) in the `setting` table, and its own public keys in the register.

Register (`sync_device`): the devices whose bundles this installation accepts. At the bureau it is the
list of laptops (public keys, inspector, validity, revocation); it travels bureau → field, so a laptop
knows the bureau's keys and every revocation. A laptop is given the bureau's public key once, at setup
(`devices register bureau.ibkey`); from then on only bundles signed by the bureau change its register.
"""

from __future__ import annotations

import json
import platform
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import or_, select

from inspector_app.core import clock
from inspector_app.core.errors import NotFound, ValidationError
from inspector_app.core.safe_input import load_json
from inspector_app.core.storage import device_keys
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.device_keys import Identity, fingerprint, read_setting
from inspector_app.core.storage.models import Inspector, Setting, utcnow
from inspector_app.core.storage.sync_models import (
    BUREAU,
    FIELD,
    ROLES,
    SETTING_DEVICE_ID,
    SETTING_DEVICE_NAME,
    SETTING_DEVICE_ROLE,
    Device,
    device_role,
    device_role_label,
)
from inspector_app.i18n import _
from inspector_app.sync.format import KEY_FORMAT, SyncError, b64, canonical_json, unb64

__all__ = ["BUREAU", "FIELD", "ROLES", "device_role", "device_role_label"]


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    name: str
    role: str
    signing_key: str
    encryption_key: str
    inspector_id: str | None
    inspector_name: str
    valid_from: date | None
    valid_until: date | None
    revoked_at: datetime | None
    revoked_reason: str
    is_self: bool

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def usable_on(self, day: date) -> bool:
        if self.revoked_at is not None:
            return False
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    @property
    def label(self) -> str:
        who = self.inspector_name or self.name or self.id[:8]
        return f"{who}（{self.role_label}，{self.id[:8]}）"


def device_info(row: Device, self_id: str | None) -> DeviceInfo:
    return DeviceInfo(
        id=row.id,
        name=row.name,
        role=row.role,
        signing_key=row.signing_key,
        encryption_key=row.encryption_key,
        inspector_id=row.inspector_id,
        inspector_name=row.inspector_name,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        revoked_at=row.revoked_at,
        revoked_reason=row.revoked_reason,
        is_self=row.id == self_id,
    )


# ------------------------------------------------------------------ identity
def _putread_setting(s, key: str, value: str) -> None:
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=value))
    else:
        row.value = value


def setup_device(db: Database, role: str, name: str | None = None, key_dir: Path | None = None) -> Identity:
    """First setup: choose the role, make the keys, register this device in its own register.

    Running it again with the same role returns the existing identity; another role is refused (a device
    that has exchanged bundles must not change sides).
    """
    if role not in ROLES:
        raise ValidationError(_("本机角色"), _("应为 field（现场检查终端）或 bureau（区局）"))
    with db.session() as s:
        existing = read_setting(s, SETTING_DEVICE_ID)
        if existing:
            current = read_setting(s, SETTING_DEVICE_ROLE)
            if current != role:
                raise SyncError(
                    _("本机已设置为“{r}”，不能改为“{n}”。").format(r=ROLES.get(current or "", current), n=ROLES[role])
                )
    if existing:
        return load_identity(db, key_dir)
    name = (name or platform.node() or "").strip()[:100]
    new_id = str(uuid.uuid4())
    signing, encryption = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    device_keys.store_keys(new_id, signing, encryption, key_dir)
    identity = Identity(new_id, role, name, signing, encryption)
    with db.session() as s:
        _putread_setting(s, SETTING_DEVICE_ID, new_id)
        _putread_setting(s, SETTING_DEVICE_ROLE, role)
        _putread_setting(s, SETTING_DEVICE_NAME, name)
        s.add(
            Device(
                id=new_id,
                name=name,
                role=role,
                signing_key=identity.signing_public,
                encryption_key=identity.encryption_public,
                inspector_name="",
                revoked_reason="",
            )
        )
    return identity


def load_identity(db: Database, key_dir: Path | None = None) -> Identity:
    """This installation's identity (core/storage/device_keys.py); SyncError if it has none."""
    try:
        return device_keys.load_identity(db, key_dir)
    except device_keys.DeviceKeyError as exc:
        raise SyncError(str(exc)) from None


# ------------------------------------------------------------------ public key files
@dataclass(frozen=True)
class PublicKeyFile:
    device_id: str
    role: str
    name: str
    signing_key: str
    encryption_key: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key)


def export_public_key(identity: Identity) -> bytes:
    """The device's public keys as a self-signed JSON file (.ibkey): given to the bureau to register."""
    body = {
        "format": KEY_FORMAT,
        "version": 1,
        "device_id": identity.device_id,
        "role": identity.role,
        "name": identity.name,
        "signing_key": identity.signing_public,
        "encryption_key": identity.encryption_public,
    }
    body["self_signature"] = b64(identity.signing.sign(b"inspector-app device key v1\n" + canonical_json(body)))
    return json.dumps(body, ensure_ascii=False, indent=2).encode() + b"\n"


def read_public_key(data: bytes) -> PublicKeyFile:
    """Parse and check a .ibkey file: well-formed, and signed by the key it carries (proof of possession)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from inspector_app.sync.format import is_safe_id

    bad = SyncError(_("不是有效的设备公钥文件（.ibkey），或文件已被改动。"))
    try:
        body = load_json(data)
        sig = unb64(body.pop("self_signature"), 64)
        if body.get("format") != KEY_FORMAT or body.get("version") != 1:
            raise ValueError
        if not is_safe_id(body["device_id"]) or body["role"] not in ROLES or not isinstance(body["name"], str):
            raise ValueError
        unb64(body["encryption_key"], 32)
        pub = Ed25519PublicKey.from_public_bytes(unb64(body["signing_key"], 32))
        pub.verify(sig, b"inspector-app device key v1\n" + canonical_json(body))
    except (ValueError, KeyError, TypeError, AttributeError, InvalidSignature, UnicodeDecodeError):
        raise bad from None
    return PublicKeyFile(
        body["device_id"], body["role"], body["name"][:100], body["signing_key"], body["encryption_key"]
    )


# ------------------------------------------------------------------ the register
def _resolve_inspector(s, ref: str) -> Inspector:
    ref = ref.strip()
    found = s.scalars(select(Inspector).where(or_(Inspector.id == ref, Inspector.badge_no == ref))).all()
    if not found:
        found = s.scalars(select(Inspector).where(Inspector.name == ref)).all()
    if len(found) != 1:
        raise NotFound(
            _("找不到检查人员“{r}”（请用执法证号）").format(r=ref)
            if not found
            else _("有多名检查人员叫“{r}”，请用执法证号").format(r=ref)
        )
    return found[0]


def register_device(
    db: Database,
    key_file: bytes,
    *,
    inspector: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> DeviceInfo:
    """Register (or renew) a device from its public key file.

    At the bureau: any field laptop (inspector required) or another bureau device. On a laptop: only a
    bureau's key — the anchor that lets it trust the bureau's bundles.
    """
    info = read_public_key(key_file)
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError(_("有效期"), _("截止日期早于起始日期"))
    with db.session() as s:
        my_id = read_setting(s, SETTING_DEVICE_ID)
        my_role = read_setting(s, SETTING_DEVICE_ROLE)
        if not my_id:
            raise SyncError(_("本机尚未完成初始设置，不能登记其他设备。"))
        if info.device_id == my_id:
            raise SyncError(_("这是本机自己的公钥，无需登记。"))
        if my_role == FIELD and info.role != BUREAU:
            raise SyncError(_("现场检查终端只能登记区局的公钥；检查终端之间的登记由区局办理。"))
        insp = None
        if info.role == FIELD:
            if not inspector:
                raise ValidationError(_("检查人员"), _("登记现场检查终端须指明使用该终端的检查人员"))
            insp = _resolve_inspector(s, inspector)
        row = s.get(Device, info.device_id)
        if row is not None and (row.signing_key != info.signing_key or row.encryption_key != info.encryption_key):
            raise SyncError(
                _("设备 {d} 已登记了不同的公钥：同一设备编号不能换钥，请为新密钥登记新设备。").format(d=info.device_id)
            )
        if row is None:
            row = Device(id=info.device_id, signing_key=info.signing_key, encryption_key=info.encryption_key)
            row.revoked_reason = ""
            s.add(row)
        elif row.revoked_at is not None:
            raise SyncError(_("设备 {d} 已被吊销，不能重新登记。").format(d=info.device_id))
        row.name = info.name
        row.role = info.role
        row.inspector_id = insp.id if insp else None
        row.inspector_name = insp.name if insp else ""
        row.valid_from = valid_from
        row.valid_until = valid_until
        row.registered_at = utcnow()
        s.flush()
        return device_info(row, my_id)


def find_device(s, ref: str) -> Device:
    """A device by id, by an id prefix of at least 6 characters, by inspector badge or name, or by name."""
    ref = ref.strip()
    row = s.get(Device, ref)
    if row is not None:
        return row
    candidates: list[Device] = []
    if len(ref) >= 6:
        candidates = list(s.scalars(select(Device).where(Device.id.startswith(ref))))
    if not candidates:
        ids = [i.id for i in s.scalars(select(Inspector).where(or_(Inspector.badge_no == ref, Inspector.name == ref)))]
        q = select(Device).where(or_(Device.inspector_id.in_(ids), Device.name == ref, Device.inspector_name == ref))
        candidates = list(s.scalars(q))
    if not candidates:
        raise NotFound(_("找不到设备“{r}”").format(r=ref))
    live = [d for d in candidates if d.revoked_at is None] or candidates
    if len(live) > 1:
        raise ValidationError(_("设备"), _("“{r}”对应多台设备，请用设备编号").format(r=ref))
    return live[0]


def revoke_device(db: Database, ref: str, reason: str = "") -> DeviceInfo:
    """Bureau only: refuse every bundle of this device from now on (a lost or stolen laptop)."""
    with db.session() as s:
        my_id = read_setting(s, SETTING_DEVICE_ID)
        if read_setting(s, SETTING_DEVICE_ROLE) != BUREAU:
            raise SyncError(_("只有区局可以吊销设备。"))
        row = find_device(s, ref)
        if row.id == my_id:
            raise SyncError(_("不能吊销本机自己的密钥。"))
        if row.revoked_at is None:
            row.revoked_at = clock.now()
            row.revoked_reason = reason.strip()
        s.flush()
        return device_info(row, my_id)


def list_devices(db: Database) -> list[DeviceInfo]:
    with db.session() as s:
        my_id = read_setting(s, SETTING_DEVICE_ID)
        rows = s.scalars(select(Device).order_by(Device.role, Device.inspector_name, Device.name)).all()
        return [device_info(r, my_id) for r in rows]


def get_device(db: Database, ref: str) -> DeviceInfo:
    with db.session() as s:
        return device_info(find_device(s, ref), read_setting(s, SETTING_DEVICE_ID))
