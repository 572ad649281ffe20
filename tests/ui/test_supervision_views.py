"""The supervision screens: statistics (tables, charts, exports), follow-up, plan, draw — offscreen, with a
real database and the serial database lane (ui/tasks.py). Dialogs are bypassed through the screens' public methods."""

from datetime import date

import pytest

from inspector_app.core.inspection import inspections as svc
from inspector_app.core.storage.models import Inspector
from inspector_app.core.storage.supervision_models import InspectorProfile


def settle(qtbot, worker, until, timeout=8000):
    """Let jobs run and callbacks arrive (a callback may submit the next job)."""

    def ready():
        worker.wait_idle()
        return until()

    qtbot.waitUntil(ready, timeout=timeout)


def complete(db, sample, templates, problems=(), kind="scheduled", on=date(2026, 5, 1)):
    t = templates["industrial"]
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=t,
        kind=kind,
        team=sample.inspector_ids[:2],
        inspected_on=on,
        license_id=sample.license_id,
    )
    for item in t.applicable_items:
        bad = item.id in problems
        svc.save_answer(db, iid, item.id, conclusion="nonconform" if bad else "conform", record="问题" if bad else "")
    svc.complete_inspection(db, iid)
    return iid


# ------------------------------------------------------------------ statistics
@pytest.fixture(scope="module")
def shanghai_db(tmp_path_factory):
    from inspector_app.core.storage.db import open_database
    from tests.core import shanghai2021

    db = open_database(tmp_path_factory.mktemp("sh") / "sh.sqlite3")
    shanghai2021.build(db)
    yield db
    db.close()


def test_statistics_view_shows_000_tables_and_charts(qtbot, db_worker, shanghai_db, tmp_path):
    from inspector_app.ui.statistics_view import StatisticsView

    view = StatisticsView(shanghai_db, db_worker)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    view.year.setValue(2021)
    with qtbot.waitSignal(view.report_ready, timeout=10000):
        view.refresh()
    assert "实际检查1080家次" in view.summary.text() and "497项次" in view.summary.text()
    last = view.t4.rowCount() - 1
    assert view.t4.row(last)[:7] == ("合计", 646, 963, 1080, 497, 121, 6)
    assert view.t4.row(0) == ("奉贤区", 123, 131, 152, 35, 15, 2, "100%")
    assert [view.t2.row(i)[:5] for i in range(3)] == [
        ("A", "责任监管", 325, "50%", 411),
        ("B", "常态监管", 302, "47%", 610),
        ("C", "加严监管", 19, "3%", 59),
    ]
    assert view.tp.row(0) == ("生产条件", 172, "34.6%")
    assert "食品相关产品167项次" in view.other_note.text()
    assert view.bar_chart._items[0] == ("奉贤区", 123) and len(view.bar_chart._items) == 13
    assert [(i[0], i[1], i[2]) for i in view.pie_chart._items] == [
        ("A类", 325, "50%"),
        ("B类", 302, "47%"),
        ("C类", 19, "3%"),
    ]
    for i in range(view.tabs.count()):  # every tab paints (charts included)
        view.tabs.setCurrentIndex(i)
        assert not view.grab().isNull()
    view.tabs.setCurrentIndex(1)
    view.grab().save(str(tmp_path / "statistics_view.png"))
    with qtbot.waitSignal(view.exported, timeout=10000) as sig:
        view.export(str(tmp_path / "r.xlsx"))
    assert sig.args[0].endswith("r.xlsx") and (tmp_path / "r.xlsx").stat().st_size > 1000


def test_statistics_view_custom_period_and_district(qtbot, db_worker, shanghai_db):
    from inspector_app.ui.statistics_view import StatisticsView

    view = StatisticsView(shanghai_db, db_worker)
    qtbot.addWidget(view)
    view.year.setValue(2021)
    view.by_period.setChecked(True)
    from PySide6.QtCore import QDate

    view.end.setDate(QDate(2021, 6, 30))
    view.district.setCurrentIndex(view.district.findData("金山区"))
    assert view.period() == (date(2021, 1, 1), date(2021, 6, 30))
    with qtbot.waitSignal(view.report_ready, timeout=10000) as sig:
        view.refresh()
    assert sig.args[0].district == "金山区" and view.t4.rowCount() == 2


def test_statistics_view_reports_errors(qtbot, db_worker, db, monkeypatch):
    from inspector_app.ui import statistics_view
    from inspector_app.ui.statistics_view import StatisticsView

    shown = []
    monkeypatch.setattr(statistics_view, "show_error", lambda exc, parent=None: shown.append(str(exc)))
    view = StatisticsView(db, db_worker)
    qtbot.addWidget(view)
    view.by_period.setChecked(True)
    from PySide6.QtCore import QDate

    view.start.setDate(QDate(2026, 12, 31))
    view.end.setDate(QDate(2026, 1, 1))
    view.by_period.setChecked(True)
    view.refresh()
    settle(qtbot, db_worker, lambda: bool(shown))
    assert "早于" in shown[0] and view.run_button.isEnabled()


