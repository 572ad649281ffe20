"""更正 a signed inspection (issue 3 §1): the original is never edited; a correction names the items and
fields it changes, gives its reason, and takes effect once the team and the enterprise representative (or
the note of a refusal, 002 三(四)) have signed it. Existing corrections are listed; an unsigned draft (e.g.
made with `inspector-app amend create`) is signed here or deleted.

The signing half is SignDialog's: this dialog is a SignDialog whose signer widgets, checks and inputs sign
the correction instead of the record. Each item is edited in the form's own ItemWidget, so only the
conclusions the form offers (不适用 only where the template allows it) can be chosen. core/issuing/signing/
validates and writes, through the serial database lane.
"""

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.catalog import CONCLUSIONS
from inspector_app.core.inspection.inspections import Answer, with_conclusion
from inspector_app.core.issuing import signing
from inspector_app.i18n import _
from inspector_app.ui.item_widget import ItemWidget
from inspector_app.ui.sign_dialog import SignDialog
from inspector_app.ui.tables import RowsModel, make_table
from inspector_app.ui.tasks import ARCHIVE

# The wording of the record's 更正记录 (documents/record.py FIELD_LABELS); not imported from there, because
# that module loads reportlab, which the GUI does not need to open this dialog.
FIELD_LABELS = {
    "conclusion": _("检查结论"),
    "na_reason": _("不适用理由"),
    "record": _("检查记录"),
    "remark": _("备注"),
    "rectified_on_site": _("当场整改"),
    signing.PERIOD_FIELD: _("整改期限（日）"),
}
AMENDMENT_STATES = {signing.SIGNED: _("已签字"), "draft": _("草稿（未签字）")}


@dataclass(frozen=True)
class AmendInfo:
    """What the dialog needs besides SignInfo, read in the worker; None fields when the record is not signed."""

    signed: bool
    template: Any = None  # the inspection's template snapshot (core.inspection.templates.Template)
    answers: dict | None = None  # item id → Answer, after every signed amendment
    rectification_days: int = 0
    amendments: tuple = ()  # AmendmentView, in order

    @property
    def draft(self):
        return next((a for a in self.amendments if a.status != signing.SIGNED), None)


def load_amend_info(db, inspection_id: str) -> AmendInfo:
    from inspector_app.core.inspection.inspections import load_inspection

    if signing.status(db, inspection_id) != signing.SIGNED_STATUS:
        return AmendInfo(False)
    state = signing.get_signed(db, inspection_id)
    template = load_inspection(db, inspection_id).template
    return AmendInfo(True, template, state.answers(), state.rectification_days, state.amendments)


def create_and_sign(db, inspection_id: str, reason: str, changes: list, signatures: list) -> signing.AmendmentView:
    """Create the correction and sign it. Signing refused: the draft is deleted again, so that a refused
    input leaves nothing behind (two core operations, each its own transaction)."""
    amendment_id = signing.create_amendment(db, inspection_id, reason, changes)
    try:
        return signing.sign_amendment(db, amendment_id, signatures)
    except BaseException:
        signing.delete_draft_amendment(db, amendment_id)
        raise


def value_text(field: str, value) -> str:
    if field == "conclusion":
        return CONCLUSIONS.get(value, _("未填写")) if value else _("未填写")
    if field == "rectified_on_site":
        return _("是") if value else _("否")
    return str(value) if value not in (None, "") else _("（空）")


def change_text(item_id: str, field: str, old, new) -> str:
    where = _("检查项 {i} ").format(i=item_id) if item_id else ""
    return _("{w}{f}：{o} → {n}").format(
        w=where, f=FIELD_LABELS.get(field, field), o=value_text(field, old), n=value_text(field, new)
    )


