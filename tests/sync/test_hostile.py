"""Hostile and broken bundles (issue 4 §3): every one refused with the problem and the member named, the
database unchanged, no stray files. The malicious zips are built by hand with zipfile and raw bytes."""

import json
import os
import struct
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.core.storage.models import Base
from inspector_app.sync import crypto
from inspector_app.sync.format import (
    FORMAT_VERSION,
    BundleRefused,
    Header,
    Limits,
    Manifest,
    Member,
    b64,
    canonical_json,
)
from inspector_app.sync.keys import revoke_device
from inspector_app.sync.staging_folders import staging_root

# ------------------------------------------------------------------ helpers


def snapshot(node) -> dict:
    with node.db.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def no_stray_files(world) -> None:
    root = staging_root()
    assert not root.exists() or not any(root.iterdir())
    assert sorted(p.name for p in world.bundles_dir.iterdir() if p.name.startswith(".")) == []


def refused(world, path: Path, problem: str, member: str | None = None, *, node=None, limits=None) -> BundleRefused:
    """Import must refuse with `problem`, naming `member`, and change nothing (verify too)."""
    node = node or world.bureau
    before = snapshot(node)
    kwargs = {"limits": limits} if limits else {}
    with pytest.raises(BundleRefused) as exc:
        node.import_(path, **kwargs)
    with pytest.raises(BundleRefused) as exc2:
        node.verify(path, **kwargs)
    assert exc.value.problem == problem, str(exc.value)
    assert exc2.value.problem == problem
    if member is not None:
        assert exc.value.member == member, str(exc.value)
        assert member in str(exc.value)
    assert "未作任何改动" in str(exc.value)
    assert snapshot(node) == before
    no_stray_files(world)
    return exc.value


def write_zip(path: Path, members: list, *, method=zipfile.ZIP_STORED) -> Path:
    """members: (name or ZipInfo, bytes)."""
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def forge(
    path: Path,
    signer,
    destination: str,
    *,
    records: dict | None = None,
    files: dict | None = None,
    seq: int = 1,
    sign_with=None,
    manifest_patch: dict | None = None,
    extra: list | None = None,
    header: bytes | None = None,
    role: str | None = None,
    member_patch: dict | None = None,
) -> Path:
    """A plain bundle written by hand: records {kind: [envelope dicts]}, files {path: bytes}."""
    contents: dict[str, bytes] = {}
    counts = {}
    for kind, recs in (records or {}).items():
        contents[f"records/{kind}.jsonl"] = b"".join(canonical_json(r) + b"\n" for r in recs)
        counts[kind] = len(recs)
    contents.update(files or {})
    from hashlib import sha256

    manifest = Manifest(
        format_version=FORMAT_VERSION,
        app_version="0.1.0",
        source=signer.device_id,
        source_role=role or signer.role,
        source_name=signer.name,
        sequence=seq,
        destination=destination,
        created_at=datetime(2026, 6, 15, 8, 0, 0),
        full=False,
        counts=counts,
        members=tuple(Member(p, len(d), sha256(d).hexdigest()) for p, d in contents.items()),
    ).to_dict()
    manifest.update(manifest_patch or {})
    body = canonical_json(manifest)
    sig = b64(crypto.sign((sign_with or signer).signing, body)).encode()
    members = [
        ("bundle.json", header or Header(FORMAT_VERSION, None).to_bytes()),
        ("manifest.json", body),
        ("manifest.sig", sig),
    ]
    contents.update(member_patch or {})
    members += list(contents.items()) + list(extra or [])
    return write_zip(path, members)


def real_records(world, iid=None) -> dict:
    """A plain bundle from laptop A with one inspection: its record envelopes by kind."""
    world.start(world.a, {world.items[0]: "conform"})
    r = world.a.export("plain.ibundle", encrypt=False)
    out = {}
    with zipfile.ZipFile(r.path) as zf:
        for name in zf.namelist():
            if name.startswith("records/"):
                out[name[8:-6]] = [json.loads(line) for line in zf.read(name).splitlines()]
    r.path.unlink()
    return out


@pytest.fixture
def w(world):
    world.bundles_dir = world.a.bundles
    return world


def good(w) -> Path:
    return w.a.export("good.ibundle", encrypt=False).path


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


