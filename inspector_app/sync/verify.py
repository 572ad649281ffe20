"""Verifying a bundle: everything an import checks, before anything is written.

verify_bundle() writes nothing to the database. In order: the zip container (hostile.py); the header;
for an encrypted bundle, that it is for this device, then the sealed manifest; the manifest; the source
device — registered, not revoked, within its validity, its role — and the signature; the destination;
whether this bundle was already applied or its sequence number reused; the member list against the
manifest (no member more, none less, sizes as declared); then every member streamed once: hashed against
the manifest (attachments into a private staging folder when the import will follow) and the records
parsed and validated, kind by kind, including the references between records. Attachments are hashed and
staged on two worker threads and a records member is inflated or decrypted and hashed on another, while
this thread parses and validates its lines: zlib, hashlib and file I/O release the GIL.

The checks before the members are read are in verify_manifest.py, the validation of the records together
in verify_records.py, the staging folders in staging_folders.py. importer.py applies what this module verified.
"""

from __future__ import annotations

import os
import shutil
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from inspector_app.core.storage.db import Database
from inspector_app.i18n import _
from inspector_app.sync import crypto, records
from inspector_app.sync.format import (
    DEFAULT_LIMITS,
    HEADER,
    MANIFEST,
    RECORDS_DIR,
    SEALED_MANIFEST,
    SEALED_SIGNATURE,
    SIGNATURE,
    BundleRefused,
    Cancelled,
    Header,
    Limits,
    Manifest,
    parse_header,
    parse_manifest,
)
from inspector_app.sync.hostile import open_archive
from inspector_app.sync.keys import DeviceInfo, load_identity
from inspector_app.sync.members import (
    HAND_OFF_BYTES,
    Spool,
    Stager,
    inline,
    member_problems,
    read_file,
    read_records,
    refuse_if_any,
)
from inspector_app.sync.records import Incoming
from inspector_app.sync.registry import registry as shared_registry
from inspector_app.sync.staging_folders import ACTIVE_STAGING, cleanup_staging, staging_root
from inspector_app.sync.verify_manifest import (
    check_destination,
    check_source,
    log_status,
    member_layout,
    newer_applied,
    open_sealed,
)
from inspector_app.sync.verify_records import validate_records

Progress = Callable[[int, int, str], None]


@dataclass
class VerifiedBundle:
    path: Path
    header: Header
    manifest: Manifest
    manifest_sha256: str
    source: DeviceInfo
    already_applied: datetime | None  # when, if this very bundle was applied before
    newer_applied: int | None = None  # a newer roster/assignment bundle of this stream is already in
    records: dict[str, list[Incoming]] = field(default_factory=dict)
    staged: dict[str, str] = field(default_factory=dict)  # manifest path → verified file
    spool: Spool | None = None  # verified attachments a kind keeps in the database (RecordKind.inline_slots)
    staging: Path | None = None
    checked: bool = False  # contents hashed and validated (False only for an already applied bundle)

    @property
    def encrypted(self) -> bool:
        return self.header.encryption is not None

    def drop_spool(self) -> None:
        """Its bytes are in the database rows now (apply_bundle, before its sync)."""
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def discard(self) -> None:
        self.drop_spool()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            ACTIVE_STAGING.discard(str(self.staging))
            self.staging = None
            self.staged.clear()


_MB = 1024**2


def configured_limits(db: Database) -> Limits:
    """The limits set in this machine's settings (设置 → 数据包; the bureau's values travel to the laptops).

    A stored value that is not valid (only a database edited by hand, or a future bureau, can hold one) counts
    as the default: one bad value must not stop every import, the one that would correct it included."""
    from inspector_app.core import settings
    from inspector_app.core.errors import ValidationError

    def number(s, key: str) -> int:
        try:
            return int(settings.validate(key, settings.read(s, key)))
        except (ValidationError, ValueError):
            return int(settings.DEFAULTS[key].default)

    with db.session() as s:
        return DEFAULT_LIMITS.with_(
            max_members=number(s, "bundle.max_files"),
            max_member_bytes=number(s, "bundle.max_file_mb") * _MB,
            max_total_bytes=number(s, "bundle.max_total_mb") * _MB,
        )


