"""Answering by keyboard: moving on after an answer (a setting), a missing option said in the status line, F1."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from inspector_app.ui.inspection_keys import ADVANCE_KEY
from tests.ui.test_inspection_screen import open_screen, settle


def focused_item(screen) -> str | None:
    return screen._current_item()


def test_by_default_the_keyboard_stays_on_the_answered_item(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    assert not screen.advance_box.isChecked()
    screen.go_to("1.1")
    qtbot.keyClick(screen.items["1.1"].bar, Qt.Key.Key_1)
    qtbot.wait(50)
    assert screen.items["1.1"].conclusion() == "conform"
    assert focused_item(screen) == "1.1"
    settle(qtbot, db_worker, screen)


def test_with_the_setting_1_2_3_move_on_to_the_next_unanswered_item(qtbot, db, db_worker, inspection_id):
    from inspector_app.ui.geometry import settings

    screen = open_screen(qtbot, db, db_worker, inspection_id)
    screen.advance_box.setChecked(True)
    assert str(settings().value(ADVANCE_KEY)).lower() == "true"  # remembered on this laptop
    screen.go_to("1.1")
    qtbot.keyClick(screen.items["1.1"].bar, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: focused_item(screen) == "1.2")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)
    qtbot.waitUntil(lambda: focused_item(screen) == "1.3")
    assert screen.items["1.2"].conclusion() == "nonconform"
    # ←/→ only change the answer: the keyboard stays.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    qtbot.wait(50)
    assert focused_item(screen) == "1.3"
    settle(qtbot, db_worker, screen)
    again = open_screen(qtbot, db, db_worker, inspection_id)
    assert again.advance_box.isChecked()
    settle(qtbot, db_worker, again)


def test_a_key_for_a_missing_option_says_so(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    bar = screen.items["1.1"].bar  # 符合/不符合 only
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_3)
    assert bar.value() is None
    assert screen.status_line.currentMessage() == "此项没有“不适用”选项（1 选“符合”，2 选“不符合”）"


def test_f1_lists_the_shortcuts(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    screen.go_to("1.1")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    panel = screen.shortcuts_panel
    assert panel is not None and panel.isVisible()
    text = panel.table.text()
    for keys in ("1 / 2 / 3", "Ctrl+J / F3", "Ctrl+Enter", "Ctrl+Shift+P", "F1"):
        assert keys in text
    assert "不适用" in text and "下一个尚未填写" in text
