"""Rectification follow-up (001 §27, 004 二(三)): open problems, dashboard, the 回访 round trip, flags."""

from datetime import date, timedelta

import pytest

from inspector_app.core import settings
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.storage.models import Enterprise
from inspector_app.core.storage.supervision_models import Rectification
from inspector_app.core.supervision import classification, rectification, statistics

ON = date(2026, 5, 1)


def inspect(db, sample, templates, problems: dict[str, bool], on=ON):
    """A completed inspection whose given items are 不符合 (value: rectified on the spot)."""
    t = templates["industrial"]
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=t,
        kind="scheduled",
        team=sample.inspector_ids[:2],
        inspected_on=on,
        license_id=sample.license_id,
    )
    for item in t.applicable_items:
        if item.id in problems:
            svc.save_answer(
                db, iid, item.id, conclusion="nonconform", record=f"问题{item.id}", rectified_on_site=problems[item.id]
            )
        else:
            svc.save_answer(db, iid, item.id, conclusion="conform")
    svc.complete_inspection(db, iid)
    return iid


def test_unrectified_findings_open_with_the_default_deadline(db, sample, templates):
    inspect(db, sample, templates, {"2.1": False, "5.1": True, "4.1": False})
    assert rectification.collect(db) == 2  # 5.1 was rectified on the spot (002 附件2 备注(3))
    assert rectification.collect(db) == 0  # idempotent
    rows = rectification.for_enterprise(db, sample.enterprise_id, today=ON)
    assert sorted((r.item_id, r.category, r.problem, r.deadline) for r in rows) == [
        ("2.1", "生产条件", "问题2.1", ON + timedelta(days=30)),
        ("4.1", "检验情况", "问题4.1", ON + timedelta(days=30)),
    ]


def test_default_period_is_a_setting(db, sample, templates):
    settings.update(db, {rectification.SETTING_DEFAULT_DAYS: "15"})
    inspect(db, sample, templates, {"2.1": False})
    (row,) = rectification.for_enterprise(db, sample.enterprise_id, today=ON)
    assert row.deadline == ON + timedelta(days=15)
    with pytest.raises(settings.SettingsRefused):
        settings.update(db, {rectification.SETTING_DEFAULT_DAYS: "0"})


def test_drafts_do_not_open_rectifications(db, sample, templates):
    t = templates["industrial"]
    iid = svc.start_inspection(db, site_id=sample.site_id, template=t, kind="scheduled", team=sample.inspector_ids[:2])
    svc.save_answer(db, iid, "2.1", conclusion="nonconform", record="x")
    assert rectification.collect(db) == 0


def test_dashboard_open_due_soon_overdue_per_enterprise_and_district(db, sample, templates):
    inspect(db, sample, templates, {"2.1": False, "4.1": False, "5.1": False})
    rows = {r.item_id: r for r in rectification.for_enterprise(db, sample.enterprise_id, today=ON)}
    with db.session() as s:  # deadlines as the signing inspector chose them
        s.get(Rectification, rows["2.1"].id).deadline = ON + timedelta(days=3)  # due soon
        s.get(Rectification, rows["4.1"].id).deadline = ON + timedelta(days=1)
    dash = rectification.dashboard(db, today=ON + timedelta(days=2))
    assert [(r.item_id, r.state) for r in dash.rows] == [("4.1", "overdue"), ("2.1", "due_soon"), ("5.1", "pending")]
    assert dash.total.open == 3 and dash.total.overdue == 1 and dash.total.due_soon == 1
    ((eid, _name, district, counts),) = dash.per_enterprise
    assert (eid, district, counts.overdue, counts.due_soon, counts.pending) == (sample.enterprise_id, "奉贤区", 1, 1, 1)
    assert dash.per_district[0][0] == "奉贤区"
    assert rectification.dashboard(db, today=ON, district="松江区").rows == ()


