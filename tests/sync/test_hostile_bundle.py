"""Hostile and broken bundles (issue 4 §3): wrong versions, signatures and devices, members and records that
do not match the manifest — every one refused with the problem and the member named, the database
unchanged, no stray files."""

import json
import zipfile
from datetime import date

from inspector_app.sync import crypto
from inspector_app.sync.format import (
    FORMAT_VERSION,
    Header,
    b64,
    canonical_json,
)
from inspector_app.sync.keys import revoke_device
from tests.sync.hostile_helpers import forge, real_records, refused, write_zip


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
