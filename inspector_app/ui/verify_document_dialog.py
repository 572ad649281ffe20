"""核验文书: from a paper document to the document that was issued (issue 13 §2).

Type the 核验码 printed beside the QR code (a mistyped character is named), paste the text a scanner app
read from the QR code, or open a photo or scan of the page and let the program read its QR code. The dialog
shows the verdict first (a forged QR code is refused here), then the record from the archive — enterprise,
inspection, problems, signatures, corrections, a voided number — and the archived PDFs issued for it, which
can be opened or saved to compare with the paper. Lookups, image reading and saving run on the serial
database lane with module-level functions (documents/lookup.py, core/issuing/issued.py); only callbacks touch widgets.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.sync_common import StatusLabel

IMAGE_FILTER = "图片 (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.webp)"


class VerifyDocumentDialog(QDialog):
    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self.found = None  # documents.lookup.Found of the last successful lookup
        self.setWindowTitle(_("核验文书"))
        fit_window(self, "verify_document", (720, 560))
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(_("纸质文书上的核验码，如 8Z3K-1QWE-2MXD-8RTV-H；或扫码得到的文字"))
        self.code_edit.returnPressed.connect(self.look_up)
        self.lookup_button = QPushButton(_("查询"))
        self.lookup_button.clicked.connect(self.look_up)
        self.image_button = QPushButton(_("从照片/扫描件读取二维码…"))
        self.image_button.clicked.connect(self.choose_image)
        self.status = StatusLabel()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.issued_list = QListWidget()
        self.issued_list.setMaximumHeight(90)
        self.open_button = QPushButton(_("打开原文书"))
        self.open_button.clicked.connect(self.open_selected)
        self.save_button = QPushButton(_("另存为…"))
        self.save_button.clicked.connect(self.save_selected)
        for button in (self.open_button, self.save_button):
            button.setEnabled(False)
        self.issued_list.currentRowChanged.connect(self._selection_changed)

        row = QHBoxLayout()
        row.addWidget(QLabel(_("核验码：")))
        row.addWidget(self.code_edit, 1)
        row.addWidget(self.lookup_button)
        row.addWidget(self.image_button)
        issued_row = QHBoxLayout()
        issued_row.addWidget(self.issued_list, 1)
        side = QVBoxLayout()
        side.addWidget(self.open_button)
        side.addWidget(self.save_button)
        side.addStretch(1)
        issued_row.addLayout(side)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.details, 1)
        layout.addWidget(QLabel(_("存档中出具的原文书（与纸质文书对照）：")))
        layout.addLayout(issued_row)
        layout.addWidget(buttons)

    # ------------------------------------------------------------------ looking up
    def look_up(self) -> None:
        from inspector_app.documents.lookup import lookup

        text = self.code_edit.text().strip()
        if not text:
            self.status.say(_("请输入核验码，或从照片/扫描件读取二维码。"), error=True)
            return
        self._busy(_("正在查询…"))
        self._worker.submit(lookup, self._db, text, on_done=self._show, on_error=self._failed)

    def choose_image(self) -> None:
        path, _filter = file_dialogs.get_open_file_name(self, _("选择文书页面的照片或扫描件"), "", IMAGE_FILTER)
        if path:
            self.look_up_image(path)

    def look_up_image(self, path: str) -> None:
        from inspector_app.documents.lookup import lookup_image

        self._busy(_("正在读取图片中的二维码…"))
        self._worker.submit(lookup_image, self._db, str(path), on_done=self._show_image, on_error=self._failed)

    def _busy(self, text: str) -> None:
        self.status.say(text)
        self.found = None
        self.details.clear()
        self.issued_list.clear()
        self.lookup_button.setEnabled(False)
        self.image_button.setEnabled(False)

    def _idle(self) -> None:
        self.lookup_button.setEnabled(True)
        self.image_button.setEnabled(True)

    def _show_image(self, result) -> None:
        text, found = result
        self.code_edit.setText(text)
        self._show(found)

    def _show(self, found) -> None:
        from inspector_app.documents.lookup import describe

        self._idle()
        self.found = found
        lines = describe(found)
        self.status.say(lines[0], error=not found.trustworthy)
        self.details.setPlainText("\n".join(lines[1:]))
        self.issued_list.clear()
        for d in found.issued:
            self.issued_list.addItem(
                f"{d.title}  {d.number or ''}  {d.issued_at:%Y-%m-%d %H:%M}  {d.how_label}  {d.filename}"
            )
        if found.issued:
            self.issued_list.setCurrentRow(len(found.issued) - 1)

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.status.fail(exc, _("查询失败。"))

    # ------------------------------------------------------------------ the archived PDF
    def _selected(self):
        row = self.issued_list.currentRow()
        if self.found is None or not 0 <= row < len(self.found.issued):
            return None
        return self.found.issued[row]

    def _selection_changed(self, _row: int) -> None:
        enabled = self._selected() is not None
        self.open_button.setEnabled(enabled)
        self.save_button.setEnabled(enabled)

    def save_selected(self) -> None:
        doc = self._selected()
        if doc is None:
            return
        path, _filter = file_dialogs.get_save_file_name(self, _("另存存档原文书"), doc.filename, "PDF (*.pdf)")
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> None:
        from inspector_app.core.issuing.issued import export_issued

        doc = self._selected()
        if doc is None:
            return
        self._worker.submit(export_issued, self._db, doc.id, str(path), on_done=self._saved, on_error=self._failed)

    def _saved(self, path) -> None:
        self.status.say(_("已另存存档原件：{p}").format(p=path))

    def open_selected(self) -> None:
        from inspector_app.core.issuing.issued import export_issued

        doc = self._selected()
        if doc is None:
            return
        folder = Path(tempfile.mkdtemp(prefix="xcjc-verify-"))
        target = str(folder / (doc.filename or f"{doc.id}.pdf"))
        self._worker.submit(export_issued, self._db, doc.id, target, on_done=self._open_file, on_error=self._failed)

    def _open_file(self, path) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.information(self, _("核验文书"), _("已写出存档原件：{p}").format(p=path))


def open_dialog(window) -> None:
    """The 核验文书 menu entry of the main window."""
    if window.db is None or window.worker is None:
        QMessageBox.information(window, _("核验文书"), _("数据库尚未打开，请稍候再试。"))
        return
    VerifyDocumentDialog(window.db, window.worker, window).exec()