def test_followup_round_trip_rectified_and_not(db, sample, templates):
    first = inspect(db, sample, templates, {"2.1": False, "4.1": False})
    fu = rectification.start_followup(
        db, sample.enterprise_id, team=sample.inspector_ids[1:3], inspected_on=date(2026, 6, 5)
    )
    view = svc.load_inspection(db, fu)
    assert view.kind == "followup" and view.site_id == sample.site_id and view.status == "draft"
    assert "回访复查：2026-05-01检查发现“问题2.1”" in view.answer("2.1").remark  # pre-filled with the open problems
    assert "问题4.1" in view.answer("4.1").remark
    problems = {p.item_id: p for p in rectification.followup_problems(db, fu)}
    assert set(problems) == {"2.1", "4.1"}
    with pytest.raises(DomainError, match="没有待复查"):
        rectification.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2])

    with pytest.raises(ValidationError, match="复查记录"):
        rectification.mark(db, problems["2.1"].id, rectified=True, record=" ")
    assert rectification.mark(db, problems["2.1"].id, rectified=True, record="已更换设备", photo="IMG_0012.jpg") == []
    flags = rectification.mark(db, problems["4.1"].id, rectified=False, record="仍无出厂检验记录")
    assert len(flags) == 3
    with pytest.raises(DomainError, match="不能重复标记"):
        rectification.mark(db, problems["4.1"].id, rectified=True, record="x")

    view = svc.load_inspection(db, fu)
    assert (view.answer("2.1").conclusion, view.answer("4.1").conclusion) == ("conform", "nonconform")
    assert view.answer("4.1").record == "仍无出厂检验记录"
    for item in view.template.applicable_items:  # the inspector answers the rest of the form and completes it
        if not view.answer(item.id).conclusion:
            svc.save_answer(db, fu, item.id, conclusion="conform")
    svc.complete_inspection(db, fu)

    rows = {(r.inspection_id, r.item_id): r for r in rectification.for_enterprise(db, sample.enterprise_id, today=ON)}
    assert rows[(first, "2.1")].state == "rectified" and rows[(first, "2.1")].photo == "IMG_0012.jpg"
    assert rows[(first, "4.1")].state == "not_rectified"
    assert rows[(first, "4.1")].checked_on == date(2026, 6, 5)
    assert rows[(fu, "4.1")].state == "pending"  # the persisting problem is open again, with a new deadline

    flags = rectification.flags(db, status="proposed")
    assert sorted((f.kind, f.citation) for f in flags) == [
        ("downgrade", "001 §33"),
        ("stop_production", "004 二(三)"),
        ("transfer_penalty", "001 §28"),
    ]


def test_decisions_on_flags(db, sample, templates):
    with db.session() as s:
        s.get(Enterprise, sample.enterprise_id).classification = "A"
    inspect(db, sample, templates, {"4.1": False})
    fu = rectification.start_followup(
        db, sample.enterprise_id, team=sample.inspector_ids[:2], inspected_on=date(2026, 6, 5)
    )
    (p,) = rectification.followup_problems(db, fu)
    rectification.mark(db, p.id, rectified=False, record="未整改")
    flags = {f.kind: f for f in rectification.flags(db)}
    rectification.decide_flag(db, flags["downgrade"].id, confirm=True, who="科长", on=date(2026, 6, 10))
    assert classification.supervision(db, sample.enterprise_id).classification == "B"  # one step down (001 §33)
    rectification.decide_flag(db, flags["transfer_penalty"].id, confirm=True, who="科长", on=date(2026, 6, 10))
    rectification.decide_flag(db, flags["stop_production"].id, confirm=False, who="科长", on=date(2026, 6, 10))
    with pytest.raises(DomainError, match="不能重复决定"):
        rectification.decide_flag(db, flags["stop_production"].id, confirm=True, who="科长")
    report = statistics.build_report(db, date(2026, 1, 1), date(2026, 12, 31))
    assert report.total.transferred == 1  # the confirmed transfer counts in 000 表4


def test_direct_transfer_to_penalty(db, sample, templates):  # 001 §28
    iid = inspect(db, sample, templates, {})
    fid = rectification.transfer_to_penalty(
        db, sample.enterprise_id, reason="涉嫌无证生产", who="张伟", inspection_id=iid, on=ON
    )
    (flag,) = rectification.flags(db)
    assert (flag.id, flag.status, flag.kind) == (fid, "confirmed", "transfer_penalty")
    with pytest.raises(ValidationError):
        rectification.transfer_to_penalty(db, sample.enterprise_id, reason="", who="张伟")


def test_followup_needs_a_site_when_problems_are_at_several(db, sample, templates):
    inspect(db, sample, templates, {"2.1": False})
    t = templates["food"]
    iid = svc.start_inspection(
        db,
        site_id=_second_site(db, sample),
        template=t,
        kind="scheduled",
        team=sample.inspector_ids[:2],
        inspected_on=ON,
        license_id=sample.food_license_id,
    )
    for item in t.applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="nonconform" if item.id == "5.1" else "conform", record="标识缺失")
    svc.complete_inspection(db, iid)
    with pytest.raises(DomainError, match="2个生产地址"):
        rectification.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2])
    fu = rectification.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2], site_id=sample.site_id)
    assert [p.item_id for p in rectification.followup_problems(db, fu)] == ["2.1"]


