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

importer.py applies what this module verified.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.device_keys import Identity
from inspector_app.core.storage.models import Base, utcnow
from inspector_app.core.storage.sync_models import BUREAU, ROLES, BundleLog, Device, RecordState
from inspector_app.i18n import _
from inspector_app.sync import crypto, records
from inspector_app.sync.format import (
    BROADCAST,
    DEFAULT_LIMITS,
    FILES_DIR,
    HEADER,
    MANIFEST,
    RECORDS_DIR,
    SEALED_MANIFEST,
    SEALED_SIGNATURE,
    SIGNATURE,
    TOMBSTONES_VERSION,
    BundleRefused,
    Cancelled,
    Header,
    Limits,
    Manifest,
    parse_header,
    parse_manifest,
    records_path,
    sealed_path,
    unb64,
)
from inspector_app.sync.hostile import SafeArchive, open_archive
from inspector_app.sync.keys import DeviceInfo, device_info, load_identity
from inspector_app.sync.members import (
    HAND_OFF_BYTES,
    Problems,
    Spool,
    Stager,
    inline,
    read_file,
    read_records,
    validated,
    where,
)
from inspector_app.sync.records import Incoming, RecordProblem
from inspector_app.sync.registry import registry as shared_registry

Progress = Callable[[int, int, str], None]
_CLOCK_SKEW_DAYS = 1
_STALE_STAGING_SECONDS = 86400


def staging_root() -> Path:
    from inspector_app import paths

    return paths.data_dir() / "sync-staging"


ACTIVE_STAGING: set[str] = set()  # staging folders of this process's imports in progress


def cleanup_staging(db: Database | None = None) -> None:
    """Remove the staging folders of imports that never finished (killed, crashed, power lost): each folder
    is named after its process, and one whose process is gone (or, where that cannot be told, a day old)
    goes. Run before every import's verification; a spool can hold a gigabyte. The files such an import had
    already moved into place and no row of `db` refers to go with it (sync/leftovers.py); without `db` a
    folder whose import had begun to place files is left alone."""
    from inspector_app.sync.export import pid_alive
    from inspector_app.sync.leftovers import clean_stale

    root = staging_root()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        pid, _sep, _rest = name.partition("-")
        if str(root / name) in ACTIVE_STAGING:
            continue
        try:
            # This process's own folder that no import holds (a GUI session's earlier import, issue 13 §4).
            stale = not pid.isdigit() or int(pid) == os.getpid() or not pid_alive(int(pid))
            if not stale and sys.platform == "win32":  # pid_alive cannot tell there: a day-old folder goes
                stale = time.time() - os.stat(root / name).st_mtime > _STALE_STAGING_SECONDS
        except OSError:
            continue
        if stale:
            clean_stale(db, root / name)


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


# ------------------------------------------------------------------ verification
def _device_row(db: Database, device_id: str) -> Device | None:
    with db.session() as s:
        row = s.get(Device, device_id)
        if row is not None:
            s.expunge(row)
        return row


def _check_source(db: Database, identity: Identity, m: Manifest, body: bytes, sig_text: bytes) -> DeviceInfo:
    where = SIGNATURE
    if m.source == identity.device_id:
        raise BundleRefused("own_bundle", _("这是本机自己导出的数据包"), MANIFEST)
    row = _device_row(db, m.source)
    if row is None:
        raise BundleRefused(
            "unknown_device",
            _("发送设备 {d}（{n}）未在本机登记，无法确认来源").format(d=m.source, n=m.source_name[:40]),
            MANIFEST,
        )
    info = device_info(row, identity.device_id)
    try:
        signature = unb64(sig_text.decode("ascii").strip(), 64)
    except (ValueError, UnicodeDecodeError):
        raise BundleRefused("bad_signature", _("签名格式无效"), where) from None
    if not crypto.verify(row.signing_key, body, signature):
        raise BundleRefused("bad_signature", _("签名验证失败：清单被改动，或不是由登记的设备签发"), where)
    if row.revoked_at is not None:
        raise BundleRefused(
            "revoked_device",
            _("发送设备“{d}”已于{t}被吊销{r}").format(
                d=info.label,
                t=row.revoked_at.strftime("%Y-%m-%d"),
                r=f"（{row.revoked_reason}）" if row.revoked_reason else "",
            ),
            MANIFEST,
        )
    if row.role != m.source_role:
        raise BundleRefused("bad_role", _("发送设备登记的角色与数据包声明的不符"), MANIFEST)
    day = m.created_at.date()
    if (row.valid_from and day < row.valid_from) or (row.valid_until and day > row.valid_until):
        raise BundleRefused(
            "expired_device",
            _("数据包生成于{d}，不在发送设备的有效期（{a}至{b}）内").format(
                d=day, a=row.valid_from or "—", b=row.valid_until or "—"
            ),
            MANIFEST,
        )
    if (m.created_at - utcnow()).days >= _CLOCK_SKEW_DAYS:
        raise BundleRefused(
            "future", _("数据包的生成时间{t}晚于本机当前时间，请检查两台电脑的日期").format(t=m.created_at), MANIFEST
        )
    return info


