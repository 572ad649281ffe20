"""This laptop's document-number prefix (core/issuing/number_prefix.py): a field that checks what is typed and shows
the number the next 责令整改通知书 would get with it, used by 本机初始设置 (ui/devices_dialog.py), and a small
dialog that asks for it when a new number is needed and none was chosen (ui/documents_dialog.py).

The rules are checked on the GUI thread (number_prefix.normalise is pure); the preview of the number and the
saving run on the database worker as module-level core functions.
"""

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from inspector_app.core.errors import DomainError
from inspector_app.core.issuing import number_prefix
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.i18n import _
from inspector_app.ui.geometry import fit_window

_RED, _GREY = "#a4161a", "#666666"


class PrefixEdit(QWidget):
    """A line edit for the prefix, its rule in grey (or what is wrong in red) and the number it would give."""

    changed = Signal()

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self.edit = QLineEdit()
        self.edit.setObjectName("numberPrefix")
        self.edit.setPlaceholderText(_("如 {e}").format(e=number_prefix.EXAMPLE))
        self.edit.setMaxLength(8)
        self.note = QLabel(number_prefix.HINT)
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {_GREY}")
        self.preview = QLabel()
        self.preview.setObjectName("numberPreview")
        self.preview.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.note)
        layout.addWidget(self.preview)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.update_preview)
        self.edit.textChanged.connect(self._edited)

    def value(self) -> str:
        """The prefix as it will be stored ("fx03" → "FX03-"); ValidationError if it breaks the rules."""
        return number_prefix.normalise(self.edit.text())

    def error(self) -> str:
        try:
            self.value()
        except DomainError as exc:
            return str(exc)
        return ""

    def _edited(self, *_args) -> None:
        problem = self.error() if self.edit.text().strip() else ""
        self.note.setText(problem or number_prefix.HINT)
        self.note.setStyleSheet(f"color: {_RED if problem else _GREY}")
        self.changed.emit()
        self._timer.start()

    def update_preview(self) -> None:
        """The next number with the prefix typed (the real numbering, rolled back), from the worker."""
        try:
            value = self.value()
        except DomainError:
            self.preview.clear()
            return
        if not value:
            self.preview.clear()
            return
        self._worker.submit(
            docnumbers.preview_number,
            self._db,
            {number_prefix.KEY: value},
            on_done=self._preview_shown,
            on_error=self._preview_failed,
        )

    def _preview_shown(self, result) -> None:
        self.preview.setText(_("文书编号将如：{n}").format(n=result.number))
        self.preview.setStyleSheet("")

    def _preview_failed(self, exc: BaseException) -> None:
        self.preview.setText(_("无法编号：{e}").format(e=exc))
        self.preview.setStyleSheet(f"color: {_RED}")


class PrefixDialog(QDialog):
    """Asked when a new document number is needed and this laptop has no prefix (or an earlier version's
    random one). 确定 saves it with number_prefix.choose; `chosen` carries the stored value."""

    chosen = Signal(str)

    def __init__(self, db, worker, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self.setWindowTitle(_("选定本机文书编号前缀"))
        fit_window(self, "number_prefix", (520, 240))
        intro = QLabel(reason)
        intro.setObjectName("prefixReason")
        intro.setWordWrap(True)
        self.field = PrefixEdit(db, worker, self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet(f"color: {_RED}")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("确定"))
        self.ok_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.field.changed.connect(self._changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(_("本机编号前缀：")))
        layout.addWidget(self.field)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _changed(self) -> None:
        self.status.clear()
        self.ok_button.setEnabled(bool(self.field.edit.text().strip()) and not self.field.error())

    def save(self) -> None:
        try:
            value = self.field.value()
        except DomainError as exc:
            self.status.setText(str(exc))
            return
        self.ok_button.setEnabled(False)
        self._worker.submit(number_prefix.choose, self._db, value, on_done=self._saved, on_error=self._failed)

    def _saved(self, value: str) -> None:
        self.chosen.emit(value)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, DomainError):
            from inspector_app.ui.errors import show_error

            show_error(exc, self)
        self.status.setText(str(exc))
        self.ok_button.setEnabled(True)
