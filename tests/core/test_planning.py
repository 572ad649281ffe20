"""The annual plan (001 §23, §30, §14) and its progress."""

from datetime import date

import pytest

from inspector_app.core.errors import DomainError, NotFound
from inspector_app.core.identifiers import uscc_check_char
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.storage.models import Enterprise, Inspector, License, Site
from inspector_app.core.storage.supervision_models import PlanEntry
from inspector_app.core.supervision import planning

YEAR = 2026


def _uscc(n: int) -> str:
    body = f"91310000MA{n:07d}"
    return body + uscc_check_char(body)


def make_roster(
    db, classes: dict[str, int], district="松江区", risk: dict[int, str] | None = None
) -> dict[str, list[str]]:
    """Enterprises per class in one district, each with a valid food license; returns ids per class."""
    out: dict[str, list[str]] = {}
    n = 0
    with db.session() as s:
        for cls, count in classes.items():
            for _ in range(count):
                n += 1
                e = Enterprise(
                    uscc=_uscc(n),
                    name=f"企业{n:03d}",
                    district=district,
                    classification=cls,
                    risk_level=(risk or {}).get(n),
                )
                site = Site(enterprise=e, address=f"{district}路{n}号", district=district)
                s.add_all(
                    [
                        e,
                        site,
                        License(
                            enterprise=e,
                            site=site,
                            number=f"(沪)XK16-204-{n:05d}",
                            category="直接接触食品的材料等相关产品",
                            expiry_date=date(2030, 1, 1),
                        ),
                    ]
                )
                s.flush()
                out.setdefault(cls, []).append(e.id)
        s.add_all([Inspector(name="甲", badge_no="1"), Inspector(name="乙", badge_no="2")])
    return out


def _visits(db, year=YEAR, district="松江区"):
    entries = planning.plan_entries(db, year, district)
    per: dict[str, int] = {}
    for _id, name, _uscc, _v, _m, _insp, _rule in entries:
        per[name] = per.get(name, 0) + 1
    return entries, per


def test_plan_follows_the_minimum_frequencies(db):  # 001 §30
    ids = make_roster(db, {"AA": 5, "A": 3, "B": 4, "C": 2})
    planning.generate_plan(db, YEAR, "松江区", who="科长", on=date(YEAR, 1, 10))
    entries, per = _visits(db)
    with db.session() as s:
        names = {cls: [s.get(Enterprise, i).name for i in lst] for cls, lst in ids.items()}
    assert all(per[n] == 2 for n in names["C"])  # C: twice each
    assert all(per[n] == 1 for n in names["B"])  # B: once each
    assert sum(1 for n in names["A"] if n in per) == 2  # A: ≥50 % of 3 → 2
    assert sum(1 for n in names["AA"] if n in per) == 1  # AA: ≥20 % of 5 → 1
    assert len(entries) == 2 * 2 + 4 + 2 + 1
    assert {rule for *_x, rule in entries} == {"001 §30(一)", "001 §30(二)", "001 §30(三)", "001 §30(四)"}
    c_months = sorted(m for _i, name, _u, _v, m, _n, _r in entries if name == names["C"][0])
    assert c_months[1] - c_months[0] == 6  # the two C visits half a year apart
    assert all(insp in ("甲", "乙") for *_x, insp, _r in entries)  # someone is responsible


def test_risk_level_one_tightens_the_plan(db):  # 001 §14
    make_roster(db, {"B": 1}, risk={1: "I"})
    planning.generate_plan(db, YEAR, "松江区")
    _entries, per = _visits(db)
    assert per == {"企业001": 2}  # B with level I products is supervised like C


def test_a_and_aa_groups_prefer_the_longest_uninspected(db, templates):
    ids = make_roster(db, {"A": 2})
    with db.session() as s:
        site = s.query(Site).filter_by(enterprise_id=ids["A"][0]).one().id
        team = [i.id for i in s.query(Inspector)]
    iid = svc.start_inspection(
        db, site_id=site, template=templates["food"], kind="scheduled", team=team, inspected_on=date(YEAR - 1, 5, 1)
    )
    for item in templates["food"].applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="conform")
    svc.complete_inspection(db, iid)
    planning.generate_plan(db, YEAR, "松江区")
    _e, per = _visits(db)
    assert per == {"企业002": 1}  # never inspected comes first


