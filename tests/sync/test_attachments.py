"""Attachments: a kind registered from outside (the documents work's photos will be one) travels with its
files stored as they are, verified, moved into place inside the import's transaction, kept on conflicts."""

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from inspector_app.core.storage.models import Inspection
from inspector_app.sync import conflicts, registry
from inspector_app.sync.format import BundleRefused

from . import photo_kind


@pytest.fixture
def photos(world):
    reg = registry.registry()
    photo_kind.register(reg)
    for node in world.nodes:
        photo_kind.create_table(node.db)
    yield world
    reg.remove("test_photo")


def rows(node):
    with node.db.session() as s:
        return {r.id: r for r in s.execute(sa.select(photo_kind.photo))}


def test_photos_travel_stored_as_they_are(photos):
    w = photos
    iid = w.start(w.a, {w.items[0]: "conform"})
    blobs = [os.urandom(50_000) for _ in range(3)]
    ids = [photo_kind.add_photo(w.a.db, iid, b, f"现场{n}.jpg") for n, b in enumerate(blobs)]
    plain = w.a.export("plain.ibundle", encrypt=False, full=True)
    assert plain.files == 3 and plain.counts["test_photo"] == 3
    with zipfile.ZipFile(plain.path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert zf.testzip() is None  # a valid zip for other tools too: every CRC checks
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-tq", str(plain.path)], check=True, capture_output=True)
    for pid, blob in zip(ids, blobs, strict=True):
        info = infos[f"files/test_photo/{pid}/photo"]
        assert info.compress_type == zipfile.ZIP_STORED and info.file_size == len(blob)
    assert infos["records/inspection.jsonl"].compress_type == zipfile.ZIP_DEFLATED
    res = w.bureau.import_(plain.path)
    assert res.preview.total("added") == 5  # snapshot, inspection, 3 photos
    enc = w.a.export("enc.ibundle", full=True)
    assert enc.encrypted and w.bureau.import_(enc.path).preview.total("same") == 5
    got = rows(w.bureau)
    for pid, blob in zip(ids, blobs, strict=True):
        assert Path(got[pid].path).read_bytes() == blob
        assert got[pid].file_name.startswith("现场")
    # Forwarded to the other laptop: the bureau's files go along.
    w.b.import_(w.bureau.export(to="31000002").path)
    assert {Path(r.path).read_bytes() for r in rows(w.b).values()} == set(blobs)
    # No staging left behind.
    from inspector_app.sync.staging_folders import staging_root

    assert not any(staging_root().iterdir())


def test_a_failing_apply_leaves_neither_rows_nor_files(photos):
    w = photos
    iid = w.start(w.a)
    photo_kind.add_photo(w.a.db, iid, b"x" * 1000)
    photo_kind.add_photo(w.a.db, iid, b"y" * 1000)
    r = w.a.export()
    kind = registry.registry().get("test_photo")
    calls = []

    def store_then_fail(ctx, rec):
        calls.append(rec.id)
        values = photo_kind._store(ctx, rec)
        if len(calls) == 2:
            raise RuntimeError("disk gone")
        return values

    original = kind._store_files
    kind._store_files = store_then_fail
    try:
        with pytest.raises(RuntimeError):
            w.bureau.import_(r.path)
    finally:
        kind._store_files = original
    assert rows(w.bureau) == {}
    with w.bureau.db.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(sa.table("inspection"))) == 0
    bureau_dir = photo_kind.photo_dir() / w.bureau.id[:8]
    assert not bureau_dir.exists() or not any(bureau_dir.iterdir())
    from inspector_app.sync.staging_folders import staging_root

    assert not any(staging_root().iterdir())
    assert w.bureau.import_(r.path).changed


def test_a_conflicting_photo_keeps_both_files(photos):
    w = photos
    iid = w.start(w.a)
    pid = photo_kind.add_photo(w.a.db, iid, b"original")
    w.bureau.import_(w.a.export().path)
    w.b.import_(w.bureau.export(to="31000002").path)
    for node, data in ((w.a, b"from A"), (w.b, b"from B")):
        path = Path(rows(node)[pid].path)
        new = path.with_name(f"{pid}-{node.name}.jpg")
        new.write_bytes(data)
        import hashlib

        with node.db.session() as s:
            s.execute(
                sa.update(photo_kind.photo)
                .where(photo_kind.photo.c.id == pid)
                .values(
                    path=str(new),
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    rev=photo_kind.photo.c.rev + 1,
                )
            )
    w.bureau.import_(w.a.export().path)
    res = w.bureau.import_(w.b.export().path)
    assert res.preview.total("conflict") == 1
    assert Path(rows(w.bureau)[pid].path).read_bytes() == b"from A"
    [c] = conflicts.list_conflicts(w.bureau.db)
    conflicts.resolve_conflict(w.bureau.db, c.id, conflicts.INCOMING)
    assert Path(rows(w.bureau)[pid].path).read_bytes() == b"from B"


