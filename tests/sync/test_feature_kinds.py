"""The kinds of the documents and supervision work travel too: a signed inspection with its signatures
and evidence photo (the original file byte for byte), and the bureau's plans and spot checks."""

import io
import json
import zipfile
from datetime import date

import sqlalchemy as sa
from sqlalchemy import select

from inspector_app.core.inspection import photos
from inspector_app.core.issuing import signing
from inspector_app.core.storage.docs_models import InspectionSignoff, Photo, Signature
from inspector_app.core.storage.models import Enterprise
from inspector_app.core.storage.supervision_models import AnnualPlan, SpotCheck
from inspector_app.sync.registry import registry


def _jpeg(color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "JPEG")
    return buf.getvalue()


def _signed_inspection(w):
    iid = w.start(w.a)
    w.answer_all(w.a, iid)
    info = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    w.complete_and_sign(w.a, iid)
    return iid, info


def test_the_documents_kinds_are_registered():
    names = {k.name for k in registry().kinds()}
    assert {"inspection_signoff", "amendment", "signature", "photo", "doc_number"} <= names
    assert {"annual_plan", "draw", "assignment", "rectification", "spot_check"} <= names


def test_a_signed_inspection_travels_with_signatures_and_photo(world):
    w = world
    iid, info = _signed_inspection(w)
    r = w.a.export(encrypt=False)  # to look inside; the sealed members are the same bytes encrypted
    assert r.counts["inspection_signoff"] == 1 and r.counts["signature"] == 3 and r.counts["photo"] == 1
    assert r.files == 1  # the original; its thumbnail and print copy are members too, but parts of the record
    with zipfile.ZipFile(r.path) as zf:
        assert {zf.getinfo(n).compress_type for n in zf.namelist() if n.startswith("files/photo/")} == {
            zipfile.ZIP_STORED
        }
        record = json.loads(zf.read("records/photo.jsonl"))
    assert "thumbnail" not in record["data"] and "print_copy" not in record["data"]  # no base64 copies
    assert set(record["files"]) == {"original", "thumbnail", "print"}
    original = photos.original_path(info.sha256, "jpg").read_bytes()
    photos.original_path(info.sha256, "jpg").unlink()  # one data dir for all three nodes in tests
    w.bureau.import_(r.path)
    assert photos.original_path(info.sha256, "jpg").read_bytes() == original
    # The bureau shows and prints the laptop's very copies.
    copies = select(Photo.thumbnail, Photo.print_copy)
    with w.a.db.session() as a, w.bureau.db.session() as b:
        assert b.execute(copies).one() == a.execute(copies).one()
    with w.bureau.db.session() as s:
        assert s.scalar(select(InspectionSignoff.inspection_id)) == iid
        assert len(s.scalars(select(Signature)).all()) == 3
    state = signing.get_signed(w.bureau.db, iid)
    assert state.content_hash == signing.get_signed(w.a.db, iid).content_hash


def test_a_changed_copy_of_a_signed_record_is_a_conflict(world):
    w = world
    _signed_inspection(w)
    w.bureau.import_(w.a.export().path)
    with w.a.db.session() as s:  # something that must never happen after signing, done behind the app's back
        s.scalar(select(Photo)).caption = "事后修改"
    res = w.bureau.import_(w.a.export().path)
    assert [(c.kind, c.reason) for c in res.preview.conflicts] == [("photo", "immutable")]
    with w.bureau.db.session() as s:
        assert s.scalar(select(Photo.caption)) == ""


