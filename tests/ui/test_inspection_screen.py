"""The record form screen, driven like an inspector drives it: mouse clicks, typing, keyboard only."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from inspector_app.core.errors import DomainError
from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.templates import template_for_category
from inspector_app.core.storage.db import open_database
from inspector_app.ui import inspection_screen
from inspector_app.ui.inspection_screen import InspectionScreen

FOOD_ONLY = ("2.2", "2.3", "4.2")  # 002 附件2: 适用于食品相关产品


def open_screen(qtbot, db, worker, inspection_id) -> InspectionScreen:
    screen = InspectionScreen(db, worker, inspection_id)
    qtbot.addWidget(screen)
    screen.resize(1100, 800)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=3000)
    return screen


def settle(qtbot, worker, screen) -> None:
    """Let debounced saves start, the worker drain and its callbacks arrive."""
    screen.flush()
    worker.wait_idle()
    qtbot.waitUntil(lambda: screen.save_label.text() == "已保存", timeout=3000)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_chinese(widget, text: str) -> None:
    """An input method commits the text (qtbot.keyClicks with Chinese aborts Qt)."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def accept_confirmation() -> list[str]:
    """Click 完成检查 in the confirmation box once it is open; returns the text the user saw."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, answer)
    return seen


def in_view(screen, item_id: str) -> bool:
    """Is the item (entirely) inside the visible part of the scrolled form?"""
    w = screen.items[item_id]
    rect = w.geometry().translated(screen.scroll.widget().pos())
    return screen.scroll.viewport().rect().contains(rect)


def fresh_view(db, inspection_id):
    """What is really on disk: a new Database (own engine and connections) opened on the same file."""
    other = open_database(db.path)
    try:
        return inspections.load_inspection(other, inspection_id)
    finally:
        other.close()


def test_header_shows_what_is_inspected(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    texts = {k: v.text() for k, v in screen.header_values.items()}
    assert "上海申华塑料制品有限公司" in texts["企业名称"]
    assert texts["统一社会信用代码"] == "91350100M000100Y43"
    assert texts["生产地址"] == "上海市奉贤区南桥镇江海路88号"
    assert texts["生产许可证编号"] == "(沪)XK13-006-00021"
    assert "工业产品生产许可证获证企业监督检查记录表" in texts["检查表"] and "第 2 版" in texts["检查表"]
    assert texts["检查类型"] == "双随机"
    assert texts["检查日期"] == "2026-06-15"
    assert texts["检查组"] == "张伟（组长）、刘洋"
    assert screen.progress_label.text() == "已填 0 / 应填 13"
    # The form's nine sections, in order, with the official text of each sub-item.
    assert list(screen.items)[:3] == ["1.1", "1.2", "1.3"] and list(screen.items)[-1] == "9.1"
    assert "营业执照经营范围是否包含许可证产品" in screen.items["1.2"].text_label.text()


def test_fill_whole_form_and_complete(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    completed = []
    screen.completed.connect(completed.append)
    answerable = [i for i, w in screen.items.items() if not w.locked]
    assert len(answerable) == 13

    for item_id in answerable:
        w = screen.items[item_id]
        if item_id == "2.1":
            click(qtbot, w.bar.buttons["nonconform"])
            type_chinese(w.record, "关键生产设备搅拌釜未按期维护，现场有漏油")
            click(qtbot, w.rectified)
            type_chinese(w.remark, "企业已当场清理")
        elif item_id == "3.1":
            click(qtbot, w.bar.buttons["na"])
        else:
            click(qtbot, w.bar.buttons["conform"])
    w = screen.items["1.2"]
    type_chinese(w.record, "营业执照经营范围包含涂料")
    w.remark.setFocus()
    qtbot.keyClicks(w.remark, "Ref-2026/06")
    assert screen.progress_label.text() == "已填 13 / 应填 13"
    settle(qtbot, db_worker, screen)
    # Nothing left to answer: 下一未填项 says so and hands the keyboard to 完成检查.
    qtbot.keyClick(w.remark, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert screen.save_label.text() == "所有应填项均已填写"
    assert screen.complete_button.hasFocus()

    seen = accept_confirmation()
    click(qtbot, screen.complete_button)
    qtbot.waitUntil(lambda: bool(completed), timeout=5000)
    assert seen and "不能再修改" in seen[0]
    assert completed == [inspection_id]
    # The screen is now read-only: no completion button, buttons disabled, fields read-only.
    assert screen.complete_button.isHidden()
    assert "已完成" in screen.status_value.text()
    assert not screen.items["1.1"].bar.isEnabled()
    assert screen.items["2.1"].record.isReadOnly()

    view = fresh_view(db, inspection_id)
    assert view.status == inspections.COMPLETED
    got = {k: (a.conclusion, a.record, a.remark, a.rectified_on_site) for k, a in view.answers.items()}
    expected = {i: ("conform", "", "", False) for i in answerable}
    expected["1.2"] = ("conform", "营业执照经营范围包含涂料", "Ref-2026/06", False)
    expected["2.1"] = ("nonconform", "关键生产设备搅拌釜未按期维护，现场有漏油", "企业已当场清理", True)
    expected["3.1"] = ("na", "", "", False)
    for item_id in FOOD_ONLY:
        expected[item_id] = ("na", "", "", False)
    assert got == expected
    assert view.answers["3.1"].na_reason == "环保要求正常停产不适用"
    assert view.answers["2.2"].na_reason == "适用于食品相关产品"


def test_blockers_refuse_completion_and_lead_to_the_items(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    for item_id in ("1.1", "1.2", "1.3"):
        click(qtbot, screen.items[item_id].bar.buttons["conform"])
    click(qtbot, screen.items["2.1"].bar.buttons["nonconform"])  # 不符合 without a record
    # The missing record is pointed out at once on the item itself.
    assert screen.items["2.1"].problem() == "“不符合”须填写检查记录"
    assert screen.items["2.4"].problem() is None  # unanswered items are not nagged before completing

    click(qtbot, screen.complete_button)
    assert screen.blockers_panel.isVisible()
    assert "还不能完成检查" in screen.blockers_title.text() and "10 项" in screen.blockers_title.text()
    rows = [screen.blockers_list.item(n).text() for n in range(screen.blockers_list.count())]
    assert rows[0].startswith("检查项 2.1 结论为“不符合”，须填写检查记录")
    assert any(r.startswith("检查项 9.1 尚未填写检查结论") for r in rows)
    assert not any(r.startswith(f"检查项 {i} ") for r in rows for i in FOOD_ONLY)
    assert screen.items["2.4"].problem() == "尚未填写检查结论"
    assert screen.items["1.1"].problem() is None
    # The first blocker gets the keyboard.
    assert screen.items["2.1"].bar.hasFocus()

    # Clicking a row in the list jumps to that item.
    row = next(n for n in range(len(rows)) if rows[n].startswith("检查项 6.1"))
    rect = screen.blockers_list.visualItemRect(screen.blockers_list.item(row))
    screen.blockers_list.scrollToItem(screen.blockers_list.item(row))
    rect = screen.blockers_list.visualItemRect(screen.blockers_list.item(row))
    qtbot.mouseClick(screen.blockers_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert screen.items["6.1"].bar.hasFocus()
    assert in_view(screen, "6.1")

    # Writing the record clears that blocker live.
    type_chinese(screen.items["2.1"].record, "设备未维护")
    assert screen.items["2.1"].problem() is None
    rows = [screen.blockers_list.item(n).text() for n in range(screen.blockers_list.count())]
    assert not any(r.startswith("检查项 2.1") for r in rows) and len(rows) == 9

    settle(qtbot, db_worker, screen)
    assert fresh_view(db, inspection_id).status == inspections.DRAFT


def test_core_refusal_is_shown(qtbot, db, db_worker, inspection_id, monkeypatch):
    """If the database disagrees with the screen, the inspector still sees core's list of blockers."""
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    for w in screen.items.values():
        if not w.locked:
            click(qtbot, w.bar.buttons["conform"])
    settle(qtbot, db_worker, screen)
    # Someone else's edit un-answers 9.1 behind the screen's back.
    inspections.save_answer(db, inspection_id, "9.1", conclusion=None)
    shown = []
    monkeypatch.setattr(inspection_screen, "show_error", lambda exc, parent=None: shown.append(exc))
    accept_confirmation()
    click(qtbot, screen.complete_button)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert isinstance(shown[0], inspections.IncompleteInspection)
    assert screen.blockers_list.item(0).text().startswith("检查项 9.1 尚未填写检查结论")
    assert screen.complete_button.isEnabled() and not screen.read_only


