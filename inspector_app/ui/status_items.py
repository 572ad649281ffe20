"""The production-status form (生产状况登记表, 002 附件3 钢铁 / 附件4 水泥) in the record form screen.

Shown under the checklist of a steel or cement enterprise, one row per column of the paper form: a number with
its unit, tick boxes as on paper (有/无, 是/否, the products), text, a date, small tables (拉力试验机 吨位及数量),
and what the record already knows (企业名称, 许可证编号) read-only. Every field is checked as it is left
(core/inspection/status_values.parse_value: the message names the field, shown under it in red) and saved
through the serial database lane; keyboard: Tab moves between fields, Space ticks a box, arrows and F2 in a table.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.errors import DomainError
from inspector_app.core.inspection.status_model import DATE, NUMBER, RECORD, ROWS, TICKS, StatusField, StatusForm
from inspector_app.core.inspection.status_values import (
    StatusFormData,
    decode,
    parse_value,
    record_value,
    save_status_value,
    status_form_data,
)
from inspector_app.i18n import _
from inspector_app.ui.item_controls import MUTED, RED, bold, set_text_colour


class FieldEditor(QWidget):
    """One field: its editor and, under it, the reason a value was refused."""

    edited = Signal(str, object)  # field id, raw value

    def __init__(self, field: StatusField, stored: str, info: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        self.line: QLineEdit | None = None
        self.boxes: list[QCheckBox] = []
        self.table: QTableWidget | None = None
        self.record_label: QLabel | None = None
        value = decode(field, stored)
        if field.kind == RECORD:
            self.record_label = QLabel(record_value(field, info) or "—", self)
            set_text_colour(self.record_label, MUTED)
            row.addWidget(self.record_label, 1)
        elif field.kind == TICKS:
            for option in field.options:
                check = QCheckBox(option, self)
                check.setChecked(option in value)
                check.toggled.connect(lambda on, c=check: self._ticked(c, on))
                self.boxes.append(check)
                row.addWidget(check)
            row.addStretch(1)
        elif field.kind == ROWS:
            self._build_table(value, box)
        else:
            self.line = QLineEdit(value, self)
            self.line.setAccessibleName(field.name)
            if field.kind == NUMBER:
                self.line.setPlaceholderText(_("整数") if field.integer else _("数字，如 12.5"))
                self.line.setMaximumWidth(160)
            elif field.kind == DATE:
                self.line.setPlaceholderText(_("如 2022-03-01"))
                self.line.setMaximumWidth(160)
            self.line.editingFinished.connect(self._line_done)
            row.addWidget(self.line, 0 if field.kind in (NUMBER, DATE) else 1)
            if field.unit:
                row.addWidget(QLabel(field.unit, self))
            row.addStretch(0 if field.kind not in (NUMBER, DATE) else 1)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        set_text_colour(self.error, RED)
        self.error.hide()
        box.addWidget(self.error)

    def _build_table(self, rows: list, box: QVBoxLayout) -> None:
        cols = self.field.columns
        self.table = QTableWidget(max(len(rows), 1), len(cols), self)
        self.table.setAccessibleName(self.field.name)
        self.table.setHorizontalHeaderLabels([c.label + (f"（{c.unit}）" if c.unit else "") for c in cols])
        self.table.setMaximumHeight(130)
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.itemChanged.connect(self._table_done)
        add = QPushButton(_("增加一行"), self)
        add.setToolTip(_("在表格末尾增加一行"))
        add.clicked.connect(lambda: self.table.insertRow(self.table.rowCount()))
        box.addWidget(self.table)
        line = QHBoxLayout()
        line.addWidget(add)
        line.addStretch(1)
        box.addLayout(line)

    # ------------------------------------------------------------------ values
    def raw(self):
        """What the inspector entered, as parse_value takes it."""
        if self.field.kind == TICKS:
            return [b.text() for b in self.boxes if b.isChecked()]
        if self.table is not None:
            t = self.table
            return [
                [(t.item(r, c).text() if t.item(r, c) else "") for c in range(t.columnCount())]
                for r in range(t.rowCount())
            ]
        return self.line.text() if self.line is not None else ""

    def check(self) -> bool:
        """Show why the value is refused (the field named); True when it may be saved."""
        try:
            parse_value(self.field, self.raw())
        except DomainError as exc:
            self.show_error(str(exc))
            return False
        self.show_error(None)
        return True

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def show_record(self, info: dict) -> None:
        """A `record` field's text again, from what the record knows (e.g. the license's 有效期)."""
        if self.record_label is not None:
            self.record_label.setText(record_value(self.field, info) or "—")

    def set_read_only(self, read_only: bool) -> None:
        if self.line is not None:
            self.line.setReadOnly(read_only)
        for b in self.boxes:
            b.setEnabled(not read_only)
        if self.table is not None:
            self.table.setEnabled(not read_only)

    def _ticked(self, box: QCheckBox, on: bool) -> None:
        if on and not self.field.multiple:  # one answer, as a paper tick box of 有/无
            for other in self.boxes:
                if other is not box and other.isChecked():
                    other.blockSignals(True)
                    other.setChecked(False)
                    other.blockSignals(False)
        self._changed()

    def _line_done(self) -> None:
        if self.line is not None and self.line.isModified():
            self.line.setModified(False)
            self._changed()

    def _table_done(self, _item) -> None:
        self._changed()

    def _changed(self) -> None:
        if self.check():
            self.edited.emit(self.field.id, self.raw())


class StatusFormPanel(QWidget):
    """The whole status form: one titled group per section of the paper form."""

    saved = Signal(str, str)  # field key, stored value

    def __init__(self, db, worker, inspection_id: str, form: StatusForm, values: dict, info: dict, parent=None):
        super().__init__(parent)
        self.db, self.worker, self.inspection_id, self.form = db, worker, inspection_id, form
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 12, 0, 0)
        title = QLabel(form.title, self)
        font = bold(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        box.addWidget(title)
        hint = QLabel(_("本表由企业如实填写，检查组随记录表一并核实、签字确认。数字只填数字，单位见右侧。"), self)
        hint.setWordWrap(True)
        set_text_colour(hint, MUTED)
        box.addWidget(hint)
        self.editors: dict[str, FieldEditor] = {}
        for section in form.sections:
            head = QLabel(section.title, self)
            head.setFont(bold(self.font()))
            head.setContentsMargins(0, 6, 0, 0)
            box.addWidget(head)
            grid = QFormLayout()
            grid.setContentsMargins(12, 0, 0, 0)
            for field in section.fields:
                editor = FieldEditor(field, values.get(field.key, ""), info, self)
                editor.edited.connect(self._save)
                label = field.label + (f"（{field.note}）" if field.note else "")
                grid.addRow(QLabel(label, self), editor)
                self.editors[field.id] = editor
            box.addLayout(grid)

    def set_read_only(self, read_only: bool) -> None:
        for e in self.editors.values():
            e.set_read_only(read_only)

    def show_record(self, data: StatusFormData) -> None:
        """What the record knows, read in the worker (status_form_data): 许可证编号, 有效期 and the others."""
        for e in self.editors.values():
            e.show_record(data.info)

    def _save(self, field_id: str, raw) -> None:
        self.worker.submit(
            save_status_value,
            self.db,
            self.inspection_id,
            field_id,
            raw,
            on_done=lambda value, f=field_id: self._saved(f, value),
            on_error=lambda exc, f=field_id: self.editors[f].show_error(str(exc)),
        )

    def _saved(self, field_id: str, value: str) -> None:
        self.editors[field_id].show_error(None)
        self.saved.emit(self.form.field(field_id).key, value)


def status_panel(screen, parent: QWidget) -> StatusFormPanel:
    """The panel of the screen's inspection (ui/inspection_screen.py puts it after the checklist)."""
    view = screen.view
    # What the view knows at once; the license's validity (有效期) and the rest follow from the worker.
    info = {"enterprise_name": view.enterprise_name, "site_address": view.site_address}
    info["license_number"] = view.license_number
    values = {k: a.record for k, a in view.answers.items()}
    panel = StatusFormPanel(screen.db, screen.worker, view.id, view.template.status, values, info, parent)
    screen.worker.submit(status_form_data, screen.db, view.id, on_done=panel.show_record)
    panel.set_read_only(screen.read_only)
    panel.saved.connect(screen.set_status_value)
    screen.completed.connect(lambda _id: panel.set_read_only(True))
    screen.status_panel = panel
    return panel