# ------------------------------------------------------------------ follow-up
def test_followup_view_dashboard_start_mark_decide(qtbot, db_worker, db, sample, templates, fixed_today):
    from inspector_app.ui.followup_view import FollowupView

    complete(db, sample, templates, problems=("4.1", "5.1"))
    view = FollowupView(db, db_worker)
    qtbot.addWidget(view)
    view.refresh()
    settle(qtbot, db_worker, lambda: view.problems.rowCount() == 2)
    assert "已逾期2项" in view.counts.text()  # deadline 2026-05-31, today 2026-06-15
    assert view.per_district.row(0) == ("奉贤区", 2, 0, 0, 2)
    started = []
    view.followup_started.connect(started.append)
    view.start_followup(sample.enterprise_id, sample.inspector_ids[:2], site_id=view.dashboard.rows[0].site_id)
    settle(qtbot, db_worker, lambda: bool(started) and view.problems.row(0)[10] == "已开始")
    assert svc.load_inspection(db, started[0]).kind == "followup"
    first, second = view.dashboard.rows
    view.mark_problem(first.id, True, "已整改")
    view.mark_problem(second.id, False, "仍未整改", photo="p.jpg")
    settle(qtbot, db_worker, lambda: view.problems.rowCount() == 0 and view.flags.rowCount() == 3)
    flag_id = view.flags.row_id(0)
    view.decide(flag_id, True, "科长")
    settle(qtbot, db_worker, lambda: view.flags.rowCount() == 2)
    view.grab()


def test_followup_and_plan_lists_fill_when_the_screen_opens(qtbot, db_worker, db, sample, templates, fixed_today):
    from inspector_app.ui.followup_view import FollowupView
    from inspector_app.ui.plan_view import PlanView

    complete(db, sample, templates, problems=("4.1", "5.1"))
    view = FollowupView(db, db_worker)
    qtbot.addWidget(view)
    view.show()  # no 刷新
    settle(qtbot, db_worker, lambda: view.problems.rowCount() == 2)
    plan = PlanView(db, db_worker)
    qtbot.addWidget(plan)
    plan.show()
    settle(qtbot, db_worker, lambda: plan.progress is not None)
    assert plan.summary.text()


# ------------------------------------------------------------------ plan
def test_plan_view_generate_and_progress(qtbot, db_worker, db, sample, templates, fixed_today):
    from inspector_app.ui.plan_view import PlanView

    complete(db, sample, templates)
    view = PlanView(db, db_worker)
    qtbot.addWidget(view)
    view.year.setValue(2026)
    view.district.setCurrentIndex(view.district.findData("奉贤区"))
    view.refresh()
    settle(qtbot, db_worker, lambda: view.progress is not None and view.progress.district == "奉贤区")
    assert "尚无2026年度检查计划" in view.summary.text()
    view.generate()
    settle(qtbot, db_worker, lambda: view.progress is not None and view.progress.exists)
    assert view.model.rowCount() == 1
    row = view.model.row(0)
    assert (row[2], row[5], row[7], row[8]) == ("B", 1, 1, 0)  # B: planned once, done once, owes nothing
    assert "覆盖率100%" in view.summary.text()
    view.owed_only.setChecked(True)
    assert view.model.rowCount() == 0


# ------------------------------------------------------------------ draw
def test_draw_view_run_verify_export_publish(
    qtbot, db_worker, db, sample, templates, fixed_today, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    from inspector_app.ui.draw_view import DrawView

    with db.session() as s:
        for i in range(4):
            insp = Inspector(name=f"抽取员{i}", badge_no=f"3300{i}")
            s.add(insp)
            s.flush()
            s.add(InspectorProfile(inspector_id=insp.id, can_lead=i == 0, technical=i == 1))
    boxes = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: boxes.append(("ok", a[2])))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: boxes.append(("bad", a[2])))
    view = DrawView(db, db_worker)
    qtbot.addWidget(view)
    view.refresh()
    settle(qtbot, db_worker, lambda: view.inspector.count() == 7)
    assert "尚无抽取记录" in view.summary.text()
    view.seed.setText("20260615")
    view.year.setValue(2026)
    view.team_size.setValue(5)
    with qtbot.waitSignal(view.drawn, timeout=10000):
        view.run()
    settle(qtbot, db_worker, lambda: view.task_model.rowCount() == 1)
    assert "随机种子“20260615”" in view.summary.text() and "结果哈希" in view.summary.text()
    with qtbot.waitSignal(view.verified, timeout=10000) as sig:
        view.verify()
    assert sig.args == [True] and boxes[0][0] == "ok"
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export(str(tmp_path / "pub.csv"))
    assert "20260615" in (tmp_path / "pub.csv").read_text(encoding="utf-8-sig")
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export_package(str(tmp_path / "pkg.json"))
    assert (tmp_path / "pkg.json").stat().st_size > 100
    # the drawn leader sees the task in the task list
    leader = view.tasks[0].team.split("、")[0].split(" ")[1]
    view.inspector.setCurrentIndex(view.inspector.findText(leader, flags=_contains()))
    # The list still shows the first inspector's tasks until the new query's answer arrives: wait for the
    # leader's role, not just for one row (the first inspector may be in the same team).
    settle(qtbot, db_worker, lambda: view.my_model.rowCount() == 1 and view.my_model.row(0)[0] == "组长")
    assert leader in view.my_model.row(0)[4]
    view.grab()


def _contains():
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchContains


# ------------------------------------------------------------------ a field laptop
@pytest.mark.parametrize("role", ["field", "bureau"])
def test_bureau_work_is_disabled_on_a_laptop(qtbot, db, db_worker, role):
    from inspector_app.ui.draw_view import DrawView
    from inspector_app.ui.followup_view import FollowupView
    from inspector_app.ui.plan_view import PlanView
    from tests.core.roles import as_device

    as_device(db, role)
    plan, draw, followup = PlanView(db, db_worker), DrawView(db, db_worker), FollowupView(db, db_worker)
    for view in (plan, draw, followup):
        qtbot.addWidget(view)
    qtbot.waitUntil(db_worker.settled)  # every job ran and its callback was delivered
    controls = [plan.generate_button, draw.run_button, *followup.decide_buttons]
    assert [c.isEnabled() for c in controls] == [role == "bureau"] * len(controls)
    if role == "field":
        assert "区局办理" in plan.generate_button.toolTip()
