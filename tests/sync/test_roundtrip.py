"""Round trips between two field laptops and the bureau, each its own database file (issue 4 §1, §2)."""

import json

import pytest
from sqlalchemy import func, select

from inspector_app.core.inspection import inspections
from inspector_app.core.storage.models import Enterprise, Inspection, Inspector, ItemResult, Setting
from inspector_app.core.storage.sync_models import BundleLog, Conflict, Device, Outbox, RecordState
from inspector_app.sync import conflicts
from inspector_app.sync.format import BundleRefused
from inspector_app.sync.history import delivery_status
from inspector_app.sync.registry import registry

from .conftest import bureau_state


def dump(node, kind, rid):
    with node.db.session() as s:
        return registry().get(kind).dump(s, [rid]).get(rid)


def counts(node) -> dict:
    from inspector_app.core.storage.models import Base

    with node.db.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_roster_and_register_reach_the_laptops(world):
    for laptop in (world.a, world.b):
        with laptop.db.session() as s:
            assert s.scalar(select(Enterprise.name)) == "上海申华塑料制品有限公司"
            assert {i.badge_no for i in s.scalars(select(Inspector))} == {"31000001", "31000002", "31000003"}
            mine = s.get(Device, laptop.id)
            assert mine.inspector_name in ("张伟", "刘洋")  # the bureau's registration, not the local row
            assert s.get(Device, world.bureau.id).role == "bureau"
    # The same ids everywhere: the roster is one set of records, not copies.
    assert dump(world.a, "enterprise", _ent_id(world)).hash == dump(world.bureau, "enterprise", _ent_id(world)).hash


def _ent_id(world):
    with world.bureau.db.session() as s:
        return s.scalar(select(Enterprise.id))


def test_inspection_to_bureau_encrypted_by_default_and_identical(world):
    iid = world.start(world.a, {world.items[0]: "conform", world.items[1]: "nonconform"})
    r = world.a.export()
    assert r.encrypted and r.destination == world.bureau.id
    assert r.counts["inspection"] == 1 and r.counts["template_snapshot"] == 1
    assert "enterprise" not in r.counts  # the laptop sends only its own roster corrections
    res = world.bureau.import_(r.path)
    assert res.changed and res.preview.total("added") == 2
    assert dump(world.bureau, "inspection", iid).hash == dump(world.a, "inspection", iid).hash
    view = inspections.load_inspection(world.bureau.db, iid)
    assert view.answer(world.items[1]).conclusion == "nonconform"
    assert [m.badge_no for m in view.team] == ["31000001", "31000002"]


def test_the_same_bundle_again_changes_nothing_and_says_so(world):
    world.start(world.a, {world.items[0]: "conform"})
    r = world.a.export()
    world.bureau.import_(r.path)
    before = counts(world.bureau)
    again = world.bureau.import_(r.path)
    assert not again.changed
    assert "导入过" in again.summary_text() and "未作任何改动" in again.summary_text()
    assert counts(world.bureau) == before


def test_incremental_full_and_empty_exports(world):
    x = world.start(world.a, {world.items[0]: "conform"})
    y = world.start(world.a)
    first = world.a.export()
    assert first.counts["inspection"] == 2
    nothing = world.a.export()
    assert nothing.empty and nothing.sequence == first.sequence + 1
    inspections.save_answer(world.a.db, y, world.items[2], conclusion="conform")
    third = world.a.export()
    assert third.counts == {"inspection": 1, "template_snapshot": 1}
    full = world.a.export(full=True)
    assert full.counts["inspection"] == 2
    for r in (first, nothing, third, full):
        world.bureau.import_(r.path)
    assert dump(world.bureau, "inspection", x).hash == dump(world.a, "inspection", x).hash
    assert dump(world.bureau, "inspection", y).hash == dump(world.a, "inspection", y).hash


def test_archive_travels_to_the_other_laptop_and_nothing_returns_to_its_source(world):
    iid = world.start(world.a, {world.items[0]: "conform"})
    world.bureau.import_(world.a.export().path)
    to_b = world.bureau.export(to="31000002")
    assert to_b.counts["inspection"] == 1 and not to_b.encrypted
    world.b.import_(to_b.path)
    assert dump(world.b, "inspection", iid).hash == dump(world.a, "inspection", iid).hash
    to_a = world.bureau.export(to="31000001")
    assert "inspection" not in to_a.counts  # A's own inspection is not sent back to A
    assert to_a.counts["receipt"] == 1
    # B sends nothing back it did not change.
    assert world.b.export().empty


