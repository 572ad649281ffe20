"""Placeholders and the number prefix in the window: 出具文书 asks before a document with ×× or a blank
telephone leaves the laptop (naming what is missing and where it comes from), asks for a number prefix
instead of making one up, and 本机初始设置 chooses the prefix with the number it gives."""

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from inspector_app.core import settings
from inspector_app.core.issuing import issued as issued_docs
from inspector_app.ui.documents_dialog import DocumentsDialog
from tests.documents import factory
from tests.documents.factory import pdf_text


@pytest.fixture
def unset_signed_id(db, sample, templates, fixed_today):
    """A signed inspection on a laptop the bureau's settings have not reached yet."""
    return factory.signed(db, sample, templates)


def open_dialog(qtbot, db, db_worker, iid, row: int = 0) -> DocumentsDialog:
    dialog = DocumentsDialog(db, db_worker, iid)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.doc_list.setCurrentRow(row)
    qtbot.waitUntil(
        lambda: (
            dialog.current is not None
            and dialog.current.doc.doc_type == ("summary", "record", "notice")[row]
            and not dialog.busy()
        ),
        timeout=15000,
    )
    return dialog


class Answer:
    """Stands in for the inspector at the question: records it and presses the button with `choice`'s text."""

    def __init__(self, monkeypatch, choice: str):
        self.asked: list[QMessageBox] = []
        self.texts: list[str] = []
        answer = self

        def fake_exec(box):
            answer.asked.append(box)
            answer.texts.append(box.text() + "\n" + box.informativeText())
            (button,) = [b for b in box.buttons() if b.text() == choice]
            button.click()
            return 0

        monkeypatch.setattr(QMessageBox, "exec", fake_exec)


def test_the_preview_warns_and_saving_asks_first_naming_what_is_missing(
    qtbot, db, db_worker, unset_signed_id, tmp_path, monkeypatch
):
    dialog = open_dialog(qtbot, db, db_worker, unset_signed_id, row=2)  # the notice prints all four
    assert "注意：局名、印章文字、局联系电话、局名简称还没有设置" in dialog.status.text()
    target = tmp_path / "通知书.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))

    answer = Answer(monkeypatch, "取消")
    assert dialog.save_document() is None
    (text,) = answer.texts
    assert answer.asked[0].windowTitle() == "文书上有占位内容"
    for expected in [
        "局名：仍是占位文字“××区市场监督管理局”",
        "印章文字：仍是占位文字“××区市场监督管理局”",
        "局联系电话：未填写，文书上为空白",
        "局名简称：仍是占位文字“××市监”",
        "随局里的同步数据包到来（同步 → 导入同步数据包）",
        "文件 → 设置… → 本局",
        "仍要照此出具吗？",
    ]:
        assert expected in text, expected
    db_worker.wait_idle()
    assert not target.exists() and issued_docs.list_issued(db, unset_signed_id) == []

    Answer(monkeypatch, "仍然出具")  # the inspector decides to hand it out as it is
    assert dialog.save_document() == target
    qtbot.waitUntil(lambda: dialog.issued_model.rowCount() == 1 and not dialog.busy(), timeout=10000)
    assert "××区市场监督管理局" in pdf_text(target.read_bytes())


def test_printing_asks_too_and_a_refusal_prints_nothing(qtbot, db, db_worker, unset_signed_id, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog

    from inspector_app.ui.documents_dialog import have_renderer

    if not have_renderer():
        pytest.fail("pypdfium2 is a dependency: printing needs it")
    dialog = open_dialog(qtbot, db, db_worker, unset_signed_id)  # the summary prints only the name
    printed = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: printed.append(1) or QDialog.DialogCode.Rejected)
    answer = Answer(monkeypatch, "取消")
    assert not dialog.print_document()
    assert printed == []  # not even the print dialog
    assert "局名：仍是占位文字" in answer.texts[0] and "印章文字" not in answer.texts[0]


