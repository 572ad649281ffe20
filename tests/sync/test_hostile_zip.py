"""Hostile zips (issue 4 §3): unsafe or duplicate member names, links, encryption, limits and zip bombs — every
one refused with the problem and the member named, the database unchanged, no stray files. The malicious
zips are built by hand with zipfile and raw bytes."""

import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from inspector_app.sync.format import (
    FORMAT_VERSION,
    Header,
    Limits,
)
from tests.sync.hostile_helpers import good, refused, write_zip


# ------------------------------------------------------------------ names
@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "records/../../evil",
        "/etc/passwd",
        "C:/Windows/evil.dll",
        "c:evil",
        "records\\evil.jsonl",
        "records//x.jsonl",
        "./records/x",
        "records/x\x01",
        "records/",
        "files/nul",
        "files/a. ",
    ],
)
def test_unsafe_member_names(w, name):
    path = write_zip(
        w.a.bundles / "bad.ibundle", [("bundle.json", Header(FORMAT_VERSION, None).to_bytes()), (name, b"x")]
    )
    refused(w, path, "unsafe_name", name)


def test_symlink_member(w):
    info = zipfile.ZipInfo("records/link.jsonl")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    path = write_zip(
        w.a.bundles / "bad.ibundle", [("bundle.json", Header(FORMAT_VERSION, None).to_bytes()), (info, b"/etc/passwd")]
    )
    refused(w, path, "symlink", "records/link.jsonl")


def test_windows_reparse_point_member(w):
    info = zipfile.ZipInfo("files/x")
    info.external_attr = 0x400
    path = write_zip(w.a.bundles / "bad.ibundle", [(info, b"x")])
    refused(w, path, "symlink", "files/x")


@pytest.mark.parametrize(
    "first,second",
    [
        ("records/inspection.jsonl", "records/inspection.jsonl"),
        ("records/inspection.jsonl", "Records/Inspection.JSONL"),
        ("files/caf\u00e9", "files/cafe\u0301"),  # NFC vs NFD
    ],
)
def test_duplicate_member_names(w, first, second):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the exact duplicate
        path = write_zip(
            w.a.bundles / "bad.ibundle",
            [("bundle.json", Header(FORMAT_VERSION, None).to_bytes()), (first, b"1"), (second, b"2")],
        )
    refused(w, path, "duplicate", second)


def test_local_header_name_differs_from_the_directory(w):
    path = write_zip(
        w.a.bundles / "bad.ibundle",
        [("bundle.json", Header(FORMAT_VERSION, None).to_bytes()), ("records/aaaa.jsonl", b"x")],
    )
    raw = bytearray(path.read_bytes())
    at = raw.index(b"PK\x03\x04" + raw[4:4])  # first local header
    at = raw.index(b"records/aaaa.jsonl")  # the local header's copy comes first
    raw[at : at + 18] = b"../../aaaaaa.jsonl"
    path.write_bytes(bytes(raw))
    refused(w, path, "header_mismatch", "records/aaaa.jsonl")


def test_zip_encryption_and_unknown_compression(w):
    path = write_zip(w.a.bundles / "bad.ibundle", [("bundle.json", Header(FORMAT_VERSION, None).to_bytes())])
    raw = bytearray(path.read_bytes())
    cd = raw.index(b"PK\x01\x02")
    raw[cd + 8] |= 0x1  # general purpose flag: encrypted
    path.write_bytes(bytes(raw))
    refused(w, path, "format", "bundle.json")
    raw[cd + 8] &= ~0x1
    raw[cd + 10 : cd + 12] = struct.pack("<H", 14)  # LZMA
    path.write_bytes(bytes(raw))
    refused(w, path, "format", "bundle.json")


# ------------------------------------------------------------------ limits and zip bombs
def test_more_members_than_the_limit_refused_before_parsing(w):
    path = write_zip(w.a.bundles / "bad.ibundle", [(f"files/k/x/s{i}", b"") for i in range(30)])
    refused(w, path, "too_many", limits=Limits(max_members=20))


def test_more_bytes_than_the_limit(w):
    path = write_zip(w.a.bundles / "bad.ibundle", [(f"files/k/x/s{i}", b"x" * 1000) for i in range(5)])
    refused(w, path, "too_large", "files/k/x/s2", limits=Limits(max_total_bytes=2500))
    refused(w, path, "too_large", "files/k/x/s0", limits=Limits(max_member_bytes=999))