def _check_destination(identity: Identity, m: Manifest) -> None:
    if m.destination == BROADCAST:
        if m.source_role != BUREAU:
            raise BundleRefused("not_for_us", _("只有区局可以群发数据包"), MANIFEST)
        return
    if m.destination != identity.device_id:
        raise BundleRefused(
            "not_for_us",
            _("该数据包是发给设备 {d} 的，不是本机（{me}）").format(d=m.destination, me=identity.device_id),
            MANIFEST,
        )


def log_status(session: Session, m: Manifest, sha: str) -> datetime | None:
    """When this bundle was applied, or None; refuses a sequence number reused with other content."""
    row = session.scalar(
        select(BundleLog).where(
            BundleLog.direction == "in",
            BundleLog.source == m.source,
            BundleLog.destination == m.destination,
            BundleLog.seq == m.sequence,
        )
    )
    if row is None:
        return None
    if row.manifest_sha256 != sha:
        raise BundleRefused(
            "sequence_reused",
            _("来自该设备的第{n}号数据包已导入过，但内容不同（发送设备可能从旧备份恢复过）；请联系管理员").format(
                n=m.sequence
            ),
            MANIFEST,
        )
    return row.logged_at


def newer_applied(session: Session, m: Manifest, reg: records.Registry) -> int | None:
    """The newest roster/assignment bundle of this bureau stream already applied, when this one is older.

    Such a bundle is applied, not refused: its records that a newer bundle already brought compare older
    by their version vectors and are ignored (no rollback), and the records only it carries (an
    incremental bundle that arrived late) are not lost. Refusing it whole left them out for good.
    """
    if m.source_role != BUREAU:
        return None
    if not any(n and reg.get(k) is not None and reg.get(k).ordered for k, n in m.counts.items()):
        return None
    newest = session.scalar(
        select(func.max(BundleLog.seq)).where(
            BundleLog.direction == "in",
            BundleLog.source == m.source,
            BundleLog.destination == m.destination,
            BundleLog.ordered.is_(True),
        )
    )
    return newest if newest is not None and newest > m.sequence else None