class AmendmentDialog(SignDialog):
    """`amendment` holds the signed AmendmentView after success (the dialog is then accepted)."""

    def __init__(self, db, worker, inspection_id: str, parent: QWidget | None = None):
        self.amend_info: AmendInfo | None = None
        self.amendment: signing.AmendmentView | None = None
        self.edits: dict[str, dict[str, Any]] = {}  # item id → field → corrected value
        self.item_widget: ItemWidget | None = None
        self._ready = False
        super().__init__(db, worker, inspection_id, parent)
        self.setWindowTitle(_("更正检查记录"))
        self.sign_button.setText(_("签字确认更正"))
        worker.submit(load_amend_info, db, inspection_id, on_done=self._amend_loaded, on_error=self._failed)

    # -- building ---------------------------------------------------------------------------------------------
    def _loaded(self, info) -> None:
        self.info = info  # built once the correction's own data are in (_amend_loaded, the next job)

    def _amend_loaded(self, amend: AmendInfo) -> None:
        if self.info is None:  # reading the signers failed and was reported
            return
        if not amend.signed:
            self.header.setText(_("该检查记录尚未签字确认，不能更正；签字确认前可直接修改检查记录。"))
            return
        self.amend_info = amend
        # The signer widgets of a record awaiting signature: a correction is signed by the same people.
        super()._loaded(replace(self.info, status="completed"))
        self.header.setText(
            _(
                "<b>{e}</b><br>原检查记录不作改动。更正须写明原因，经检查组和企业代表签字后生效，"
                "文书按更正后的内容打印，并在记录表中列出更正记录。"
            ).format(e=self.info.enterprise)
        )
        self.days.setValue(amend.rectification_days)
        self.days.setToolTip(_("如需更正整改期限，在此修改"))
        self.days.valueChanged.connect(self._edited_period)

        self.history_box = QGroupBox(_("已有更正"), self.body)
        history = QVBoxLayout(self.history_box)
        self.history_model = RowsModel([_("次序"), _("状态"), _("签字日期"), _("更正原因"), _("更正内容")], self)
        self.history = make_table(self.history_model, self.history_box)
        self.history.setObjectName("amendments")
        history.addWidget(self.history)
        self.draft_label = QLabel(self.history_box)
        self.draft_label.setWordWrap(True)
        self.delete_button = QPushButton(_("删除草稿"), self.history_box)
        self.delete_button.setObjectName("deleteDraft")
        self.delete_button.setAutoDefault(False)
        self.delete_button.setToolTip(_("删除尚未签字的更正；已签字的更正不能删除"))
        self.delete_button.clicked.connect(self.delete_draft)
        row = QHBoxLayout()
        row.addWidget(self.draft_label, 1)
        row.addWidget(self.delete_button)
        history.addLayout(row)

        self.edit_box = QGroupBox(_("更正内容"), self.body)
        edit = QVBoxLayout(self.edit_box)
        pick = QHBoxLayout()
        pick.addWidget(QLabel(_("检查项"), self.edit_box))
        self.item_combo = QComboBox(self.edit_box)
        self.item_combo.setObjectName("amendItem")
        for item in amend.template.applicable_items:  # an item the form locks as 不适用 is not corrected
            text = item.text if len(item.text) <= 40 else item.text[:40] + "…"
            self.item_combo.addItem(f"{item.id}  {text}", item.id)
        self.item_combo.currentIndexChanged.connect(self._show_item)
        pick.addWidget(self.item_combo, 1)
        edit.addLayout(pick)
        if amend.template.status is not None:  # 002 附件3/附件4: its values are not corrected (docs/documents.md)
            note = QLabel(signing.STATUS_NOT_AMENDABLE, self.edit_box)
            note.setObjectName("statusNotAmendable")
            note.setWordWrap(True)
            edit.addWidget(note)
        self.item_area = QVBoxLayout()
        edit.addLayout(self.item_area)
        self.summary = QLabel(self.edit_box)
        self.summary.setObjectName("amendSummary")
        self.summary.setWordWrap(True)
        edit.addWidget(self.summary)
        form = QFormLayout()
        self.amend_reason = QLineEdit(self.edit_box)
        self.amend_reason.setObjectName("amendReason")
        self.amend_reason.setPlaceholderText(_("必填，如：检查记录中批号笔误，应为20260512-03"))
        self.amend_reason.textChanged.connect(self._update)
        form.addRow(_("更正原因"), self.amend_reason)
        edit.addLayout(form)

        self.body_layout.insertWidget(0, self.history_box)
        self.body_layout.insertWidget(1, self.edit_box)
        self._ready = True
        self._show_amendments(amend)
        self._show_item()

    def _show_amendments(self, amend: AmendInfo) -> None:
        """The list of corrections, and the mode: a draft waits to be signed or deleted, else a new one."""
        self.amend_info = amend
        self.history_box.setVisible(bool(amend.amendments))
        self.history_model.set_rows(
            [
                (
                    _("第{n}次").format(n=a.seq),
                    AMENDMENT_STATES.get(a.status, a.status),
                    a.signed_on.isoformat() if a.signed_on else "—",
                    a.reason,
                    "；".join(change_text(c.item_id, c.field, c.old, c.new) for c in a.changes),
                )
                for a in amend.amendments
            ],
            colors=[None if a.status == signing.SIGNED else "#fff8e1" for a in amend.amendments],
            ids=[a.id for a in amend.amendments],
        )
        rows = min(max(len(amend.amendments), 1), 4)  # the table takes the height of its rows, up to four
        view = self.history
        view.setFixedHeight(
            view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
            + rows * view.verticalHeader().defaultSectionSize()
        )  # fmt: skip
        draft = amend.draft
        self.delete_button.setVisible(draft is not None)
        self.draft_label.setText(
            _("第{n}次更正尚未签字，尚未生效：签字确认使其生效，或删除草稿后重新填写。").format(n=draft.seq)
            if draft
            else ""
        )
        self.edit_box.setVisible(draft is None)
        self.days.setEnabled(draft is None)
        self._update()

    def _show_item(self) -> None:
        """The chosen item in the form's own widget, showing its answer with the corrections made so far."""
        if self.item_widget is not None:
            self.item_area.removeWidget(self.item_widget)
            self.item_widget.hide()
            self.item_widget.deleteLater()
            self.item_widget = None
        item_id = self.item_combo.currentData()
        if item_id is None:
            return
        template = self.amend_info.template
        w = ItemWidget(template.item(item_id), template.product_kind, self.edit_box)
        w.set_answer(replace(self._original(item_id), **self.edits.get(item_id, {})))
        w.changed.connect(self._edited)
        self._hide_category(w)
        self.item_area.addWidget(w)
        self.item_widget = w

    @staticmethod
    def _hide_category(w: ItemWidget) -> None:
        # The 问题类别 is not part of the signed record (signing.AMENDABLE_FIELDS): a correction cannot change it.
        if w.category_row is not None:
            w.category_row.hide()

    # -- the corrections --------------------------------------------------------------------------------------
    def _original(self, item_id: str):
        return self.amend_info.answers.get(item_id) or Answer(item_id)

    def _edited(self, item_id: str, field: str, value) -> None:
        if field not in signing.AMENDABLE_FIELDS:
            self._hide_category(self.item_widget)
            return
        original = self._original(item_id)
        after = replace(original, **self.edits.get(item_id, {}))
        if field == "conclusion":
            # The fields that go with a conclusion follow it as on the form (inspections.with_conclusion): the
            # 不适用 reason, 当场整改; the correction lists each field the new conclusion changes.
            after = with_conclusion(self.amend_info.template.item(item_id), after, value)
        else:
            after = replace(after, **{field: value})
        edits = {f: getattr(after, f) for f in signing.AMENDABLE_FIELDS if getattr(original, f) != getattr(after, f)}
        if edits:
            self.edits[item_id] = edits
        else:
            self.edits.pop(item_id, None)
        self._update()

    def _edited_period(self, _value: int) -> None:
        self._update()

    def changes(self) -> list[tuple[str, str, Any]]:
        """(item id, field, new value) in form order, then the period: what create_amendment takes."""
        if not self._ready:
            return []
        out = []
        for item in self.amend_info.template.items:
            for field in signing.AMENDABLE_FIELDS:
                if field in self.edits.get(item.id, {}):
                    out.append((item.id, field, self.edits[item.id][field]))
        if self.days.value() != self.amend_info.rectification_days:
            out.append(("", signing.PERIOD_FIELD, self.days.value()))
        return out

    def _change_lines(self) -> list[str]:
        lines = []
        for item_id, field, new in self.changes():
            old = self.amend_info.rectification_days if not item_id else getattr(self._original(item_id), field)
            lines.append(change_text(item_id, field, old, new))
        return lines

    def missing(self) -> list[str]:
        if not self._ready:
            return [_("尚未读取")]
        out = []
        if self.amend_info.draft is None:
            if not self.changes():
                out.append(_("尚未更正任何内容：请选择检查项，修改其检查结论、检查记录或备注"))
            if not self.amend_reason.text().strip():
                out.append(_("请填写更正原因"))
        return out + super().missing()

    def _update(self) -> None:
        if self._ready:
            lines = self._change_lines()
            self.summary.setText(_("将更正：") + "；".join(lines) if lines else _("尚未更正任何内容。"))
        super()._update()

    # -- deleting a draft -------------------------------------------------------------------------------------
    def delete_draft(self) -> None:
        draft = self.amend_info.draft if self.amend_info else None
        if draft is None:
            return
        self.delete_button.setEnabled(False)
        self.worker.submit(
            signing.delete_draft_amendment, self.db, draft.id, on_done=self._reload, on_error=self._failed
        )

    def _reload(self, _result=None) -> None:
        self.delete_button.setEnabled(True)
        self.worker.submit(
            load_amend_info, self.db, self.inspection_id, on_done=self._show_amendments, on_error=self._failed
        )

    # -- signing ----------------------------------------------------------------------------------------------
    def submit(self) -> None:
        if self.missing():
            self._update()
            return
        self.sign_button.setEnabled(False)
        draft = self.amend_info.draft
        if draft is not None:
            self.worker.submit(
                signing.sign_amendment,
                self.db,
                draft.id,
                self.inputs(),
                on_done=self._amended,
                on_error=self._failed,
                changes={ARCHIVE},
            )
            return
        self.worker.submit(
            create_and_sign,
            self.db,
            self.inspection_id,
            self.amend_reason.text(),
            self.changes(),
            self.inputs(),
            on_done=self._amended,
            on_error=self._failed,
            changes={ARCHIVE},
        )

    def _amended(self, amendment: signing.AmendmentView) -> None:
        self.amendment = amendment
        self.accept()
