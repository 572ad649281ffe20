"""Property (issue 4 §6): whatever the order and repetition of a set of bundles, the bureau reaches the same
state, and nothing is lost — every version sent is held, or superseded by one that is held."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inspector_app.core.inspection import inspections, photos
from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.models import Enterprise
from inspector_app.core.storage.sync_models import Conflict, RecordState
from inspector_app.sync import state as vv
from inspector_app.sync.importer import import_bundle
from inspector_app.sync.records import DELETED
from inspector_app.sync.verify import verify_bundle

from .conftest import bureau_state, copy_db
from .test_deletions import _jpeg


def _bundles(w):
    """Six bundles from two laptops with concurrent edits of one inspection and of the roster, a draft that A
    sends and then deletes (its tombstone in A3), and a photo that A sends (A2), removes (A3) and attaches
    again (A4)."""
    x = w.start(w.a, {w.items[0]: "conform"})
    a1 = w.a.export("A1.ibundle").path
    pristine = copy_db(w.bureau.path, w.tmp / "pristine.sqlite3")  # the bureau before any of them
    w.bureau.import_(a1)
    w.b.import_(w.bureau.export(to="31000002").path)  # B gets X through the bureau
    inspections.save_answer(w.a.db, x, w.items[1], conclusion="conform")
    y = w.start(w.a, {w.items[0]: "nonconform"})
    d = w.start(w.a, {w.items[0]: "conform"})
    q = photos.add_photo(w.a.db, y, w.items[0], _jpeg(), filename="现场.jpg")
    a2 = w.a.export("A2.ibundle").path
    inspections.save_answer(w.b.db, x, w.items[1], conclusion="nonconform", record="B")
    z = w.start(w.b)
    b1 = w.b.export("B1.ibundle").path
    photos.remove_photo(w.a.db, q.id)
    inspections.delete_draft(w.a.db, d)
    with w.a.db.session() as s:
        s.scalar(select(Enterprise)).phone = "A"
    a3 = w.a.export("A3.ibundle").path
    photos.add_photo(w.a.db, y, w.items[1], _jpeg(), filename="现场.jpg")  # the same file, for another item
    w.answer_all(w.a, y)
    inspections.complete_inspection(w.a.db, y)
    a4 = w.a.export("A4.ibundle").path
    inspections.save_answer(w.b.db, z, w.items[2], conclusion="conform")
    with w.b.db.session() as s:
        s.scalar(select(Enterprise)).phone = "B"
    b2 = w.b.export("B2.ibundle").path
    return pristine, [a1, a2, a3, a4, b1, b2], d


def _held(db) -> dict:
    """Per record: the version vectors held (the row's and every open conflict's)."""
    out: dict = {}
    with db.session() as s:
        for st in s.scalars(select(RecordState)):
            out.setdefault((st.kind, st.record_id), []).append(vv.vv_load(st.vv))
        for c in s.scalars(select(Conflict).where(Conflict.status == "open")):
            out.setdefault((c.kind, c.record_id), []).append(vv.vv_load(c.incoming_vv))
    return out


def test_any_order_and_repetition_reaches_the_same_state(sqlite_only, world):
    w = world
    pristine, bundles, deleted = _bundles(w)
    sent = []  # every record version in any bundle
    for path in bundles:
        vb = verify_bundle(w.bureau.db, path)  # the live bureau can read them all (the keys are the same)
        for kind, recs in vb.records.items():
            if kind != "receipt":
                sent += [((kind, r.id), r.hash, r.vv) for r in recs]
    runs = []

    def run(order: list[int]):
        path = copy_db(pristine, w.tmp / f"run{len(runs)}.sqlite3")
        db = open_database(path)
        try:
            applied = set()
            for i in order:
                res = import_bundle(db, bundles[i])
                assert res.changed == (i not in applied)
                applied.add(i)
            result = (bureau_state(db), _held(db))
            with db.session() as s:
                assert all(json.loads(c.incoming_data)["data"] for c in s.scalars(select(Conflict)))
        finally:
            db.close()
            path.unlink()
        runs.append(order)
        return result

    reference, held = run([0, 1, 2, 3, 4, 5])
    # Nothing lost: every version sent is held, or a held version (a tombstone, for the deleted draft)
    # supersedes it.
    assert ("inspection", deleted) not in reference and any(digest == DELETED for (_k, _i), digest, _v in sent)
    for key, digest, version in sent:
        assert key in reference or key == ("inspection", deleted), key
        assert digest in reference.get(key, ()) or any(
            vv.vv_compare(version, h) in (vv.OLDER, vv.EQUAL) for h in held[key]
        ), (key, version, held[key])
    # The photo attached again is one record in its last version, not a second one beside a conflict.
    assert [len(v) for k, v in reference.items() if k[0] == "photo"] == [1]
    # Both concurrent edits of X and of the enterprise are kept (two versions each).
    assert sorted(len(v) for v in reference.values()).count(2) == 2

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        order=st.permutations(range(6)), repeats=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 5)), max_size=3)
    )
    def any_order(order, repeats):
        order = list(order)
        for at, i in repeats:
            order.insert(min(at, len(order)), i)
        state, _held_versions = run(order)
        assert state == reference

    any_order()


def test_bureau_bundles_in_any_order_reach_the_same_laptop_state(world):
    """bureau → field: incremental roster bundles arriving out of order (a late USB stick) roll nothing back
    and lose nothing: the laptop ends where the bundles in order take it."""
    from inspector_app.core.storage.models import Site

    w = world
    pristine = copy_db(w.a.path, w.tmp / "laptop-pristine.sqlite3")
    bundles = []
    for n, (phone, uscc) in enumerate(
        (("021-1", "91310115MA1FL0002R"), ("021-2", None), ("021-3", "91310114MA1H00005Y"))
    ):
        with w.bureau.db.session() as s:
            s.scalar(select(Enterprise).where(Enterprise.uscc == "91350100M000100Y43")).phone = phone
            if uscc:
                ent = Enterprise(uscc=uscc, name=f"上海第{n}有限公司", district="浦东新区")
                s.add_all([ent, Site(enterprise=ent, address=f"上海市浦东新区{n}号", district="浦东新区")])
        bundles.append(w.bureau.export(f"R{n}.ibundle").path)

    def run(order):
        path = copy_db(pristine, w.tmp / "laptop-run.sqlite3")
        db = open_database(path)
        try:
            for i in order:
                import_bundle(db, bundles[i])
            with db.session() as s:
                phones = dict(s.execute(select(Enterprise.uscc, Enterprise.phone)).all())
            return bureau_state(db), phones
        finally:
            db.close()
            path.unlink()

    reference, phones = run([0, 1, 2])
    assert phones["91350100M000100Y43"] == "021-3" and len(phones) == 3

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(order=st.permutations(range(3)), again=st.lists(st.integers(0, 2), max_size=2))
    def any_order(order, again):
        assert run([*order, *again])[0] == reference

    any_order()