def test_a_photo_changed_on_disk_after_it_was_recorded_is_not_exported(photos):
    w = photos
    iid = w.start(w.a)
    pid = photo_kind.add_photo(w.a.db, iid, b"genuine")
    Path(rows(w.a)[pid].path).write_bytes(b"altered")
    from inspector_app.sync.format import SyncError

    with pytest.raises(SyncError) as exc:
        w.a.export()
    assert "校验值不符" in str(exc.value)
    assert [p for p in w.a.bundles.iterdir()] == []


def test_an_attachment_swapped_inside_the_bundle_is_refused(photos):
    w = photos
    iid = w.start(w.a)
    p1 = photo_kind.add_photo(w.a.db, iid, b"1" * 100)
    p2 = photo_kind.add_photo(w.a.db, iid, b"2" * 100)
    r = w.a.export(encrypt=False)
    with zipfile.ZipFile(r.path) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    a, b = f"files/test_photo/{p1}/photo", f"files/test_photo/{p2}/photo"
    d = dict(members)
    swapped = [(n, d[b] if n == a else d[a] if n == b else v) for n, v in members]
    bad = w.a.bundles / "swapped.ibundle"
    with zipfile.ZipFile(bad, "w") as zf:
        for n, v in swapped:
            zf.writestr(n, v)
    with pytest.raises(BundleRefused) as exc:
        w.bureau.import_(bad)
    assert exc.value.problem == "hash_mismatch" and exc.value.member in (a, b)


def test_kinds_are_discovered_from_kinds_modules(tmp_path, monkeypatch):
    import inspector_app.sync as package

    (tmp_path / "kinds_extra.py").write_text(
        "from tests.sync import photo_kind\n\ndef register(registry):\n    photo_kind.register(registry)\n"
    )
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    reg = registry.discover(registry.builtin_registry())
    assert "test_photo" in reg and "inspection" in reg


def _set_kind(db, iid: str, kind: str) -> None:
    with db.session() as s:
        s.get(Inspection, iid).kind = kind


def test_immutability_rules_can_be_added_by_other_features(world):
    """The documents work will add 'signed' the same way: a predicate on the local record."""
    kind = registry.registry().get("inspection")
    kind.immutability_rules.append(lambda s, rid, data: data.get("kind") == "flight")
    try:
        iid = world.start(world.a)
        _set_kind(world.a.db, iid, "flight")
        world.bureau.import_(world.a.export().path)
        _set_kind(world.a.db, iid, "special")
        res = world.bureau.import_(world.a.export().path)
        assert res.preview.conflicts[0].reason == "immutable"
    finally:
        kind.immutability_rules.pop()


def test_an_import_removes_what_a_killed_import_left_in_staging(photos):
    """A crash between verifying and committing leaves a staging folder (with a spool of up to a gigabyte);
    the next import removes it, and never the folder of an import still running."""
    import subprocess
    import sys

    from inspector_app.sync import staging_folders
    from inspector_app.sync.staging_folders import staging_root

    w = photos
    iid = w.start(w.a)
    photo_kind.add_photo(w.a.db, iid, b"z" * 1000)
    r = w.a.export()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = staging_root() / f"{gone.stdout.strip()}-0123abcd"  # its process has ended
    running = staging_root() / f"{os.getpid()}-4567cdef"  # this process: an import on another thread
    for folder in (dead, running):
        (folder / "00").mkdir(parents=True)
        (folder / "spool").write_bytes(b"s" * 4096)
    staging_folders.ACTIVE_STAGING.add(str(running))  # as a running import registers its folder
    try:
        assert w.bureau.import_(r.path).changed
    finally:
        staging_folders.ACTIVE_STAGING.discard(str(running))
    assert not dead.exists() and (running / "spool").exists()
    shutil.rmtree(running)
