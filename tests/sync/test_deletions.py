"""Deletions travel as tombstones (bundle format 3): a draft or photo deleted after it was sent, a setting
reset at the bureau. Each side is its own database; bundles are real files."""

import io
import json
import zipfile

from sqlalchemy import func, select

from inspector_app.core import inspections, photos, settings
from inspector_app.core.docs_models import Photo
from inspector_app.core.models import Inspection, ItemResult
from inspector_app.core.sync_models import RecordState
from inspector_app.sync.records import DELETED, registry


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


def _count(node, model, **where) -> int:
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    with node.db.session() as s:
        return s.scalar(q)


def _answered(node, iid) -> int:
    q = select(func.count()).where(ItemResult.inspection_id == iid, ItemResult.conclusion.is_not(None))
    with node.db.session() as s:
        return s.scalar(q)


def _records(path) -> dict[str, list[dict]]:
    with zipfile.ZipFile(path) as zf:
        return {
            n[8:-6]: [json.loads(line) for line in zf.read(n).splitlines()]
            for n in zf.namelist()
            if n.startswith("records/")
        }


def test_a_photo_removed_after_it_was_sent_is_removed_at_the_bureau_too(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    wrong = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="拍错了.jpg")
    w.bureau.import_(w.a.export().path)
    assert _count(w.bureau, Photo) == 1
    photos.remove_photo(w.a.db, wrong.id)
    r = w.a.export(encrypt=False)
    assert r.counts == {"photo": 1} and r.deleted == {"photo": 1}  # only the deletion: nothing else changed
    with zipfile.ZipFile(r.path) as zf:
        assert json.loads(zf.read("manifest.json"))["format_version"] == 3
    (tomb,) = _records(r.path)["photo"]
    assert tomb["id"] == wrong.id and tomb["data"] is None and tomb["files"] == {}
    res = w.bureau.import_(r.path)
    assert "删除 1 条" in res.summary_text()
    assert _count(w.bureau, Photo) == 0
    assert _count(w.bureau, Inspection, id=iid) == 1  # the inspection itself stays
    # The bureau's receipt tells the laptop that the deletion arrived.
    w.a.import_(w.bureau.export(to=w.a.id).path)
    with w.a.db.session() as s:
        st = s.scalar(select(RecordState).where(RecordState.kind == "photo", RecordState.record_id == wrong.id))
    assert st.hash == DELETED and st.received_hash == DELETED
    # Importing the deletion again changes nothing.
    assert not w.bureau.import_(r.path).changed


def test_a_bundle_without_deletions_stays_format_2(world):
    w = world
    w.start(w.a, {w.items[0]: "conform"})
    r = w.a.export(encrypt=False)
    with zipfile.ZipFile(r.path) as zf:
        assert json.loads(zf.read("manifest.json"))["format_version"] == 2  # builds of format 2 read it


def test_a_deleted_draft_goes_with_its_answers_and_photos(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform", w.items[1]: "conform"})
    photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    w.bureau.import_(w.a.export().path)
    assert _answered(w.bureau, iid) == _answered(w.a, iid) > 0
    inspections.delete_draft(w.a.db, iid)
    r = w.a.export(encrypt=False)
    assert r.counts == {"inspection": 1, "photo": 1}  # the photo went with the draft: two tombstones
    w.bureau.import_(r.path)
    assert _count(w.bureau, Inspection, id=iid) == 0
    assert _count(w.bureau, ItemResult, inspection_id=iid) == 0
    assert _count(w.bureau, Photo) == 0


def test_a_deletion_that_arrives_first_is_not_undone_by_the_older_bundle(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    first = w.a.export()
    inspections.delete_draft(w.a.db, iid)
    second = w.a.export()
    res = w.bureau.import_(second.path)  # the deletion, before the record it deletes
    assert res.preview.total("deleted") == 1 and res.preview.gaps == [1]
    res = w.bureau.import_(first.path)
    assert res.preview.total("older") == 1  # the inspection (its template snapshot is added: harmless)
    assert _count(w.bureau, Inspection, id=iid) == 0


def test_an_edit_wins_over_a_concurrent_deletion_on_both_sides(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    w.bureau.import_(w.a.export().path)
    sent = _answered(w.a, iid)
    # The bureau corrects the draft while the laptop deletes it: neither knew of the other.
    inspections.save_answer(w.bureau.db, iid, w.items[1], conclusion="conform")
    inspections.delete_draft(w.a.db, iid)
    tomb = w.a.export()
    edit = w.bureau.export(to=w.a.id)
    res = w.bureau.import_(tomb.path)
    assert res.preview.total("deleted") == 0 and res.preview.total("older") == 1
    assert _answered(w.bureau, iid) == sent + 1  # the edited draft stays at the bureau
    w.a.import_(edit.path)
    assert _answered(w.a, iid) == sent + 1  # and comes back to the laptop, edit included
    # Both hold the same version now.
    kind = registry().get("inspection")
    with w.a.db.session() as a, w.bureau.db.session() as b:
        assert kind.dump(a, [iid])[iid].hash == kind.dump(b, [iid])[iid].hash


def test_a_setting_reset_at_the_bureau_is_reset_on_the_laptops(world):
    w = world
    settings.update(w.bureau.db, {"bundle.max_files": "5000"})
    w.a.import_(w.bureau.export().path)
    assert settings.get(w.a.db, "bundle.max_files") == "5000"
    settings.reset(w.bureau.db, "bundle.max_files")
    r = w.bureau.export()
    assert r.counts == {"setting": 1}
    w.a.import_(r.path)
    assert settings.get(w.a.db, "bundle.max_files") == "200000"  # the default again
    settings.update(w.bureau.db, {"bundle.max_files": "7000"})  # set once more: it travels as before
    w.a.import_(w.bureau.export().path)
    assert settings.get(w.a.db, "bundle.max_files") == "7000"
