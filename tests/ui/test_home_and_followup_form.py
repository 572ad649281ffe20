"""我的工作 and the 回访 form (issue 16 §2) — offscreen, a real database and the serial database lane."""

from datetime import date, timedelta

from PIL import Image
from PySide6.QtCore import Qt

from inspector_app.core import settings
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.supervision import followup_form as ff
from inspector_app.core.supervision import rectification as rc
from tests.ui.test_supervision_views import complete, settle


def test_home_lists_the_days_work_and_a_double_click_opens_it(qtbot, db_worker, db, sample, templates, fixed_today):
    from inspector_app.ui.home_view import HomeView

    settings.set_value(db, "device.inspector", "张伟")
    draft = svc.start_inspection(
        db, site_id=sample.site_id, template=templates["industrial"], kind="scheduled", team=sample.inspector_ids[:2]
    )
    done = complete(db, sample, templates, problems=("4.1",), on=fixed_today - timedelta(days=28))
    view = HomeView(None, None)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.set_database(db, db_worker)
    settle(qtbot, db_worker, lambda: len(view.rows()) == 3)
    assert "张伟" in view.title.text()
    texts = [view.tree.topLevelItem(n).text(0) for n in range(view.tree.topLevelItemCount())]
    assert texts[0] == "进行中的草稿（1）" and "已完成、尚未同步到区局（1）" in texts
    assert [(r.section, r.inspection_id) for r in view.rows()] == [
        ("draft", draft),
        ("followup", None),  # deadline 2026-06-17, this week
        ("unsynced", done),
    ]
    opened = []
    view.open_requested.connect(lambda iid, kind: opened.append((iid, kind)))
    item = next(view.tree.topLevelItem(n) for n in range(3) if view.tree.topLevelItem(n).text(0) == SAMPLE)
    rect = view.tree.visualItemRect(item)
    # Qt's view only accepts a double-click on the item that received the press before it.
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [(draft, "scheduled")]
    # Enter on the selected row does the same.
    view.tree.setCurrentItem(item)
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    assert opened[-1] == (draft, "scheduled")
    view.grab()


SAMPLE = "上海申华塑料制品有限公司"


def _jpeg(path):
    Image.new("RGB", (60, 40), "blue").save(path, "JPEG")
    return str(path)


def test_the_followup_form_shows_problems_and_saves_verdicts(
    qtbot, db_worker, db, sample, templates, fixed_today, tmp_path, no_blocking_dialogs
):
    from inspector_app.ui.followup_form import FollowupForm

    complete(db, sample, templates, problems=("4.1", "5.1"))  # deadline 2026-05-31, visit 2026-06-15
    fu = rc.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2])
    form = FollowupForm(db, db_worker, fu)
    qtbot.addWidget(form)
    form.resize(1280, 720)
    form.show()
    settle(qtbot, db_worker, lambda: len(form.cards) == 2)
    first, second = form.cards
    assert "检查项 4.1" in first.heading.text() and "回访时已过期限" in first.finding.text()
    assert form.status.text() == "还有2个问题待给出结论"

    first.evidence.setPlainText("检验设备仍未校准")
    first.verdict_buttons[rc.NOT_RECTIFIED].click()
    settle(qtbot, db_worker, lambda: first.proposals.isVisible())
    assert "逾期仍未整改" in first.proposals.text() and "责令停产整改（待决定）" in first.proposals.text()
    assert ff.load(db, fu).problems[0].verdict == rc.NOT_RECTIFIED  # saved at once

    # No evidence, no verdict: said, and the card shows what is stored (nothing).
    second.verdict_buttons[rc.RECTIFIED].click()
    settle(qtbot, db_worker, lambda: bool(no_blocking_dialogs))
    assert "整改证据" in no_blocking_dialogs[0]
    no_blocking_dialogs.clear()
    settle(qtbot, db_worker, lambda: not second.verdict_buttons[rc.RECTIFIED].isChecked())

    second.photos.add_files([_jpeg(tmp_path / "标志.jpg")])
    settle(qtbot, db_worker, lambda: second.photos.thumbs.count() == 1)
    second.evidence.setPlainText("已加施生产许可证标志")
    second.verdict_buttons[ff.PARTIAL].click()
    settle(qtbot, db_worker, lambda: form.status.text() == "每个问题都已有结论，可以完成回访")
    form.grab().save(str(tmp_path / "followup.png"))
    done = []
    form.completed.connect(done.append)
    form.complete()
    settle(qtbot, db_worker, lambda: done == [fu] and form.status.text() == "回访已完成")
    assert not first.verdict_buttons[rc.RECTIFIED].isEnabled()
    assert svc.load_inspection(db, fu).status == "completed"


def test_main_window_opens_home_first_and_a_followup_in_its_form(
    qtbot, db, sample, templates, fixed_today, start_window, no_blocking_dialogs
):
    complete(db, sample, templates, problems=("4.1",), on=date(2026, 5, 1))
    fu = rc.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2])
    window = start_window()
    assert window.right_tabs.currentWidget() is window.home
    qtbot.waitUntil(lambda: any(r.inspection_id == fu for r in window.home.rows()), timeout=10000)
    window.home.open_requested.emit(fu, "followup")
    form = window._screens["followup:" + fu]
    qtbot.waitUntil(lambda: len(form.cards) == 1, timeout=10000)
    assert form.isVisible()
