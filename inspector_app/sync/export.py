"""Writing a bundle: choose the records, write a temporary file next to the target, sync it, rename it.

Three short steps, so the UI's database worker is never blocked for long:
1. one write transaction brings the sync state up to date with local edits, reserves the next sequence
   number of the destination's stream and serialises the chosen records;
2. outside any transaction the zip is written to `.<name>.<pid>.<random>.part` in the target folder
   (attachments read ahead on a worker thread, hashed once, stored as they are), flushed and fsynced;
   renamed over the target name, and the folder fsynced;
3. one write transaction records what was sent (the stream's high-water mark, the bundle log, receipts).

A kill or a full disk during step 2 leaves no `.ibundle` (only a `.part` file, removed by the next export
to that folder); a cancel or an error removes the `.part` file at once and gives the sequence number back.
A kill between the rename and step 3 leaves a complete bundle and sends its records again next time,
which the receiver recognises as the same versions.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from sqlalchemy import delete, select

from inspector_app import __version__
from inspector_app.core.files import fsync_dir
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.device_keys import Identity
from inspector_app.core.storage.models import utcnow
from inspector_app.core.storage.sync_models import BUREAU, FIELD, BundleLog, Device, Outbox
from inspector_app.i18n import _
from inspector_app.sync import crypto, receipts, records, state
from inspector_app.sync.format import (
    BROADCAST,
    FORMAT_VERSION,
    HEADER,
    MANIFEST,
    NO_TOMBSTONES_VERSION,
    SEALED_MANIFEST,
    SEALED_SIGNATURE,
    SIGNATURE,
    SUFFIX,
    Buffer,
    Cancelled,
    Header,
    Manifest,
    Member,
    SyncError,
    b64,
    canonical_json,
    file_path,
    records_path,
    sealed_path,
)
from inspector_app.sync.keys import find_device, load_identity
from inspector_app.sync.registry import registry as shared_registry

Progress = Callable[[int, int, str], None]
_TEMP = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.part$")
_STALE_SECONDS = 3600
_BIG = 64 * 1024**2  # files above this are streamed in chunks instead of read whole


@dataclass(frozen=True)
class ExportResult:
    path: Path
    destination: str
    destination_label: str
    sequence: int
    counts: dict[str, int]
    files: int
    bytes: int
    encrypted: bool
    full: bool
    manifest_sha256: str
    created_at: datetime
    deleted: dict[str, int] = field(default_factory=dict)  # of `counts`: tombstones (records deleted here)

    @property
    def records(self) -> int:
        return sum(n for k, n in self.counts.items() if k != "receipt")

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


@dataclass
class _Selected:
    kind: records.RecordKind
    dumped: records.Dumped
    vv: dict[str, int]


def resolve_destination(session, identity: Identity, to: str | None) -> tuple[str, Device | None]:
    """The destination stream: a registered device, or BROADCAST (bureau only)."""
    if to is None or not to.strip():
        if identity.role == BUREAU:
            return BROADCAST, None
        bureaus = [
            d
            for d in session.query(Device).filter(Device.role == BUREAU, Device.revoked_at.is_(None))
            if d.id != identity.device_id
        ]
        if not bureaus:
            raise SyncError(_("尚未登记区局的公钥：请先导入区局提供的 .ibkey 文件（命令 devices register）。"))
        if len(bureaus) > 1:
            raise SyncError(_("登记了多个区局设备，请用 --to 指明发往哪一个。"))
        return bureaus[0].id, bureaus[0]
    to = to.strip()
    if to in (BROADCAST, "all", "全部"):
        if identity.role == FIELD:
            raise SyncError(_("现场检查终端的数据包须发给区局（或指定设备），不能群发。"))
        return BROADCAST, None
    dev = find_device(session, to)
    if dev.id == identity.device_id:
        raise SyncError(_("不能发给本机自己。"))
    if dev.revoked_at is not None:
        raise SyncError(_("设备“{d}”已被吊销，不能再向它发送数据。").format(d=dev.inspector_name or dev.name or dev.id))
    return dev.id, dev


def _label(dest: str, dev: Device | None) -> str:
    if dev is None:
        return _("全部设备")
    return dev.inspector_name or dev.name or dev.id[:8]


def suggest_file_name(db: Database, to: str | None = None, key_dir: Path | None = None) -> str:
    identity = load_identity(db, key_dir)
    with db.session() as s:
        dest, _dev = resolve_destination(s, identity, to)
        box = s.get(Outbox, dest)
        seq = (box.last_seq if box else 0) + 1
    target = "all" if dest == BROADCAST else dest[:8]
    return f"{identity.role}-{identity.device_id[:8]}-to-{target}-{seq:04d}{SUFFIX}"


# ------------------------------------------------------------------ temp files
def pid_alive(pid: int) -> bool:
    """Whether a process runs (True where that cannot be told: Windows decides by a file's age)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return True  # decided by age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup_stale_temp(folder: Path) -> int:
    """Remove `.part` files left by an export that was killed (its process is gone, or an hour passed)."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    now = time.time()
    for name in names:
        m = _TEMP.match(name)
        if not m:
            continue
        p = folder / name
        try:
            age = now - p.stat().st_mtime
            if int(m.group(1)) != os.getpid() and (not pid_alive(int(m.group(1))) or age > _STALE_SECONDS):
                p.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def _write_error(exc: OSError, path: Path) -> SyncError:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return SyncError(_("写入“{p}”失败：磁盘空间不足。未生成数据包，也未作任何改动。").format(p=path))
    return SyncError(_("写入“{p}”失败：{e}。未生成数据包，也未作任何改动。").format(p=path, e=exc.strerror or exc))


# ------------------------------------------------------------------ selection (step 1)
def _select(session, identity: Identity, reg: records.Registry, dest: str, full: bool):
    box = session.get(Outbox, dest)
    if box is None:
        box = Outbox(destination=dest, last_seq=0, sent_upto=0)
        session.add(box)
    seq = box.last_seq + 1
    box.last_seq = seq
    sent_upto = 0 if full else box.sent_upto
    me = identity.device_id
    # Numbers reserved by exports that never finished (killed before they were logged): declared in this
    # manifest, so that the receiver does not wait for them forever.
    logged = set(
        session.scalars(
            select(BundleLog.seq).where(
                BundleLog.direction == "out", BundleLog.source == me, BundleLog.destination == dest
            )
        )
    )
    abandoned = tuple(n for n in range(1, seq) if n not in logged)
    chosen: dict[str, list[_Selected]] = {}
    all_states: dict[str, dict[str, state.State]] = {}
    receipt_ids: list[str] = []
    for kind in reg.sendable(identity.role):
        if kind.stateless:
            if kind.name == "receipt" and dest != BROADCAST:
                receipt_ids = receipts.pending_receipts(session, dest)
                dumped = kind.dump(session, receipt_ids) if receipt_ids else {}
                chosen[kind.name] = [_Selected(kind, d, {}) for d in dumped.values()]
            continue
        states, dumped = state.refresh(session, kind, me)
        all_states[kind.name] = states
        ids = []
        for rid, st in states.items():
            if st.changed_seq <= sent_upto or st.source == dest:
                continue
            if identity.role == FIELD and kind.field_sends_edited_only and me not in st.vv:
                continue
            ids.append(rid)
        missing = [rid for rid in ids if rid not in dumped]
        if missing:
            dumped.update(kind.dump(session, missing))
        sels = []
        for rid in sorted(ids):
            if rid in dumped:
                sels.append(_Selected(kind, dumped[rid], states[rid].vv))
            elif states[rid].hash == records.DELETED and kind.deletable:  # deleted after it was synced: a tombstone
                sels.append(_Selected(kind, records.Dumped(rid, None, [], None, records.DELETED), states[rid].vv))
        chosen[kind.name] = sels
    # Records that others need to make sense (template snapshots of the inspections sent) go along.
    for kind in reg.sendable(identity.role):
        for sel in list(chosen.get(kind.name, [])):
            if sel.dumped.data is None:
                continue
            for table, _field, ref in kind.references(sel.dumped.data):
                target = reg.for_table(table)
                if target is None or not target.include_when_referenced or target.name not in all_states:
                    continue
                have = {x.dumped.id for x in chosen.setdefault(target.name, [])}
                if ref in have or ref not in all_states[target.name]:
                    continue
                d = target.dump(session, [ref]).get(ref)
                if d is not None:
                    chosen[target.name].append(_Selected(target, d, all_states[target.name][ref].vv))
    high = state.next_seq(session) - 1
    return seq, abandoned, chosen, high, receipt_ids


def _release(db: Database, dest: str, seq: int) -> None:
    """Give back a reserved sequence number after a cancel or failure (unless another export used the next)."""
    try:
        with db.session() as s:
            box = s.get(Outbox, dest)
            if box is not None and box.last_seq == seq:
                box.last_seq = seq - 1
    except Exception:
        pass


# ------------------------------------------------------------------ writing (step 2)
def _zinfo(name: str, when, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, when.hour, when.minute, when.second))
    info.compress_type = method
    info.create_system = 3
    info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    return info


_WRITE_BUFFER = 4 * 1024**2


class _AppendOnly:
    """The bundle file as zipfile sees it: written straight through, never sought.

    On a file it can seek, zipfile goes back after every member to fill in its CRC and size, and each seek
    flushes the buffer: about seven system calls a member, 100,000 for a bundle of 5,000 photos. Unable to
    seek, it writes a data descriptor after each member instead (bit 3, APPNOTE 4.3.9), and the members
    go out in buffer-sized writes. Readers take sizes from the central directory (sync/hostile.py)."""

    def __init__(self, f):
        self._f = f
        self._pos = f.tell()

    def write(self, data) -> int:
        n = self._f.write(data)
        self._pos += n
        return n

    def tell(self) -> int:
        return self._pos

    def seek(self, *args):
        raise OSError("append only")

    def flush(self) -> None:
        self._f.flush()


def _read_and_hash(ref: records.FileRef, buf: Buffer) -> tuple[bytes | memoryview | None, str, int]:
    """Read a small attachment (a file: into `buf`, reused from file to file) and hash it; a large one (None)
    is streamed by _Writer.add_big."""
    if ref.data is not None:
        if ref.sha256 is not None:
            return ref.data, ref.sha256, len(ref.data)  # from the database, hashed as the kind dumped it
        return ref.data, sha256(ref.data).hexdigest(), len(ref.data)
    try:
        with open(ref.path, "rb", buffering=0) as f:
            size = os.fstat(f.fileno()).st_size
            if size > _BIG:
                return None, "", size
            data = buf.view(size)
            if f.readinto(data) != size or f.read(1):
                raise SyncError(_("附件“{p}”在导出期间被改动，请重试。").format(p=ref.path))
    except FileNotFoundError:
        raise SyncError(_("附件文件“{p}”不存在，无法导出；请从备份恢复该文件。").format(p=ref.path)) from None
    return data, sha256(data).hexdigest(), size


class _Writer:
    def __init__(self, zf: zipfile.ZipFile, sealer: crypto.Sealer | None, when):
        self.zf, self.sealer, self.when = zf, sealer, when
        self.members: list[Member] = []
        self._sealed, self.read_buffer = Buffer(), Buffer()  # reused from member to member

    def add(self, path: str, data: bytes | memoryview, digest: str | None = None, compress: bool = False) -> Member:
        digest = digest or sha256(data).hexdigest()
        member = Member(path, len(data), digest)
        index = len(self.members)
        self.members.append(member)
        if self.sealer is not None:
            sealed = self.sealer.seal_into(crypto.STREAM_FIRST_MEMBER + index, data, self._sealed)
            self.zf.writestr(_zinfo(sealed_path(index), self.when, zipfile.ZIP_STORED), sealed)
        elif compress:
            self.zf.writestr(_zinfo(path, self.when, zipfile.ZIP_DEFLATED), data, compresslevel=1)
        else:
            self.zf.writestr(_zinfo(path, self.when, zipfile.ZIP_STORED), data)
        return member

    def add_big(self, path: str, source: Path, expected: str | None) -> Member:
        """Stream a large file: hashed, (sealed) and written chunk by chunk."""
        size = os.path.getsize(source)
        index = len(self.members)
        name = sealed_path(index) if self.sealer else path
        info = _zinfo(name, self.when, zipfile.ZIP_STORED)
        info.file_size = crypto.sealed_size(size, self.sealer.chunk_size) if self.sealer else size
        h = sha256()
        cs = self.sealer.chunk_size if self.sealer else 1024 * 1024
        n_chunks = max(1, -(-size // cs))
        done = 0
        with open(source, "rb") as src, self.zf.open(info, "w", force_zip64=True) as dest:
            for j in range(n_chunks):
                chunk = src.read(cs)
                done += len(chunk)
                h.update(chunk)
                if self.sealer:
                    chunk = self.sealer.seal_chunk(crypto.STREAM_FIRST_MEMBER + index, j, chunk, j == n_chunks - 1)
                dest.write(chunk)
            if done != size or src.read(1):
                raise SyncError(_("附件“{p}”在导出期间被改动，请重试。").format(p=source))
        digest = h.hexdigest()
        if expected and expected != digest:
            raise SyncError(_("附件“{p}”与记录的校验值不符（文件已被改动或损坏）。").format(p=source))
        member = Member(path, size, digest)
        self.members.append(member)
        return member


def export_bundle(
    db: Database,
    out: str | Path,
    *,
    to: str | None = None,
    full: bool = False,
    encrypt: bool | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> ExportResult:
    """Export everything new for `to` since the last bundle to it (or everything, `full`)."""
    out = Path(out)
    reg = registry or shared_registry()
    identity = load_identity(db, key_dir)
    if out.exists() and not overwrite:
        raise SyncError(_("文件“{p}”已存在，请换一个文件名。").format(p=out))
    if not out.parent.is_dir():
        raise SyncError(_("文件夹“{p}”不存在。").format(p=out.parent))
    check = cancelled or (lambda: False)
    report = progress or (lambda done, total, text: None)

    with db.session() as s:
        dest, dev = resolve_destination(s, identity, to)
        if encrypt is None:
            encrypt = identity.role == FIELD and dest != BROADCAST
        if encrypt and dev is None:
            raise SyncError(_("加密的数据包只能发给一台指定的设备。"))
        recipient = (dev.id, dev.encryption_key) if (encrypt and dev is not None) else None
        report(0, 1, _("正在整理要导出的记录…"))
        seq, abandoned, chosen, high, receipt_ids = _select(s, identity, reg, dest, full)
    try:
        if check():
            raise Cancelled()
        result = _write(out, identity, reg, dest, dev, seq, chosen, full, recipient, report, check, abandoned)
    except BaseException:
        _release(db, dest, seq)
        raise
    counts = result.counts
    with db.session() as s:
        box = s.get(Outbox, dest)
        box.sent_upto = max(box.sent_upto, high)
        box.last_export_at = utcnow()
        # A device restored from an old backup may number a bundle again: the log keeps the latest.
        s.execute(
            delete(BundleLog).where(
                BundleLog.direction == "out",
                BundleLog.source == identity.device_id,
                BundleLog.destination == dest,
                BundleLog.seq == seq,
            )
        )
        s.add(
            BundleLog(
                direction="out",
                source=identity.device_id,
                destination=dest,
                seq=seq,
                manifest_sha256=result.manifest_sha256,
                created_at=result.created_at,
                full=full,
                encrypted=recipient is not None,
                ordered=any(reg.get(k).ordered for k, n in counts.items() if n and reg.get(k)),
                file_name=out.name,
                counts=json.dumps(counts, ensure_ascii=False),
                summary="{}",
            )
        )
        receipts.mark_sent(s, receipt_ids)
    return result


def _write(out, identity, reg, dest, dev, seq, chosen, full, recipient, report, check, abandoned) -> ExportResult:
    created = utcnow().replace(microsecond=0)
    sealer = crypto.Sealer(recipient[0], recipient[1]) if recipient else None
    cleanup_stale_temp(out.parent)
    tmp = out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.part"
    file_jobs = [(sel, ref) for kind in reg.kinds() for sel in chosen.get(kind.name, []) for ref in sel.dumped.files]
    total = len(file_jobs) + len(chosen) + 2
    done = 0
    tombstones = any(sel.dumped.data is None for sels in chosen.values() for sel in sels)
    version = FORMAT_VERSION if tombstones else NO_TOMBSTONES_VERSION
    try:
        with open(tmp, "xb", buffering=_WRITE_BUFFER) as raw:
            with zipfile.ZipFile(_AppendOnly(raw), "w", allowZip64=True) as zf:
                zf.writestr(
                    _zinfo(HEADER, created, zipfile.ZIP_STORED),
                    Header(version, sealer.encryption if sealer else None).to_bytes(),
                )
                w = _Writer(zf, sealer, created)
                file_meta: dict[tuple[str, str], dict[str, dict]] = {}
                # All on this thread: a read-ahead worker thread was measured slower (benchmarks/bench_sync.py):
                # the zip writer and AES-GCM hold the GIL, and handing it back and forth costs more than it saves.
                for sel, ref in file_jobs:
                    if check():
                        raise Cancelled()
                    data, digest, _size = _read_and_hash(ref, w.read_buffer)
                    path = file_path(sel.kind.name, sel.dumped.id, ref.slot)
                    if data is None:
                        member = w.add_big(path, Path(ref.path), ref.sha256)
                    else:
                        if ref.sha256 and ref.sha256 != digest:
                            raise SyncError(
                                _("附件“{p}”与记录的校验值不符（文件已被改动或损坏）。").format(p=ref.path or path)
                            )
                        member = w.add(path, data, digest)
                    file_meta.setdefault((sel.kind.name, sel.dumped.id), {})[ref.slot] = {
                        "path": path,
                        "sha256": member.sha256,
                        "size": member.size,
                        "name": ref.name,
                    }
                    done += 1
                    if done % 50 == 0 or done == len(file_jobs):
                        report(done, total, _("正在写入附件 {n}/{t}").format(n=done, t=len(file_jobs)))
                counts: dict[str, int] = {}
                for kind in reg.kinds():
                    sels = chosen.get(kind.name, [])
                    if not sels:
                        continue
                    if check():
                        raise Cancelled()
                    lines = []
                    for sel in sels:
                        d = sel.dumped
                        env = {
                            "id": d.id,
                            "vv": sel.vv,
                            "updated_at": d.updated_at,
                            "data": d.data,
                            "files": file_meta.get((kind.name, d.id), {}),
                        }
                        lines.append(canonical_json(env))
                    w.add(records_path(kind.name), b"\n".join(lines) + b"\n", compress=True)
                    counts[kind.name] = len(sels)
                    done += 1
                    report(done, total, _("正在写入记录：{k}").format(k=kind.label))
                manifest = Manifest(
                    format_version=version,
                    app_version=__version__,
                    source=identity.device_id,
                    source_role=identity.role,
                    source_name=identity.name,
                    sequence=seq,
                    destination=dest,
                    created_at=created,
                    full=full,
                    counts=counts,
                    members=tuple(w.members),
                    abandoned=abandoned,
                )
                body = manifest.to_bytes()
                signature = b64(crypto.sign(identity.signing, body)).encode()
                if sealer:
                    zf.writestr(
                        _zinfo(SEALED_MANIFEST, created, zipfile.ZIP_STORED), sealer.seal(crypto.STREAM_MANIFEST, body)
                    )
                    zf.writestr(
                        _zinfo(SEALED_SIGNATURE, created, zipfile.ZIP_STORED),
                        sealer.seal(crypto.STREAM_SIGNATURE, signature),
                    )
                else:
                    zf.writestr(_zinfo(MANIFEST, created, zipfile.ZIP_STORED), body)
                    zf.writestr(_zinfo(SIGNATURE, created, zipfile.ZIP_STORED), signature)
            raw.flush()
            os.fsync(raw.fileno())
        if check():
            raise Cancelled()
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except OSError as exc:
        _unlink(tmp)
        raise _write_error(exc, out) from exc
    except BaseException:
        _unlink(tmp)
        raise
    report(total, total, _("导出完成"))
    return ExportResult(
        path=out,
        destination=dest,
        destination_label=_label(dest, dev),
        sequence=seq,
        counts=counts,
        deleted={k: n for k, sels in chosen.items() if (n := sum(1 for sel in sels if sel.dumped.data is None))},
        # what the user counts as files: a photo's thumbnail and print copy are parts of its record
        files=sum(1 for sel, ref in file_jobs if ref.slot not in sel.kind.inline_slots),
        bytes=out.stat().st_size,
        encrypted=sealer is not None,
        full=full,
        manifest_sha256=sha256(body).hexdigest(),
        created_at=created,
    )


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