def test_concurrent_edits_keep_both_revisions_and_a_person_resolves(world):
    iid = world.start(world.a, {world.items[0]: "conform"})
    world.bureau.import_(world.a.export().path)
    world.b.import_(world.bureau.export(to="31000002").path)
    inspections.save_answer(world.a.db, iid, world.items[1], conclusion="conform")
    inspections.save_answer(world.b.db, iid, world.items[1], conclusion="nonconform", record="未见出厂检验记录")
    a_version = dump(world.a, "inspection", iid)
    b_version = dump(world.b, "inspection", iid)
    world.bureau.import_(world.a.export().path)
    res = world.bureau.import_(world.b.export().path)
    assert res.preview.total("conflict") == 1 and res.conflict_ids
    # Nothing silently overwritten: the row is A's, B's is kept whole in the conflict.
    assert dump(world.bureau, "inspection", iid).hash == a_version.hash
    [row] = conflicts.list_conflicts(world.bureau.db)
    assert row.reason == conflicts.REASONS["concurrent"] and row.source_label == "刘洋"
    detail = conflicts.conflict_detail(world.bureau.db, row.id)
    assert {d.field for d in detail.diffs} == {  # labels, not answers.<item>.conclusion
        f"检查项 {world.items[1]} 结论",
        f"检查项 {world.items[1]} 检查记录",
    }
    with world.bureau.db.session() as s:
        c = s.get(Conflict, row.id)
        assert json.loads(c.incoming_data)["data"] == b_version.data
    # The same conflicting bundle again: still one conflict.
    assert not world.bureau.import_(world.bureau.bundles / "b-1.ibundle").changed
    conflicts.resolve_conflict(world.bureau.db, row.id[:8], conflicts.INCOMING)
    assert dump(world.bureau, "inspection", iid).hash == b_version.hash
    assert conflicts.list_conflicts(world.bureau.db) == []
    # The decision travels: both laptops take it without a new conflict.
    for node, badge in ((world.a, "31000001"), (world.b, "31000002")):
        res = node.import_(world.bureau.export(to=badge).path)
        assert res.preview.total("conflict") == 0
        assert dump(node, "inspection", iid).hash == b_version.hash
        assert inspections.load_inspection(node.db, iid).answer(world.items[1]).record == "未见出厂检验记录"


def test_keep_local_resolution_supersedes_the_incoming_one(world):
    iid = world.start(world.a, {world.items[0]: "conform"})
    world.bureau.import_(world.a.export().path)
    world.b.import_(world.bureau.export(to="31000002").path)
    inspections.save_answer(world.a.db, iid, world.items[1], conclusion="conform")
    inspections.save_answer(world.b.db, iid, world.items[1], conclusion="nonconform", record="x")
    world.bureau.import_(world.a.export().path)
    world.bureau.import_(world.b.export().path)
    [row] = conflicts.list_conflicts(world.bureau.db)
    conflicts.resolve_conflict(world.bureau.db, row.id, conflicts.LOCAL)
    world.b.import_(world.bureau.export(to="31000002").path)
    assert dump(world.b, "inspection", iid).hash == dump(world.a, "inspection", iid).hash


def test_a_completed_inspection_is_immutable(world):
    iid = world.start(world.a)
    world.answer_all(world.a, iid)
    inspections.complete_inspection(world.a.db, iid)
    world.bureau.import_(world.a.export().path)
    completed = dump(world.bureau, "inspection", iid)
    # An identical copy is ignored.
    res = world.bureau.import_(world.a.export(full=True).path)
    assert res.preview.total("same") >= 1 and res.preview.total("conflict") == 0
    # A different copy with the same id, even a newer one, is a conflict, never an overwrite.
    with world.a.db.session() as s:
        s.get(Inspection, iid).kind = "special"
    res = world.bureau.import_(world.a.export().path)
    assert res.preview.total("conflict") == 1
    assert res.preview.conflicts[0].reason == "immutable"
    assert dump(world.bureau, "inspection", iid).hash == completed.hash


def test_receipts_mark_records_received_on_the_laptop(world):
    iid = world.start(world.a, {world.items[0]: "conform"})
    world.bureau.import_(world.a.export().path)
    assert delivery_status(world.a.db, world.a.id).confirmed == 0
    world.a.import_(world.bureau.export(to="31000001").path)
    with world.a.db.session() as s:
        st = s.get(RecordState, ("inspection", iid))
        assert st.received_hash == st.hash
    status = delivery_status(world.a.db, world.a.id)
    assert status.confirmed >= 2 and status.unconfirmed_own == 0
    # A later edit is not confirmed until the bureau has it.
    inspections.save_answer(world.a.db, iid, world.items[1], conclusion="conform")
    world.a.export()
    assert delivery_status(world.a.db, world.a.id).unconfirmed_own == 1
    # Receipts are sent once.
    assert "receipt" not in world.bureau.export(to="31000001").counts


