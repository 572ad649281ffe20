"""Inputs that exhaust or crash (issue 13 §4), on the sync side: each built at test time from a real export,
each refused with a Chinese reason, the database unchanged, no stray staging files."""

import errno
import json
import os
import sqlite3

import pytest

from inspector_app.sync import import_guard, members
from inspector_app.sync.format import BundleRefused, SyncError
from inspector_app.sync.staging_folders import staging_root
from tests.sync.hostile_helpers import forge, no_stray_files, real_records, refused, snapshot

DEEP = "[" * 50_000 + "]" * 50_000


def test_deeply_nested_manifest_is_refused_before_the_signature(w):
    world = w
    path = forge(world.bundles_dir / "deep.ibundle", world.a.identity, world.bureau.id)
    import zipfile

    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in items:
            z.writestr(name, DEEP.encode() if name == "manifest.json" else data)
    exc = refused(world, path, "format", "manifest.json")
    assert "嵌套" in str(exc)


@pytest.mark.parametrize(
    "bad, reason",
    [
        (DEEP, "嵌套"),
        ('{"id": "a", "n": ' + "9" * 5000 + "}", "整数"),
        ('{"id": "\\ud800"}', "代理字符"),
    ],
)
def test_a_records_line_that_would_crash_is_refused(w, bad, reason):
    world = w
    path = forge(world.bundles_dir / "line.ibundle", world.a.identity, world.bureau.id, records={"inspection": []})
    import zipfile

    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    # the same manifest, now over a records member that holds the hostile line
    body = (bad + "\n").encode()
    from hashlib import sha256

    from inspector_app.sync import crypto
    from inspector_app.sync.format import b64, canonical_json

    manifest = json.loads(dict(items)["manifest.json"])
    manifest["members"] = [{"path": "records/inspection.jsonl", "size": len(body), "sha256": sha256(body).hexdigest()}]
    manifest["counts"] = {"inspection": 1}
    signed = canonical_json(manifest)
    sig = b64(crypto.sign(world.a.identity.signing, signed)).encode()
    replaced = {"manifest.json": signed, "manifest.sig": sig, "records/inspection.jsonl": body}
    with zipfile.ZipFile(path, "w") as z:
        for name, data in items:
            z.writestr(name, replaced.get(name, data))
    exc = refused(world, path, "invalid_record", "records/inspection.jsonl")
    assert reason in str(exc)


def test_a_date_far_in_the_future_is_refused_at_the_border(w):
    recs = real_records(w)
    recs["inspection"][0]["data"]["inspected_on"] = "9999-12-20"  # every deadline computed from it overflows
    path = forge(w.bundles_dir / "future.ibundle", w.a.identity, w.bureau.id, records=recs)
    exc = refused(w, path, "invalid_record")
    assert "9999-12-20" in str(exc) and "2100" in str(exc)


def test_a_fifo_or_a_folder_is_refused_without_waiting(world, tmp_path):
    fifo = tmp_path / "pipe.ibundle"
    os.mkfifo(fifo)
    with pytest.raises(BundleRefused) as exc:
        world.bureau.import_(fifo)
    assert "管道或设备" in str(exc.value)
    with pytest.raises(BundleRefused) as exc:
        world.bureau.import_(tmp_path)
    assert "文件夹" in str(exc.value)


def test_full_disk_while_staging_is_refused_and_leaves_nothing(w, monkeypatch):
    from inspector_app.core.inspection import photos

    world = w
    iid = world.start(world.a, {world.items[0]: "conform"})
    for n in range(3):
        photos.add_photo(world.a.db, iid, world.items[0], _jpeg(n), filename=f"现场{n}.jpg")
    out = world.a.export(full=True, encrypt=False)
    before = snapshot(world.bureau)
    real_write = os.write
    root = str(staging_root())

    def write(fd, data):  # the disk fills up under the staging folder, as with 300 KB left
        if os.readlink(f"/proc/self/fd/{fd}").startswith(root):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(members.os, "write", write)
    with pytest.raises(SyncError) as exc:
        world.bureau.import_(out.path)
    monkeypatch.setattr(members.os, "write", real_write)
    assert "磁盘空间不足" in str(exc.value) and "数据库没有改动" in str(exc.value)
    assert snapshot(world.bureau) == before
    no_stray_files(world)
    assert world.bureau.import_(out.path).changed  # with room again, the same bundle goes in


def test_a_database_held_by_another_writer_is_waited_for_then_refused(w, monkeypatch, sqlite_only):
    world = w
    world.start(world.a, {world.items[0]: "conform"})
    out = world.a.export(full=True, encrypt=False)
    before = snapshot(world.bureau)
    monkeypatch.setattr(import_guard, "LOCK_ATTEMPTS", 2)
    monkeypatch.setattr(import_guard, "LOCK_PAUSE_SECONDS", 0.01)
    other = sqlite3.connect(world.bureau.path, timeout=0)
    other.execute("PRAGMA busy_timeout=0")
    world.bureau.db.engine.dispose()
    con = world.bureau.db.engine.raw_connection()  # the import waits busy_timeout; shorten it for the test
    con.close()
    other.execute("BEGIN IMMEDIATE")  # another import, mid-write
    try:
        from sqlalchemy import event

        def short_wait(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA busy_timeout=50")

        event.listen(world.bureau.db.engine, "connect", short_wait)
        world.bureau.db.engine.dispose()
        with pytest.raises(SyncError) as exc:
            world.bureau.import_(out.path)
        assert "另一次导入" in str(exc.value) and "数据库没有改动" in str(exc.value)
    finally:
        other.rollback()
        other.close()
    assert snapshot(world.bureau) == before
    no_stray_files(world)
    assert world.bureau.import_(out.path).changed  # once the other writer is done


def test_leftover_staging_of_this_process_goes_at_the_next_import(w):
    world = w
    world.start(world.a, {world.items[0]: "conform"})
    out = world.a.export(full=True, encrypt=False)
    left = staging_root() / f"{os.getpid()}-leftover"
    (left / "00").mkdir(parents=True)
    (left / "spool").write_bytes(b"x" * 1000)
    world.bureau.import_(out.path)
    assert not left.exists()
    no_stray_files(world)


def _jpeg(seed: int) -> bytes:
    import io

    from PIL import Image

    img = Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3) if seed >= 0 else b"")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()
