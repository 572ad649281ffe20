"""Importing a bundle from the command line: verify, then apply in one transaction (sync/apply.py).

The parts: sync/verify.py checks, sync/decide.py classifies each record, sync/preview.py says what applying
would do, sync/staging.py moves attachments into place, sync/apply.py writes. inspect_bundle() reads what a
bundle says about itself without checking it.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import sha256
from pathlib import Path

from inspector_app.core.storage.db import Database
from inspector_app.i18n import _
from inspector_app.sync import crypto, records
from inspector_app.sync.apply import ImportResult, apply_bundle
from inspector_app.sync.format import (
    DEFAULT_LIMITS,
    HEADER,
    MANIFEST,
    SEALED_MANIFEST,
    BundleRefused,
    Cancelled,
    Limits,
    SyncError,
    parse_header,
    parse_manifest,
)
from inspector_app.sync.hostile import open_archive
from inspector_app.sync.import_guard import guarded
from inspector_app.sync.keys import load_identity
from inspector_app.sync.preview import preview_bundle as preview_bundle  # the import dialog's
from inspector_app.sync.verify import (
    Progress,
    configured_limits,
    verify_bundle,
)
from inspector_app.sync.verify_manifest import open_sealed


def import_bundle(
    db: Database,
    path: str | Path,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> ImportResult:
    """Verify, then apply in one transaction (CLI `bundle import`). limits: by default the settings'.
    While another writer holds the database the whole import is tried again (sync/import_guard.py)."""

    def attempt() -> ImportResult:
        vb = verify_bundle(
            db,
            path,
            stage=True,
            full_check=False,
            limits=limits,
            progress=progress,
            cancelled=cancelled,
            key_dir=key_dir,
            registry=registry,
        )
        try:
            if cancelled and cancelled():
                raise Cancelled()
            return apply_bundle(db, vb, progress=progress, key_dir=key_dir, registry=registry)
        finally:
            vb.discard()

    return guarded(attempt, path)


def inspect_bundle(
    path: str | Path, *, db: Database | None = None, limits: Limits | None = None, key_dir: Path | None = None
) -> dict:
    """What the bundle says about itself, without checking the signature: the header and the manifest.

    An encrypted bundle's manifest is shown only on the recipient device (`db` given and ours).
    limits: by default the settings' (`db` given) or the built-in ones.
    """
    limits = limits or (configured_limits(db) if db is not None else DEFAULT_LIMITS)
    with open_archive(Path(path), limits) as arc:
        if HEADER not in arc.entries:
            raise BundleRefused("missing_member", _("不是本程序的数据包（缺少数据包头）"), HEADER)
        header = parse_header(arc.read_all(HEADER, limits.max_header_bytes))
        info: dict = {"format_version": header.format_version, "encrypted": header.encryption is not None}
        if header.encryption:
            info["recipient"] = header.encryption.recipient
            if db is None:
                return info
            try:
                identity = load_identity(db, key_dir)
            except SyncError:
                return info
            if identity.device_id != header.encryption.recipient or SEALED_MANIFEST not in arc.entries:
                return info
            opener = crypto.Opener(header.encryption, identity.encryption, identity.device_id)
            body = open_sealed(arc, opener, SEALED_MANIFEST, crypto.STREAM_MANIFEST, limits.max_manifest_bytes)
        else:
            if MANIFEST not in arc.entries:
                raise BundleRefused("missing_member", _("缺少清单"), MANIFEST)
            body = arc.read_all(MANIFEST, limits.max_manifest_bytes)
        info["manifest"] = parse_manifest(body, limits)
        info["manifest_sha256"] = sha256(body).hexdigest()
        info["members"] = len(arc.entries)
        return info