def test_existing_plan_is_not_overwritten_unless_asked(db):
    make_roster(db, {"B": 2})
    planning.generate_plan(db, YEAR, "松江区")
    with pytest.raises(DomainError, match="已存在"):
        planning.generate_plan(db, YEAR, "松江区")
    planning.generate_plan(db, YEAR, "松江区", replace=True)
    assert len(planning.plan_entries(db, YEAR, "松江区")) == 2


def test_no_enterprises_no_plan(db):
    with pytest.raises(DomainError, match="没有"):
        planning.generate_plan(db, YEAR, "黄浦区")
    with pytest.raises(NotFound):
        planning.plan_entries(db, YEAR, "黄浦区")


def test_progress_planned_done_owed_coverage(db, templates):
    ids = make_roster(db, {"B": 2, "C": 1})
    planning.generate_plan(db, YEAR, "松江区")
    with db.session() as s:
        site = s.query(Site).filter_by(enterprise_id=ids["C"][0]).one().id
        team = [i.id for i in s.query(Inspector)]
    for kind, on in (("scheduled", date(YEAR, 3, 1)), ("followup", date(YEAR, 4, 1))):
        iid = svc.start_inspection(db, site_id=site, template=templates["food"], kind=kind, team=team, inspected_on=on)
        for item in templates["food"].applicable_items:
            svc.save_answer(db, iid, item.id, conclusion="conform")
        svc.complete_inspection(db, iid)
    p = planning.progress(db, YEAR, "松江区", today=date(YEAR, 12, 1))
    assert (p.licensed, p.planned, p.done, p.done_total, p.inspected) == (3, 4, 1, 1, 1)  # 回访 does not count
    assert p.coverage == "33.3%"
    owed = {r.name: r.owed for r in p.owed}
    assert owed == {"企业001": 1, "企业002": 1, "企业003": 1}
    assert all(r.behind for r in p.owed)
    assert p.shortfalls == ()


def test_a_plan_short_of_001_s30_names_the_rule(db):
    make_roster(db, {"C": 1, "B": 1})
    planning.generate_plan(db, YEAR, "松江区")
    entries = planning.plan_entries(db, YEAR, "松江区")
    c_entry = next(e for e in entries if e[1] == "企业001")
    with db.session() as s:  # a plan missing one of the C enterprise's two visits
        s.delete(s.get(PlanEntry, c_entry[0]))
    p = planning.progress(db, YEAR, "松江区", today=date(YEAR, 1, 1))
    assert any("企业001" in s and "少于每年2次" in s and "管理办法》第三十条（四）" in s for s in p.shortfalls)


def _other_district_enterprise(db) -> str:
    with db.session() as s:
        e = Enterprise(uscc=_uscc(999), name="外区企业", district="奉贤区")
        s.add(e)
        s.flush()
        return e.id


def test_progress_without_plan(db):
    make_roster(db, {"B": 1})
    p = planning.progress(db, YEAR, "松江区")
    assert not p.exists and p.planned == 0 and p.licensed == 1


def test_the_plan_is_made_and_edited_at_the_bureau_only(db):  # 001 §23: 区级市场监管局…制定计划
    from inspector_app.core.errors import BureauOnly
    from inspector_app.core.storage.supervision_models import AnnualPlan, PlanEntry
    from tests.core.roles import as_device

    make_roster(db, {"C": 1, "B": 1})
    as_device(db, "bureau")
    planning.generate_plan(db, YEAR, "松江区")
    before = planning.plan_entries(db, YEAR, "松江区")
    as_device(db, "field")
    for attempt in (
        lambda: planning.generate_plan(db, YEAR + 1, "松江区"),
        lambda: planning.generate_plan(db, YEAR, "松江区", replace=True),
    ):
        with pytest.raises(BureauOnly, match=r"年度检查计划的(制定|调整)由区局进行.*请在区局的电脑上操作"):
            attempt()
    with db.session() as s:
        assert s.query(AnnualPlan).count() == 1 and s.query(PlanEntry).count() == 3
    assert planning.plan_entries(db, YEAR, "松江区") == before  # nothing changed
    assert planning.progress(db, YEAR, "松江区").planned == 3  # reading stays allowed on the laptop
