"""The home view's data (issue 16 §2): drafts, this inspector's tasks, 回访 due, completed but not yet synced."""

from datetime import date, timedelta

from inspector_app.core import settings
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.storage.models import Enterprise, Inspection, Site
from inspector_app.core.storage.supervision_models import Assignment, AssignmentMember
from inspector_app.core.storage.sync_models import RecordState
from inspector_app.core.supervision import my_work

TODAY = date(2026, 6, 17)  # a Wednesday


def _start(db, sample, templates, on=TODAY, kind="scheduled"):
    return svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind=kind,
        team=sample.inspector_ids[:2],
        inspected_on=on,
        license_id=sample.license_id,
    )


def _complete(db, templates, iid, problem: str | None = None):
    for item in templates["industrial"].applicable_items:
        if item.id == problem:
            svc.save_answer(db, iid, item.id, conclusion="nonconform", record="灭火器过期")
        else:
            svc.save_answer(db, iid, item.id, conclusion="conform")
    svc.complete_inspection(db, iid)


def _assign(db, sample, inspector_id: str) -> tuple[str, str]:
    with db.session() as s:
        ent = Enterprise(uscc="91310000MA1FL0XX1B", name="上海抽中电缆有限公司", district="奉贤区")
        site = Site(enterprise=ent, address="上海市奉贤区金海公路1号", district="奉贤区")
        s.add_all([ent, site])
        s.flush()
        a = Assignment(enterprise_id=ent.id, group_id="key_products", team_no=1)
        a.members.append(AssignmentMember(inspector_id=inspector_id, role="leader", position=0))
        s.add(a)
        s.flush()
        return a.id, ent.id


def test_nobody_set_up_still_lists_drafts_and_unsynced(db, sample, templates):
    draft = _start(db, sample, templates)
    work = my_work.my_work(db, today=TODAY)
    assert work.inspector_id is None
    assert [(i.section, i.inspection_id, i.when) for i in work.items] == [(my_work.DRAFT, draft, "今天")]


def test_the_laptops_inspector_sees_drafts_tasks_followups_and_unsynced(db, sample, templates):
    settings.set_value(db, "device.inspector", "张伟")
    me = sample.inspector_ids[0]
    draft = _start(db, sample, templates)
    svc.save_answer(db, draft, "2.1", conclusion="conform")
    assignment_id, drawn = _assign(db, sample, me)
    # Completed 25 days ago with a problem: the 30-day deadline falls this week (Saturday).
    done = _start(db, sample, templates, on=TODAY - timedelta(days=27))
    _complete(db, templates, done, problem="2.1")

    work = my_work.my_work(db, today=TODAY)
    assert work.inspector_name == "张伟"
    draft_row = work.section(my_work.DRAFT)[0]
    assert (draft_row.inspection_id, draft_row.enterprise_name, draft_row.detail) == (
        draft,
        "上海申华塑料制品有限公司",
        f"定期，已填写4/{len(templates['industrial'].items)}项",  # 3 items pre-set 不适用 for industrial products
    )
    (task,) = work.section(my_work.TASK)
    assert (task.assignment_id, task.enterprise_id, task.inspection_id) == (assignment_id, drawn, None)
    assert task.site_address == "上海市奉贤区金海公路1号" and "组长" in task.detail
    (due,) = work.section(my_work.FOLLOWUP)
    assert (due.kind, due.on, due.when, due.inspection_id) == ("followup", TODAY + timedelta(days=3), "本周", None)
    (unsynced,) = work.section(my_work.UNSYNCED)
    assert unsynced.inspection_id == done and "未导出" in unsynced.detail

    # Another inspector's laptop sees neither the task nor the 回访 (the third did not take part).
    settings.set_value(db, "device.inspector", "陈静")
    other = my_work.my_work(db, today=TODAY)
    assert other.section(my_work.TASK) == [] and other.section(my_work.FOLLOWUP) == []


def test_a_record_the_bureau_confirmed_leaves_the_list_until_it_changes(db, sample, templates):
    done = _start(db, sample, templates, on=TODAY - timedelta(days=1))
    _complete(db, templates, done)
    with db.session() as s:
        rev = s.get(Inspection, done).rev
        s.add(
            RecordState(
                kind="inspection", record_id=done, mark=str(rev), vv="{}", hash="h1", changed_seq=1, source="me",
                received_hash="h1",
            )
        )  # fmt: skip
    assert my_work.my_work(db, today=TODAY).section(my_work.UNSYNCED) == []
    with db.session() as s:
        s.get(RecordState, ("inspection", done)).received_hash = "h0"  # the bureau holds an older version
    (row,) = my_work.my_work(db, today=TODAY).section(my_work.UNSYNCED)
    assert "尚未确认" in row.detail


def test_a_started_assignment_shows_as_its_draft(db, sample, templates):
    settings.set_value(db, "device.inspector", "张伟")
    _aid, drawn = _assign(db, sample, sample.inspector_ids[0])
    with db.session() as s:
        site_id = s.query(Site.id).filter(Site.enterprise_id == drawn).scalar()
    iid = svc.start_inspection(
        db, site_id=site_id, template=templates["industrial"], kind="double_random", team=sample.inspector_ids[:2]
    )
    work = my_work.my_work(db, today=TODAY)
    assert work.section(my_work.TASK) == []
    assert [i.inspection_id for i in work.section(my_work.DRAFT)] == [iid]


def test_a_started_followup_is_a_draft_counting_its_problems(db, sample, templates):
    from inspector_app.core.supervision import followup_form, rectification

    settings.set_value(db, "device.inspector", "张伟")
    done = _start(db, sample, templates, on=TODAY - timedelta(days=40))
    _complete(db, templates, done, problem="2.1")
    fu = rectification.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2], inspected_on=TODAY)
    (p,) = followup_form.load(db, fu).problems
    followup_form.give_verdict(db, p.rectification_id, rectification.RECTIFIED, "已整改")
    work = my_work.my_work(db, today=TODAY)
    assert [(i.inspection_id, i.kind, i.detail) for i in work.section(my_work.DRAFT)] == [
        (fu, "followup", "回访，已复查1/1个问题")
    ]
    assert work.section(my_work.FOLLOWUP) == []  # listed once, as its draft