def test_any_order_and_gaps_are_reported(world):
    iid = world.start(world.a, {world.items[0]: "conform"})
    r1 = world.a.export()
    inspections.save_answer(world.a.db, iid, world.items[1], conclusion="conform")
    r2 = world.a.export()
    inspections.save_answer(world.a.db, iid, world.items[2], conclusion="nonconform", record="r")
    r3 = world.a.export()
    res = world.bureau.import_(r3.path)
    assert res.preview.gaps == [1, 2] and "第 1、2 号" in res.summary_text()
    res = world.bureau.import_(r1.path)
    assert res.preview.gaps == [2] and res.preview.total("older") == 1
    res = world.bureau.import_(r2.path)
    assert res.preview.gaps == []
    assert dump(world.bureau, "inspection", iid).hash == dump(world.a, "inspection", iid).hash


def test_an_older_roster_bundle_rolls_nothing_back_and_loses_nothing(world):
    """Bundles 2 and 3 of the bureau's stream arrive 3 first: 2 must not undo 3's change, and the enterprise
    only 2 carries must still arrive (refusing 2 whole lost it for good)."""
    from inspector_app.core.storage.models import Site

    with world.bureau.db.session() as s:
        s.scalar(select(Enterprise)).phone = "021-1"
        late = Enterprise(uscc="91310115MA1FL0002R", name="上海浦江电线电缆有限公司", district="浦东新区")
        s.add_all([late, Site(enterprise=late, address="上海市浦东新区工业路1号", district="浦东新区")])
    older = world.bureau.export()
    with world.bureau.db.session() as s:
        s.scalar(select(Enterprise).where(Enterprise.uscc == "91350100M000100Y43")).phone = "021-2"
    newer = world.bureau.export()
    assert world.a.import_(newer.path).preview.gaps == [older.sequence]
    result = world.a.import_(older.path)
    assert result.preview.newer_applied == newer.sequence and not result.preview.gaps
    assert "不会被回退" in result.summary_text()
    with world.a.db.session() as s:
        phones = dict(s.execute(select(Enterprise.uscc, Enterprise.phone)).all())
    assert phones["91350100M000100Y43"] == "021-2"  # not rolled back
    assert "91310115MA1FL0002R" in phones  # not lost
    assert world.a.import_(older.path).preview.already_applied  # and once only


def test_a_sequence_number_reused_with_other_content_is_refused_and_receipts_prevent_it(world):
    world.start(world.a)
    first = world.a.export()
    world.bureau.import_(first.path)
    with world.a.db.session() as s:  # the laptop restored from an old backup
        s.get(Outbox, world.bureau.id).last_seq = 0
    world.start(world.a)
    reused = world.a.export()
    assert reused.sequence == first.sequence
    with pytest.raises(BundleRefused) as exc:
        world.bureau.import_(reused.path)
    assert exc.value.problem == "sequence_reused"
    # The bureau's receipt moves the laptop's counter past what the bureau has seen.
    world.a.import_(world.bureau.export(to="31000001").path)
    assert world.a.export().sequence > first.sequence


def test_roster_corrections_from_the_field(world):
    with world.a.db.session() as s:
        s.scalar(select(Enterprise)).phone = "021-99999999"
    r = world.a.export()
    assert r.counts.get("enterprise") == 1
    world.bureau.import_(r.path)
    with world.bureau.db.session() as s:
        assert s.scalar(select(Enterprise.phone)) == "021-99999999"
    world.b.import_(world.bureau.export(to="31000002").path)
    with world.b.db.session() as s:
        assert s.scalar(select(Enterprise.phone)) == "021-99999999"


def test_bureau_settings_travel_but_device_settings_stay(world):
    from inspector_app.core import settings
    from inspector_app.core.supervision.rectification import SETTING_DEFAULT_DAYS, get_setting

    settings.update(world.bureau.db, {SETTING_DEFAULT_DAYS: "15"})
    r = world.bureau.export()
    assert r.counts["setting"] == 1
    world.a.import_(r.path)
    assert get_setting(world.a.db, SETTING_DEFAULT_DAYS) == 15
    with world.a.db.session() as s:
        assert s.get(Setting, "device.id").value == world.a.id
        assert s.get(Setting, "device.role").value == "field"


def test_the_bureaus_bundle_limits_reach_the_laptops(world):
    from inspector_app.core import settings
    from inspector_app.sync.verify import configured_limits

    settings.update(world.bureau.db, {"bundle.max_files": "5000", "bundle.max_total_mb": "2048"})
    world.a.import_(world.bureau.export().path)
    limits = configured_limits(world.a.db)
    assert (limits.max_members, limits.max_total_bytes) == (5000, 2048 * 1024**2)
    assert limits.max_member_bytes == 4096 * 1024**2  # not changed at the bureau: the default