def test_bureau_plans_and_spot_checks_reach_the_laptops_and_win(world):
    w = world
    with w.bureau.db.session() as s:
        ent_id = s.scalar(select(Enterprise.id))
        s.add(AnnualPlan(year=2026, district="奉贤区", created_on=date(2026, 1, 5), created_by="科长"))
        s.add(SpotCheck(enterprise_id=ent_id, level="national", checked_on=date(2026, 3, 1), failed_batches=1))
    r = w.bureau.export()
    assert r.counts["annual_plan"] == 1 and r.counts["spot_check"] == 1
    w.a.import_(r.path)
    with w.a.db.session() as s:
        check = s.scalar(select(SpotCheck))
        assert check.failed_batches == 1
        check.failed_batches = 5  # a local edit of the bureau's record
    with w.bureau.db.session() as s:
        s.scalar(select(SpotCheck)).failed_batches = 2
    res = w.a.import_(w.bureau.export().path)
    assert res.preview.total("conflict") == 0
    with w.a.db.session() as s:
        assert s.scalar(select(SpotCheck.failed_batches)) == 2
    assert "spot_check" not in w.a.export().counts  # a laptop never sends the bureau's kinds


def test_classification_is_changed_at_the_bureau_and_reaches_the_laptop_with_its_history(world):
    import pytest

    from inspector_app.core.errors import BureauOnly
    from inspector_app.core.storage.supervision_models import ClassificationChange
    from inspector_app.core.supervision import classification, planning

    w = world
    with w.a.db.session() as s:
        ent_id = s.scalar(select(Enterprise.id))
    # on the laptop the bureau's work is refused and nothing is written that could travel
    with pytest.raises(BureauOnly, match="请在区局的电脑上操作"):
        classification.classify(w.a.db, ent_id, "C", reason="监督抽查不合格", who="张伟")
    with pytest.raises(BureauOnly):
        planning.generate_plan(w.a.db, 2026, "奉贤区")
    with w.a.db.session() as s:
        assert s.scalar(select(Enterprise.classification)) == "B"
        assert s.scalar(select(AnnualPlan.id)) is None
    # at the bureau the change is made with its history row, and both reach the laptop
    classification.classify(w.bureau.db, ent_id, "C", reason="监督抽查不合格", who="科长")
    planning.generate_plan(w.bureau.db, 2026, "奉贤区", who="科长")
    r = w.bureau.export()
    assert r.counts["classification_change"] == 1 and r.counts["annual_plan"] == 1
    res = w.a.import_(r.path)
    assert res.preview.total("conflict") == 0
    with w.a.db.session() as s:
        assert s.scalar(select(Enterprise.classification)) == "C"
        assert s.scalar(select(ClassificationChange.to_class)) == "C"
    assert [h.to_class for h in classification.history(w.a.db, ent_id)] == ["C"]


def test_an_upgraded_database_hashes_its_synced_photos_as_they_travel_now(world):
    """Migration 0700: photos synced with bundle format 1 had their copies hashed as base64 data."""
    import sqlite3

    from inspector_app.core.storage.db import open_database

    w = world
    _iid, info = _signed_inspection(w)
    w.bureau.import_(w.a.export().path)
    w.a.db.close()
    con = sqlite3.connect(w.a.path)  # as format 1 left the file: schema 0300, the photo's old hash confirmed
    with con:
        con.execute("DELETE FROM alembic_version")  # the other branches at their heads before 0800 merged them
        con.executemany(
            "INSERT INTO alembic_version VALUES (?)", [(r,) for r in ("0100", "0210", "0300", "0400", "0600")]
        )
        con.execute("DROP INDEX ix_photo_marks")  # migration 0710, after 0700
        # what later migrations made (0810, 0840, 0870), so that upgrading from these heads makes it again
        for table in ("license_action", "interview", "classification_notice"):
            con.execute(f"DROP TABLE {table}")
        con.execute("ALTER TABLE inspector DROP COLUMN district")
        for column in ("rotation", "latitude", "longitude"):
            con.execute(f"ALTER TABLE photo DROP COLUMN {column}")
        con.execute("DROP INDEX ix_issued_document_record_id")
        con.execute("ALTER TABLE issued_document DROP COLUMN record_id")
        con.execute("UPDATE sync_record_state SET hash = 'old', received_hash = 'old' WHERE kind = 'photo'")
    con.close()
    w.a.db = open_database(w.a.path)
    kind = registry().get("photo")
    with w.a.db.session() as s:
        expected = kind.dump(s, [info.id])[info.id].hash
        row = s.execute(sa.text("SELECT hash, received_hash FROM sync_record_state WHERE kind = 'photo'")).one()
    assert tuple(row) == (expected, expected)  # the sync code's hash, still confirmed by the bureau
    # The same signed photo sent again is the same version at the bureau, not a conflict.
    res = w.bureau.import_(w.a.export(full=True).path)
    assert res.preview.conflicts == [] and res.preview.total("same") >= 1


