"""Crash leftovers of an import (issue 13 §4): photos an import moved into photos/ and never committed are
removed by the next import, and nothing else is — not a photo a record refers to, not an original kept as
evidence after its photo was removed from a record. An idempotent re-import leaves no staging folder.

The laptop and the bureau keep their files in data folders of their own here (as two computers do): with one
shared folder every photo the bureau imports would already be on disk, and no import would move a file."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from inspector_app.core.inspection import photos
from inspector_app.core.storage.docs_models import Photo
from inspector_app.sync.leftovers import PLACED, read_journal
from inspector_app.sync.staging_folders import staging_root

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("import_child.py")


def _jpeg(seed: int) -> bytes:
    from PIL import Image

    img = Image.frombytes("RGB", (64, 48), bytes((seed * 37 + i) % 251 for i in range(64 * 48 * 3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _original(data: bytes) -> Path:
    from hashlib import sha256

    return photos.original_path(sha256(data).hexdigest(), "jpg")


def _staging_left() -> list[Path]:
    root = staging_root()
    return sorted(root.iterdir()) if root.exists() else []


@pytest.fixture
def two_homes(world, tmp_path, monkeypatch, sqlite_only):  # photo files in the bureau's data folder
    """The laptop's data folder (the tests' default) and the bureau's (keys copied: both need them)."""
    from inspector_app import paths

    laptop = paths.data_dir()
    bureau = tmp_path / "bureau-data"
    shutil.copytree(laptop / "keys", bureau / "keys")

    def at(where: str) -> None:
        monkeypatch.setenv(paths.ENV_DATA_DIR, str(laptop if where == "laptop" else bureau))

    world.at = at
    return world


@pytest.fixture
def crashed(two_homes):
    """The laptop's three bundles, the first two imported at the bureau; the third carries new photos."""
    w = two_homes
    w.at("laptop")
    iid = w.start(w.a, {w.items[0]: "conform"})
    kept, evidence, new1, new2 = (_jpeg(n) for n in range(4))
    photos.add_photo(w.a.db, iid, w.items[0], kept, filename="仓库.jpg")
    removed = photos.add_photo(w.a.db, iid, w.items[0], evidence, filename="标签.jpg")
    b1 = w.a.export(full=True, encrypt=False).path
    photos.remove_photo(w.a.db, removed.id)  # removed from the record the normal way: its original stays
    b2 = w.a.export(encrypt=False).path
    photos.add_photo(w.a.db, iid, w.items[1], new1, filename="新1.jpg")
    photos.add_photo(w.a.db, iid, w.items[1], new2, filename="新2.jpg")
    b3 = w.a.export(encrypt=False).path
    w.at("bureau")
    assert w.bureau.import_(b1).changed and w.bureau.import_(b2).changed
    assert _original(kept).exists() and _original(evidence).exists()  # the evidence stays at the bureau too
    w.files = {"kept": kept, "evidence": evidence, "new1": new1, "new2": new2}
    w.bundles_ = (b1, b2, b3)
    return w


def _run_child_until_stopped(w, bundle: Path, mode: str) -> None:
    """Import `bundle` at the bureau in another process; SIGKILL it where `mode` says it stopped."""
    from inspector_app import paths

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(w.bureau.path), str(paths.data_dir()), str(bundle), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "STOPPED", line + child.stderr.read()
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL


def _photo_rows(w) -> set[str]:
    with w.bureau.db.session() as s:
        return set(s.scalars(select(Photo.sha256)))


def test_photos_moved_by_an_import_killed_before_its_commit_go_at_the_next_import(crashed):
    w = crashed
    b1, _b2, b3 = w.bundles_
    f = w.files
    rows = _photo_rows(w)
    _run_child_until_stopped(w, b3, "before-commit")
    # What the kill left: the new photos' originals in photos/, no row for them, the staging folder and its
    # journal naming exactly those two files (not the ones that were there before).
    assert _original(f["new1"]).exists() and _original(f["new2"]).exists()
    assert _photo_rows(w) == rows
    (left,) = _staging_left()
    assert sorted(read_journal(left)) == sorted([_original(f["new1"]), _original(f["new2"])])

    # The next import (here the first bundle again, which has nothing left to do) cleans up.
    assert not w.bureau.import_(b1).changed
    assert not _original(f["new1"]).exists() and not _original(f["new2"]).exists()
    assert _original(f["kept"]).exists()  # a record refers to it
    assert _original(f["evidence"]).exists()  # removed from its record, kept as evidence
    assert _staging_left() == []
    assert _photo_rows(w) == rows

    # The killed bundle itself then goes in whole, its photos with it.
    assert w.bureau.import_(b3).changed
    assert _original(f["new1"]).exists() and _original(f["new2"]).exists()
    assert _photo_rows(w) >= {_original(f[k]).stem for k in ("new1", "new2", "kept")}
    assert _staging_left() == []