def test_the_limits_are_the_settings_and_a_refusal_says_where_to_raise_them(w):
    from inspector_app.core import settings

    settings.update(w.bureau.db, {"bundle.max_files": "100"})
    many = write_zip(w.a.bundles / "many.ibundle", [(f"files/k/x/s{i}", b"") for i in range(120)])
    err = str(refused(w, many, "too_many"))
    assert "文件数超过上限 100（实际 120）" in err and "设置 → 数据包" in err
    settings.update(w.bureau.db, {"bundle.max_files": "200000", "bundle.max_file_mb": "1"})
    big = write_zip(w.a.bundles / "big.ibundle", [("files/k/x/s0", b"x" * (1024**2 + 1))])
    # One byte over: both round to 1.0 MB, so the message gives the bytes.
    assert "文件大小超过上限 1,048,576 字节（实际 1,048,577 字节）" in str(refused(w, big, "too_large", "files/k/x/s0"))
    settings.update(w.bureau.db, {"bundle.max_file_mb": "4096", "bundle.max_total_mb": "1"})
    two = write_zip(w.a.bundles / "two.ibundle", [(f"files/k/x/s{i}", b"x" * 700_000) for i in range(2)])
    assert "解压后总大小超过上限 1 MB" in str(refused(w, two, "too_large", "files/k/x/s1"))


def test_zip_bomb_by_compression_ratio(w):
    path = w.a.bundles / "bomb.ibundle"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bundle.json", Header(FORMAT_VERSION, None).to_bytes())
        with zf.open("records/inspection.jsonl", "w") as f:
            block = b"\0" * (1024 * 1024)
            for _ in range(16):
                f.write(block)
    err = refused(w, path, "zip_bomb", "records/inspection.jsonl")
    assert "压缩炸弹" in str(err)


def _lying_bomb(path: Path, real: int, declared: int) -> Path:
    """A deflated bundle.json whose directory declares `declared` bytes but inflates to `real`."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = comp.compress(b"{" + b" " * (real - 1)) + comp.flush()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bundle.json", b"{}")
    raw = bytearray(path.read_bytes())
    # Rebuild by hand: local header + data + central directory with the lie.
    name = b"bundle.json"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(data), declared, len(name), 0) + name
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            0,
            len(data),
            declared,
            len(name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name
    )
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    raw = local + data + central + eocd
    path.write_bytes(raw)
    return path


def test_zip_bomb_that_lies_about_its_size_is_stopped_while_inflating(w):
    path = _lying_bomb(w.a.bundles / "bomb.ibundle", real=24 * 1024 * 1024, declared=1000)
    refused(w, path, "zip_bomb", "bundle.json")


def _local(name: bytes, data: bytes) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(data), len(data), len(data), len(name), 0
        )
        + name
    )


def _central(name: bytes, data: bytes, offset: int) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0,
            zlib.crc32(data),
            len(data),
            len(data),
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + name
    )


def test_overlapping_entries_bomb(w):
    """The overlapping-entries zip bomb: one entry's data contains another entry, read twice over."""
    inner_name, outer_name = b"files/k/x/s1", b"files/k/x/s0"
    inner = _local(inner_name, b"\0" * 1000) + b"\0" * 1000
    outer = _local(outer_name, inner) + inner
    central = _central(outer_name, inner, 0) + _central(inner_name, b"\0" * 1000, 30 + len(outer_name))
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 2, 2, len(central), len(outer), 0)
    path = w.a.bundles / "overlap.ibundle"
    path.write_bytes(outer + central + eocd)
    err = refused(w, path, "zip_bomb", "files/k/x/s1")
    assert "重叠" in str(err)
    # Many directory entries pointing at the very same local header: caught as well.
    central = b"".join(_central(b"files/k/x/s%d" % i, b"\0" * 1000, 0) for i in range(3))
    body = _local(b"files/k/x/s0", b"\0" * 1000) + b"\0" * 1000
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 3, 3, len(central), len(body), 0)
    path.write_bytes(body + central + eocd)
    refused(w, path, "header_mismatch", "files/k/x/s1")


def test_truncated_archives(w):
    data = good(w).read_bytes()
    for n, cut in enumerate((len(data) // 2, len(data) - 10, 30)):
        p = w.a.bundles / f"cut{n}.ibundle"
        p.write_bytes(data[:cut])
        refused(w, p, "truncated")
    (w.a.bundles / "good.ibundle").unlink()


def test_not_a_zip_and_empty_file(w):
    p = w.a.bundles / "junk.ibundle"
    p.write_bytes(os.urandom(5000))
    refused(w, p, "truncated")
    p.write_bytes(b"")
    refused(w, p, "truncated")