# ------------------------------------------------------------------ versions, signatures, devices
def test_future_old_and_wrong_format_version(w):
    recs = real_records(w)
    p = forge(
        w.a.bundles / "v-next.ibundle",
        w.a.identity,
        w.bureau.id,
        records=recs,
        header=canonical_json(
            {"format": "inspector-app-bundle", "format_version": FORMAT_VERSION + 1, "encryption": None}
        ),
    )
    err = refused(w, p, "future_version", "bundle.json")
    assert "请先升级本程序" in str(err)
    # Version 1 carried a photo's copies as base64 in its record: the sender is told to upgrade and resend.
    p = forge(
        w.a.bundles / "v1.ibundle",
        w.a.identity,
        w.bureau.id,
        records=recs,
        header=canonical_json({"format": "inspector-app-bundle", "format_version": 1, "encryption": None}),
        manifest_patch={"format_version": 1},
    )
    err = refused(w, p, "old_version", "bundle.json")
    assert "请发送方升级程序后完整导出" in str(err)
    p = forge(w.a.bundles / "m2.ibundle", w.a.identity, w.bureau.id, records=recs, manifest_patch={"format_version": 9})
    refused(w, p, "future_version", "manifest.json")
    p = forge(
        w.a.bundles / "other.ibundle",
        w.a.identity,
        w.bureau.id,
        records=recs,
        header=canonical_json({"format": "something-else", "format_version": 1, "encryption": None}),
    )
    refused(w, p, "format", "bundle.json")


def test_bad_signature(w):
    recs = real_records(w)
    p = forge(w.a.bundles / "sig.ibundle", w.a.identity, w.bureau.id, records=recs)
    with zipfile.ZipFile(p) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    members = [(n, d.replace(b'"sequence":1', b'"sequence":7') if n == "manifest.json" else d) for n, d in members]
    write_zip(p, members)
    refused(w, p, "bad_signature", "manifest.sig")
    # Signed by another registered device while claiming to be A.
    p = forge(w.a.bundles / "sig2.ibundle", w.a.identity, w.bureau.id, records=recs, sign_with=w.b.identity)
    refused(w, p, "bad_signature", "manifest.sig")


def test_unknown_device(w, tmp_path):
    from inspector_app.core.storage.db import open_database
    from inspector_app.sync.keys import setup_device

    stranger_db = open_database(tmp_path / "stranger.sqlite3")
    try:
        stranger = setup_device(stranger_db, "field", "stranger")
    finally:
        stranger_db.close()
    p = forge(w.a.bundles / "u.ibundle", stranger, w.bureau.id, records=real_records(w))
    err = refused(w, p, "unknown_device", "manifest.json")
    assert "未在本机登记" in str(err)


def test_revoked_device(w):
    r = w.a.export("a1.ibundle")
    revoke_device(w.bureau.db, "31000001", "笔记本遗失")
    err = refused(w, r.path, "revoked_device", "manifest.json")
    assert "笔记本遗失" in str(err)


def test_device_outside_its_validity(w):
    from inspector_app.core.storage.sync_models import Device

    with w.bureau.db.session() as s:
        s.get(Device, w.a.id).valid_until = date(2020, 1, 1)
    refused(w, w.a.export("a1.ibundle").path, "expired_device", "manifest.json")


def test_role_the_register_does_not_give(w):
    p = forge(w.a.bundles / "r.ibundle", w.a.identity, w.bureau.id, records=real_records(w), role="bureau")
    refused(w, p, "bad_role", "manifest.json")


# ------------------------------------------------------------------ members and records
def test_hash_mismatch(w):
    recs = real_records(w)
    p = forge(w.a.bundles / "h.ibundle", w.a.identity, w.bureau.id, records=recs)
    with zipfile.ZipFile(p) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    name = "records/inspection.jsonl"
    members = [(n, d.replace(b"conform", b"CONFORM", 1) if n == name else d) for n, d in members]
    write_zip(p, members)
    refused(w, p, "hash_mismatch", name)