def test_open_settings_from_the_question_and_the_new_preview_is_clean(
    qtbot, db, db_worker, unset_signed_id, monkeypatch
):
    from inspector_app.ui.settings_dialog import SettingsDialog

    dialog = open_dialog(qtbot, db, db_worker, unset_signed_id)

    def fill_in(settings_dialog):  # the inspector types the bureau's name and presses 确定
        qtbot.waitUntil(lambda: settings_dialog.ok_button.isEnabled())
        editor = settings_dialog.fields["bureau.name"].editor
        editor.setText("上海市奉贤区市场监督管理局")
        editor.textEdited.emit(editor.text())
        settings_dialog.save()
        qtbot.waitUntil(lambda: settings_dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", fill_in)
    Answer(monkeypatch, "打开设置…")
    assert dialog.save_document() is None  # nothing issued: the document is made again with the new name
    qtbot.waitUntil(lambda: dialog.current is not None and not dialog.busy(), timeout=15000)
    assert dialog.current.check.ok and "还没有设置" not in dialog.status.text()
    assert "上海市奉贤区市场监督管理局" in pdf_text(dialog.current.doc.pdf)


def test_a_notice_without_a_chosen_prefix_asks_for_one(qtbot, db, db_worker, unset_signed_id, monkeypatch):
    from inspector_app.ui.number_prefix_dialog import PrefixDialog

    factory.configure_bureau(db)
    settings.reset(db, "device.docnumber_prefix")  # set up before the prefix was asked for
    asked = []

    def choose(prefix_dialog):  # the inspector types the team's code and presses 确定
        asked.append(prefix_dialog.findChild(type(prefix_dialog.status), "prefixReason").text())
        prefix_dialog.field.edit.setText("f")
        assert "2–5 个英文字母或数字" in prefix_dialog.field.note.text() and not prefix_dialog.ok_button.isEnabled()
        prefix_dialog.field.edit.setText("fx03")
        qtbot.waitUntil(lambda: prefix_dialog.field.preview.text() == "文书编号将如：奉市监责改〔2026〕FX03-0001号")
        prefix_dialog.ok_button.click()
        qtbot.waitUntil(lambda: prefix_dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PrefixDialog, "exec", choose)
    dialog = DocumentsDialog(db, db_worker, unset_signed_id)
    qtbot.addWidget(dialog)
    dialog.doc_list.setCurrentRow(2)
    qtbot.waitUntil(
        lambda: dialog.current is not None and dialog.current.doc.doc_type == "notice" and not dialog.busy(),
        timeout=15000,
    )
    assert asked and "本机还没有选定文书编号前缀" in asked[0]
    assert settings.get(db, "device.docnumber_prefix") == "FX03-"
    assert dialog.current.doc.number == "奉市监责改〔2026〕FX03-0001号"
    assert "文号 奉市监责改〔2026〕FX03-0001号" in dialog.status.text()
    assert dialog.current.doc.number in pdf_text(dialog.current.doc.pdf)


# ---------------------------------------------------------------------------------------------- device setup
def test_first_setup_of_a_laptop_chooses_the_prefix(qtbot, db, db_worker, fixed_today):
    from inspector_app.core.storage.sync_models import device_role
    from inspector_app.ui.devices_dialog import DeviceSetupDialog

    dialog = DeviceSetupDialog(db, db_worker)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("笔记本")
    dialog.setup_button.click()  # a field laptop without a prefix: refused before any key is made
    assert "请填写本机文书编号前缀" in dialog.status.text() and device_role(db) is None

    dialog.prefix.edit.setText("fx-3")
    dialog.setup_button.click()
    assert "“fx-3”不合要求" in dialog.status.text() and device_role(db) is None

    dialog.prefix.edit.setText("fx03")
    qtbot.waitUntil(lambda: dialog.prefix.preview.text() == "文书编号将如：××市监责改〔2026〕FX03-0001号")
    with qtbot.waitSignal(dialog.setup_done, timeout=10000):
        dialog.setup_button.click()
    qtbot.waitUntil(lambda: "文书编号前缀：FX03-" in dialog.status.text(), timeout=10000)
    assert device_role(db) == "field" and settings.get(db, "device.docnumber_prefix") == "FX03-"
    assert not dialog.prefix.isEnabled() and dialog.prefix_button.isHidden()


def test_setup_dialog_of_an_earlier_installation_asks_for_the_prefix(qtbot, db, db_worker, fixed_today):
    from inspector_app.core.storage.models import Setting
    from inspector_app.sync.keys import setup_device
    from inspector_app.ui.devices_dialog import DeviceSetupDialog

    setup_device(db, "field", "旧笔记本")
    with db.session() as s:  # what an earlier version chose at random
        s.merge(Setting(key="device.docnumber_prefix", value="3F9A2C-"))
    dialog = DeviceSetupDialog(db, db_worker)
    qtbot.addWidget(dialog)
    # the stored prefix is read on the worker: then the field and 保存编号前缀 are offered
    qtbot.waitUntil(lambda: dialog.identity is not None and not dialog.prefix_button.isHidden(), timeout=10000)
    assert dialog.prefix.isEnabled() and dialog.prefix.edit.text() == ""
    dialog.prefix.edit.setText("JD2")
    dialog.prefix_button.click()
    qtbot.waitUntil(lambda: settings.get(db, "device.docnumber_prefix") == "JD2-", timeout=10000)
    qtbot.waitUntil(lambda: not dialog.prefix.isEnabled(), timeout=10000)