def _layout(arc: SafeArchive, header: Header, m: Manifest, reg: records.Registry, opener) -> list[str]:
    """The zip member of each manifest member, after checking that the zip holds exactly those."""
    if header.encryption:
        fixed = {HEADER, SEALED_MANIFEST, SEALED_SIGNATURE}
        zip_names = [sealed_path(i) for i in range(len(m.members))]
    else:
        fixed = {HEADER, MANIFEST, SIGNATURE}
        zip_names = [mem.path for mem in m.members]
    expected = fixed | set(zip_names)
    extra = sorted(set(arc.entries) - expected)
    if extra:
        raise BundleRefused("unexpected_member", _("成员不在签名的清单中"), extra[0])
    missing = sorted(expected - set(arc.entries))
    if missing:
        raise BundleRefused("missing_member", _("清单中的成员缺失（文件不完整）"), missing[0])
    for zname, mem in zip(zip_names, m.members, strict=True):
        declared = arc.entries[zname].size
        want = crypto.sealed_size(mem.size, header.encryption.chunk_size) if header.encryption else mem.size
        if declared != want:
            raise BundleRefused(
                "size_mismatch", _("大小与清单不符（{a} ≠ {b} 字节）").format(a=declared, b=want), mem.path
            )
    kinds_with_records = set()
    for mem in m.members:
        if mem.path.startswith(RECORDS_DIR):
            kinds_with_records.add(mem.path[len(RECORDS_DIR) : -len(".jsonl")])
    for kind_name, n in m.counts.items():
        kind = reg.get(kind_name)
        if kind is None:
            raise BundleRefused(
                "unknown_kind",
                _("未知的记录类型“{k}”（发送方的程序版本更新，请先升级本程序）").format(k=kind_name),
                records_path(kind_name),
            )
        if m.source_role not in kind.senders:
            raise BundleRefused(
                "kind_not_allowed",
                _("{r}不能发送“{k}”类记录").format(r=ROLES.get(m.source_role, m.source_role), k=kind.label),
                records_path(kind_name),
            )
        if (n > 0) != (kind_name in kinds_with_records):
            raise BundleRefused("manifest", _("记录数与成员不符"), records_path(kind_name))
    for kind_name in kinds_with_records - set(m.counts):
        raise BundleRefused("manifest", _("清单未列出该类记录的数量"), records_path(kind_name))
    for mem in m.members:
        if mem.path.startswith(FILES_DIR) and m.counts.get(mem.path.split("/")[1], 0) == 0:
            raise BundleRefused("unexpected_member", _("附件不属于数据包中的任何记录"), mem.path)
    return zip_names


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
        source = _check_source(db, identity, manifest, body, sig)
        _check_destination(identity, manifest)
        sha = sha256(body).hexdigest()
        with db.session() as s:
            already = log_status(s, manifest, sha)
            newer = newer_applied(s, manifest, reg) if already is None else None
        zip_names = _layout(arc, header, manifest, reg, opener)
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
        problems = Problems()
        parsed: dict[str, list[Incoming]] = defaultdict(list)
        total = len(manifest.members)
        staging = str(vb.staging) if vb.staging else None
        stager = Stager(path)
        try:
            for i, (zname, mem) in enumerate(zip(zip_names, manifest.members, strict=True)):
                if check():
                    raise Cancelled()
                entry = arc.entries[zname]
                target = os.path.join(staging, f"{i % 16:02d}", f"{i:08d}") if staging else None
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
                            kind = reg.get(mem.path[len(RECORDS_DIR) : -len(".jsonl")])
                            read_records(chunks, mem, kind, limits, parsed[kind.name], problems)
                        else:
                            # Large sealed (or deflated) attachments: decrypted, hashed and staged on this
                            # thread, in bounded chunks.
                            read_file(chunks, mem, target)
                    except crypto.DecryptionFailed:
                        raise BundleRefused("decrypt_failed", _("解密失败：内容被改动或损坏"), mem.path) from None
                if target is not None and target is not vb.spool:
                    vb.staged[mem.path] = target
                stager.raise_first()
                if i % 50 == 0 or i == total - 1:
                    report(i + 1, total, _("正在校验 {n}/{t}").format(n=i + 1, t=total))
            stager.finish()
        finally:
            stager.close()
        problems.raise_if_any()
        _validate(db, reg, manifest, parsed, problems)
        problems.raise_if_any()
        vb.records = dict(parsed)
        vb.checked = True
        return vb
    except BaseException:
        if vb is not None:
            vb.discard()
        raise
    finally:
        arc.close()


def open_sealed(arc: SafeArchive, opener, name: str, stream: int, limit: int) -> bytes:
    size = arc.entries[name].size
    if size > limit + 64 * crypto.TAG:
        raise BundleRefused("too_large", _("成员过大"), name)
    try:
        return b"".join(opener.open_stream(stream, arc.reader(name), size))
    except crypto.DecryptionFailed:
        raise BundleRefused(
            "decrypt_failed", _("解密失败：数据包被改动、损坏，或不是用本机的公钥加密的"), name
        ) from None


def _deleted_here(s, kind: str, ids: set[str]) -> set[str]:
    """Which of these records of `kind` were here and are deleted (their sync state is a tombstone)."""
    out: set[str] = set()
    for chunk in records.chunks(list(ids)):
        q = select(RecordState.record_id).where(
            RecordState.kind == kind, RecordState.record_id.in_(chunk), RecordState.hash == records.DELETED
        )
        out.update(s.scalars(q))
    return out


