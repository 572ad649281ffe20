"""Verifying a bundle, previewing it and applying it in one transaction — or not at all.

verify_bundle() writes nothing to the database. In order: the zip container (hostile.py); the header;
for an encrypted bundle, that it is for this device, then the sealed manifest; the manifest; the source
device — registered, not revoked, within its validity, its role — and the signature; the destination;
whether this bundle was already applied or its sequence number reused; the member list against the
manifest (no member more, none less, sizes as declared); then every member streamed once: hashed against
the manifest (attachments into a private staging folder when the import will follow) and the records
parsed and validated, kind by kind, including the references between records. Attachments are hashed and
staged on two worker threads and a records member is inflated or decrypted and hashed on another, while
this thread parses and validates its lines: zlib, hashlib and file I/O release the GIL.

apply_bundle() then classifies every record against the local copy (added / updated / same / older /
conflict, by version vectors) and writes everything in one transaction: records, sync states, conflicts,
the bundle log and, at the bureau, the receipt. Staged attachments are moved into place inside it and
moved back if it does not commit; the staging folder is removed either way.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import sys
import threading
import uuid
import zipfile
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspector_app.core.db import Database
from inspector_app.core.models import Base, utcnow
from inspector_app.core.sync_models import BUREAU, FIELD, ROLES, BundleLog, Conflict, Device
from inspector_app.i18n import _
from inspector_app.sync import crypto, receipts, records, state
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
    BundleRefused,
    Cancelled,
    Header,
    Limits,
    Manifest,
    SyncError,
    canonical_json,
    file_path,
    is_safe_id,
    is_sha256,
    is_slot_name,
    parse_header,
    parse_manifest,
    records_path,
    sealed_path,
    unb64,
)
from inspector_app.sync.history import missing_numbers
from inspector_app.sync.hostile import SafeArchive, open_archive
from inspector_app.sync.keys import DeviceInfo, Identity, device_info, load_identity
from inspector_app.sync.records import Incoming, RecordKind, RecordProblem

Progress = Callable[[int, int, str], None]
OUTCOMES = ("added", "updated", "same", "older", "conflict")
_MAX_PROBLEMS = 10
_CLOCK_SKEW_DAYS = 1


def staging_root() -> Path:
    from inspector_app import paths

    return paths.data_dir() / "sync-staging"


def conflicts_root() -> Path:
    from inspector_app import paths

    return paths.data_dir() / "sync-conflicts"


def cleanup_staging() -> None:
    """Remove staging folders of imports that never finished (a crash); call at start-up."""
    root = staging_root()
    if root.is_dir():
        for child in root.iterdir():
            shutil.rmtree(child, ignore_errors=True)


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
    spool: _Spool | None = None  # verified attachments a kind keeps in the database (RecordKind.inline_slots)
    staging: Path | None = None
    checked: bool = False  # contents hashed and validated (False only for an already applied bundle)

    @property
    def encrypted(self) -> bool:
        return self.header.encryption is not None

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
            self.staged.clear()


@dataclass
class KindSummary:
    kind: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))


@dataclass(frozen=True)
class ConflictInfo:
    kind: str
    label: str
    record_id: str
    title: str
    reason: str  # "concurrent" / "immutable"


@dataclass
class Preview:
    source: DeviceInfo
    sequence: int
    destination: str
    created_at: datetime
    encrypted: bool
    full: bool
    already_applied: datetime | None
    kinds: list[KindSummary]
    conflicts: list[ConflictInfo]
    gaps: list[int]  # sequence numbers of this source's stream still missing once this one is in
    newer_applied: int | None = None  # this roster/assignment bundle is older than that one, applied already
    applied: bool = False

    def total(self, outcome: str) -> int:
        return sum(k.counts[outcome] for k in self.kinds)

    def summary_text(self) -> str:
        if self.already_applied and not self.applied:
            return _("该数据包（来自{s}，第{n}号）已于{t}导入过，本次未作任何改动。").format(
                s=self.source.label, n=self.sequence, t=self.already_applied.strftime("%Y-%m-%d %H:%M")
            )
        head = _("来自{s}的第{n}号数据包：").format(s=self.source.label, n=self.sequence)
        parts = [
            _("新增 {n} 条").format(n=self.total("added")),
            _("更新 {n} 条").format(n=self.total("updated")),
            _("相同 {n} 条").format(n=self.total("same")),
            _("较旧而忽略 {n} 条").format(n=self.total("older")),
            _("冲突 {n} 条").format(n=self.total("conflict")),
        ]
        text = head + "，".join(parts) + "。"
        if self.newer_applied:
            text += _(
                "该数据包比已导入的第{m}号旧：已有较新版本的记录不会被回退（计入较旧而忽略），其余记录照常导入。"
            ).format(m=self.newer_applied)
        if self.conflicts:
            text += _("冲突的记录两个版本都已保留，请在“同步冲突”中逐条处理。")
        if self.gaps:
            text += _("注意：尚未收到该设备的第 {g} 号数据包。").format(g="、".join(map(str, self.gaps[:20])))
        return text


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


def _log_status(session: Session, m: Manifest, sha: str) -> datetime | None:
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


def _newer_applied(session: Session, m: Manifest, reg: records.Registry) -> int | None:
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


@dataclass(frozen=True)
class _Validated:
    """The outcome of kind.validate() for a record, computed while its member was read."""

    value: object
    error: Exception | None


def _parse_line(kind: RecordKind, raw, line_no: int) -> Incoming:
    """One record line (bytes, bytearray or a memoryview of the member's chunk): its envelope checked, its
    data validated by the kind and hashed. A bad envelope raises RecordProblem; the outcome of validate()
    is kept in `parsed` for _validate(), which reports it in its own order (so what is refused, and how it
    is worded, does not depend on this being done early, while a worker inflates the next chunks)."""
    try:
        env = json.loads(str(raw, "utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordProblem(_("不是有效的JSON：{e}").format(e=str(exc)[:80])) from None
    if not isinstance(env, dict) or set(env) != {"id", "vv", "updated_at", "data", "files"}:
        raise RecordProblem(_("记录格式无效（应有 id、vv、updated_at、data、files）"))
    rid, vv, upd, data, files = env["id"], env["vv"], env["updated_at"], env["data"], env["files"]
    if not is_safe_id(rid):
        raise RecordProblem(_("记录编号无效"))
    if not isinstance(vv, dict) or not all(
        is_safe_id(d) and isinstance(n, int) and not isinstance(n, bool) and 0 < n < 2**62 for d, n in vv.items()
    ):
        raise RecordProblem(_("版本向量无效"))
    if not vv and not kind.stateless:
        raise RecordProblem(_("版本向量为空"))
    if upd is not None and (not isinstance(upd, str) or len(upd) > 40):
        raise RecordProblem(_("更新时间无效"))
    if not isinstance(data, dict):
        raise RecordProblem(_("记录内容应为JSON对象"))
    if not isinstance(files, dict):
        raise RecordProblem(_("附件列表无效"))
    digests = {}
    for slot, meta in files.items():
        if (
            not is_slot_name(slot)
            or not isinstance(meta, dict)
            or set(meta) != {"path", "sha256", "size", "name"}
            or not is_sha256(meta["sha256"])
            or not isinstance(meta["size"], int)
            or not isinstance(meta["name"], str)
            or len(meta["name"]) > 255
        ):
            raise RecordProblem(_("附件“{s}”的描述无效").format(s=str(slot)[:30]))
        if meta["path"] != file_path(kind.name, rid, slot):
            raise RecordProblem(_("附件“{s}”的路径不符").format(s=slot))
        digests[slot] = meta["sha256"]
    try:
        outcome = _Validated(kind.validate(data, rid), None)
    except Exception as exc:
        outcome = _Validated(None, exc)
    try:
        digest = records.record_hash(kind, data, digests, kind.base64_keys if outcome.error is None else ())
    except ValueError:  # NaN or a lone surrogate: valid for json.loads, but has no canonical form
        raise RecordProblem(_("记录内容含有无法规范化的值（如NaN或不成对的代理字符）")) from None
    return Incoming(kind.name, rid, vv, data, files, upd, digest, line_no, outcome)


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, member: str, text: str) -> None:
        if len(self.items) < _MAX_PROBLEMS:
            self.items.append((member, text))

    def raise_if_any(self) -> None:
        if self.items:
            first_member = self.items[0][0]
            lines = "；".join(f"{m}：{t}" for m, t in self.items)
            raise BundleRefused("invalid_record", _("记录无效：{l}").format(l=lines), first_member)


def _where(kind: str, rec_line: int, rid: str | None = None) -> str:
    who = f"，编号 {rid}" if rid else ""
    return _("第{n}行{who}").format(n=rec_line, who=who)


def verify_bundle(
    db: Database,
    path: str | Path,
    *,
    stage: bool = False,
    full_check: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> VerifiedBundle:
    """Check everything an import checks; write nothing to the database.

    stage: keep the verified attachments in a private staging folder for apply_bundle().
    full_check=False: stop after the signature if the bundle was already applied (import says so quickly).
    """
    path = Path(path)
    reg = registry or records.registry()
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
            body = _open_sealed(arc, opener, SEALED_MANIFEST, crypto.STREAM_MANIFEST, limits.max_manifest_bytes)
            sig = _open_sealed(arc, opener, SEALED_SIGNATURE, crypto.STREAM_SIGNATURE, 4096)
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
            already = _log_status(s, manifest, sha)
            newer = _newer_applied(s, manifest, reg) if already is None else None
        zip_names = _layout(arc, header, manifest, reg, opener)
        vb = VerifiedBundle(path, header, manifest, sha, source, already, newer_applied=newer)
        if already is not None and not full_check:
            return vb
        if stage:
            vb.staging = staging_root() / uuid.uuid4().hex
            vb.staging.mkdir(parents=True)
            for n in range(16):  # files spread over folders: creating them in one folder serialises on it
                (vb.staging / f"{n:02d}").mkdir()
            vb.spool = _Spool(vb.staging / "spool")
        problems = _Problems()
        parsed: dict[str, list[Incoming]] = defaultdict(list)
        total = len(manifest.members)
        staging = str(vb.staging) if vb.staging else None
        stager = _Stager(path)
        try:
            for i, (zname, mem) in enumerate(zip(zip_names, manifest.members, strict=True)):
                if check():
                    raise Cancelled()
                entry = arc.entries[zname]
                target = os.path.join(staging, f"{i % 16:02d}", f"{i:08d}") if staging else None
                attachment = not mem.path.startswith(RECORDS_DIR)
                stored = attachment and opener is None and entry.method == zipfile.ZIP_STORED
                sealed = attachment and opener is not None and mem.size <= _HAND_OFF_BYTES
                if (stored or sealed) and target and mem.size <= _HAND_OFF_BYTES and _inline(reg, mem.path):
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
                            _read_records(chunks, mem, kind, limits, parsed[kind.name], problems)
                        else:
                            # Large sealed (or deflated) attachments: decrypted, hashed and staged on this
                            # thread, in bounded chunks.
                            _read_file(chunks, mem, target)
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


def _open_sealed(arc: SafeArchive, opener, name: str, stream: int, limit: int) -> bytes:
    size = arc.entries[name].size
    if size > limit + 64 * crypto.TAG:
        raise BundleRefused("too_large", _("成员过大"), name)
    try:
        return b"".join(opener.open_stream(stream, arc.reader(name), size))
    except crypto.DecryptionFailed:
        raise BundleRefused(
            "decrypt_failed", _("解密失败：数据包被改动、损坏，或不是用本机的公钥加密的"), name
        ) from None


def _read_file(chunks, mem, target: str | None) -> None:
    h = sha256()
    n = 0
    out = open(target, "xb") if target is not None else None
    try:
        for chunk in chunks:
            n += len(chunk)
            if n > mem.size:
                raise BundleRefused("size_mismatch", _("内容比清单声明的长"), mem.path)
            h.update(chunk)
            if out is not None:
                out.write(chunk)
        if out is not None and sys.platform == "win32":
            out.flush()
            os.fsync(out.fileno())
    finally:
        if out is not None:
            out.close()
    if n != mem.size:
        raise BundleRefused("size_mismatch", _("内容比清单声明的短（文件不完整）"), mem.path)
    if h.hexdigest() != mem.sha256:
        raise BundleRefused("hash_mismatch", _("SHA-256校验值与清单不符（内容被改动或损坏）"), mem.path)


_HAND_OFF_BYTES = 16 * 1024**2  # sealed attachments up to this size are hashed and staged on the workers
_HAND_OFF_QUEUED = 16 * 1024**2  # at most this many decrypted bytes wait for a worker (memory reused)


class _Stager:
    """Reads, hashes and stages the stored attachments of a plain bundle on two worker threads, and the
    decrypted attachments of an encrypted one.

    Creating thousands of small files is mostly waiting on the file system (and on the folder: staged files
    are spread over 16 folders); hashlib and file I/O release the GIL. Measured in bench_sync.py: about a
    fifth faster than one thread. The first failure, in member order, is raised on the main thread.
    """

    def __init__(self, bundle: Path):
        self._bundle = bundle
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bundle-stage")
        self._pending: deque = deque()
        self._local = threading.local()
        self._handles: list = []
        self._lock = threading.Lock()
        self._held = 0  # bytes of submit_data() not yet settled

    def _handle(self):
        f = getattr(self._local, "f", None)
        if f is None:
            f = open(self._bundle, "rb")  # closed in close()
            self._local.f = f
            with self._lock:
                self._handles.append(f)
        return f

    def _from_bundle(self, mem, offset: int, target: str | None) -> None:
        f = self._handle()
        f.seek(offset)
        data = f.read(mem.size)
        if len(data) != mem.size:
            raise BundleRefused("truncated", _("成员数据不完整"), mem.path)
        _check_and_write(data, mem, target)

    def submit(self, mem, offset: int, target: str | None) -> None:
        self._pending.append((self._pool.submit(self._from_bundle, mem, offset, target), 0))

    def submit_data(self, data: bytes, mem, target: str | None) -> None:
        """Hash and stage bytes already read (a decrypted member); waits while too many bytes are queued."""
        while self._pending and self._held + len(data) > _HAND_OFF_QUEUED:
            self._settle_one()
        self._pending.append((self._pool.submit(_check_and_write, data, mem, target), len(data)))
        self._held += len(data)

    def _settle_one(self) -> None:
        fut, held = self._pending.popleft()
        self._held -= held
        fut.result()

    def raise_first(self) -> None:
        while self._pending and self._pending[0][0].done():
            self._settle_one()

    def finish(self) -> None:
        while self._pending:
            self._settle_one()

    def close(self) -> None:
        for fut, _held in self._pending:
            fut.cancel()
        self._pool.shutdown(wait=True)
        for f in self._handles:
            f.close()


_EARLY_WRITEBACK = sys.platform.startswith("linux") and hasattr(os, "posix_fadvise")
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _inline(reg: records.Registry, path: str) -> bool:
    """An attachment whose kind keeps it in the database (files/<kind>/<id>/<slot>)."""
    parts = path.split("/")
    kind = reg.get(parts[1]) if len(parts) == 4 else None
    return kind is not None and parts[3] in kind.inline_slots


class _Spool:
    """The verified attachments that go into database rows (a photo's thumbnail and print copy), appended to
    one file of the staging folder: thousands of small files to create, read back and delete cost more than
    the bytes (measured in bench_sync.py: ≈ 1 s for 2,000 copies). Written by the stager's threads."""

    def __init__(self, path: Path):
        self._f = open(path, "w+b")  # closed by VerifiedBundle.discard()
        self._lock = threading.Lock()
        self._where: dict[str, tuple[int, int]] = {}

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            offset = self._f.seek(0, os.SEEK_END)
            self._f.write(data)
            self._where[key] = (offset, len(data))

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def get(self, key: str) -> bytes:
        offset, size = self._where[key]
        with self._lock:
            self._f.seek(offset)
            return self._f.read(size)

    def close(self) -> None:
        self._f.close()


def _check_and_write(data: bytes, mem, target: str | _Spool | None) -> None:
    if len(data) != mem.size:
        raise BundleRefused("size_mismatch", _("内容与清单声明的大小不符"), mem.path)
    if sha256(data).hexdigest() != mem.sha256:
        raise BundleRefused("hash_mismatch", _("SHA-256校验值与清单不符（内容被改动或损坏）"), mem.path)
    if isinstance(target, _Spool):
        target.put(mem.path, data)
    elif target is not None:
        # os.open, not open(): a buffered file object adds an fstat and an ioctl to each of thousands of files
        # (measured ≈ 20 % of creating a 100 KB file where system calls are dear).
        fd = os.open(target, _NEW_FILE, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if sys.platform == "win32":  # no sync() of a whole file system there: each file is flushed
                os.fsync(fd)
            elif _EARLY_WRITEBACK:
                # Start writing the file to disk now, without waiting: the sync before the commit then
                # finds it written instead of flushing every photo at the end.
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


@dataclass
class _Failed:
    """An exception of the read-ahead worker, on its way to the reading thread."""

    exc: BaseException


class _ReadAhead:
    """Runs a member's chunks (read, inflated or decrypted, and hashed) on a worker thread, a few ahead.

    zlib, hashlib and file reads release the GIL: inflating and hashing a records member on a second core
    while this thread parses its lines takes the time of the longer of the two, not of both. An exception
    of the worker (a refusal, a failed decryption) is raised here, at the chunk where it happened.
    """

    _END = object()

    def __init__(self, chunks, h, depth: int = 4):
        self._queue: queue.Queue = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(chunks, h), name="bundle-read", daemon=True)
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, chunks, h) -> None:
        try:
            for chunk in chunks:
                h.update(chunk)
                if not self._put(chunk):
                    return
        except BaseException as exc:  # handed to the reading thread, which raises it
            self._put(_Failed(exc))
            return
        finally:
            if self._stop.is_set() and hasattr(chunks, "close"):
                chunks.close()  # abandoned half-way: close the generator here, not in another thread later
        self._put(self._END)

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            if item.__class__ is _Failed:
                raise item.exc
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


_READ_AHEAD_MIN = 1024**2  # a smaller records member is read on this thread: not worth a thread


def _read_records(chunks, mem, kind: RecordKind, limits: Limits, out: list[Incoming], problems: _Problems) -> None:
    h = sha256()
    if mem.size < _READ_AHEAD_MIN:
        _split_records(_hashed(chunks, h), h, mem, kind, limits, out, problems)
        return
    ahead = _ReadAhead(chunks, h)
    try:
        _split_records(ahead, h, mem, kind, limits, out, problems)
    finally:
        ahead.close()  # the worker is done with the archive's file before the next member is read


def _hashed(chunks, h):
    for chunk in chunks:
        h.update(chunk)
        yield chunk


def _split_records(chunks, h, mem, kind: RecordKind, limits: Limits, out: list[Incoming], problems: _Problems) -> None:
    """Parse the lines of a records member whose chunks are hashed into `h` as they are produced."""
    n = 0
    pending = bytearray()  # the start of a line that continues in the next chunk
    line_no = 0
    local: list[tuple[str, str]] = []  # problems are reported only once the hash proves the member intact
    max_line = limits.max_record_line_bytes

    def take(raw) -> None:
        nonlocal line_no
        line_no += 1
        if len(raw) > max_line:
            raise BundleRefused("too_large", _("一行记录超过 {n} 字节").format(n=max_line), mem.path)
        try:
            out.append(_parse_line(kind, raw, line_no))
        except RecordProblem as exc:
            local.append((mem.path, _("第{n}行：{e}").format(n=line_no, e=exc)))

    for chunk in chunks:
        n += len(chunk)
        if n > mem.size:
            raise BundleRefused("size_mismatch", _("内容比清单声明的长"), mem.path)
        nl = chunk.find(b"\n")
        if nl < 0:
            pending += chunk
        else:
            # Lines are parsed from views of the chunk: no copy of a (photo-sized) line before decoding it.
            with memoryview(chunk) as view:
                if pending:
                    pending += view[:nl]
                    take(pending)
                    pending = bytearray()
                else:
                    take(view[:nl])
                start = nl + 1
                while (nl := chunk.find(b"\n", start)) >= 0:
                    take(view[start:nl])
                    start = nl + 1
                pending += view[start:]
        if len(pending) > max_line:
            raise BundleRefused("too_large", _("一行记录超过 {n} 字节").format(n=max_line), mem.path)
    if n != mem.size:
        raise BundleRefused("size_mismatch", _("内容比清单声明的短（文件不完整）"), mem.path)
    if h.hexdigest() != mem.sha256:
        raise BundleRefused("hash_mismatch", _("SHA-256校验值与清单不符（内容被改动或损坏）"), mem.path)
    if pending:
        local.append((mem.path, _("最后一行缺少换行符")))
    for m, t in local:
        problems.add(m, t)


def _validated(kind: RecordKind, rec: Incoming):
    outcome = rec.parsed
    if outcome.__class__ is not _Validated:
        return kind.validate(rec.data, rec.id)
    rec.parsed = None
    if outcome.error is not None:
        raise outcome.error
    return outcome.value


def _validate(db: Database, reg: records.Registry, m: Manifest, parsed: dict[str, list[Incoming]], problems) -> None:
    files = {mem.path: mem for mem in m.members if mem.path.startswith(FILES_DIR)}
    referenced: set[str] = set()
    in_bundle: dict[str, set[str]] = {}
    for kind_name, recs in parsed.items():
        kind = reg.get(kind_name)
        member = records_path(kind_name)
        if len(recs) != m.counts.get(kind_name, 0):
            problems.add(member, _("记录数 {a} 与清单的 {b} 不符").format(a=len(recs), b=m.counts.get(kind_name, 0)))
        seen: set[str] = set()
        for rec in recs:
            if rec.id in seen:
                problems.add(member, _("{w}：编号重复").format(w=_where(kind_name, rec.line, rec.id)))
            seen.add(rec.id)
            try:
                rec.parsed = _validated(kind, rec)
            except RecordProblem as exc:
                problems.add(member, f"{_where(kind_name, rec.line, rec.id)}：{exc}")
                continue
            for slot, meta in rec.files.items():
                mem = files.get(meta["path"])
                if mem is None or mem.sha256 != meta["sha256"] or mem.size != meta["size"]:
                    problems.add(
                        member, _("{w}：附件“{s}”与清单不符").format(w=_where(kind_name, rec.line, rec.id), s=slot)
                    )
                referenced.add(meta["path"])
        in_bundle[kind.table_name] = seen
    for path in sorted(set(files) - referenced):
        problems.add(path, _("附件不属于任何记录"))
    if problems.items:
        return
    # References: to a record in this bundle or one already here.
    needed: dict[str, dict[str, tuple[str, Incoming, str]]] = defaultdict(dict)
    for kind_name, recs in parsed.items():
        kind = reg.get(kind_name)
        for rec in recs:
            for table, fld, ref in kind.references(rec.data):
                if ref is None:
                    continue
                if not isinstance(ref, str) or ref not in in_bundle.get(table, ()):
                    needed[table].setdefault(str(ref), (kind_name, rec, fld))
    tables = Base.metadata.tables
    with db.session() as s:
        for table, refs in needed.items():
            t = tables.get(table)
            if t is None:
                continue
            pk = next(iter(t.primary_key.columns))
            present: set[str] = set()
            for chunk in records._chunks(list(refs)):
                present.update(str(v) for v in s.scalars(select(pk).where(pk.in_(chunk))))
            for ref in sorted(set(refs) - present):
                kind_name, rec, fld = refs[ref]
                problems.add(
                    records_path(kind_name),
                    _("{w}：字段“{f}”引用的记录 {r} 不存在（可先导入更早的数据包，或请对方导出完整数据包）").format(
                        w=_where(kind_name, rec.line, rec.id), f=fld, r=ref
                    ),
                )
        if problems.items:
            return
        for kind_name, recs in parsed.items():
            try:
                reg.get(kind_name).check_against(s, recs)
            except RecordProblem as exc:
                problems.add(records_path(kind_name), str(exc))


# ------------------------------------------------------------------ classification and apply
@dataclass
class _Decision:
    rec: Incoming
    outcome: str
    exists: bool
    local: state.State | None
    reason: str = ""  # for conflicts
    duplicate_conflict: bool = False  # the same conflict (same incoming version) is already recorded
    local_id: str | None = None  # for a "duplicate": the local record with the same natural key


def _classify(s: Session, reg: records.Registry, me: str, vb: VerifiedBundle) -> dict[str, list[_Decision]]:
    source_role = vb.manifest.source_role
    out: dict[str, list[_Decision]] = {}
    held_back: dict[str, set[str]] = defaultdict(set)  # table → ids of this bundle that will not be written
    for kind in reg.kinds():
        recs = vb.records.get(kind.name)
        if not recs:
            continue
        decisions = []
        if kind.stateless:
            for rec in recs:
                exists = kind.exists(s, rec.id)
                decisions.append(_Decision(rec, "same" if exists else "added", exists, None))
            out[kind.name] = decisions
            continue
        ids = [r.id for r in recs]
        marks = kind.marks(s, ids)  # which of them exist here, and their change markers: one query for both
        states, dumped = state.refresh(s, kind, me, ids, marks=marks)
        present = set(marks)
        need_local = []
        for rec in recs:
            exists = rec.id in present
            st = states.get(rec.id)
            if not exists:
                decisions.append(_Decision(rec, "added", False, st))
                continue
            if st.hash == rec.hash:
                decisions.append(_Decision(rec, "same", True, st))
                continue
            rel = state.vv_compare(rec.vv, st.vv)
            if rel == state.OLDER:
                decisions.append(_Decision(rec, "older", True, st))
            elif rel == state.NEWER:
                decisions.append(_Decision(rec, "updated", True, st))
                need_local.append(rec.id)
            elif rel == state.CONCURRENT and kind.authority == source_role:
                decisions.append(_Decision(rec, "updated", True, st))
            else:
                decisions.append(_Decision(rec, "conflict", True, st, "concurrent"))
        # A newer copy must still not overwrite an immutable local record (e.g. a completed form).
        if need_local and kind.immutability_rules:
            local = {**dumped, **kind.dump(s, [i for i in need_local if i not in dumped])}
            for d in decisions:
                if d.outcome == "updated" and d.rec.id in local and kind.immutable(s, d.rec.id, local[d.rec.id].data):
                    d.outcome, d.reason = "conflict", "immutable"
        # A new record that is an existing one under another id (same USCC, …): kept as a conflict.
        added = [d for d in decisions if d.outcome == "added"]
        if added:
            dups = kind.duplicates(s, [d.rec for d in added])
            for d in added:
                if d.rec.id in dups:
                    d.outcome, d.reason, d.local_id = "conflict", "duplicate", dups[d.rec.id]
        # A record that needs one held back (its enterprise kept as a duplicate) is held back too.
        if held_back:
            for d in decisions:
                if d.outcome in ("added", "updated") and any(
                    ref in held_back.get(table, ()) for table, _f, ref in kind.references(d.rec.data)
                ):
                    d.outcome, d.reason = "conflict", "blocked"
        known: dict[tuple[str, str], str] = {}
        conflicted = [d.rec.id for d in decisions if d.outcome == "conflict"]
        for chunk in records._chunks(conflicted):
            q = select(Conflict.record_id, Conflict.incoming_hash, Conflict.status).where(
                Conflict.kind == kind.name, Conflict.record_id.in_(chunk)
            )
            for rid, h, status in s.execute(q):
                if known.get((rid, h)) != "open":
                    known[(rid, h)] = status
        for d in decisions:
            if d.outcome != "conflict":
                continue
            if (d.rec.id, d.rec.hash) in known:
                if known[(d.rec.id, d.rec.hash)] == "open":
                    d.duplicate_conflict = True  # already kept, waiting for a person
                elif d.reason in ("duplicate", "blocked"):
                    d.outcome = "older"  # a person already decided about this very version
            if not d.exists:
                held_back[kind.table_name].add(d.rec.id)
        out[kind.name] = decisions
    return out


def _gaps(s: Session, m: Manifest, include: bool) -> list[int]:
    logs = list(
        s.execute(
            select(BundleLog.seq, BundleLog.abandoned).where(
                BundleLog.direction == "in", BundleLog.source == m.source, BundleLog.destination == m.destination
            )
        )
    )
    if include:
        logs.append(SimpleNamespace(seq=m.sequence, abandoned=json.dumps(list(m.abandoned))))
    return missing_numbers(logs)


def _preview_from(vb: VerifiedBundle, reg: records.Registry, decisions, gaps: list[int]) -> Preview:
    kinds, conflicts = [], []
    for kind_name, ds in decisions.items():
        kind = reg.get(kind_name)
        ks = KindSummary(kind_name, kind.label)
        for d in ds:
            ks.counts[d.outcome] += 1
            if d.outcome == "conflict":
                conflicts.append(ConflictInfo(kind_name, kind.label, d.rec.id, kind.title(d.rec.data), d.reason))
        kinds.append(ks)
    m = vb.manifest
    return Preview(
        source=vb.source,
        sequence=m.sequence,
        destination=m.destination,
        created_at=m.created_at,
        encrypted=vb.encrypted,
        full=m.full,
        already_applied=vb.already_applied,
        kinds=kinds,
        conflicts=conflicts,
        gaps=gaps,
        newer_applied=vb.newer_applied,
    )


def preview_bundle(db: Database, vb: VerifiedBundle, key_dir: Path | None = None, registry=None) -> Preview:
    """What applying would do, computed in a transaction that is rolled back."""
    reg = registry or records.registry()
    me = load_identity(db, key_dir).device_id
    if vb.already_applied is not None:
        with db.session() as s:
            return _preview_from(vb, reg, {}, _gaps(s, vb.manifest, True))
    with Session(db.engine) as s:
        try:
            decisions = _classify(s, reg, me, vb)
            gaps = _gaps(s, vb.manifest, True)
        finally:
            s.rollback()
    return _preview_from(vb, reg, decisions, gaps)


class _Context(records.ApplyContext):
    def __init__(self, session: Session, self_id: str, source_id: str, vb: VerifiedBundle):
        self.session, self.self_id, self.source_id = session, self_id, source_id
        self._vb = vb
        self.moved: list[tuple[Path | None, Path]] = []  # (None, written file) for keep()
        self.folders: set[str] = set()

    def staged(self, rec: Incoming, slot: str) -> Path:
        return Path(self._vb.staged[rec.files[slot]["path"]])

    def read(self, rec: Incoming, slot: str) -> bytes:
        path = rec.files[slot]["path"]
        spool = self._vb.spool
        return spool.get(path) if spool is not None and path in spool else self.staged(rec, slot).read_bytes()

    def _folder(self, final: Path) -> None:
        folder = os.path.dirname(final)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        if os.path.lexists(final):
            raise FileExistsError(final)

    def adopt(self, staged: Path, final: Path) -> None:
        self._folder(final)
        try:
            os.rename(staged, final)  # same file system: the usual case, instant
        except OSError:
            shutil.move(staged, final)
        self.moved.append((staged, final))

    def keep(self, rec: Incoming, slot: str, final: Path) -> None:
        """Put an attachment's verified file at `final` (a conflict's copy): moved, or written from the spool."""
        spool = self._vb.spool
        if spool is None or rec.files[slot]["path"] not in spool:
            self.adopt(self.staged(rec, slot), final)
            return
        self._folder(final)
        final.write_bytes(self.read(rec, slot))
        self.moved.append((None, final))

    def undo(self) -> None:
        for staged, final in reversed(self.moved):
            if staged is None:
                final.unlink(missing_ok=True)
                continue
            try:
                shutil.move(final, staged)
            except OSError:
                try:
                    final.unlink()
                except OSError:
                    pass
        self.moved.clear()


def _sync_disk(folders: set[str] | None = None) -> None:
    """Make the moved attachments durable before the commit that refers to them.

    Linux: syncfs() of each file system the files went to (not every disk of the machine, e.g. the USB
    stick being read). Elsewhere os.sync(): everything. Windows: each file was flushed when staged.
    """
    if sys.platform.startswith("linux") and folders:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if hasattr(libc, "syncfs"):
            done: set[int] = set()
            for folder in folders:
                try:
                    dev = os.stat(folder).st_dev
                    if dev in done:
                        continue
                    fd = os.open(folder, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    if libc.syncfs(fd) == 0:
                        done.add(dev)
                finally:
                    os.close(fd)
            if len(done) == len({os.stat(f).st_dev for f in folders if os.path.exists(f)}):
                return
    if hasattr(os, "sync"):
        os.sync()


@dataclass
class ImportResult:
    preview: Preview
    log_id: int | None
    conflict_ids: list[str]

    @property
    def changed(self) -> bool:
        return self.log_id is not None

    def summary_text(self) -> str:
        return self.preview.summary_text()


def apply_bundle(
    db: Database,
    vb: VerifiedBundle,
    *,
    progress: Progress | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> ImportResult:
    """Apply a verified bundle in one transaction. The same bundle again changes nothing and says so."""
    reg = registry or records.registry()
    identity = load_identity(db, key_dir)
    me = identity.device_id
    report = progress or (lambda d, t, m: None)
    m = vb.manifest
    if vb.already_applied is not None:
        with db.session() as s:
            return ImportResult(_preview_from(vb, reg, {}, _gaps(s, m, True)), None, [])
    if not vb.checked:
        raise BundleRefused("format", _("数据包尚未校验"))
    ctx: _Context | None = None
    try:
        with db.session() as s:
            already = _log_status(s, m, vb.manifest_sha256)
            if already is not None:  # applied by someone else since it was verified
                vb.already_applied = already
                return ImportResult(_preview_from(vb, reg, {}, _gaps(s, m, True)), None, [])
            vb.newer_applied = _newer_applied(s, m, reg)
            decisions = _classify(s, reg, me, vb)
            log = BundleLog(
                direction="in",
                source=m.source,
                destination=m.destination,
                seq=m.sequence,
                manifest_sha256=vb.manifest_sha256,
                created_at=m.created_at,
                logged_at=utcnow(),
                full=m.full,
                encrypted=vb.encrypted,
                ordered=any(n and reg.get(k).ordered for k, n in m.counts.items()),
                file_name=vb.path.name[:300],
                counts=json.dumps(m.counts, ensure_ascii=False),
                summary="{}",
                abandoned=json.dumps(list(m.abandoned)),
            )
            s.add(log)
            s.flush()
            ctx = _Context(s, me, m.source, vb)
            conflict_ids: list[str] = []
            seq = state.next_seq(s)
            steps = len(decisions)
            for step, (kind_name, ds) in enumerate(decisions.items()):
                kind = reg.get(kind_name)
                report(step, steps, _("正在写入：{k}").format(k=kind.label))
                writes = [(d.rec, d.exists) for d in ds if d.outcome in ("added", "updated")]
                if kind.stateless:
                    for rec, exists in writes:
                        kind.write(ctx, rec, exists)
                    continue
                if writes:
                    try:
                        kind.write_many(ctx, writes)
                        s.flush()
                    except IntegrityError as exc:
                        raise BundleRefused(
                            "integrity",
                            _("记录与本机已有的数据不相容（{e}）").format(e=str(exc.orig)[:200]),
                            records_path(kind_name),
                        ) from None
                new_marks = kind.marks(s, [r.id for r, _e in writes]) if writes else {}
                inserts, updates = [], []
                for d in ds:
                    rec, st = d.rec, d.local
                    if d.outcome in ("added", "updated"):
                        vv = state.vv_merge(st.vv, rec.vv) if st else dict(rec.vv)
                        new = state.State(new_marks.get(rec.id, ""), vv, rec.hash, seq, m.source, None)
                        seq += 1
                        (updates if st else inserts).append((rec.id, new))
                    elif d.outcome == "same" and st is not None:
                        merged = state.vv_merge(st.vv, rec.vv)
                        if merged != st.vv:
                            st.vv = merged
                            updates.append((rec.id, st))
                    elif d.outcome == "conflict" and not d.duplicate_conflict:
                        conflict_ids.append(_store_conflict(s, kind, d, m, log.id, ctx))
                state.insert_states(s, kind_name, inserts)
                if updates:
                    state.save_states(s, kind_name, updates)
            summary = {k: _count(ds) for k, ds in decisions.items()}
            log.summary = json.dumps(summary, ensure_ascii=False)
            if identity.role == BUREAU and m.source_role == FIELD:
                items = [
                    [k, d.rec.id, d.rec.hash, d.outcome]
                    for k, ds in decisions.items()
                    if not reg.get(k).stateless
                    for d in ds
                ]
                receipts.issue_receipt(
                    s,
                    self_id=me,
                    source=m.source,
                    destination=m.destination,
                    seq=m.sequence,
                    sha=vb.manifest_sha256,
                    items=items,
                )
            s.flush()
            if ctx.moved:
                _sync_disk(ctx.folders)
            gaps = _gaps(s, m, True)
            log_id = log.id
        preview = _preview_from(vb, reg, decisions, gaps)
        preview.applied = True
        report(steps, steps, _("导入完成"))
        return ImportResult(preview, log_id, conflict_ids)
    except BaseException:
        if ctx is not None:
            ctx.undo()
        raise


def _count(ds: list[_Decision]) -> dict[str, int]:
    c = dict.fromkeys(OUTCOMES, 0)
    for d in ds:
        c[d.outcome] += 1
    return c


def _store_conflict(s: Session, kind: RecordKind, d: _Decision, m: Manifest, log_id: int, ctx: _Context) -> str:
    local_id = d.local_id or d.rec.id
    local = kind.dump(s, [local_id]).get(local_id)
    cid = str(uuid.uuid4())
    files_dir = ""
    if d.rec.files:
        target = conflicts_root() / cid
        for slot in d.rec.files:
            ctx.keep(d.rec, slot, target / slot)
        files_dir = str(target)
    s.add(
        Conflict(
            id=cid,
            kind=kind.name,
            record_id=d.rec.id,
            detected_at=utcnow(),
            source=m.source,
            bundle_log_id=log_id,
            reason=d.reason,
            local_hash=d.local.hash if d.local else "",
            local_vv=state.vv_dump(d.local.vv if d.local else {}),
            local_data=canonical_json(
                {
                    "id": local_id,
                    "data": local.data if local else None,
                    "files": _local_files(local),
                    "updated_at": local.updated_at if local else None,
                }
            ).decode(),
            incoming_hash=d.rec.hash,
            incoming_vv=state.vv_dump(d.rec.vv),
            incoming_data=canonical_json(
                {"data": d.rec.data, "files": d.rec.files, "updated_at": d.rec.updated_at}
            ).decode(),
            files_dir=files_dir,
            status="open",
            resolution="",
        )
    )
    return cid


def _local_files(local: records.Dumped | None) -> dict:
    if local is None:
        return {}
    out = {}
    for ref in local.files:
        digest, size = ref.digest()
        out[ref.slot] = {"sha256": digest, "size": size, "name": ref.name}
    return out


def import_bundle(
    db: Database,
    path: str | Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> ImportResult:
    """Verify, then apply in one transaction (CLI `bundle import`)."""
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


def inspect_bundle(
    path: str | Path, *, db: Database | None = None, limits: Limits = DEFAULT_LIMITS, key_dir: Path | None = None
) -> dict:
    """What the bundle says about itself, without checking the signature: the header and the manifest.

    An encrypted bundle's manifest is shown only on the recipient device (`db` given and ours).
    """
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
            body = _open_sealed(arc, opener, SEALED_MANIFEST, crypto.STREAM_MANIFEST, limits.max_manifest_bytes)
        else:
            if MANIFEST not in arc.entries:
                raise BundleRefused("missing_member", _("缺少清单"), MANIFEST)
            body = arc.read_all(MANIFEST, limits.max_manifest_bytes)
        info["manifest"] = parse_manifest(body, limits)
        info["manifest_sha256"] = sha256(body).hexdigest()
        info["members"] = len(arc.entries)
        return info
