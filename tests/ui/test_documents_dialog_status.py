"""The documents dialog offers 生产状况登记表 only for a record that has one (002 附件3 钢铁 / 附件4 水泥)."""

from inspector_app.ui.documents_dialog import DocumentsDialog
from tests.core.test_inspection_io_status import sign_steel
from tests.documents import factory


def open_dialog(qtbot, db, worker, iid) -> DocumentsDialog:
    dialog = DocumentsDialog(db, worker, iid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.current is not None, timeout=15000)
    after: list = []  # the serial lane answers in order: once this job's answer is back, the dialog's is too
    worker.submit(int, on_done=after.append)
    qtbot.waitUntil(lambda: bool(after), timeout=15000)
    return dialog


def labels(dialog) -> list[str]:
    return [dialog.doc_list.item(n).text() for n in range(dialog.doc_list.count())]


def test_a_plain_record_is_not_offered_the_status_form(qtbot, db, db_worker, signed_id):
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    assert labels(dialog) == ["问题汇总表", "监督检查记录表", "责令整改通知书"]


def test_a_steel_record_is_offered_its_status_form(qtbot, db, db_worker, sample, templates, fixed_today):
    factory.configure_bureau(db)
    iid = sign_steel(db, sample, templates)
    dialog = open_dialog(qtbot, db, db_worker, iid)
    assert labels(dialog)[-1] == "生产状况登记表"
    dialog.doc_list.setCurrentRow(3)
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.doc.doc_type == "status", timeout=15000)
    assert "山西省钢铁获证企业生产状况登记表" in factory.pdf_text(dialog.current.doc.pdf)