def verify_bundle(
    db: Database,
    path: str | Path,
    *,
    stage: bool = False,
    full_check: bool = True,
    limits: Limits | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> VerifiedBundle:
    """Check everything an import checks; write nothing to the database.

    stage: keep the verified attachments in a private staging folder for apply_bundle().
    full_check=False: stop after the signature if the bundle was already applied (import says so quickly).
    limits: by default, those of the settings (configured_limits).
    """
    path = Path(path)
    limits = limits or configured_limits(db)
    reg = registry or shared_registry()
    identity = load_identity(db, key_dir)
    report = progress or (lambda d, t, m: None)
    check = cancelled or (lambda: False)
    arc = open_archive(path, limits)
    vb: VerifiedBundle | None = None
    try:
        if HEADER not in arc.entries:
            raise BundleRefused("missing_member", _("不是本程序的数据包（缺少数据包头）"), HEADER)
        header = parse_header(arc.read_all(HEADER, limits.max_header_bytes))
        opener = None
        if header.encryption:
            enc = header.encryption
            if enc.recipient != identity.device_id:
                raise BundleRefused(
                    "not_for_us", _("数据包已加密，收件设备是 {d}，不是本机，无法解密").format(d=enc.recipient), HEADER
                )
            opener = crypto.Opener(enc, identity.encryption, identity.device_id)
            for name in (SEALED_MANIFEST, SEALED_SIGNATURE):
                if name not in arc.entries:
                    raise BundleRefused("missing_member", _("加密数据包缺少清单或签名"), name)
            body = open_sealed(arc, opener, SEALED_MANIFEST, crypto.STREAM_MANIFEST, limits.max_manifest_bytes)
            sig = open_sealed(arc, opener, SEALED_SIGNATURE, crypto.STREAM_SIGNATURE, 4096)
        else:
            for name in (MANIFEST, SIGNATURE):
                if name not in arc.entries:
                    raise BundleRefused("missing_member", _("缺少清单或签名"), name)
            body = arc.read_all(MANIFEST, limits.max_manifest_bytes)
            sig = arc.read_all(SIGNATURE, 4096)
        manifest = parse_manifest(body, limits)
        if manifest.format_version != header.format_version:
            raise BundleRefused("format", _("数据包头与清单的格式版本不一致"), MANIFEST)
        source = check_source(db, identity, manifest, body, sig)
        check_destination(identity, manifest)
        sha = sha256(body).hexdigest()
        with db.session() as s:
            already = log_status(s, manifest, sha)
            newer = newer_applied(s, manifest, reg) if already is None else None
        zip_names = member_layout(arc, header, manifest, reg, opener)
        vb = VerifiedBundle(path, header, manifest, sha, source, already, newer_applied=newer)
        if stage:
            cleanup_staging(db)
        if already is not None and not full_check:
            return vb
        if stage and already is None:  # an already applied bundle is not applied again: nothing to stage
            vb.staging = staging_root() / f"{os.getpid()}-{uuid.uuid4().hex}"
            ACTIVE_STAGING.add(str(vb.staging))
            vb.staging.mkdir(parents=True)
            for n in range(16):  # files spread over folders: creating them in one folder serialises on it
                (vb.staging / f"{n:02d}").mkdir()
            vb.spool = Spool(vb.staging / "spool")
        problems = member_problems()
        parsed: dict[str, list[Incoming]] = defaultdict(list)
        total = len(manifest.members)
        staging = str(vb.staging) if vb.staging else None
        stager = Stager(path)
        try:
            for i, (zname, mem) in enumerate(zip(zip_names, manifest.members, strict=True)):
                if check():
                    raise Cancelled()
                entry = arc.entries[zname]
                target: str | Spool | None = os.path.join(staging, f"{i % 16:02d}", f"{i:08d}") if staging else None
                attachment = not mem.path.startswith(RECORDS_DIR)
                stored = attachment and opener is None and entry.method == zipfile.ZIP_STORED
                sealed = attachment and opener is not None and mem.size <= HAND_OFF_BYTES
                if (stored or sealed) and target and mem.size <= HAND_OFF_BYTES and inline(reg, mem.path):
                    target = vb.spool  # bytes for a database row: one spool file, not a file each
                if stored:
                    # Attachments stored as they are: read, hashed and staged on worker threads.
                    stager.submit(mem, entry.data_offset, target)
                elif sealed:
                    # A sealed attachment of photo size: decrypted here (AES-GCM holds the GIL, and takes
                    # ≈ 0.1 ms), hashed and staged on the worker threads like a stored one.
                    assert opener is not None  # sealed implies it
                    try:
                        data = opener.open_bytes_from(crypto.STREAM_FIRST_MEMBER + i, arc.reader(zname), entry.size)
                    except crypto.DecryptionFailed:
                        raise BundleRefused("decrypt_failed", _("解密失败：内容被改动或损坏"), mem.path) from None
                    stager.submit_data(data, mem, target)
                else:
                    if opener is not None:
                        chunks = opener.open_stream(crypto.STREAM_FIRST_MEMBER + i, arc.reader(zname), entry.size)
                    else:
                        chunks = arc.read(zname)
                    try:
                        if mem.path.startswith(RECORDS_DIR):
                            kind = reg.kind(mem.path[len(RECORDS_DIR) : -len(".jsonl")])
                            read_records(chunks, mem, kind, limits, parsed[kind.name], problems)
                        else:
                            # Large sealed (or deflated) attachments: decrypted, hashed and staged on this
                            # thread, in bounded chunks.
                            assert not isinstance(target, Spool)  # only small stored/sealed ones are spooled
                            read_file(chunks, mem, target)
                    except crypto.DecryptionFailed:
                        raise BundleRefused("decrypt_failed", _("解密失败：内容被改动或损坏"), mem.path) from None
                if isinstance(target, str):  # not None, not vb.spool
                    vb.staged[mem.path] = target
                stager.raise_first()
                if i % 50 == 0 or i == total - 1:
                    report(i + 1, total, _("正在校验 {n}/{t}").format(n=i + 1, t=total))
            stager.finish()
        finally:
            stager.close()
        refuse_if_any(problems)
        validate_records(db, reg, manifest, parsed, problems)
        refuse_if_any(problems)
        vb.records = dict(parsed)
        vb.checked = True
        return vb
    except BaseException:
        if vb is not None:
            vb.discard()
        raise
    finally:
        arc.close()