def _second_site(db, sample):
    from inspector_app.core.storage.models import License

    with db.session() as s:
        return s.get(License, sample.food_license_id).site_id


def _not_rectified(db, sample, templates) -> dict:
    """A 回访 that finds 4.1 still not rectified: its three proposals by kind."""
    inspect(db, sample, templates, {"4.1": False})
    fu = rectification.start_followup(
        db, sample.enterprise_id, team=sample.inspector_ids[:2], inspected_on=date(2026, 6, 5)
    )
    (p,) = rectification.followup_problems(db, fu)
    rectification.mark(db, p.id, rectified=False, record="未整改")
    return {f.kind: f for f in rectification.flags(db)}


def test_a_decided_proposal_says_how_it_was_decided(db, sample, templates, fixed_today):
    flags = _not_rectified(db, sample, templates)
    rectification.decide_flag(db, flags["transfer_penalty"].id, confirm=True, who="科长", on=date(2026, 6, 10))
    rectification.decide_flag(db, flags["stop_production"].id, confirm=False, who="科长", on=date(2026, 6, 11))
    with pytest.raises(DomainError) as e:
        rectification.decide_flag(db, flags["transfer_penalty"].id, confirm=False, who="科长")
    assert str(e.value) == "该处理建议已于2026-06-10作出决定（已决定执行），不能重复决定"
    with pytest.raises(DomainError) as e:
        rectification.decide_flag(db, flags["stop_production"].id, confirm=True, who="科长")
    assert str(e.value) == "该处理建议已于2026-06-11作出决定（不予采纳），不能重复决定"


def test_a_refused_downgrade_leaves_the_proposal_undecided(db, sample, templates, fixed_today):  # nothing changes
    with db.session() as s:
        s.get(Enterprise, sample.enterprise_id).classification = "A"
    flags = _not_rectified(db, sample, templates)
    classification.set_risk_level(db, sample.enterprise_id, "II", reason="列入目录", who="科长", on=date(2026, 6, 12))
    with pytest.raises(ValidationError, match="早于该企业最近一次分类记录（2026-06-12"):
        rectification.decide_flag(db, flags["downgrade"].id, confirm=True, who="科长", on=date(2026, 6, 10))
    assert {f.kind: f.status for f in rectification.flags(db)}["downgrade"] == "proposed"
    assert classification.supervision(db, sample.enterprise_id).classification == "A"
    rectification.decide_flag(db, flags["downgrade"].id, confirm=True, who="科长", on=date(2026, 6, 13))
    assert classification.supervision(db, sample.enterprise_id).classification == "B"


def test_on_a_field_laptop_followups_are_done_and_decisions_refused(db, sample, templates, fixed_today):
    from inspector_app.core.errors import BureauOnly
    from tests.core.roles import as_device

    as_device(db, "field")
    flags = _not_rectified(db, sample, templates)  # collecting, starting and marking a 回访: site work, allowed
    assert len(flags) == 3
    for kind in ("stop_production", "transfer_penalty", "downgrade"):
        with pytest.raises(BureauOnly, match=r"处理建议的决定.*由区局进行.*请在区局的电脑上操作"):
            rectification.decide_flag(db, flags[kind].id, confirm=True, who="张伟", on=date(2026, 6, 10))
    with pytest.raises(BureauOnly, match="移交行政处罚的登记由区局进行"):
        rectification.transfer_to_penalty(db, sample.enterprise_id, reason="涉嫌无证生产", who="张伟", on=ON)
    assert {(f.kind, f.status) for f in rectification.flags(db)} == {
        ("stop_production", "proposed"),
        ("transfer_penalty", "proposed"),
        ("downgrade", "proposed"),
    }
    assert classification.supervision(db, sample.enterprise_id).classification == "B"
    as_device(db, "bureau")
    rectification.decide_flag(db, flags["transfer_penalty"].id, confirm=True, who="科长", on=date(2026, 6, 10))
    assert rectification.transfer_to_penalty(db, sample.enterprise_id, reason="涉嫌无证生产", who="科长", on=ON)
