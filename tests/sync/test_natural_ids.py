"""One enterprise is one record, wherever it was entered (issue 12 §2): ids derived from natural keys.

Three real installations (conftest `bare_world`: a bureau and two laptops with keys, before any bundle)
each load the same roster themselves — the ORM way (conftest make_roster) and through the roster import
that the demo loader and `roster import` use — and then exchange bundles both ways.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from inspector_app.core.storage.models import Enterprise, Inspection
from inspector_app.sync import conflicts
from tests.sync.conftest import make_roster

TODAY = date(2026, 6, 1)


def _load_roster(db) -> None:
    from inspector_app.core.demo import generate_roster_rows
    from inspector_app.core.roster.importer import import_records

    report = import_records(db, generate_roster_rows(30, seed=7, today=TODAY))
    assert not report.errors


def _conflicts(result) -> int:
    return result.preview.total("conflict")


def _same_roster_everywhere(w) -> None:
    for node in (w.a, w.b):
        make_roster(node.db)
    for node in w.nodes:
        _load_roster(node.db)


def test_installations_that_loaded_the_same_roster_sync_without_a_conflict(bare_world):
    from inspector_app.core.supervision.statistics import build_report

    w = bare_world
    _same_roster_everywhere(w)
    iid = w.start(w.a)  # on the bureau's site and license: the laptop has them under the same ids
    w.answer_all(w.a, iid)
    w.complete_and_sign(w.a, iid)

    first = w.a.import_(w.bureau.export().path)  # the laptop's first bureau bundle, after its own roster
    assert _conflicts(first) == 0 and first.preview.total("same") > 100
    up = w.bureau.import_(w.a.export().path)
    assert _conflicts(up) == 0
    assert up.preview.total("added") >= 3  # the inspection, its sign-off and signatures
    w.b.import_(w.bureau.export().path)
    back = w.bureau.import_(w.b.export().path)
    again = w.a.import_(w.bureau.export().path)
    assert _conflicts(back) == 0 and _conflicts(again) == 0
    for node in w.nodes:
        assert conflicts.list_conflicts(node.db) == []

    # The laptop's signed inspection is in the bureau's archive and statistics.
    with w.bureau.db.session() as s:
        insp = s.get(Inspection, iid)
        assert insp is not None and insp.status == "completed"
        enterprise_id = insp.enterprise_id
    from inspector_app.core.archive import get_enterprise

    assert [x.id for x in get_enterprise(w.bureau.db, enterprise_id).inspections] == [iid]
    report = build_report(w.bureau.db, date(2026, 1, 1), date(2026, 12, 31))
    assert report.total.inspections == 1


def test_the_same_enterprise_with_two_names_is_one_conflict_not_one_per_dependant(bare_world):
    w = bare_world
    _same_roster_everywhere(w)
    with w.a.db.session() as s:  # the laptop corrected the name before it ever synced
        ent = s.scalar(select(Enterprise).where(Enterprise.uscc == "91350100M000100Y43"))
        ent.name = "上海申华塑料制品股份有限公司"
    iid = w.start(w.a)
    w.answer_all(w.a, iid)
    w.complete_and_sign(w.a, iid)

    up = w.bureau.import_(w.a.export().path)
    assert _conflicts(up) == 1
    [row] = conflicts.list_conflicts(w.bureau.db)
    assert row.kind == "enterprise"
    assert "上海申华塑料制品" in row.title and "91350100M000100Y43" in row.title  # name and credit code
    with w.bureau.db.session() as s:  # everything that depends on it arrived all the same
        assert s.scalar(select(func.count()).select_from(Inspection).where(Inspection.id == iid)) == 1
    detail = conflicts.conflict_detail(w.bureau.db, row.id)
    assert [(d.field, d.local, d.incoming) for d in detail.diffs] == [
        ("企业名称", "上海申华塑料制品有限公司", "上海申华塑料制品股份有限公司")
    ]
    conflicts.resolve_conflict(w.bureau.db, row.id, conflicts.INCOMING)
    down = w.a.import_(w.bureau.export().path)
    assert _conflicts(down) == 0
    with w.a.db.session() as s:
        assert s.scalar(select(Enterprise.name).where(Enterprise.uscc == "91350100M000100Y43")).endswith("股份有限公司")
