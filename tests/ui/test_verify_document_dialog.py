"""The 核验文书 dialog: a typed code, a typo, a scan of the page, the archived PDF saved for comparison."""

import subprocess

import pytest
from PySide6.QtCore import Qt

from inspector_app.core.issuing import issued as issued_docs
from inspector_app.documents import issue
from inspector_app.documents.generate import generate
from inspector_app.sync import keys
from inspector_app.ui.tasks import TaskManager
from inspector_app.ui.verify_document_dialog import VerifyDocumentDialog
from tests.documents import factory


@pytest.fixture
def worker(qtbot):
    w = TaskManager()
    yield w
    w.stop()


@pytest.fixture
def issued(db, sample, templates, fixed_today):
    keys.setup_device(db, keys.FIELD, name="laptop-a")
    iid = factory.signed(db, sample, templates)
    doc = generate(db, iid, "summary")
    issue.record_issued(db, doc, issued_docs.SAVED)
    return doc


@pytest.fixture
def dialog(qtbot, db, worker):
    d = VerifyDocumentDialog(db, worker)
    qtbot.addWidget(d)
    d.show()
    return d


def test_a_typed_code_shows_the_record_and_the_archived_pdf_is_saved(qtbot, dialog, issued, tmp_path):
    qtbot.keyClicks(dialog.code_edit, issued.verification_code)
    qtbot.mouseClick(dialog.lookup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.found is not None)
    assert dialog.status.text().startswith("找到出具的文书")
    assert "上海申华塑料制品有限公司" in dialog.details.toPlainText()
    assert dialog.issued_list.count() == 1 and dialog.save_button.isEnabled()
    target = tmp_path / "copy.pdf"
    dialog.save_to(str(target))
    qtbot.waitUntil(lambda: target.exists() and "已另存" in dialog.status.text())
    assert target.read_bytes() == issued.pdf


def test_a_typo_is_named_in_the_dialog(qtbot, dialog, issued):
    code = issued.verification_code
    wrong = "Z" if code[0] != "Z" else "Y"
    dialog.code_edit.setText(wrong + code[1:])
    dialog.look_up()
    qtbot.waitUntil(lambda: "应为" in dialog.status.text())
    assert f"第1组第1个字符“{wrong}”应为“{code[0]}”" in dialog.status.text()
    assert dialog.found is None and dialog.lookup_button.isEnabled()


def test_a_scan_of_the_page_is_read(qtbot, dialog, issued, tmp_path):
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(issued.pdf)
    command = ["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "scan")]
    subprocess.run(command, check=True)
    dialog.look_up_image(str(next(tmp_path.glob("scan*.png"))))
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=20000)
    assert dialog.status.text().startswith("二维码签名有效") and "laptop-a" in dialog.status.text()
    assert dialog.code_edit.text().startswith("XCJC:2:")


def test_the_help_menu_opens_the_dialog(qtbot, start_window, monkeypatch):
    window = start_window()
    shown = []
    monkeypatch.setattr(VerifyDocumentDialog, "exec", lambda self: shown.append(self.windowTitle()))
    action = next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == "核验文书…")
    action.trigger()
    assert shown == ["核验文书"]
