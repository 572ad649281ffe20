"""设置 dialog (ui/settings_dialog.py), driven with qtbot offscreen over a real SQLite database."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QPlainTextEdit

from inspector_app.core import settings
from inspector_app.core.storage.models import Setting
from inspector_app.ui.settings_dialog import SET_ELSEWHERE, SettingsDialog
from inspector_app.ui.tasks import TaskManager

pytestmark = pytest.mark.usefixtures("no_blocking_dialogs")  # an unexpected message box fails the test

BUREAU = "上海市奉贤区市场监督管理局"


@pytest.fixture
def worker(qtbot):
    w = TaskManager()
    yield w
    w.stop()


@pytest.fixture
def dialog(qtbot, db, worker, fixed_today):
    d = SettingsDialog(db, worker)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.ok_button.isEnabled())  # loaded on the worker
    return d


def type_into(dialog, key: str, text: str) -> None:
    """Chinese as an input method commits it (QTest.keyClicks with Chinese aborts Qt)."""
    editor = dialog.fields[key].editor
    if isinstance(editor, QPlainTextEdit):
        editor.setPlainText(text)  # emits textChanged, the editor's edit signal
    else:
        assert isinstance(editor, QLineEdit)
        editor.setText(text)
        editor.textEdited.emit(text)


def stored_rows(db) -> dict[str, str]:
    with db.session() as s:
        return {r.key: r.value for r in s.query(Setting)}


def press_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_the_form_shows_the_current_values(dialog):
    # every setting can be edited; the draw rules file has its own screen (双随机抽取 → 导入本局规则…)
    assert set(dialog.fields) == set(settings.DEFAULTS) - set(SET_ELSEWHERE)
    assert dialog.fields["bureau.name"].value() == "××区市场监督管理局"
    assert dialog.fields["rectification.default_days"].value() == "30"
    assert dialog.fields["notice.legal_bases"].value() == settings.DEFAULTS["notice.legal_bases"].default
    assert dialog.tabs.tabText(0) == "本局"


def test_a_new_bureau_name_is_saved_through_the_worker(qtbot, dialog, db, worker):
    type_into(dialog, "bureau.name", BUREAU)
    type_into(
        dialog, "notice.legal_bases", "2017-05-01｜2022-04-30｜工业产品｜《甲办法》\n2022-05-01｜｜全部｜《乙办法》"
    )
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        press_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    worker.wait_idle()
    assert settings.get(db, "bureau.name") == BUREAU
    assert settings.get(db, "notice.legal_bases").endswith("》\n2022-05-01｜｜全部｜《乙办法》")  # one basis a line
    assert set(saved.args[0]) == {"bureau.name", "notice.legal_bases"}
    assert set(stored_rows(db)) == {"bureau.name", "notice.legal_bases"}  # untouched settings stay defaults


def test_a_bad_value_is_named_next_to_its_field_and_nothing_is_saved(qtbot, dialog, db, worker):
    type_into(dialog, "bureau.short_name", "奉市监")  # good, but must not be saved alone
    type_into(dialog, "bureau.name", "")
    type_into(dialog, "docnumber.pattern", "{short}责改{serial}号")
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: "设置未保存" in dialog.message.text())
    worker.wait_idle()

    name, pattern = dialog.fields["bureau.name"], dialog.fields["docnumber.pattern"]
    assert name.error.isVisibleTo(dialog) and name.error.text() == "局名：不能为空"
    assert not pattern.error.isHidden() and "必须包含年份 {year}" in pattern.error.text()
    assert dialog.fields["bureau.short_name"].error.isHidden()
    assert "有 2 项不符合要求" in dialog.message.text()
    assert dialog.tabs.currentIndex() == 0  # the first refused field is in view
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert stored_rows(db) == {}

    # corrected, the same dialog saves; the edit clears the field's message
    type_into(dialog, "bureau.name", BUREAU)
    assert name.error.isHidden()
    type_into(dialog, "docnumber.pattern", "{short}责改〔{year}〕{prefix}{serial:03d}号")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        press_ok(qtbot, dialog)
    worker.wait_idle()
    assert stored_rows(db) == {
        "bureau.name": BUREAU,
        "bureau.short_name": "奉市监",
        "docnumber.pattern": "{short}责改〔{year}〕{prefix}{serial:03d}号",
    }


def test_the_days_must_be_a_sensible_whole_number(qtbot, dialog, db, worker):
    type_into(dialog, "rectification.default_days", "400")
    press_ok(qtbot, dialog)
    field = dialog.fields["rectification.default_days"]
    qtbot.waitUntil(lambda: not field.error.isHidden())
    assert field.error.text() == "默认整改期限（日）：应为1到365之间的整数，现在是 400"
    worker.wait_idle()
    assert settings.get(db, "rectification.default_days") == "30"


def test_the_preview_shows_the_next_number_as_typed_and_writes_nothing(qtbot, dialog, db, worker):
    # No prefix chosen yet on this laptop: no number is made up, the preview says what to fill in.
    qtbot.waitUntil(lambda: dialog.preview.text() == "无法编号")
    assert "还没有选定文书编号前缀" in dialog.preview_note.text()

    type_into(dialog, "bureau.short_name", "奉市监")
    type_into(dialog, "device.docnumber_prefix", "fx03")
    qtbot.waitUntil(lambda: dialog.preview.text() == "奉市监责改〔2026〕FX03-0001号")  # as it will be stored
    assert dialog.preview_note.isHidden()
    type_into(dialog, "device.docnumber_prefix", "03-")
    qtbot.waitUntil(lambda: dialog.preview.text() == "奉市监责改〔2026〕03-0001号")

    type_into(dialog, "docnumber.pattern", "{short}〔{year}〕{serial}号")  # no prefix, no block
    qtbot.waitUntil(lambda: dialog.preview.text() == "无法编号")
    assert "不同电脑会编出相同的号" in dialog.preview_note.text()
    type_into(dialog, "device.docnumber_block_start", "3001")
    type_into(dialog, "device.docnumber_block_end", "3999")
    qtbot.waitUntil(lambda: dialog.preview.text() == "奉市监〔2026〕3001号")
    assert dialog.preview_note.isHidden()

    worker.wait_idle()
    assert stored_rows(db) == {}  # a preview is never stored


def test_cancel_saves_nothing(qtbot, dialog, db, worker):
    type_into(dialog, "bureau.name", BUREAU)
    dialog.reject()
    worker.wait_idle()
    assert stored_rows(db) == {}


def test_the_file_menu_opens_the_dialog(qtbot, start_window, roster_ids, monkeypatch):
    opened = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda d: opened.append(d) or 0)
    window = start_window()
    assert window.settings_action.isEnabled()
    file_menu = window.menuBar().actions()[0].menu()
    assert "设置…" in [a.text() for a in file_menu.actions()]
    window.settings_action.trigger()
    assert len(opened) == 1 and opened[0].windowTitle() == "设置"