def test_a_photo_edited_in_two_places_keeps_both_versions_with_their_copies(world):
    from inspector_app.sync import conflicts
    from inspector_app.sync.conflicts import conflicts_root

    w = world
    iid = w.start(w.a)
    info = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    w.bureau.import_(w.a.export().path)
    for node, caption in ((w.a, "车间东侧"), (w.bureau, "车间西侧")):
        with node.db.session() as s:
            s.get(Photo, info.id).caption = caption
    res = w.bureau.import_(w.a.export().path)
    (c,) = res.preview.conflicts
    assert (c.kind, c.reason) == ("photo", "concurrent")
    with w.a.db.session() as s:
        laptop = s.get(Photo, info.id)
        copies = {"thumbnail": laptop.thumbnail, "print": laptop.print_copy}
    (row,) = conflicts.list_conflicts(w.bureau.db)
    kept = {p.name: p.read_bytes() for p in (conflicts_root() / row.id).iterdir()}  # the incoming version, whole
    assert kept["thumbnail"] == copies["thumbnail"] and kept["print"] == copies["print"]
    conflicts.resolve_conflict(w.bureau.db, row.id, conflicts.INCOMING)
    with w.bureau.db.session() as s:
        photo = s.get(Photo, info.id)
        assert (photo.caption, photo.thumbnail, photo.print_copy) == ("车间东侧", copies["thumbnail"], copies["print"])


def test_photos_inserted_in_bounded_batches_all_arrive(world, monkeypatch):
    from inspector_app.sync import records

    monkeypatch.setattr(records, "_INSERT_BYTES", 1)  # every photo's copies exceed it: one insert each
    w = world
    iid = w.start(w.a)
    infos = [photos.add_photo(w.a.db, iid, w.items[0], _jpeg((n * 40, 90, 30))) for n in range(3)]
    w.bureau.import_(w.a.export().path)
    copies = select(Photo.id, Photo.thumbnail, Photo.print_copy).order_by(Photo.id)
    with w.a.db.session() as a, w.bureau.db.session() as b:
        got = b.execute(copies).all()
        assert len(got) == 3 and got == a.execute(copies).all()
    assert {i.id for i in infos} == {row.id for row in got}


def test_a_photo_over_the_bureaus_size_limit_is_refused_until_the_limit_is_raised(world):
    import os

    import pytest
    from PIL import Image

    from inspector_app.core import settings
    from inspector_app.sync.format import BundleRefused

    w = world
    iid = w.start(w.a)
    buf = io.BytesIO()
    noise = Image.frombytes("RGB", (1000, 800), os.urandom(1000 * 800 * 3))
    noise.save(buf, "JPEG", quality=95, subsampling=0)
    assert 1024**2 < buf.tell() < 2 * 1024**2
    info = photos.add_photo(w.a.db, iid, w.items[0], buf.getvalue(), filename="全景.jpg")
    r = w.a.export()
    settings.update(w.bureau.db, {"bundle.max_file_mb": "1"})
    with pytest.raises(BundleRefused) as exc:
        w.bureau.import_(r.path)
    assert exc.value.problem == "too_large" and f"files/photo/{info.id}/original" in str(exc.value)
    assert "设置 → 数据包" in str(exc.value)
    with w.bureau.db.session() as s:
        assert s.scalar(select(sa.func.count()).select_from(Photo)) == 0
    settings.update(w.bureau.db, {"bundle.max_file_mb": "2"})
    w.bureau.import_(r.path)
    with w.bureau.db.session() as s:
        assert s.scalar(select(Photo.sha256)) == info.sha256
