"""Ids from natural keys (core/storage/identity.py) and migration 0800, which gave existing databases those ids."""

from __future__ import annotations

import sqlite3
import uuid

from sqlalchemy import select

from inspector_app.core.storage.identity import derive_id
from tests.rewind import undo_after_0800

OLD_HEADS = ("0100", "0210", "0400", "0600", "0710")  # before 0800 merged them


def test_the_same_key_written_differently_is_the_same_id():
    assert derive_id("license", {"number": "（沪）XK16-204-00006"}) == derive_id(
        "license", {"number": "(沪)XK16-204-00006"}
    )
    assert derive_id("enterprise", {"uscc": " 91350100m000100y43"}) == derive_id(
        "enterprise", {"uscc": "91350100M000100Y43"}
    )
    site = {"enterprise_id": "e", "address": "上海市奉贤区 南桥镇江海路８８号"}
    assert derive_id("site", site) == derive_id(
        "site", {"enterprise_id": "e", "address": "上海市奉贤区南桥镇江海路88号"}
    )
    assert derive_id("enterprise", {"uscc": "91350100M000100Y43"}) != derive_id(
        "inspector", {"badge_no": "91350100M000100Y43"}
    )
    assert derive_id("inspection", {"enterprise_id": "e"}) is None  # an event: no natural key


def test_the_demo_makes_the_same_ids_on_two_machines(tmp_path, fixed_today):
    from inspector_app.core.demo import load_demo
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site
    from inspector_app.core.storage.supervision_models import ClassificationChange

    ids = []
    for name in ("laptop", "bureau"):
        db = open_database(tmp_path / f"{name}.sqlite3")
        load_demo(db)
        with db.session() as s:
            ids.append(
                {
                    m.__name__: set(s.scalars(select(m.id)))
                    for m in (Enterprise, Site, License, Inspector, ClassificationChange)
                }
            )
        db.close()
    assert ids[0] == ids[1] and len(ids[0]["Enterprise"]) == 646


def test_migration_0800_moves_every_id_and_reference_in_one_go(db_path, templates):
    """A database of the previous version (random ids, a signed inspection, sync states) is backed up, then
    every natural-key record gets its derived id and every reference follows; the signed record still
    verifies."""
    from inspector_app.core.inspection import inspections
    from inspector_app.core.inspection.templates import template_for_category
    from inspector_app.core.issuing import signing
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Enterprise, Inspection, InspectionMember, Inspector, License, Site
    from inspector_app.core.storage.sync_models import RecordState
    from tests.documents import factory
    from tests.sync.conftest import make_roster

    db = open_database(db_path)
    site_id, license_id, team = make_roster(db)
    iid = inspections.start_inspection(
        db,
        site_id=site_id,
        template=template_for_category(templates, "危险化学品"),
        kind="scheduled",
        team=team[:2],
        license_id=license_id,
    )
    view = inspections.load_inspection(db, iid)
    for item in view.template.items:
        if not view.locked(item.id):
            inspections.save_answer(db, iid, item.id, conclusion="conform")
    inspections.complete_inspection(db, iid)
    sigs = [
        signing.SignatureInput(
            role="inspector", inspector_id=i, image=factory.signature_png(n), strokes=factory.strokes(n)
        )
        for n, i in enumerate(team[:2])
    ]
    signing.sign_inspection(db, iid, [*sigs, factory.representative()])
    db.close()

    # As the previous version left it: random ids, a sync state under the old enterprise id, older revisions.
    con = sqlite3.connect(db_path)
    with con:
        con.execute("PRAGMA foreign_keys=OFF")
        old = {}
        for table in ("enterprise", "inspector", "site", "license"):
            for (rid,) in con.execute(f"SELECT id FROM {table}").fetchall():
                new = str(uuid.uuid4())
                old[rid] = new
                con.execute(f"UPDATE {table} SET id = ? WHERE id = ?", (new, rid))
        for table, col in (
            ("site", "enterprise_id"),
            ("license", "enterprise_id"),
            ("license", "site_id"),
            ("inspection", "enterprise_id"),
            ("inspection", "site_id"),
            ("inspection", "license_id"),
            ("inspection_member", "inspector_id"),
            ("signature", "inspector_id"),
            ("classification_change", "enterprise_id"),
        ):
            for a, b in old.items():
                con.execute(f"UPDATE {table} SET {col} = ? WHERE {col} = ?", (b, a))
        ent_old = con.execute("SELECT id FROM enterprise").fetchone()[0]
        con.execute(
            "INSERT INTO sync_record_state VALUES ('enterprise', ?, '1', '{\"x\":1}', 'h', 1, 'x', 'h', NULL)",
            (ent_old,),
        )
        con.execute("DELETE FROM alembic_version")
        con.executemany("INSERT INTO alembic_version VALUES (?)", [(r,) for r in OLD_HEADS])
        undo_after_0800(con)  # so that upgrading from these heads makes it again
    con.close()

    db = open_database(db_path)
    try:
        assert (db_path.parent / f"{db_path.name}.before-{'+'.join(OLD_HEADS)}.bak").exists()
        with db.session() as s:
            ent = s.scalar(select(Enterprise))
            assert ent.id == derive_id("enterprise", {"uscc": ent.uscc}) != ent_old
            site = s.scalar(select(Site))
            assert site.id == derive_id("site", {"enterprise_id": ent.id, "address": site.address})
            lic = s.scalar(select(License))
            assert (lic.id, lic.enterprise_id, lic.site_id) == (
                derive_id("license", {"number": lic.number}),
                ent.id,
                site.id,
            )
            insp = s.get(Inspection, iid)
            assert (insp.enterprise_id, insp.site_id, insp.license_id) == (ent.id, site.id, lic.id)
            badges = dict(s.execute(select(Inspector.id, Inspector.badge_no)).all())
            members = s.scalars(select(InspectionMember.inspector_id).where(InspectionMember.inspection_id == iid))
            assert all(m == derive_id("inspector", {"badge_no": badges[m]}) for m in members)
            st = s.scalar(select(RecordState).where(RecordState.kind == "enterprise"))
            assert (st.record_id, st.hash, st.received_hash) == (ent.id, "rehash", "rehash")
        con = sqlite3.connect(db_path)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        con.close()
        assert signing.verify_record(db, iid) == []  # the signed record still verifies
    finally:
        db.close()
