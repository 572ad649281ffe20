"""File dialogs open in the folder used last (else the documents folder) and speak Chinese."""

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QFileDialog

from inspector_app.ui import file_dialogs


def test_first_the_documents_folder_then_the_folder_used_last(qapp, monkeypatch, tmp_path):
    asked = []
    chosen = tmp_path / "出具" / "问题汇总表.pdf"
    chosen.parent.mkdir()

    def fake_save(_parent, _caption, where, _filters, *args):
        asked.append(where)
        return str(chosen), "PDF"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda _p, _c, where, _f, *a: (asked.append(where), ("", ""))[1]
    )
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    first = file_dialogs.start_folder()
    assert first in (documents, str(Path.home()))

    assert file_dialogs.get_save_file_name(None, "另存为PDF", "问题汇总表.pdf", "PDF (*.pdf)") == (str(chosen), "PDF")
    assert asked[-1] == str(Path(first, "问题汇总表.pdf"))  # the suggested name, in the start folder
    file_dialogs.get_open_file_name(None, "选择同步数据包", "", "*.ibundle")
    assert asked[-1] == str(chosen.parent)  # where the last file went
    file_dialogs.get_open_file_name(None, "选择照片", "", "*.jpg")  # cancelled: the folder stays
    assert asked[-1] == str(chosen.parent)
    assert file_dialogs.where("/srv/规则.toml") == "/srv/规则.toml"  # a full path is kept


def test_qt_own_words_are_chinese(qapp):
    from inspector_app.ui.qt_i18n import install_qt_translations

    translator = install_qt_translations(qapp, "zh_CN")
    try:
        assert translator is not None
        assert QCoreApplication.translate("QFileDialog", "File &name:") != "File &name:"
    finally:
        qapp.removeTranslator(translator)
