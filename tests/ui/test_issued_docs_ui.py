"""The documents dialog's 已出具的文书: saving or printing issues (archives) the document, a preview does not,
and 另存为… writes the archived bytes out."""

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from inspector_app.core.issuing import issued as issued_docs
from inspector_app.documents import pdfsign
from inspector_app.ui.documents_dialog import DocumentsDialog, have_renderer


def open_dialog(qtbot, db, db_worker, iid) -> DocumentsDialog:
    dialog = DocumentsDialog(db, db_worker, iid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.current is not None and not dialog.busy(), timeout=15000)
    return dialog


def shown_rows(dialog) -> list[tuple]:
    return [dialog.issued_model.row(r) for r in range(dialog.issued_model.rowCount())]


def test_save_as_pdf_issues_the_document_and_the_list_shows_it(qtbot, db, db_worker, signed_id, tmp_path, monkeypatch):
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    assert shown_rows(dialog) == [] and not dialog.issued_save_button.isEnabled()
    assert issued_docs.list_issued(db, signed_id) == []  # the preview alone issues nothing

    target = tmp_path / "汇总表.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF"))
    assert dialog.save_document() == target
    qtbot.waitUntil(lambda: dialog.issued_model.rowCount() == 1 and not dialog.busy(), timeout=10000)
    (info,) = issued_docs.list_issued(db, signed_id)
    assert shown_rows(dialog) == [("问题汇总表", "—", info.issued_at.strftime("%Y-%m-%d %H:%M"), "另存为PDF")]
    assert issued_docs.issued_pdf(db, info.id) == target.read_bytes() == dialog.current.doc.pdf

    # The same preview saved again is the same document; looking at another document issues nothing.
    dialog.save_document()
    dialog.doc_list.setCurrentRow(2)
    qtbot.waitUntil(
        lambda: dialog.current is not None and dialog.current.doc.doc_type == "notice" and not dialog.busy(),
        timeout=15000,
    )
    assert len(issued_docs.list_issued(db, signed_id)) == 1 and dialog.issued_model.rowCount() == 1

    # 另存为… of the archived copy: the bytes that were handed out, still verifying.
    dialog.issued_view.selectRow(0)
    assert dialog.issued_save_button.isEnabled()
    copy = tmp_path / "存档副本.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(copy), "PDF"))
    assert dialog.save_issued_copy() == copy
    qtbot.waitUntil(lambda: copy.exists() and not dialog.busy(), timeout=10000)
    assert copy.read_bytes() == target.read_bytes() and pdfsign.verify_file(copy).intact
    assert "已另存存档原件" in dialog.status.text()


@pytest.mark.skipif(not have_renderer(), reason="printing renders the pages with pypdfium2")
def test_printing_issues_the_document(qtbot, db, db_worker, signed_id, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    def fake_exec(print_dialog):  # a PDF "printer" chosen in the print dialog
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        return QDialog.DialogCode.Accepted

    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    dialog.doc_list.setCurrentRow(2)
    qtbot.waitUntil(
        lambda: dialog.current is not None and dialog.current.doc.doc_type == "notice" and not dialog.busy(),
        timeout=15000,
    )
    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    assert dialog.print_document()
    qtbot.waitUntil(lambda: dialog.issued_model.rowCount() == 1 and not dialog.busy(), timeout=10000)
    title, number, _when, how = shown_rows(dialog)[0]
    assert (title, how) == ("责令整改通知书", "打印") and number == dialog.current.doc.number != ""
    (info,) = issued_docs.list_issued(db, signed_id)
    assert info.how == "printed" and issued_docs.issued_pdf(db, info.id) == dialog.current.doc.pdf


def test_a_cancelled_save_or_print_issues_nothing(qtbot, db, db_worker, signed_id, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog

    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert dialog.save_document() is None and not dialog.print_document()
    db_worker.wait_idle()
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10000)
    assert issued_docs.list_issued(db, signed_id) == [] and dialog.issued_model.rowCount() == 0