def test_verify_writes_nothing(world):
    world.start(world.a, {world.items[0]: "conform"})
    r = world.a.export()
    before = counts(world.bureau)
    vb = world.bureau.verify(r.path)
    from inspector_app.sync.importer import preview_bundle
    from inspector_app.sync.staging_folders import staging_root

    p = preview_bundle(world.bureau.db, vb)
    assert p.total("added") == 2
    assert counts(world.bureau) == before
    assert not staging_root().exists() or not any(staging_root().iterdir())


def test_a_bundle_for_another_device_is_refused(world):
    r = world.bureau.export(to="31000001")
    with pytest.raises(BundleRefused) as exc:
        world.b.import_(r.path)
    assert exc.value.problem == "not_for_us"
    enc = world.bureau.export(to="31000001", encrypt=True)
    with pytest.raises(BundleRefused) as exc:
        world.b.import_(enc.path)
    assert exc.value.problem == "not_for_us" and "无法解密" in str(exc.value)
    assert world.a.import_(enc.path).changed


def test_own_bundle_is_refused(world):
    r = world.a.export(encrypt=False)
    with pytest.raises(BundleRefused) as exc:
        world.a.import_(r.path)
    assert exc.value.problem == "own_bundle"


def test_three_nodes_converge(world):
    x = world.start(world.a, {world.items[0]: "conform"})
    y = world.start(world.b, {world.items[0]: "nonconform"})
    world.bureau.import_(world.a.export().path)
    world.bureau.import_(world.b.export().path)
    for node, badge in ((world.a, "31000001"), (world.b, "31000002")):
        node.import_(world.bureau.export(to=badge).path)
    for rid in (x, y):
        hashes = {dump(n, "inspection", rid).hash for n in world.nodes}
        assert len(hashes) == 1
    with world.bureau.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ItemResult)) > 0
        logs = s.scalars(select(BundleLog.direction)).all()
        assert logs.count("in") == 2 and logs.count("out") == 3
    state = bureau_state(world.bureau.db)
    assert all(len(v) == 1 for v in state.values())


def test_the_same_enterprise_created_in_two_places_is_one_record(bare_world):
    """A laptop that entered the enterprise itself (other name) has it under the same id (its USCC's): one
    conflict for the enterprise, which either side may settle (issue 12 §2)."""
    from inspector_app.core.storage.models import Site

    w = bare_world
    with w.a.db.session() as s:
        ent = Enterprise(uscc="91350100M000100Y43", name="本机录入的企业", district="奉贤区")
        s.add_all([ent, Site(enterprise=ent, address="本机地址", district="奉贤区")])
    res = w.a.import_(w.bureau.export().path)
    assert res.preview.total("conflict") == 1
    [c] = conflicts.list_conflicts(w.a.db)
    assert c.kind == "enterprise" and c.reason == conflicts.REASONS["concurrent"]
    assert c.title == "上海申华塑料制品有限公司（91350100M000100Y43）"  # by name and credit code
    with w.a.db.session() as s:
        assert s.scalar(select(Enterprise.name)) == "本机录入的企业"  # nothing overwritten
        assert s.scalar(select(func.count()).select_from(Site)) == 2  # the bureau's site arrived beside it
    conflicts.resolve_conflict(w.a.db, c.id, conflicts.INCOMING)
    with w.a.db.session() as s:
        assert s.scalar(select(Enterprise.name)) == "上海申华塑料制品有限公司"
    again = w.a.import_(w.bureau.export(full=True).path)
    assert again.preview.total("conflict") == 0


def test_a_duplicate_under_an_old_random_id_is_one_conflict_and_its_dependants_wait_with_it(bare_world):
    """An enterprise made before ids were derived (or by an older program) keeps a random id: the bureau's
    copy is a duplicate, and what needs it waits behind that one conflict instead of being one each."""
    w = bare_world
    with w.a.db.session() as s:
        s.add(Enterprise(id="legacy-0001", uscc="91350100M000100Y43", name="本机录入的企业", district="奉贤区"))
    res = w.a.import_(w.bureau.export().path)
    assert res.preview.total("conflict") == 1 and res.preview.waiting == 2  # its site and license wait
    assert "另有 2 条相关记录" in res.summary_text()
    [c] = conflicts.list_conflicts(w.a.db)
    assert c.kind == "enterprise" and c.reason == conflicts.REASONS["duplicate"] and c.waiting == 2
    assert conflicts.open_conflict_count(w.a.db) == 1
    from inspector_app.sync.format import SyncError

    with pytest.raises(SyncError):
        conflicts.resolve_conflict(w.a.db, c.id, conflicts.INCOMING)
    conflicts.resolve_conflict(w.a.db, c.id, conflicts.LOCAL)
    assert conflicts.open_conflict_count(w.a.db) == 0 and conflicts.list_conflicts(w.a.db) == []
