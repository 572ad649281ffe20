"""Device identity, role and the register (issue 4 §1)."""

import json
import os
import stat
import sys

import pytest

from inspector_app.core.errors import NotFound, ValidationError
from inspector_app.core.storage import device_keys
from inspector_app.core.storage.sync_models import device_role, device_role_label
from inspector_app.sync import keys
from inspector_app.sync.format import SyncError


def test_first_setup_makes_keys_outside_the_database(db, sqlite_only):  # reads the file's bytes
    assert device_role(db) is None and device_role_label(db) == ""
    with pytest.raises(SyncError) as exc:
        keys.load_identity(db)
    assert "keys init" in str(exc.value)
    ident = keys.setup_device(db, "bureau", "区局一号机")
    assert device_role(db) == "bureau" and device_role_label(db) == "区局"
    key_file = device_keys.keys_dir() / f"{ident.device_id}.key"
    assert key_file.exists()
    if sys.platform != "win32":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    private = json.loads(key_file.read_bytes())["signing_private"]
    assert private.encode() not in db.path.read_bytes()
    again = keys.load_identity(db)
    assert again.device_id == ident.device_id and again.signing_public == ident.signing_public
    assert keys.setup_device(db, "bureau").device_id == ident.device_id  # idempotent
    with pytest.raises(SyncError):
        keys.setup_device(db, "field")
    [me] = keys.list_devices(db)
    assert me.is_self and me.role == "bureau" and me.fingerprint == ident.fingerprint
    with pytest.raises(ValidationError):
        keys.setup_device(db, "king")


def test_a_lost_or_damaged_key_file_is_reported(db):
    ident = keys.setup_device(db, "field")
    key_file = device_keys.keys_dir() / f"{ident.device_id}.key"
    key_file.write_text("{broken")
    with pytest.raises(SyncError) as exc:
        keys.load_identity(db)
    assert "已损坏" in str(exc.value)
    os.remove(key_file)
    with pytest.raises(SyncError) as exc:
        keys.load_identity(db)
    assert "找不到本机密钥文件" in str(exc.value)


def test_public_key_files_are_self_signed(db):
    ident = keys.setup_device(db, "field", "笔记本")
    data = keys.export_public_key(ident)
    info = keys.read_public_key(data)
    assert info.device_id == ident.device_id and info.fingerprint == ident.fingerprint
    body = json.loads(data)
    body["name"] = "别人的"
    with pytest.raises(SyncError):
        keys.read_public_key(json.dumps(body).encode())
    with pytest.raises(SyncError):
        keys.read_public_key(b"not json")


def test_register_renew_and_revoke(bare_world):
    w = bare_world
    bureau = w.bureau.db
    a_key = keys.export_public_key(w.a.identity)
    with pytest.raises(ValidationError):
        keys.register_device(bureau, a_key)  # a laptop needs its inspector
    with pytest.raises(NotFound):
        keys.register_device(bureau, a_key, inspector="99999999")
    from datetime import date

    d = keys.register_device(bureau, a_key, inspector="陈静", valid_until=date(2027, 12, 31))
    assert d.inspector_name == "陈静" and d.valid_until == date(2027, 12, 31)
    assert keys.get_device(bureau, "31000003").id == w.a.id
    assert keys.get_device(bureau, w.a.id[:8]).id == w.a.id
    # A laptop accepts only the bureau's key.
    with pytest.raises(SyncError):
        keys.register_device(w.a.db, keys.export_public_key(w.b.identity))
    with pytest.raises(SyncError):
        keys.register_device(w.a.db, keys.export_public_key(w.a.identity))
    # Only the bureau revokes.
    with pytest.raises(SyncError):
        keys.revoke_device(w.a.db, w.bureau.id)
    r = keys.revoke_device(bureau, w.a.id[:10], "遗失")
    assert r.revoked_at is not None and r.revoked_reason == "遗失" and not r.usable_on(date(2026, 6, 15))
    with pytest.raises(SyncError):
        keys.register_device(bureau, a_key, inspector="31000003")
    with pytest.raises(SyncError):
        keys.revoke_device(bureau, w.bureau.id)


def test_a_device_id_never_changes_keys(bare_world, tmp_path):
    w = bare_world
    forged = json.loads(keys.export_public_key(w.b.identity))
    forged["device_id"] = w.a.id
    # Re-signed by B's key: a valid self-signature, but A's id is registered with other keys.
    from inspector_app.sync.format import b64, canonical_json

    forged.pop("self_signature")
    forged["self_signature"] = b64(w.b.identity.signing.sign(b"inspector-app device key v1\n" + canonical_json(forged)))
    with pytest.raises(SyncError) as exc:
        keys.register_device(w.bureau.db, json.dumps(forged).encode(), inspector="31000001")
    assert "不同的公钥" in str(exc.value)


def test_field_export_needs_the_bureau_key(db, tmp_path):
    from inspector_app.sync.export import export_bundle

    keys.setup_device(db, "field")
    with pytest.raises(SyncError) as exc:
        export_bundle(db, tmp_path / "x.ibundle")
    assert "区局的公钥" in str(exc.value)
    assert not (tmp_path / "x.ibundle").exists()
