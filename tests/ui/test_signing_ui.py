"""Signature pad, sign dialog, documents dialog and photo strip, driven with qtbot offscreen."""

import io

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QLineEdit

from inspector_app.core.inspection import photos
from inspector_app.core.issuing import signing
from inspector_app.documents import pdfsign
from inspector_app.ui.documents_dialog import DocumentsDialog, have_renderer
from inspector_app.ui.photo_strip import PhotoStrip
from inspector_app.ui.sign_dialog import SignDialog
from inspector_app.ui.signature_pad import SignaturePad
from inspector_app.ui.tasks import TaskManager
from tests.core.test_photos import jpeg
from tests.documents import factory
from tests.documents.factory import pdf_pages, pdf_text


@pytest.fixture
def worker(qtbot):
    w = TaskManager()
    yield w
    w.stop()


def draw(pad, seed: int = 0) -> None:
    """A signature drawn with the mouse: press, a wavy drag, release."""
    pad.activateWindow()
    w, h = pad.width(), pad.height()
    points = [QPoint(int(20 + i * (w - 40) / 24), int(h / 2 + ((i * 7 + seed) % 11 - 5) * 4)) for i in range(25)]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for p in points[1:]:
        QTest.mouseMove(pad, p)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def set_text(widget: QLineEdit, text: str) -> None:
    """Chinese text as an input method would commit it (QTest.keyClicks with Chinese aborts Qt)."""
    widget.setText(text)
    widget.textEdited.emit(text)


# ---------------------------------------------------------------------------------------------- the pad


def test_pad_draws_clears_undoes_and_redoes(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 140)
    pad.show()
    assert pad.is_empty() and pad.to_png() == b""
    draw(pad)
    assert not pad.is_empty() and len(pad.strokes()) == 1 and len(pad.strokes()[0]) > 10
    draw(pad, seed=3)
    assert len(pad.strokes()) == 2
    pad.undo()
    assert len(pad.strokes()) == 1
    pad.redo()
    assert len(pad.strokes()) == 2
    pad.clear()
    assert pad.is_empty()
    pad.undo()  # a clear is undoable too
    assert len(pad.strokes()) == 2
    png = pad.to_png()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # transparent background
    assert image.width > image.height  # cropped to the ink of a signature


def test_pad_accepts_a_pen(qtbot):
    from PySide6.QtGui import QPointingDevice, QTabletEvent

    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 140)
    pad.show()
    device = QPointingDevice.primaryPointingDevice()
    for kind, x in ((QTabletEvent.Type.TabletPress, 20), (QTabletEvent.Type.TabletMove, 80),
                    (QTabletEvent.Type.TabletMove, 140), (QTabletEvent.Type.TabletRelease, 200)):  # fmt: skip
        pos = QPointF(x, 60)
        event = QTabletEvent(
            kind, device, pos, pad.mapToGlobal(pos), 0.5, 0, 0, 0, 0, 0,
            Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
        )  # fmt: skip
        QApplication.sendEvent(pad, event)
    assert len(pad.strokes()) == 1 and len(pad.strokes()[0]) >= 3


# ---------------------------------------------------------------------------------------------- signing


@pytest.fixture
def completed(db, sample, templates, fixed_today):
    return factory.complete(db, sample, templates)


def open_sign_dialog(qtbot, db, worker, iid) -> SignDialog:
    dialog = SignDialog(db, worker, iid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog._built, timeout=5000)
    return dialog


def test_draw_every_signature_with_the_mouse_and_sign(qtbot, db, worker, completed):
    dialog = open_sign_dialog(qtbot, db, worker, completed)
    assert [f.caption.text() for _i, f in dialog.team_fields] == ["检查人员：张伟", "检查人员：刘洋"]
    assert dialog.rep_name.text() == "李秀英" and dialog.rep_phone.text() == "021-57001234"
    assert not dialog.sign_button.isEnabled()
    assert "尚未签名" in dialog.problem_label.text()
    for n, (_i, field) in enumerate(dialog.team_fields):
        draw(field.pad, seed=n)
    set_text(dialog.rep_title, "质量部经理")
    draw(dialog.rep_field.pad, seed=5)
    dialog.days.setValue(20)
    assert dialog.sign_button.isEnabled(), dialog.problem_label.text()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    state = signing.get_signed(db, completed)
    assert state.rectification_days == 20
    assert state.representative.name == "李秀英" and state.representative.title == "质量部经理"
    assert all(s.image and s.image.startswith(b"\x89PNG") for s in state.signatures)
    assert dialog.signed_state.content_hash == state.content_hash


