"""Deletions travel as tombstones (bundle format 3): a draft or photo deleted after it was sent, a setting
reset at the bureau. Each side is its own database; bundles are real files."""

import io
import json
import zipfile

from sqlalchemy import delete as sa_delete
from sqlalchemy import func, select

from inspector_app.core import settings
from inspector_app.core.inspection import inspections, photos
from inspector_app.core.storage.docs_models import Photo
from inspector_app.core.storage.models import Inspection, ItemResult
from inspector_app.core.storage.sync_models import Receipt, RecordState
from inspector_app.sync.records import DELETED
from inspector_app.sync.registry import registry


def _jpeg(color=(20, 120, 40)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "JPEG")
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


def test_after_an_edit_wins_over_a_deletion_the_next_edit_is_a_plain_update(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    w.bureau.import_(w.a.export().path)
    inspections.save_answer(w.bureau.db, iid, w.items[1], conclusion="conform")
    inspections.delete_draft(w.a.db, iid)
    tomb, edit = w.a.export(), w.bureau.export(to=w.a.id)
    res = w.bureau.import_(tomb.path)
    assert "另有 1 条记录对方已删除" in res.summary_text()
    w.a.import_(edit.path)
    inspections.save_answer(w.bureau.db, iid, w.items[2], conclusion="conform")
    res = w.a.import_(w.bureau.export(to=w.a.id).path)
    assert res.preview.total("conflict") == 0 and res.preview.total("updated") == 1, res.summary_text()
    assert _answered(w.a, iid) == _answered(w.bureau, iid)


def test_a_late_bundle_with_a_photo_of_a_deleted_draft_still_brings_the_rest(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    b1 = w.a.export()
    photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    other = w.start(w.a, {w.items[0]: "nonconform"})  # unrelated work in the same bundle
    b2 = w.a.export()
    inspections.delete_draft(w.a.db, iid)
    b3 = w.a.export()
    w.bureau.import_(b1.path)
    w.bureau.import_(b3.path)
    res = w.bureau.import_(b2.path)  # its photo belongs to a draft deleted since: moot, not a refusal
    assert res.changed and res.preview.total("older") == 1  # the photo of the deleted draft
    assert _count(w.bureau, Inspection, id=other) == 1 and _count(w.bureau, Inspection, id=iid) == 0
    assert _count(w.bureau, Photo) == 0


def test_a_photo_edited_at_the_bureau_keeps_its_draft_that_the_laptop_deleted(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    p = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    w.bureau.import_(w.a.export().path)
    with w.bureau.db.session() as s:
        s.get(Photo, p.id).caption = "局里补充的说明"
    inspections.delete_draft(w.a.db, iid)
    res = w.bureau.import_(w.a.export().path)
    # The deletion would cascade to the edited photo: the draft and its photo stay, nothing half-deleted.
    assert res.preview.total("deleted") == 0 and res.preview.kept == 2
    assert _count(w.bureau, Inspection, id=iid) == 1 and _count(w.bureau, Photo) == 1
    # They travel back, and the laptop holds them again: both sides agree.
    w.a.import_(w.bureau.export(to=w.a.id).path)
    assert _count(w.a, Inspection, id=iid) == 1
    with w.a.db.session() as s:
        assert s.scalar(select(Photo.caption)) == "局里补充的说明"


def test_a_plan_replaced_at_the_bureau_replaces_it_on_the_laptop(world):
    from datetime import date

    from inspector_app.core.storage.supervision_models import AnnualPlan

    w = world
    with w.bureau.db.session() as s:
        old = AnnualPlan(year=2026, district="奉贤区", created_on=date(2026, 1, 5))
        s.add(old)
        s.flush()
        old_id = old.id
    w.a.import_(w.bureau.export().path)
    with w.bureau.db.session() as s:  # what planning.generate_plan(replace=True) does
        s.delete(s.get(AnnualPlan, old_id))
        s.flush()
        new = AnnualPlan(year=2026, district="奉贤区", created_on=date(2026, 2, 1))
        s.add(new)
        s.flush()
        new_id = new.id
    res = w.a.import_(w.bureau.export().path)
    assert not res.preview.conflicts  # not a "duplicate" of the plan the same bundle deletes
    with w.a.db.session() as s:
        assert list(s.scalars(select(AnnualPlan.id))) == [new_id]


def test_a_photo_removed_before_signing_goes_even_when_its_deletion_arrives_after_the_signature(world):
    w = world
    iid = w.start(w.a)
    w.answer_all(w.a, iid)
    kept = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="留.jpg")
    wrong = photos.add_photo(w.a.db, iid, w.items[1], _jpeg((200, 30, 30)), filename="错.jpg")
    b1 = w.a.export()
    photos.remove_photo(w.a.db, wrong.id)
    b2 = w.a.export()
    w.complete_and_sign(w.a, iid)
    b3 = w.a.export()
    for b in (b1, b3, b2):  # the deletion last: a late USB stick
        w.bureau.import_(b.path)
    with w.bureau.db.session() as s:
        assert list(s.scalars(select(Photo.id))) == [kept.id]  # what was signed, no more
    # A photo that was signed is never deleted by a tombstone (only a buggy laptop could send one).
    with w.a.db.session() as s:
        s.execute(sa_delete(Photo).where(Photo.id == kept.id))
    res = w.bureau.import_(w.a.export().path)
    assert res.preview.total("deleted") == 0 and res.preview.total("older") == 1
    assert _count(w.bureau, Photo) == 1


def test_a_bad_limit_in_the_settings_counts_as_the_default(world):
    from inspector_app.core.storage.models import Setting
    from inspector_app.sync.verify import configured_limits

    with world.bureau.db.session() as s:  # as only a hand-edited database or a future bureau could store
        s.add(Setting(key="bundle.max_files", value="很多"))
        s.add(Setting(key="bundle.max_file_mb", value=""))
    limits = configured_limits(world.bureau.db)
    assert limits.max_members == 200_000 and limits.max_member_bytes == 4096 * 1024**2
    world.bureau.import_(world.a.export().path)  # imports still work


def test_a_second_deletion_is_not_confirmed_by_the_receipt_of_the_first(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    w.bureau.import_(w.a.export().path)
    w.b.import_(w.bureau.export(to=w.b.id).path)  # B gets the draft through the bureau
    inspections.save_answer(w.b.db, iid, w.items[1], conclusion="conform")  # and edits it
    inspections.delete_draft(w.a.db, iid)
    w.bureau.import_(w.a.export().path)  # deleted at the bureau
    w.a.import_(w.bureau.export(to=w.a.id).path)  # the receipt: the bureau holds A's deletion
    w.bureau.import_(w.b.export().path)  # B's concurrent edit wins: the draft is back at the bureau
    w.a.import_(w.bureau.export(to=w.a.id).path)  # and on A
    assert _count(w.a, Inspection, id=iid) == 1
    inspections.delete_draft(w.a.db, iid)  # deleted again: a new tombstone, not yet at the bureau
    w.a.export()
    with w.a.db.session() as s:
        st = s.scalar(select(RecordState).where(RecordState.kind == "inspection", RecordState.record_id == iid))
    assert st.hash == DELETED and st.received_hash is None


def test_a_conflict_on_a_record_deleted_here_since_says_so_and_keeping_local_keeps_it_deleted(world):
    from inspector_app.sync import conflicts

    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    w.bureau.import_(w.a.export().path)
    inspections.save_answer(w.a.db, iid, w.items[1], conclusion="conform")
    inspections.save_answer(w.bureau.db, iid, w.items[1], conclusion="nonconform", record="局里")
    (cid,) = w.bureau.import_(w.a.export().path).conflict_ids
    inspections.delete_draft(w.bureau.db, iid)
    detail = conflicts.conflict_detail(w.bureau.db, cid)
    assert detail.local_deleted and detail.local_data is None
    assert detail.diffs and {d.local for d in detail.diffs} == {"（已删除）"}
    conflicts.resolve_conflict(w.bureau.db, cid, "local")
    res = w.a.import_(w.bureau.export(to=w.a.id).path)  # the choice travels: deleted on the laptop too
    assert res.preview.total("deleted") == 1 and _count(w.a, Inspection, id=iid) == 0


def _received(node, kind, rid) -> bool:
    with node.db.session() as s:
        st = s.scalar(select(RecordState).where(RecordState.kind == kind, RecordState.record_id == rid))
    return st is not None and st.received_hash == st.hash


def test_a_photo_the_bureau_added_to_a_draft_the_laptop_deleted_comes_back_with_the_draft(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    w.bureau.import_(w.a.export().path)
    p = photos.add_photo(w.bureau.db, iid, w.items[0], _jpeg(), filename="局里.jpg")
    inspections.delete_draft(w.a.db, iid)
    edit, tomb = w.bureau.export(to=w.a.id), w.a.export()
    res = w.a.import_(edit.path)  # the photo of a draft deleted here: ignored for now
    assert res.preview.total("older") == 1 and _count(w.a, Photo) == 0
    w.bureau.import_(tomb.path)  # the bureau keeps the draft: its photo depends on it
    assert _count(w.bureau, Inspection, id=iid) == 1 and _count(w.bureau, Photo) == 1
    w.a.import_(w.bureau.export(to=w.a.id).path)  # the kept draft returns to the laptop, with the photo
    assert _count(w.a, Inspection, id=iid) == 1
    with w.a.db.session() as s:
        assert list(s.scalars(select(Photo.id))) == [p.id]


def test_a_photo_from_another_laptop_on_a_deleted_draft_is_not_confirmed_until_the_bureau_holds_it(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    w.bureau.import_(w.a.export().path)
    w.b.import_(w.bureau.export(to=w.b.id).path)
    pb = photos.add_photo(w.b.db, iid, w.items[0], _jpeg(), filename="B拍.jpg")
    inspections.delete_draft(w.a.db, iid)
    w.bureau.import_(w.a.export().path)  # the deletion first
    res = w.bureau.import_(w.b.export().path)  # then B's photo of the deleted draft: moot at the bureau
    assert res.preview.total("older") == 1 and _count(w.bureau, Photo) == 0
    w.b.import_(w.bureau.export(to=w.b.id).path)  # the receipt and A's deletion reach B
    assert not _received(w.b, "photo", pb.id)  # the bureau does not hold it, and does not say it does
    assert _count(w.b, Inspection, id=iid) == 1  # B keeps the draft for its photo ...
    w.bureau.import_(w.b.export().path)  # ... and sends both again
    w.a.import_(w.bureau.export(to=w.a.id).path)
    for node in (w.a, w.b, w.bureau):
        assert _count(node, Inspection, id=iid) == 1 and _count(node, Photo) == 1, node.name
    w.b.import_(w.bureau.export(to=w.b.id).path)
    assert _received(w.b, "photo", pb.id)  # now it does


def test_a_draft_kept_for_an_edit_keeps_its_photos(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    p = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    w.bureau.import_(w.a.export().path)
    inspections.save_answer(w.bureau.db, iid, w.items[1], conclusion="conform")  # the bureau corrects it ...
    inspections.delete_draft(w.a.db, iid)  # ... while the laptop deletes it with its photo
    res = w.bureau.import_(w.a.export().path)
    assert res.preview.total("deleted") == 0 and res.preview.kept == 2  # the draft and its photo
    assert _count(w.bureau, Photo) == 1
    # The receipt does not confirm the deletions the bureau did not apply.
    with w.bureau.db.session() as s:
        items = json.loads(s.scalars(select(Receipt.items).order_by(Receipt.applied_at.desc())).first())
    assert [i for i in items if i[2] == DELETED] == []
    w.a.import_(w.bureau.export(to=w.a.id).path)
    with w.a.db.session() as s:
        assert list(s.scalars(select(Photo.id))) == [p.id]
    assert _answered(w.a, iid) == _answered(w.bureau, iid)


def test_the_same_photo_attached_again_is_not_deleted_by_its_earlier_removal_arriving_late(world):
    from inspector_app.core.issuing import signing
    from inspector_app.sync.conflicts import list_conflicts

    w = world
    iid = w.start(w.a)
    w.answer_all(w.a, iid)
    first = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    b1 = w.a.export()
    photos.remove_photo(w.a.db, first.id)
    b2 = w.a.export()
    again = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")  # changed their mind
    assert again.id == first.id  # one file in one inspection is one record
    w.complete_and_sign(w.a, iid)
    b3 = w.a.export()
    for b in (b1, b3, b2):  # the removal last: a late USB stick
        w.bureau.import_(b.path)
    with w.bureau.db.session() as s:
        assert list(s.scalars(select(Photo.id))) == [first.id]
    assert not list_conflicts(w.bureau.db)
    assert signing.verify_record(w.bureau.db, iid) == []  # the signed record is intact at the bureau


def test_a_document_number_once_sent_is_never_deleted_at_the_bureau(world):
    from inspector_app.core.issuing import numbers as docnumbers
    from inspector_app.core.storage.docs_models import DocNumber

    w = world
    settings.set_value(w.a.db, "device.docnumber_prefix", "A1")  # chosen at the laptop's setup
    with w.a.db.session() as s:
        number = docnumbers.issue(s, "notice").number
    w.bureau.import_(w.a.export().path)
    with w.a.db.session() as s:  # only a hand-edited database could lose one
        s.execute(sa_delete(DocNumber).where(DocNumber.number == number))
    r = w.a.export()
    assert "doc_number" not in r.counts  # no tombstone: numbers are never reused nor deleted
    w.bureau.import_(r.path)
    with w.bureau.db.session() as s:
        assert s.scalar(select(DocNumber.number)) == number
    with w.a.db.session() as s:  # a tombstone state left by a build that let numbers be deleted
        s.execute(RecordState.__table__.update().where(RecordState.kind == "doc_number").values(hash=DELETED, mark=""))
    r = w.a.export(full=True)  # not sent: the bureau would refuse the whole bundle for it
    assert "doc_number" not in r.counts
    assert w.bureau.import_(r.path).changed


def test_a_photo_removed_and_attached_again_between_two_exports_travels(world):
    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    p = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    w.bureau.import_(w.a.export().path)
    photos.remove_photo(w.a.db, p.id)
    again = photos.add_photo(w.a.db, iid, w.items[1], _jpeg(), filename="现场.jpg")  # meant for the next item
    assert again.id == p.id
    r = w.a.export()
    assert r.counts.get("photo") == 1  # the same id, a new version: not "no change"
    w.bureau.import_(r.path)
    with w.bureau.db.session() as s:
        assert s.scalar(select(Photo.item_id)) == w.items[1]