def test_size_mismatch_and_missing_and_extra_members(w):
    recs = real_records(w)
    name = "records/inspection.jsonl"
    p = forge(w.a.bundles / "s.ibundle", w.a.identity, w.bureau.id, records=recs, member_patch={name: b"{}\n"})
    refused(w, p, "size_mismatch", name)
    p = forge(
        w.a.bundles / "x.ibundle", w.a.identity, w.bureau.id, records=recs, extra=[("files/inspection/x/photo", b"1")]
    )
    refused(w, p, "unexpected_member", "files/inspection/x/photo")
    p = forge(w.a.bundles / "m.ibundle", w.a.identity, w.bureau.id, records=recs)
    with zipfile.ZipFile(p) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist() if n != name]
    write_zip(p, members)
    refused(w, p, "missing_member", name)


def test_invalid_records_named_with_member_and_line(w):
    recs = real_records(w)
    bad = json.loads(json.dumps(recs))
    bad["inspection"][0]["data"]["status"] = "archived"
    p = forge(w.a.bundles / "i.ibundle", w.a.identity, w.bureau.id, records=bad)
    err = refused(w, p, "invalid_record", "records/inspection.jsonl")
    assert "第1行" in str(err) and "archived" in str(err)
    bad = json.loads(json.dumps(recs))
    del bad["inspection"][0]["data"]["kind"]
    refused(w, forge(w.a.bundles / "i2.ibundle", w.a.identity, w.bureau.id, records=bad), "invalid_record")
    bad = json.loads(json.dumps(recs))
    bad["inspection"][0]["data"]["enterprise_id"] = "00000000-0000-0000-0000-000000000000"
    err = refused(w, forge(w.a.bundles / "i3.ibundle", w.a.identity, w.bureau.id, records=bad), "invalid_record")
    assert "不存在" in str(err)
    bad = json.loads(json.dumps(recs))
    bad["inspection"][0]["vv"] = {}
    refused(w, forge(w.a.bundles / "i4.ibundle", w.a.identity, w.bureau.id, records=bad), "invalid_record")
    bad = json.loads(json.dumps(recs))
    bad["template_snapshot"][0]["data"]["content"] = bad["template_snapshot"][0]["data"]["content"].replace(
        "证照", "证件", 1
    )
    err = refused(w, forge(w.a.bundles / "i5.ibundle", w.a.identity, w.bureau.id, records=bad), "invalid_record")
    assert "records/template_snapshot.jsonl" in str(err)
    # Tombstones (format 3): only of a kind whose deletions travel, and without attachments.
    bad = json.loads(json.dumps(recs))
    bad["template_snapshot"][0]["data"] = None
    err = refused(w, forge(w.a.bundles / "i6.ibundle", w.a.identity, w.bureau.id, records=bad), "invalid_record")
    assert "不能删除" in str(err)
    bad = json.loads(json.dumps(recs))
    bad["inspection"][0]["data"] = None
    bad["inspection"][0]["files"] = {"x": {"path": "files/inspection/x/x", "sha256": "0" * 64, "size": 1, "name": ""}}
    err = refused(w, forge(w.a.bundles / "i7.ibundle", w.a.identity, w.bureau.id, records=bad), "invalid_record")
    assert "不能带附件" in str(err)
    bad["inspection"][0]["files"] = {}
    v2 = {"manifest_patch": {"format_version": 2}, "header": Header(2, None).to_bytes()}
    p = forge(w.a.bundles / "i8.ibundle", w.a.identity, w.bureau.id, records=bad, **v2)
    assert "格式版本 2 的数据包不能含已删除的记录" in str(refused(w, p, "invalid_record"))


def test_a_line_that_is_not_json(w):
    recs = real_records(w)
    p = forge(w.a.bundles / "j.ibundle", w.a.identity, w.bureau.id, records=recs, member_patch={})
    with zipfile.ZipFile(p) as zf:
        members = dict((n, zf.read(n)) for n in zf.namelist())
    members["records/inspection.jsonl"] += b"{not json\n"
    recs_counts = {"inspection": 2, "template_snapshot": 1}
    from hashlib import sha256

    manifest = json.loads(members["manifest.json"])
    manifest["counts"] = recs_counts
    for m in manifest["members"]:
        m["size"], m["sha256"] = len(members[m["path"]]), sha256(members[m["path"]]).hexdigest()
    members["manifest.json"] = canonical_json(manifest)
    members["manifest.sig"] = b64(crypto.sign(w.a.identity.signing, members["manifest.json"])).encode()
    write_zip(p, list(members.items()))
    err = refused(w, p, "invalid_record", "records/inspection.jsonl")
    assert "第2行" in str(err) and "JSON" in str(err)