def test_na_offered_only_where_the_form_allows_it(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    for item_id in ("1.1", "1.2", "1.3", "2.1", "5.1", "7.1", "8.1", "9.1"):
        assert set(screen.items[item_id].bar.buttons) == {"conform", "nonconform"}, item_id
    for item_id in ("2.4", "3.1", "3.2", "4.1", "6.1"):
        assert set(screen.items[item_id].bar.buttons) == {"conform", "nonconform", "na"}, item_id
    # The form's reason is shown with the item.
    assert screen.items["3.1"].note_label.text() == "表中备注：环保要求正常停产不适用"
    assert "产品不涉及产业政策" in screen.items["6.1"].note_label.text()
    assert screen.items["1.1"].note_label is None
    # Keys cannot sneak 不适用 in either.
    bar = screen.items["1.1"].bar
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_3)
    assert bar.value() is None


def test_food_only_items_locked_on_industrial_form(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    for item_id in FOOD_ONLY:
        w = screen.items[item_id]
        assert w.locked
        assert w.conclusion() == "na"
        assert not w.bar.isEnabled()
        assert w.record is None and w.remark is None and w.rectified is None
        assert w.note_label.text() == "本项不适用于工业产品（适用于食品相关产品），已记为“不适用”，无需填写"
        click(qtbot, w.bar.buttons["conform"])
        assert w.conclusion() == "na"
    settle(qtbot, db_worker, screen)
    assert screen.progress_label.text() == "已填 0 / 应填 13"
    assert fresh_view(db, inspection_id).answers["2.2"].conclusion == "na"


def test_food_form_offers_food_items(qtbot, db, db_worker, sample, templates, fixed_today):
    iid = inspections.start_inspection(
        db,
        site_id=sample.site_id,
        template=template_for_category(templates, "直接接触食品的材料等相关产品"),
        kind="scheduled",
        team=sample.inspector_ids,
        license_id=sample.food_license_id,
    )
    screen = open_screen(qtbot, db, db_worker, iid)
    assert not any(w.locked for w in screen.items.values())
    assert screen.progress_label.text() == "已填 0 / 应填 16"
    assert screen.header_values["检查组"].text() == "张伟（组长）、刘洋、陈静"


def test_every_change_is_saved_without_a_save_button(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    assert not [b for b in screen.findChildren(type(screen.complete_button)) if "保存" in b.text()]
    w = screen.items["1.3"]
    click(qtbot, w.bar.buttons["conform"])
    type_chinese(w.record, "土地证明材料齐全")
    assert screen.save_label.text() == "保存中…"
    # No flush, no focus change: the debounce alone saves the text.
    qtbot.waitUntil(lambda: fresh_view(db, inspection_id).answer("1.3").record == "土地证明材料齐全", timeout=3000)
    qtbot.waitUntil(lambda: screen.save_label.text() == "已保存", timeout=3000)
    assert fresh_view(db, inspection_id).answer("1.3").conclusion == "conform"

    # Focus-out saves the remark at once.
    w.remark.setFocus()
    qtbot.keyClicks(w.remark, "p.12")
    screen.items["1.1"].bar.setFocus()
    db_worker.wait_idle()
    assert fresh_view(db, inspection_id).answer("1.3").remark == "p.12"

    # 当场整改 only makes sense on 不符合 and is cleared when the conclusion changes back.
    assert not w.rectified.isEnabled()
    click(qtbot, w.bar.buttons["nonconform"])
    click(qtbot, w.rectified)
    settle(qtbot, db_worker, screen)
    assert fresh_view(db, inspection_id).answer("1.3").rectified_on_site is True
    click(qtbot, w.bar.buttons["conform"])
    assert not w.rectified.isChecked()
    settle(qtbot, db_worker, screen)
    ans = fresh_view(db, inspection_id).answer("1.3")
    assert (ans.conclusion, ans.rectified_on_site) == ("conform", False)


def test_close_flushes_pending_text(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    type_chinese(screen.items["8.1"].record, "近五年无抽检不合格")
    screen.close()  # within the debounce delay
    db_worker.wait_idle()
    assert fresh_view(db, inspection_id).answer("8.1").record == "近五年无抽检不合格"


def test_reopening_restores_everything(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    for item_id in ("1.1", "1.2", "1.3"):
        click(qtbot, screen.items[item_id].bar.buttons["conform"])
    w = screen.items["2.1"]
    click(qtbot, w.bar.buttons["nonconform"])
    type_chinese(w.record, "检验设备超过检定周期")
    click(qtbot, w.rectified)
    type_chinese(w.remark, "已送检")
    click(qtbot, screen.items["3.1"].bar.buttons["na"])
    screen.close()
    db_worker.wait_idle()

    again = open_screen(qtbot, db, db_worker, inspection_id)
    assert again.progress_label.text() == "已填 5 / 应填 13"
    w = again.items["2.1"]
    assert w.conclusion() == "nonconform"
    assert w.record.toPlainText() == "检验设备超过检定周期"
    assert w.remark.text() == "已送检"
    assert w.rectified.isChecked() and w.rectified.isEnabled()
    assert again.items["3.1"].conclusion() == "na"
    assert again.items["1.3"].conclusion() == "conform"
    # The inspector continues at the first unanswered item (2.4), scrolled to, keyboard on its conclusion.
    qtbot.waitUntil(lambda: again.items["2.4"].bar.hasFocus(), timeout=2000)
    assert again.scroll.verticalScrollBar().value() > 0
    assert in_view(again, "2.4")


def test_keyboard_only(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    first = screen.items["1.1"].bar
    qtbot.waitUntil(first.hasFocus, timeout=2000)  # a fresh form starts on its first item

    qtbot.keyClick(first, Qt.Key.Key_2)  # 不符合
    assert first.value() == "nonconform"
    qtbot.keyClick(first, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # Alt+1 符合
    assert first.value() == "conform"

    # Tab walks: conclusion → record → remark → (当场整改 only when 不符合) → next item's conclusion.
    order = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    w1, w2 = screen.items["1.1"], screen.items["1.2"]
    assert order == [w1.record, w1.remark, w2.bar, w2.record]

    # Shift+Tab back to 1.2's conclusion, 2 → 不符合, Tab into the record and type.
    qtbot.keyClick(w2.record, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert w2.bar.hasFocus()
    qtbot.keyClick(w2.bar, Qt.Key.Key_2)
    qtbot.keyClick(w2.bar, Qt.Key.Key_Tab)
    assert w2.record.hasFocus()
    qtbot.keyClicks(w2.record, "Scope lacks coatings")
    # On 不符合 the 当场整改 box joins the tab chain after the remark; Space ticks it.
    qtbot.keyClick(w2.record, Qt.Key.Key_Tab)
    qtbot.keyClick(w2.remark, Qt.Key.Key_Tab)
    assert w2.rectified.hasFocus()
    qtbot.keyClick(w2.rectified, Qt.Key.Key_Space)
    assert w2.rectified.isChecked()
    # Ctrl+J from inside the item: on to the next unanswered item, 1.3; → picks 符合 there.
    qtbot.keyClick(w2.rectified, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert screen.items["1.3"].bar.hasFocus()
    qtbot.keyClick(screen.items["1.3"].bar, Qt.Key.Key_Right)
    assert screen.items["1.3"].bar.value() == "conform"
    # F3 does the same: 2.1 is next.
    qtbot.keyClick(screen.items["1.3"].bar, Qt.Key.Key_F3)
    assert screen.items["2.1"].bar.hasFocus()
    assert screen.progress_label.text() == "已填 3 / 应填 13"

    # Ctrl+Enter (even from a record field) asks to complete: refused, blockers shown, keyboard on the first.
    qtbot.keyClick(w2.record, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w2.record.toPlainText() == "Scope lacks coatings"  # no newline typed
    assert screen.blockers_panel.isVisible()
    assert screen.items["2.1"].bar.hasFocus()

    settle(qtbot, db_worker, screen)
    view = fresh_view(db, inspection_id)
    assert view.answer("1.1").conclusion == "conform"
    ans = view.answer("1.2")
    assert (ans.conclusion, ans.record, ans.rectified_on_site) == ("nonconform", "Scope lacks coatings", True)
    assert view.answer("1.3").conclusion == "conform"


def test_mnemonic_reaches_next_unanswered(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    assert "(&N)" in screen.next_button.text()
    click(qtbot, screen.items["1.1"].bar.buttons["conform"])
    click(qtbot, screen.next_button)
    assert screen.items["1.2"].bar.hasFocus()


def test_save_error_is_shown_and_text_kept(qtbot, db, db_worker, inspection_id, monkeypatch):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    shown = []
    monkeypatch.setattr(inspection_screen, "show_error", lambda exc, parent=None: shown.append(str(exc)))
    real_save = inspections.save_answer

    def broken(*args, **kwargs):
        raise DomainError("磁盘已满，无法保存")

    monkeypatch.setattr(inspections, "save_answer", broken)
    w = screen.items["4.1"]
    type_chinese(w.record, "出厂检验记录缺2026年5月批次")
    screen.flush()
    qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    assert shown == ["磁盘已满，无法保存"]
    assert screen.save_label.text() == "保存失败：磁盘已满，无法保存"
    assert w.record.toPlainText() == "出厂检验记录缺2026年5月批次"

    # Once the disk is fine again the kept text is saved on the next flush.
    monkeypatch.setattr(inspections, "save_answer", real_save)
    settle(qtbot, db_worker, screen)
    assert fresh_view(db, inspection_id).answer("4.1").record == "出厂检验记录缺2026年5月批次"


def test_completed_inspection_opens_read_only(qtbot, db, db_worker, inspection_id):
    for item in inspections.load_inspection(db, inspection_id).template.applicable_items:
        inspections.save_answer(db, inspection_id, item.id, conclusion="conform", record="OK")
    inspections.complete_inspection(db, inspection_id)
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    assert screen.read_only
    assert screen.status_value.text() == "已完成（只读）"
    assert screen.complete_button.isHidden() and screen.next_button.isHidden()
    w = screen.items["1.1"]
    assert not w.bar.isEnabled() and w.record.isReadOnly() and w.remark.isReadOnly()
    assert w.record.toPlainText() == "OK"
    click(qtbot, w.bar.buttons["nonconform"])
    assert w.conclusion() == "conform"
    assert screen.progress_label.text() == "已填 13 / 应填 13"


def test_problem_category_is_chosen_on_a_nonconformity_and_saved(qtbot, db, db_worker, inspection_id):
    """2.1 covers production and test equipment: a 不符合 there may be counted as 检验手段 (000 二(二))."""
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    assert screen.items["1.1"].category is None  # one category only: no choice offered
    w = screen.items["2.1"]
    assert w.category_row.isHidden()  # not before a 不符合

    click(qtbot, w.bar.buttons["nonconform"])
    assert w.category_row.isVisible() and w.category.isEnabled()
    assert [w.category.itemData(i) for i in range(w.category.count())] == ["生产条件", "检验手段"]
    assert w.category.currentData() == "生产条件"  # the item's default, preselected
    type_chinese(w.record, "天平超过检定周期")

    # Keyboard: record → remark → 当场整改 → 问题类别; ↓ picks 检验手段.
    w.record.setFocus()
    qtbot.keyClick(w.record, Qt.Key.Key_Tab)
    qtbot.keyClick(w.remark, Qt.Key.Key_Tab)
    assert w.rectified.hasFocus()
    qtbot.keyClick(w.rectified, Qt.Key.Key_Tab)
    assert w.category.hasFocus()
    qtbot.keyClick(w.category, Qt.Key.Key_Down)
    assert w.problem_category() == "检验手段"
    settle(qtbot, db_worker, screen)
    ans = fresh_view(db, inspection_id).answer("2.1")
    assert (ans.conclusion, ans.record, ans.problem_category) == ("nonconform", "天平超过检定周期", "检验手段")

    # Reopened, the choice is shown; back to the default stores NULL (= 生产条件).
    screen.close()
    again = open_screen(qtbot, db, db_worker, inspection_id)
    w = again.items["2.1"]
    assert w.category_row.isVisible() and w.category.currentData() == "检验手段"
    w.category.setCurrentIndex(w.category.findData("生产条件"))
    settle(qtbot, db_worker, again)
    assert fresh_view(db, inspection_id).answer("2.1").problem_category is None

    # Another conclusion hides the choice and clears it; 不符合 again starts from the default.
    w.category.setCurrentIndex(w.category.findData("检验手段"))
    settle(qtbot, db_worker, again)
    click(qtbot, w.bar.buttons["conform"])
    assert w.category_row.isHidden()
    settle(qtbot, db_worker, again)
    assert fresh_view(db, inspection_id).answer("2.1").problem_category is None
    click(qtbot, w.bar.buttons["nonconform"])
    assert w.category.currentData() == "生产条件"