def _validate(db: Database, reg: records.Registry, m: Manifest, parsed: dict[str, list[Incoming]], problems) -> None:
    files = {mem.path: mem for mem in m.members if mem.path.startswith(FILES_DIR)}
    referenced: set[str] = set()
    in_bundle: dict[str, set[str]] = {}
    deleted_in_bundle: dict[str, set[str]] = {}
    for kind_name, recs in parsed.items():
        kind = reg.get(kind_name)
        member = records_path(kind_name)
        if len(recs) != m.counts.get(kind_name, 0):
            problems.add(member, _("记录数 {a} 与清单的 {b} 不符").format(a=len(recs), b=m.counts.get(kind_name, 0)))
        seen: set[str] = set()
        for rec in recs:
            if rec.id in seen:
                problems.add(member, _("{w}：编号重复").format(w=where(kind_name, rec.line, rec.id)))
            seen.add(rec.id)
            if rec.data is None and m.format_version < TOMBSTONES_VERSION:
                problems.add(
                    member,
                    _("{w}：格式版本 {v} 的数据包不能含已删除的记录").format(
                        w=where(kind_name, rec.line, rec.id), v=m.format_version
                    ),
                )
                continue
            try:
                rec.parsed = validated(kind, rec)
            except RecordProblem as exc:
                problems.add(member, f"{where(kind_name, rec.line, rec.id)}：{exc}")
                continue
            for slot, meta in rec.files.items():
                mem = files.get(meta["path"])
                if mem is None or mem.sha256 != meta["sha256"] or mem.size != meta["size"]:
                    problems.add(
                        member, _("{w}：附件“{s}”与清单不符").format(w=where(kind_name, rec.line, rec.id), s=slot)
                    )
                referenced.add(meta["path"])
        in_bundle[kind.table_name] = {rec.id for rec in recs if rec.data is not None}
        deleted_in_bundle[kind.table_name] = {rec.id for rec in recs if rec.data is None}
    for path in sorted(set(files) - referenced):
        problems.add(path, _("附件不属于任何记录"))
    if problems.items:
        return
    # References: to a record in this bundle or one already here. One to a record deleted (here, or by this
    # bundle) makes the record moot, not the bundle invalid: a late bundle with a photo of a draft deleted since
    # is not refused for it; the photo is ignored (decide.classify) and the rest arrives.
    needed: dict[str, dict[str, list[tuple[str, Incoming, str]]]] = defaultdict(lambda: defaultdict(list))
    for kind_name, recs in parsed.items():
        kind = reg.get(kind_name)
        for rec in recs:
            if rec.data is None:
                continue
            for table, fld, ref in kind.references(rec.data):
                if ref is None:
                    continue
                if isinstance(ref, str) and ref in deleted_in_bundle.get(table, ()):
                    rec.refers_to_deleted = True
                elif not isinstance(ref, str) or ref not in in_bundle.get(table, ()):
                    needed[table][str(ref)].append((kind_name, rec, fld))
    tables = Base.metadata.tables
    with db.session() as s:
        for table, refs in needed.items():
            t = tables.get(table)
            if t is None:
                continue
            pk = next(iter(t.primary_key.columns))
            present: set[str] = set()
            for chunk in records.chunks(list(refs)):
                present.update(str(v) for v in s.scalars(select(pk).where(pk.in_(chunk))))
            missing = set(refs) - present
            target = reg.for_table(table)
            for ref in _deleted_here(s, target.name, missing) if target is not None and missing else ():
                for _kind_name, rec, _fld in refs[ref]:
                    rec.refers_to_deleted = True
                missing.discard(ref)
            for ref in sorted(missing):
                kind_name, rec, fld = refs[ref][0]
                problems.add(
                    records_path(kind_name),
                    _("{w}：字段“{f}”引用的记录 {r} 不存在（可先导入更早的数据包，或请对方导出完整数据包）").format(
                        w=where(kind_name, rec.line, rec.id), f=fld, r=ref
                    ),
                )
        if problems.items:
            return
        for kind_name, recs in parsed.items():
            try:
                reg.get(kind_name).check_against(s, [rec for rec in recs if rec.data is not None])
            except RecordProblem as exc:
                problems.add(records_path(kind_name), str(exc))
