"""Checks of the zip container, before a byte of content is trusted.

In this order, each refusal naming the problem and the member (BundleRefused.problem in brackets):
1. the end-of-central-directory record, read by hand before zipfile parses anything: missing or pointing
   past the end of the file [truncated]; more entries or a larger directory than the limits [too_many];
   split archives [format];
2. every entry of the central directory: unsafe names — `..`, absolute, drive letters, backslashes,
   control characters, Windows device names [unsafe_name]; symlinks and other special files [symlink];
   zip encryption, unknown compression [format]; declared sizes over the limits [too_large]; compression
   ratios typical of zip bombs [zip_bomb]; duplicate names, including case, separator and Unicode
   normalisation variants [duplicate];
3. every local header: where the central directory says, with the same name [header_mismatch], and no two
   entries overlapping (the overlapping-entries zip bomb) [zip_bomb];
4. while reading: members are read from the checked offsets with their declared sizes, inflating in
   bounded steps; more bytes than declared [zip_bomb], fewer or a damaged stream [damaged].
"""

from __future__ import annotations

import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from inspector_app.i18n import _
from inspector_app.sync.format import DEFAULT_LIMITS, SEALED_DIR, BundleRefused, Limits, over_limit

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_LOCAL = b"PK\x03\x04"
_WIN_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")
_SEALED_CONTENT = re.compile(re.escape(SEALED_DIR) + r"[0-9]{8}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    name: str
    size: int  # declared uncompressed size
    compressed: int
    method: int
    data_offset: int  # where the member's (compressed) bytes start in the file


def _eocd(f, file_size: int, limits: Limits) -> tuple[int, int, int]:
    """(entries, central directory size, central directory offset) from the end records."""
    tail_len = min(file_size, 22 + 65535)
    f.seek(file_size - tail_len)
    tail = f.read(tail_len)
    pos = tail.rfind(_EOCD)
    while pos >= 0 and pos + 22 > len(tail):
        pos = tail.rfind(_EOCD, 0, pos)
    if pos < 0:
        raise BundleRefused("truncated", _("文件不完整或不是数据包（找不到zip目录，可能复制中断）"))
    disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _comment = struct.unpack("<HHHHIIH", tail[pos + 4 : pos + 22])
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise BundleRefused("format", _("不支持分卷的zip文件"))
    eocd_at = file_size - tail_len + pos
    if n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        loc_at = eocd_at - 20
        if loc_at < 0:
            raise BundleRefused("truncated", _("zip64目录不完整"))
        f.seek(loc_at)
        loc = f.read(20)
        if loc[:4] != _EOCD64_LOCATOR:
            raise BundleRefused("truncated", _("zip64目录不完整"))
        (rec_at,) = struct.unpack("<Q", loc[8:16])
        if rec_at + 56 > loc_at:
            raise BundleRefused("truncated", _("zip64目录位置无效"))
        f.seek(rec_at)
        rec = f.read(56)
        if rec[:4] != _EOCD64:
            raise BundleRefused("truncated", _("zip64目录不完整"))
        n_total, cd_size, cd_offset = struct.unpack("<QQQ", rec[32:56])
        eocd_at = rec_at
    if n_total > limits.max_members:
        raise BundleRefused("too_many", over_limit(_("文件数"), limits.max_members, n_total, unit="files"))
    if cd_size > limits.max_central_directory_bytes:
        raise BundleRefused("too_many", _("zip目录过大（{n} 字节）").format(n=cd_size))
    if cd_offset + cd_size > eocd_at:
        raise BundleRefused("truncated", _("文件不完整（zip目录超出文件末尾，可能复制中断）"))
    return n_total, cd_size, cd_offset


def name_problem(name: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why a member name is unsafe, or None."""
    if not name:
        return _("成员名为空")
    if len(name.encode("utf-8", "surrogatepass")) > limits.max_name_bytes:
        return _("成员名过长")
    if _CONTROL.search(name):
        return _("成员名含控制字符")
    if "\\" in name:
        return _("成员名含反斜杠（Windows路径分隔符）")
    if name.startswith("/"):
        return _("成员名是绝对路径")
    if _DRIVE.match(name):
        return _("成员名含盘符")
    if name.endswith("/"):
        return _("不允许目录成员")
    for part in name.split("/"):
        if part in ("", ".", ".."):
            return _("成员名含“..”或空路径段（路径穿越）") if part == ".." else _("成员名含空路径段或“.”")
        if part != part.rstrip(" ."):
            return _("成员名的路径段以空格或点结尾")
        if _WIN_RESERVED.match(part):
            return _("成员名含Windows设备名")
    return None


def _name_key(name: str) -> str:
    """Names that a file system could take for the same file map to the same key."""
    key = unicodedata.normalize("NFC", name.replace("\\", "/")).casefold()
    key = unicodedata.normalize("NFC", key)
    return "/".join(p for p in key.split("/") if p not in ("", "."))


def _special(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return _("成员是符号链接")
    if kind and kind != stat.S_IFREG:
        return _("成员是目录或特殊文件")
    dos = info.external_attr & 0xFFFF
    if dos & 0x10:
        return _("成员是目录")
    if dos & 0x400:
        return _("成员是Windows重解析点（链接）")
    return None


class SafeArchive:
    """A zip whose container passed every check; members are read from the checked offsets only."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        self._f = open(self.path, "rb")
        try:
            self.entries = self._check()
        except BaseException:
            self._f.close()
            raise

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check(self) -> dict[str, Entry]:
        limits = self.limits
        f = self._f
        size = os.fstat(f.fileno()).st_size
        if size < 22:
            raise BundleRefused("truncated", _("文件不完整（过短），不是有效的数据包"))
        n, _cd_size, cd_offset = _eocd(f, size, limits)
        f.seek(0)
        try:
            zf = zipfile.ZipFile(f)
            infos = zf.infolist()
        except (zipfile.BadZipFile, zlib.error, ValueError, struct.error, EOFError, OSError) as exc:
            raise BundleRefused("damaged", _("zip目录已损坏：{e}").format(e=exc)) from None
        if len(infos) != n:
            raise BundleRefused("damaged", _("zip目录的成员数与记录不符"))
        seen: dict[str, str] = {}
        total = 0
        for info in infos:
            name = info.orig_filename
            problem = name_problem(name, limits)
            if problem:
                raise BundleRefused("unsafe_name", problem, name)
            special = _special(info)
            if special:
                raise BundleRefused("symlink", special, name)
            if info.flag_bits & 0x1:
                raise BundleRefused("format", _("成员使用了zip加密（本程序的数据包不使用）"), name)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise BundleRefused("format", _("不支持的压缩方式 {m}").format(m=info.compress_type), name)
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise BundleRefused("damaged", _("未压缩成员的大小记录不一致"), name)
            # An encrypted bundle's content is judged against the size limits by its manifest, which names it,
            # before a byte of it is read (verify_manifest.member_layout: its size here must be the manifest's, sealed).
            if not _SEALED_CONTENT.fullmatch(name):
                if info.file_size > limits.max_member_bytes:
                    raise BundleRefused(
                        "too_large", over_limit(_("文件大小"), limits.max_member_bytes, info.file_size), name
                    )
                total += info.file_size
                if total > limits.max_total_bytes:
                    raise BundleRefused("too_large", over_limit(_("解压后总大小"), limits.max_total_bytes), name)
            if info.file_size > limits.ratio_floor and (
                info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
            ):
                raise BundleRefused(
                    "zip_bomb",
                    _("压缩比 {r:.0f}:1 异常（疑似压缩炸弹）").format(r=info.file_size / max(1, info.compress_size)),
                    name,
                )
            key = _name_key(name)
            if key in seen:
                raise BundleRefused(
                    "duplicate", _("成员名与“{o}”重复（大小写、分隔符或Unicode变体）").format(o=seen[key]), name
                )
            seen[key] = name
        return self._check_local_headers(infos, cd_offset)

    def _check_local_headers(self, infos: list[zipfile.ZipInfo], cd_offset: int) -> dict[str, Entry]:
        f = self._f
        entries: dict[str, Entry] = {}
        spans = []
        for info in infos:
            f.seek(info.header_offset)
            head = f.read(30)
            if len(head) < 30 or head[:4] != _LOCAL:
                raise BundleRefused("damaged", _("成员的本地文件头缺失或损坏"), info.orig_filename)
            flags = struct.unpack("<H", head[6:8])[0]
            n_len, x_len = struct.unpack("<HH", head[26:30])
            raw = f.read(n_len)
            local = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
            if local != info.orig_filename:
                raise BundleRefused(
                    "header_mismatch",
                    _("本地文件头中的名称“{l}”与目录中的不同").format(l=local[:80]),
                    info.orig_filename,
                )
            start = info.header_offset + 30 + n_len + x_len
            end = start + info.compress_size
            if end > cd_offset:
                raise BundleRefused("truncated", _("成员数据超出文件范围（文件不完整）"), info.orig_filename)
            spans.append((info.header_offset, end, info.orig_filename))
            entries[info.orig_filename] = Entry(
                info.orig_filename, info.file_size, info.compress_size, info.compress_type, start
            )
        spans.sort()
        for (_s1, e1, n1), (s2, _e2, n2) in pairwise(spans):
            if s2 < e1:
                raise BundleRefused("zip_bomb", _("成员与“{o}”的数据重叠（疑似压缩炸弹）").format(o=n1), n2)
        return entries

    def read(self, name: str, max_bytes: int | None = None) -> Iterator[bytes]:
        """The member's bytes in chunks, never more than declared (nor than `max_bytes`)."""
        e = self.entries[name]
        limit = e.size if max_bytes is None else min(e.size, max_bytes)
        if e.size > limit:
            raise BundleRefused("too_large", _("成员大小超过该类成员的限制"), name)
        f = self._f
        f.seek(e.data_offset)
        if e.method == zipfile.ZIP_STORED:
            left = e.size
            while left:
                chunk = f.read(min(READ_CHUNK, left))
                if not chunk:
                    raise BundleRefused("truncated", _("成员数据不完整"), name)
                left -= len(chunk)
                yield chunk
            return
        d = zlib.decompressobj(-15)
        left_in, produced = e.compressed, 0
        pos = e.data_offset
        try:
            while not d.eof:
                if d.unconsumed_tail:
                    data = d.unconsumed_tail
                else:
                    if left_in == 0:
                        break
                    f.seek(pos)
                    data = f.read(min(64 * 1024, left_in))
                    if not data:
                        raise BundleRefused("truncated", _("成员数据不完整"), name)
                    left_in -= len(data)
                    pos += len(data)
                out = d.decompress(data, READ_CHUNK)
                produced += len(out)
                if produced > e.size:
                    raise BundleRefused("zip_bomb", _("解压出的数据超过声明的大小（疑似压缩炸弹）"), name)
                if out:
                    yield out
        except zlib.error as exc:
            raise BundleRefused("damaged", _("压缩数据已损坏：{e}").format(e=exc), name) from None
        if not d.eof or produced != e.size:
            raise BundleRefused("damaged", _("压缩数据不完整或与声明的大小不符"), name)

    def read_all(self, name: str, max_bytes: int) -> bytes:
        e = self.entries[name]
        if e.size > max_bytes:
            raise BundleRefused("too_large", _("成员大小 {n} 字节超过限制 {m}").format(n=e.size, m=max_bytes), name)
        return b"".join(self.read(name, max_bytes))

    def reader(self, name: str) -> Callable[[int], bytes]:
        """A read(n) function over the member (for chunked decryption)."""
        e = self.entries[name]
        if e.method == zipfile.ZIP_STORED:
            # Sealed members are stored: read each block straight from its checked offset (one copy, not
            # three through a buffer), never past the declared size.
            f = self._f
            pos, left = e.data_offset, e.size

            def read_stored(n: int) -> bytes:
                nonlocal pos, left
                n = min(n, left)
                if n <= 0:
                    return b""
                f.seek(pos)
                data = f.read(n)
                if len(data) != n:
                    raise BundleRefused("truncated", _("成员数据不完整"), name)
                pos += n
                left -= n
                return data

            return read_stored
        it = self.read(name)
        buf = bytearray()

        def read(n: int) -> bytes:
            while len(buf) < n:
                try:
                    buf.extend(next(it))
                except StopIteration:
                    break
            out = bytes(buf[:n])
            del buf[:n]
            return out

        return read


def open_archive(path: Path, limits: Limits = DEFAULT_LIMITS) -> SafeArchive:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise BundleRefused("missing", _("找不到文件“{p}”").format(p=path)) from None
    except OSError as exc:
        raise BundleRefused("missing", _("无法读取“{p}”：{e}").format(p=path, e=exc.strerror or exc)) from None
    if stat.S_ISDIR(mode):
        raise BundleRefused("missing", _("“{p}”是文件夹，不是数据包").format(p=path))
    if not stat.S_ISREG(mode):  # a FIFO or a device: reading it would wait forever
        raise BundleRefused("missing", _("“{p}”不是普通文件（可能是管道或设备），不是数据包").format(p=path))
    try:
        return SafeArchive(path, limits)
    except FileNotFoundError:
        raise BundleRefused("missing", _("找不到文件“{p}”").format(p=path)) from None
    except IsADirectoryError:
        raise BundleRefused("missing", _("“{p}”是文件夹，不是数据包").format(p=path)) from None
