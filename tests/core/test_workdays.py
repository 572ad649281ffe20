"""Working days of the publication deadline (002 三(五): 20个工作日), from the State Council's schedule.

Hand-derived from 国务院办公厅关于2026年部分节假日安排的通知: 中秋 9月25日–27日, 国庆 10月1日–7日 放假,
9月20日（周日）、10月10日（周六）上班. An inspection completed on Friday 2026-09-18 has 20 working days:
9-20, 9-21…9-24 (5), 9-28…9-30 (8), 10-8, 10-9, 10-10 (11), 10-12…10-16 (16), 10-19…10-22 (20) → 2026-10-22
(counting weekends alone would give 2026-10-16).
"""

from datetime import date

import pytest

from inspector_app.core.supervision.draw_rules import Publication, load_rules
from inspector_app.core.supervision.workdays import CalendarUnknown


def test_2026_follows_the_state_council_schedule_with_make_up_days():
    pub = Publication(20)  # a rules file without a table of its own
    assert pub.is_working_day(date(2026, 9, 20)) and pub.is_working_day(date(2026, 10, 10))  # 调休
    assert not pub.is_working_day(date(2026, 10, 5)) and not pub.is_working_day(date(2026, 9, 25))
    assert pub.deadline(date(2026, 9, 18)) == date(2026, 10, 22)
    assert pub.working_days_left(date(2026, 10, 9), date(2026, 10, 22)) == 10


def test_a_year_nobody_knows_is_refused_never_guessed():
    pub = Publication(20)
    with pytest.raises(CalendarUnknown, match="2027年的法定节假日和调休安排未知"):
        pub.deadline(date(2026, 12, 10))  # 15 working days left in 2026, the rest in 2027
    assert pub.deadline(date(2026, 11, 2)) == date(2026, 11, 30)  # within 2026: counted


def test_the_rules_table_overrides_and_can_add_a_year():
    # the bureau enters 2027's schedule: 1月1日 放假 (a made-up table for the test)
    pub = Publication(20, frozenset({date(2027, 1, 1)}), frozenset())
    assert pub.deadline(date(2026, 12, 10)) == date(2027, 1, 8)
    # an override of a known year: a day the package counts as working, declared a holiday
    local = Publication(1, frozenset({date(2026, 11, 3)}), frozenset())
    assert local.deadline(date(2026, 11, 2)) == date(2026, 11, 4)
    # the shipped 2022 table still gives the 2022 deadlines
    assert load_rules().publication.deadline(date(2022, 9, 20)) == date(2022, 10, 21)


def test_a_task_whose_deadline_is_unknown_is_flagged(db):
    from inspector_app.core.storage.supervision_models import Assignment
    from inspector_app.core.supervision import assignments, draw
    from inspector_app.core.supervision.draw_rules import rules_from_dict
    from tests.core.test_draw import ON, SEED, make

    make(db)
    d = load_rules().to_dict()
    d["publication"] = {"working_days": 20, "holidays": [], "workdays": []}  # the State Council's schedule only
    summary = draw.run_draw(db, rules_from_dict(d), seed=SEED, year=2022, on=ON)
    with db.session() as s:
        a = s.query(Assignment).filter(Assignment.draw_id == summary.id, Assignment.team_no > 0).first()
        a.status, a.done_on, aid = "done", date(2026, 12, 10), a.id
    task = next(t for t in assignments.draw_tasks(db, summary.id, today=date(2026, 12, 11)) if t.assignment_id == aid)
    assert (task.publish_by, task.publication) == (None, "no_calendar")
    assert assignments.PUBLICATION_STATES[task.publication] == "公示期限未知（节假日安排未知）"
    with db.session() as s:  # a deadline that could not be counted is counted by the next refresh once it can be
        s.get(Assignment, aid).done_on = date(2026, 11, 2)
        for other in s.query(Assignment).filter(Assignment.id != aid):  # no open task left to refresh
            other.status, other.published_on = "done", date(2022, 7, 1)
    task = next(t for t in assignments.draw_tasks(db, summary.id, today=date(2026, 11, 3)) if t.assignment_id == aid)
    assert (task.publish_by, task.publication) == (date(2026, 11, 30), "pending")
