"""This installation's device identity: its id, role and name (settings) and its private keys.

On first setup (sync/keys.py setup_device) a device gets a UUID, an Ed25519 signing key and an X25519
encryption key. The private keys live in a file of their own, `<data dir>/keys/<device id>.key` (mode 0600),
never in the database: a copied database or backup carries no private key. This module is the one place
that writes and reads that file; sync signs and opens bundles with it, documents sign a PDF key's binding
with it (documents/device_binding.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import select

from inspector_app.core.canonical import b64, canonical_json, unb64
from inspector_app.core.errors import DomainError
from inspector_app.core.files import write_atomic
from inspector_app.core.safe_input import load_json
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Setting, utcnow
from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID, SETTING_DEVICE_NAME, SETTING_DEVICE_ROLE
from inspector_app.i18n import _


class DeviceKeyError(DomainError):
    """This installation has no usable identity: never set up, or its key file is missing or damaged."""


def keys_dir(base: Path | None = None) -> Path:
    from inspector_app import paths

    return (base or paths.data_dir()) / "keys"


def key_path(device_id: str, key_dir: Path | None = None) -> Path:
    return keys_dir(key_dir) / f"{device_id}.key"


def fingerprint(signing_public_b64: str) -> str:
    """What two people read aloud to compare keys: 20 hex digits of the signing key's SHA-256."""
    digest = sha256(unb64(signing_public_b64)).hexdigest()[:20].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


def raw_public(key) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Identity:
    device_id: str
    role: str
    name: str
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @property
    def signing_public(self) -> str:
        return b64(raw_public(self.signing))

    @property
    def encryption_public(self) -> str:
        return b64(raw_public(self.encryption))

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public)


def read_setting(s, key: str) -> str | None:
    return s.scalar(select(Setting.value).where(Setting.key == key))


def device_id(db: Database) -> str | None:
    with db.session() as s:
        return read_setting(s, SETTING_DEVICE_ID)


def _write_private(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, payload, mode=0o600)  # readable by this user only, from its creation


def store_keys(device_id: str, signing: Ed25519PrivateKey, encryption: X25519PrivateKey, key_dir: Path | None) -> None:
    """Write a new device's private keys to its key file (before its id is stored in the database)."""
    raw = PrivateFormat.Raw
    payload = canonical_json(
        {
            "device_id": device_id,
            "signing_private": b64(signing.private_bytes(Encoding.Raw, raw, NoEncryption())),
            "encryption_private": b64(encryption.private_bytes(Encoding.Raw, raw, NoEncryption())),
            "created_at": utcnow().isoformat(),
        }
    )
    _write_private(key_path(device_id, key_dir), payload)


def load_identity(db: Database, key_dir: Path | None = None) -> Identity:
    """This installation's identity with its private keys; DeviceKeyError (a Chinese reason) if there is none."""
    with db.session() as s:
        dev_id = read_setting(s, SETTING_DEVICE_ID)
        role = read_setting(s, SETTING_DEVICE_ROLE)
        name = read_setting(s, SETTING_DEVICE_NAME) or ""
    if not dev_id or not role:
        raise DeviceKeyError(
            _("本机尚未设置为现场检查终端或区局：请先完成初始设置（命令 keys init --role field|bureau）。")
        )
    path = key_path(dev_id, key_dir)
    try:
        data = load_json(path.read_bytes())
        signing = Ed25519PrivateKey.from_private_bytes(unb64(data["signing_private"], 32))
        encryption = X25519PrivateKey.from_private_bytes(unb64(data["encryption_private"], 32))
        if data["device_id"] != dev_id:
            raise ValueError("device id")
    except FileNotFoundError:
        raise DeviceKeyError(
            _("找不到本机密钥文件“{p}”：请从备份恢复该文件，或由区局为本机重新登记新设备。").format(p=path)
        ) from None
    except (ValueError, KeyError, TypeError):
        raise DeviceKeyError(_("本机密钥文件“{p}”已损坏：请从备份恢复。").format(p=path)) from None
    return Identity(dev_id, role, name, signing, encryption)
