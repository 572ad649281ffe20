"""Writing a bundle's file (step 2 of sync/export.py): the zip, sealed member by member when encrypted,
written to a temporary `.part` file next to the target, flushed, fsynced and renamed over the target name.

Also the temporary files of exports that were killed: named after their process, removed by the next export
to that folder (cleanup_stale_temp), and pid_alive, which sync/staging_folders.py uses the same way.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from inspector_app import __version__
from inspector_app.core.files import fsync_dir
from inspector_app.core.storage.models import utcnow
from inspector_app.i18n import _
from inspector_app.sync import crypto, records
from inspector_app.sync.format import (
    FORMAT_VERSION,
    HEADER,
    MANIFEST,
    NO_TOMBSTONES_VERSION,
    SEALED_MANIFEST,
    SEALED_SIGNATURE,
    SIGNATURE,
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
    if ref.load is not None:  # kept in a server database: hashed as read, checked against the record's
        loaded = ref.load()
        return loaded, sha256(loaded).hexdigest(), len(loaded)
    if ref.path is None:
        raise ValueError(f"attachment {ref.slot!r} has neither bytes nor a path")
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


def write_bundle(
    out, identity, reg, dest, label, seq, chosen, full, recipient, report, check, abandoned
) -> ExportResult:
    """Write the chosen records (sync/export_select.py) and their attachments to `out`: step 2 of an export."""
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
            # typeshed's _ZipWritable asks for close(), which ZipFile never calls on a file object it was given.
            with zipfile.ZipFile(_AppendOnly(raw), "w", allowZip64=True) as zf:  # type: ignore[call-overload]
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
        destination_label=label,
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
