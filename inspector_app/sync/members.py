"""Reading a bundle's members for verify.py, each streamed once with bounded memory.

Stored (or sealed, decrypted on the reading thread) attachments are hashed and staged on two worker
threads; those a kind keeps in its rows go into one spool file. A records member is inflated or decrypted
and hashed on a read-ahead thread while the calling thread splits, parses and validates its lines: zlib,
hashlib and file I/O release the GIL.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from inspector_app.core.problems import Problems
from inspector_app.core.safe_input import load_json
from inspector_app.i18n import _
from inspector_app.sync import records
from inspector_app.sync.format import (
    Buffer,
    BundleRefused,
    Limits,
    file_path,
    is_safe_id,
    is_sha256,
    is_slot_name,
)
from inspector_app.sync.records import Incoming, RecordKind, RecordProblem

_MAX_PROBLEMS = 10


@dataclass(frozen=True)
class _Validated:
    """The outcome of kind.validate() for a record, computed while its member was read."""

    value: object
    error: Exception | None


def _parse_line(kind: RecordKind, raw, line_no: int) -> Incoming:
    """One record line (bytes, bytearray or a memoryview of the member's chunk): its envelope checked, its
    data validated by the kind and hashed. A bad envelope raises RecordProblem; the outcome of validate()
    is kept in `parsed` for validate_records(), which reports it in its own order (so what is refused, and how it
    is worded, does not depend on this being done early, while a worker inflates the next chunks)."""
    try:
        env = load_json(raw, bounded_ints=False)  # integers: checked per column by records.py
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
    if data is None:  # a tombstone: the record was deleted where it comes from (records.DELETED)
        if not kind.deletable:
            raise RecordProblem(_("“{k}”类记录不能删除").format(k=kind.label))
        if files != {}:
            raise RecordProblem(_("已删除的记录不能带附件"))
        return Incoming(kind.name, rid, vv, None, {}, upd, records.DELETED, line_no, _Validated(None, None))
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


MemberProblems = Problems[tuple[str, str]]  # each (member of the bundle, what is wrong in it)


def member_problems() -> MemberProblems:
    """The problems of a bundle's records; the first _MAX_PROBLEMS are kept."""
    return Problems(lambda member, text: (member, text), limit=_MAX_PROBLEMS)


def refuse_if_any(problems: MemberProblems) -> None:
    if problems.errors:
        first_member = problems.errors[0][0]
        lines = "；".join(f"{m}：{t}" for m, t in problems.errors)
        raise BundleRefused("invalid_record", _("记录无效：{l}").format(l=lines), first_member)


def where(kind: str, rec_line: int, rid: str | None = None) -> str:
    who = f"，编号 {rid}" if rid else ""
    return _("第{n}行{who}").format(n=rec_line, who=who)


def read_file(chunks, mem, target: str | None) -> None:
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


HAND_OFF_BYTES = 16 * 1024**2  # sealed attachments up to this size are hashed and staged on the workers
_HAND_OFF_QUEUED = 16 * 1024**2  # at most this many decrypted bytes wait for a worker (memory reused)


class Stager:
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

    def _from_bundle(self, mem, offset: int, target: str | Spool | None) -> None:
        f = self._handle()
        f.seek(offset)
        buf = getattr(self._local, "buf", None)
        if buf is None:
            buf = self._local.buf = Buffer()  # this thread's, reused from member to member
        data = buf.view(mem.size)
        if f.readinto(data) != mem.size:
            raise BundleRefused("truncated", _("成员数据不完整"), mem.path)
        _check_and_write(data, mem, target)

    def submit(self, mem, offset: int, target: str | Spool | None) -> None:
        self._pending.append((self._pool.submit(self._from_bundle, mem, offset, target), 0))

    def submit_data(self, data: bytes, mem, target: str | Spool | None) -> None:
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


def inline(reg: records.Registry, path: str) -> bool:
    """An attachment whose kind keeps it in the database (files/<kind>/<id>/<slot>)."""
    parts = path.split("/")
    kind = reg.get(parts[1]) if len(parts) == 4 else None
    return kind is not None and parts[3] in kind.inline_slots


class Spool:
    """The verified attachments that go into database rows (a photo's thumbnail and print copy), appended to
    one file of the staging folder: thousands of small files to create, read back and delete cost more than
    the bytes (measured in bench_sync.py: ≈ 1 s for 2,000 copies). Written by the stager's threads."""

    def __init__(self, path: Path):
        self._f = open(path, "w+b")  # closed by VerifiedBundle.discard()
        self._lock = threading.Lock()
        self._offsets: dict[str, tuple[int, int]] = {}

    def put(self, key: str, data: bytes | memoryview) -> None:
        with self._lock:
            offset = self._f.seek(0, os.SEEK_END)
            self._f.write(data)
            self._offsets[key] = (offset, len(data))

    def __contains__(self, key: str) -> bool:
        return key in self._offsets

    def get(self, key: str) -> bytes:
        offset, size = self._offsets[key]
        with self._lock:
            self._f.seek(offset)
            return self._f.read(size)

    def close(self) -> None:
        # Emptied before closing: a truncated file's pages are dropped, not written back. Otherwise the sync
        # before the import's commit (staging.sync_disk) would write the spool's bytes (a photo's copies:
        # 127 KB each) to disk only to delete them (measured in bench_sync.py: ≈ 0.5 s of 1 s for 5,000).
        if not self._f.closed:
            self._f.truncate(0)
        self._f.close()


def _check_and_write(data: bytes | memoryview, mem, target: str | Spool | None) -> None:
    if len(data) != mem.size:
        raise BundleRefused("size_mismatch", _("内容与清单声明的大小不符"), mem.path)
    if sha256(data).hexdigest() != mem.sha256:
        raise BundleRefused("hash_mismatch", _("SHA-256校验值与清单不符（内容被改动或损坏）"), mem.path)
    if isinstance(target, Spool):
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


def read_records(chunks, mem, kind: RecordKind, limits: Limits, out: list[Incoming], problems: MemberProblems) -> None:
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


def _split_records(
    chunks, h, mem, kind: RecordKind, limits: Limits, out: list[Incoming], problems: MemberProblems
) -> None:
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
    problems.extend(local)


def validated(kind: RecordKind, rec: Incoming):
    outcome = rec.parsed
    if outcome.__class__ is not _Validated:
        assert rec.data is not None, "a tombstone is read with its outcome (_Validated(None, None))"
        return kind.validate(rec.data, rec.id)
    rec.parsed = None
    if outcome.error is not None:
        raise outcome.error
    return outcome.value
