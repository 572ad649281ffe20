"""更正 in the GUI (issue 3 §1): the archive's 更正… opens AmendmentDialog; a correction is made in the form's
own item widget, given a reason and signed by the team with the mouse; the original stays as signed."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from inspector_app.core.errors import ValidationError
from inspector_app.core.issuing import signing
from inspector_app.core.storage.docs_models import Amendment, Signature
from inspector_app.core.storage.models import ItemResult
from inspector_app.ui.amendment_dialog import AmendmentDialog, create_and_sign
from tests.documents import factory
from tests.ui.test_signing_ui import draw, set_text

NEW_RECORD = "抽查2026年5月出厂检验记录，批号20260512-03缺少黏度项目的检验数据（细度已检验）；检验报告未经审核人签字。"


def open_dialog(qtbot, db, db_worker, iid) -> AmendmentDialog:
    dialog = AmendmentDialog(db, db_worker, iid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog._ready, timeout=5000)
    return dialog


def choose_item(dialog: AmendmentDialog, item_id: str):
    dialog.item_combo.setCurrentIndex(dialog.item_combo.findData(item_id))
    assert dialog.item_widget.item.id == item_id
    return dialog.item_widget


def sign_all(dialog: AmendmentDialog) -> None:
    for n, (_i, field) in enumerate(dialog.team_fields):
        draw(field.pad, seed=n)
    draw(dialog.rep_field.pad, seed=5)


def amendment_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Amendment))


def record_of(db, item_id: str) -> str:
    with db.session() as s:
        return s.scalar(select(ItemResult.record).where(ItemResult.item_id == item_id))


def test_correct_a_record_and_sign_it_with_the_mouse(qtbot, db, db_worker, signed_id):
    original = signing.get_signed(db, signed_id)
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    assert [f.caption.text() for _i, f in dialog.team_fields] == ["检查人员：张伟", "检查人员：刘洋"]
    assert not dialog.history_box.isVisibleTo(dialog)  # no corrections yet
    assert not dialog.sign_button.isEnabled() and "尚未更正任何内容" in dialog.problem_label.text()

    item = choose_item(dialog, "4.1")
    assert item.record.toPlainText() == factory.PROBLEMS["4.1"]  # shows the answer as signed
    item.record.setPlainText(NEW_RECORD)
    assert "检查项 4.1 检查记录" in dialog.summary.text() and NEW_RECORD in dialog.summary.text()
    choose_item(dialog, "1.1")  # another item, and back: the correction made so far is kept
    assert choose_item(dialog, "4.1").record.toPlainText() == NEW_RECORD
    set_text(dialog.amend_reason, "检查记录笔误：细度项目已检验，只缺黏度")
    sign_all(dialog)
    assert dialog.sign_button.isEnabled(), dialog.problem_label.text()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)

    state = signing.get_signed(db, signed_id)
    (amendment,) = state.amendments
    assert amendment.status == "signed" and amendment.reason == "检查记录笔误：细度项目已检验，只缺黏度"
    assert amendment.previous_hash == original.content_hash  # references the original
    assert amendment.changes == (signing.Change("4.1", "record", factory.PROBLEMS["4.1"], NEW_RECORD),)
    assert [s.name for s in amendment.signatures] == ["张伟", "刘洋", "李秀英"]
    assert all(s.image.startswith(b"\x89PNG") and s.source == "pad" for s in amendment.signatures)
    assert state.answers()["4.1"].record == NEW_RECORD and state.current_hash == dialog.amendment.content_hash
    # The original is never edited: the signed content, the stored answer and its signatures are as they were.
    assert state.canonical == original.canonical and state.content_hash == original.content_hash
    assert record_of(db, "4.1") == factory.PROBLEMS["4.1"]
    assert state.signatures == original.signatures
    with db.session() as s:
        assert s.scalar(select(func.count()).where(Signature.amendment_id == amendment.id)) == 3
    assert signing.verify_record(db, signed_id) == []


def test_a_missing_reason_is_refused_and_nothing_is_written(qtbot, db, db_worker, signed_id, captured_boxes):
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    choose_item(dialog, "4.1").record.setPlainText(NEW_RECORD)
    sign_all(dialog)
    set_text(dialog.amend_reason, "   ")
    assert not dialog.sign_button.isEnabled()
    assert "请填写更正原因" in dialog.problem_label.text()
    qtbot.waitUntil(dialog.problem_label.isVisible)  # a widget added to a shown layout appears a turn later
    dialog.submit()  # Enter in the dialog, or a script: refused the same way
    qtbot.waitUntil(db_worker.settled)  # every job ran and its callback was delivered
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert amendment_count(db) == 0 and record_of(db, "4.1") == factory.PROBLEMS["4.1"]
    assert captured_boxes == []  # refused in the dialog itself, before the database is asked


def test_only_the_conclusions_the_form_offers(qtbot, db, db_worker, signed_id):
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    assert list(choose_item(dialog, "1.1").bar.buttons) == ["conform", "nonconform"]  # 不适用 not allowed
    assert list(choose_item(dialog, "3.1").bar.buttons) == ["conform", "nonconform", "na"]
    items = [dialog.item_combo.itemData(i) for i in range(dialog.item_combo.count())]
    assert "2.2" not in items  # locked as 不适用 for industrial products: nothing to correct
    choose_item(dialog, "3.1").bar.buttons["na"].click()
    assert "检查结论：符合 → 不适用" in dialog.summary.text()
    assert "不适用理由：（空） → 环保要求正常停产不适用" in dialog.summary.text()  # as the form records it


def test_a_correction_the_core_refuses_shows_why_and_writes_nothing(qtbot, db, db_worker, signed_id, captured_boxes):
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    item = choose_item(dialog, "1.1")
    item.bar.buttons["nonconform"].click()
    item.record.setPlainText("")  # 不符合 without a record (002 附件2)
    set_text(dialog.amend_reason, "结论有误")
    sign_all(dialog)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(captured_boxes), timeout=5000)
    assert "须填写检查记录" in captured_boxes[0]
    assert amendment_count(db) == 0 and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.sign_button.isEnabled()  # the inspector may fix it and sign again


def test_refused_signatures_leave_no_draft(db, signed_id):
    with pytest.raises(ValidationError, match="企业代表"):
        create_and_sign(db, signed_id, "原因", [("3.1", "remark", "复核")], factory.team_signatures(db, signed_id))
    assert amendment_count(db) == 0


def test_a_draft_is_listed_and_can_be_deleted(qtbot, db, db_worker, signed_id):
    signing.create_amendment(db, signed_id, "备注补充", [("3.1", "remark", "复核")])
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    assert dialog.history_box.isVisibleTo(dialog) and not dialog.edit_box.isVisibleTo(dialog)
    assert dialog.history_model.row(0)[:2] == ("第1次", "草稿（未签字）")
    assert "检查项 3.1 备注：（空） → 复核" in dialog.history_model.row(0)[4]
    assert "尚未签字" in dialog.draft_label.text()
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.edit_box.isVisibleTo(dialog), timeout=5000)
    assert amendment_count(db) == 0 and not dialog.history_box.isVisibleTo(dialog)


def test_a_draft_made_elsewhere_is_signed_here(qtbot, db, db_worker, signed_id):
    am_id = signing.create_amendment(db, signed_id, "整改期限更正", [("", "rectification_days", 15)])
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    assert not dialog.days.isEnabled()  # the draft's changes are shown, not edited
    sign_all(dialog)
    assert dialog.sign_button.isEnabled(), dialog.problem_label.text()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    state = signing.get_signed(db, signed_id)
    assert dialog.amendment.id == am_id and state.amendments[0].status == "signed"
    assert state.rectification_days == 15


def test_an_unsigned_record_cannot_be_corrected(qtbot, db, db_worker, sample, templates, fixed_today):
    iid = factory.complete(db, sample, templates)
    dialog = AmendmentDialog(db, db_worker, iid)
    qtbot.addWidget(dialog)
    db_worker.wait_idle()
    qtbot.waitUntil(lambda: "尚未签字确认" in dialog.header.text(), timeout=5000)
    assert not dialog.sign_button.isEnabled()


def test_the_archive_offers_correction_for_a_signed_record(qtbot, start_window, db, signed_id, monkeypatch):
    from tests.ui.test_main_window import select as select_enterprise

    opened: list[str] = []
    monkeypatch.setattr(AmendmentDialog, "exec", lambda dialog: opened.append(dialog.inspection_id) or 0)
    window = start_window()
    select_enterprise(qtbot, window, "上海申华塑料制品有限公司")
    window.archive.inspections.selectRow(0)
    assert window.archive.amend_button.isEnabled() and window.archive.amend_button.text() == "更正…"
    assert not window.archive.sign_button.isEnabled()
    qtbot.mouseClick(window.archive.amend_button, Qt.MouseButton.LeftButton)
    assert opened == [signed_id]


def test_a_new_conclusion_clears_on_site_rectification_as_the_form_does(qtbot, db, db_worker, signed_id):
    """5.1 was signed 不符合 with 当场整改; corrected to 符合, the widget shows 当场整改 cleared and the correction
    lists it (inspections.with_conclusion), so create_amendment accepts it."""
    dialog = open_dialog(qtbot, db, db_worker, signed_id)
    item = choose_item(dialog, "5.1")
    assert item.rectified.isChecked()
    item.bar.buttons["conform"].click()
    assert not item.rectified.isChecked() and not item.rectified.isEnabled()
    assert dialog.changes() == [("5.1", "conclusion", "conform"), ("5.1", "rectified_on_site", False)]
    assert "当场整改：是 → 否" in dialog.summary.text()
    draft = signing.create_amendment(db, signed_id, "复核", dialog.changes())
    assert draft


def test_a_steel_record_says_its_status_form_is_not_corrected(qtbot, db, db_worker, sample, templates, fixed_today):
    from tests.core.test_inspection_io_status import sign_steel

    dialog = open_dialog(qtbot, db, db_worker, sign_steel(db, sample, templates))
    note = dialog.findChild(type(dialog.header), "statusNotAmendable")
    assert note is not None and note.text().startswith("生产状况登记表的数值签字后不能在本程序中更正")
    assert all(not str(dialog.item_combo.itemData(n)).startswith("S") for n in range(dialog.item_combo.count()))