def test_unknown_kind_and_kind_not_allowed_from_the_field(w):
    recs = real_records(w)
    p = forge(
        w.a.bundles / "k.ibundle", w.a.identity, w.bureau.id, records={**recs, "spaceship": [recs["inspection"][0]]}
    )
    err = refused(w, p, "unknown_kind", "records/spaceship.jsonl")
    assert "升级" in str(err)
    device = {"id": w.a.id, "vv": {w.a.id: 5}, "updated_at": None, "files": {}, "data": {}}
    p = forge(w.a.bundles / "d.ibundle", w.a.identity, w.bureau.id, records={"device": [device]})
    refused(w, p, "kind_not_allowed", "records/device.jsonl")


def test_field_broadcast_and_wrong_destination(w):
    recs = real_records(w)
    refused(w, forge(w.a.bundles / "b.ibundle", w.a.identity, "*", records=recs), "not_for_us", "manifest.json")
    refused(w, forge(w.a.bundles / "b2.ibundle", w.a.identity, w.b.id, records=recs), "not_for_us", "manifest.json")


def test_tampered_encrypted_bundle(w):
    w.start(w.a, {w.items[0]: "conform"})
    r = w.a.export("enc.ibundle")
    assert r.encrypted
    with zipfile.ZipFile(r.path) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    names = [n for n, _d in members]
    assert "manifest.json" not in names and all(n == "bundle.json" or n.startswith("sealed/") for n in names)
    victim = "sealed/00000000"
    tampered = [(n, (d[:40] + bytes([d[40] ^ 1]) + d[41:]) if n == victim else d) for n, d in members]
    p = write_zip(w.a.bundles / "t.ibundle", tampered)
    err = refused(w, p, "decrypt_failed")
    assert err.member.startswith("files/") or err.member.startswith("records/")
    tampered = [(n, (d[:20] + bytes([d[20] ^ 1]) + d[21:]) if n == "sealed/manifest" else d) for n, d in members]
    refused(w, write_zip(w.a.bundles / "t2.ibundle", tampered), "decrypt_failed", "sealed/manifest")
    # Swapping chunks between members, or truncating one, fails the same way.
    sealed = dict(members)
    swapped = [(n, sealed["sealed/signature"] if n == "sealed/manifest" else d) for n, d in members]
    refused(w, write_zip(w.a.bundles / "t3.ibundle", swapped), "decrypt_failed", "sealed/manifest")


def test_a_photo_without_its_copies_or_with_an_oversized_copy_is_refused(w):
    import io
    from hashlib import sha256

    from PIL import Image

    from inspector_app.core.inspection import photos

    iid = w.start(w.a, {w.items[0]: "conform"})
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    photos.add_photo(w.a.db, iid, w.items[0], buf.getvalue(), filename="现场.jpg")
    r = w.a.export("photo.ibundle", encrypt=False)
    with zipfile.ZipFile(r.path) as zf:
        recs = {n[8:-6]: [json.loads(x) for x in zf.read(n).splitlines()] for n in zf.namelist() if n[:8] == "records/"}
        files = {n: zf.read(n) for n in zf.namelist() if n.startswith("files/")}
    r.path.unlink()
    # without its thumbnail (neither the reference nor the member)
    bad = json.loads(json.dumps(recs))
    gone = bad["photo"][0]["files"].pop("thumbnail")["path"]
    p = forge(w.a.bundles / "p1.ibundle", w.a.identity, w.bureau.id, records=bad,
              files={n: d for n, d in files.items() if n != gone})  # fmt: skip
    err = refused(w, p, "invalid_record", "records/photo.jsonl")
    assert "应带有原件、缩略图和打印件" in str(err)
    # a "thumbnail" of 2 MiB, honestly hashed and signed
    bad = json.loads(json.dumps(recs))
    meta = bad["photo"][0]["files"]["thumbnail"]
    huge = b"\xff\xd8" + bytes(2 * 1024**2)
    meta.update(size=len(huge), sha256=sha256(huge).hexdigest())
    p = forge(w.a.bundles / "p2.ibundle", w.a.identity, w.bureau.id, records=bad, files={**files, meta["path"]: huge})
    err = refused(w, p, "invalid_record", "records/photo.jsonl")
    assert "缩略图或打印件过大" in str(err)