def test_an_import_killed_after_its_commit_loses_none_of_its_photos(crashed):
    w = crashed
    _b1, b2, b3 = w.bundles_
    f = w.files
    _run_child_until_stopped(w, b3, "after-commit")
    (left,) = _staging_left()
    assert (left / PLACED).exists()  # the journal is still there: the kill came before the clean-up
    assert not w.bureau.import_(b2).changed
    assert _staging_left() == []
    for k in ("new1", "new2", "kept", "evidence"):
        assert _original(f[k]).exists(), k
    assert {_original(f[k]).stem for k in ("new1", "new2")} <= _photo_rows(w)


def test_a_killed_import_does_not_take_an_evidence_file_it_found_in_place(two_homes):
    """The killed bundle carries a photo whose original is already here, kept as evidence of a removed photo:
    the import did not place it, so it is not in the journal and the clean-up leaves it."""
    w = two_homes
    w.at("laptop")
    iid = w.start(w.a, {w.items[0]: "conform"})
    evidence, new = _jpeg(7), _jpeg(8)
    removed = photos.add_photo(w.a.db, iid, w.items[0], evidence, filename="标签.jpg")
    b1 = w.a.export(full=True, encrypt=False).path
    photos.remove_photo(w.a.db, removed.id)
    b2 = w.a.export(encrypt=False).path
    other = w.start(w.a, {w.items[0]: "conform"})  # the same file in another record, and one new photo
    photos.add_photo(w.a.db, other, w.items[0], evidence, filename="标签.jpg")
    photos.add_photo(w.a.db, other, w.items[0], new, filename="新.jpg")
    b3 = w.a.export(encrypt=False).path
    w.at("bureau")
    assert w.bureau.import_(b1).changed and w.bureau.import_(b2).changed
    assert _original(evidence).exists() and _original(evidence).stem not in _photo_rows(w)
    _run_child_until_stopped(w, b3, "before-commit")
    (left,) = _staging_left()
    assert read_journal(left) == [_original(new)]
    assert not w.bureau.import_(b1).changed
    assert _original(evidence).exists() and not _original(new).exists()
    assert _staging_left() == []


def test_an_idempotent_re_import_leaves_no_staging_folder(crashed):
    """The same bundle again finds nothing to do: by the CLI's path and by the dialog's (verify, then apply)."""
    from inspector_app.sync.importer import apply_bundle

    w = crashed
    b1, b2, _b3 = w.bundles_
    for bundle in (b1, b2):
        assert not w.bureau.import_(bundle).changed
        assert _staging_left() == []
        for full_check in (False, True):
            vb = w.bureau.verify(bundle, stage=True, full_check=full_check)
            assert vb.staging is None and vb.spool is None  # nothing staged for a bundle applied already
            assert _staging_left() == []
            try:
                assert not apply_bundle(w.bureau.db, vb).changed
            finally:
                vb.discard()
            assert _staging_left() == []


def test_a_journal_cannot_make_the_clean_up_delete_anything_else(crashed, tmp_path):
    """A journal names files by path: one outside where imports place files (edited by hand, or written by a
    future version) is never deleted, nor is a path that climbs out of photos/."""
    from inspector_app.sync.export_write import pid_alive

    w = crashed
    b1, _b2, _b3 = w.bundles_
    outside = tmp_path / "私人文件.txt"
    outside.write_text("不要删除")
    sneaky = photos.photos_dir() / ".." / outside.name
    shutil.copy(outside, sneaky)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout.strip())
    assert not pid_alive(pid)
    folder = staging_root() / f"{pid}-0123abcd"
    folder.mkdir(parents=True)
    lines = [str(outside), str(sneaky), str(_original(w.files["kept"]))]
    (folder / PLACED).write_text("".join(json.dumps(p) + "\n" for p in lines) + '"cut sh')
    assert not w.bureau.import_(b1).changed
    assert outside.exists() and Path(os.path.normpath(sneaky)).exists()
    assert _original(w.files["kept"]).exists()  # journalled, but a record refers to it
    assert _staging_left() == []