def test_refusal_with_reason_and_witness(qtbot, db, worker, completed):
    dialog = open_sign_dialog(qtbot, db, worker, completed)
    for n, (_i, field) in enumerate(dialog.team_fields):
        draw(field.pad, seed=n)
    dialog.state_buttons["refused"].click()
    assert not dialog.rep_field.isEnabled()
    assert not dialog.sign_button.isEnabled() and "原因" in dialog.problem_label.text()
    set_text(dialog.reason, "对检查结论有异议")
    set_text(dialog.witness, "陈静")
    assert dialog.sign_button.isEnabled()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    rep = signing.get_signed(db, completed).representative
    assert rep.state == "refused" and rep.witness == "陈静" and "拒绝签字" in rep.note


def test_a_draft_cannot_be_signed_in_the_dialog(qtbot, db, worker, sample, templates, fixed_today):
    from inspector_app.core.inspection import inspections

    iid = inspections.start_inspection(
        db, site_id=sample.site_id, template=templates["industrial"], kind="scheduled", team=sample.inspector_ids[:2]
    )
    dialog = SignDialog(db, worker, iid)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=5000)
    assert "尚未完成" in dialog.header.text() and not dialog.sign_button.isEnabled()


# ---------------------------------------------------------------------------------------------- documents


def open_documents(qtbot, db, worker, iid) -> DocumentsDialog:
    dialog = DocumentsDialog(db, worker, iid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.current is not None, timeout=15000)
    return dialog


@pytest.mark.skipif(not have_renderer(), reason="preview needs pypdfium2")
def test_preview_each_document(qtbot, db, worker, signed_id):
    dialog = open_documents(qtbot, db, worker, signed_id)
    assert dialog.current.doc.doc_type == "summary"
    assert dialog.findChild(type(dialog.status), "page-1").pixmap().width() > 700
    assert "核验码" in dialog.status.text()
    dialog.doc_list.setCurrentRow(1)
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.doc.doc_type == "record", timeout=15000)
    assert len(dialog.current.pages) >= 2
    dialog.doc_list.setCurrentRow(2)
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.doc.doc_type == "notice", timeout=15000)
    assert "文号" in dialog.status.text()


def test_save_as_pdf(qtbot, db, worker, signed_id, tmp_path, monkeypatch):
    dialog = open_documents(qtbot, db, worker, signed_id)
    target = tmp_path / "汇总表.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    assert dialog.save_document() == target
    assert pdfsign.verify_file(target).intact
    assert "问题汇总表" in pdf_text(target.read_bytes())


@pytest.mark.skipif(not have_renderer(), reason="printing renders the pages with pypdfium2")
def test_print_through_the_print_dialog(qtbot, db, worker, signed_id, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    dialog = open_documents(qtbot, db, worker, signed_id)
    out = tmp_path / "printed.pdf"
    seen = {}

    def fake_exec(print_dialog):  # the user picks a printer and presses 打印: here, a PDF "printer"
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        seen["title"] = print_dialog.windowTitle()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    assert dialog.print_document()
    assert seen["title"] == "打印问题汇总表"
    assert out.exists() and len(pdf_pages(out.read_bytes())) == 1
    assert "已送打印：1页" in dialog.status.text()


def test_cancelled_print_prints_nothing(qtbot, db, worker, signed_id, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog

    dialog = open_documents(qtbot, db, worker, signed_id)
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert not dialog.print_document()


def test_unsigned_inspection_shows_the_reason(qtbot, db, worker, completed, captured_boxes):
    dialog = DocumentsDialog(db, worker, completed)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10000)
    assert "尚未签字确认" in dialog.status.text()
    assert not dialog.save_button.isEnabled()


# ---------------------------------------------------------------------------------------------- photos


def test_photo_strip_adds_by_drop_and_file_dialog(qtbot, db, worker, completed, tmp_path, monkeypatch):
    strip = PhotoStrip(db, worker, completed, item_id="4.1")
    qtbot.addWidget(strip)
    strip.show()
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    first.write_bytes(jpeg(orientation=6))
    second.write_bytes(jpeg(colour=(0, 120, 0)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    strip.thumbs.dropEvent(drop)
    qtbot.waitUntil(lambda: strip.thumbs.count() == 1, timeout=5000)
    icon = strip.thumbs.item(0).icon().pixmap(96, 96)
    assert icon.height() > icon.width()  # EXIF orientation respected in the thumbnail
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(second)], ""))
    strip.choose_files()
    qtbot.waitUntil(lambda: strip.thumbs.count() == 2, timeout=5000)
    assert [p.item_id for p in photos.list_photos(db, completed)] == ["4.1", "4.1"]
    strip.thumbs.setCurrentRow(0)
    strip.remove_selected()
    qtbot.waitUntil(lambda: strip.thumbs.count() == 1, timeout=5000)


def test_photo_strip_reports_a_refused_file(qtbot, db, worker, completed, tmp_path, captured_boxes):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a jpeg")
    strip = PhotoStrip(db, worker, completed, item_id="4.1")
    qtbot.addWidget(strip)
    strip.add_files([str(bad)])
    qtbot.waitUntil(lambda: bool(captured_boxes), timeout=5000)
    assert "不是可识别的图片" in captured_boxes[0]
