"""Preview, print and save the documents of a signed inspection.

Preview and printing render the very PDF bytes that are signed and saved, page by page, with pypdfium2
(PDFium; a 3 MB wheel, offline, no Qt module needed). Why not the alternatives: QtPdf is not in
PySide6-Essentials (it would pull in PySide6-Addons, +150 MB); reportlab's renderPM draws reportlab
Drawings, not PDFs; pdftoppm is not on the inspectors' laptops; and drawing the preview again from the layout
would show something other than what is printed. Without pypdfium2 the dialog still saves the PDF and says
that preview and printing need it.

Generation (database read, layout, signing) and page rendering run on the serial database lane, never on the UI thread.

Saving or printing *issues* the document: the worker archives the exact bytes (core/issuing/issued.py), and the
list 已出具的文书 shows what was issued for the inspection; its 另存为… writes an archived copy out as it was
handed over. A preview is not an issue.

Before issuing, the bureau's settings the document prints are checked (core/issuing/print_check.py, in the worker
with the preview): while one is unset or still ××, the preview says so and 打印 / 另存为PDF ask first, naming
what is missing and where it comes from (the bureau's bundle, or 设置, which the question can open). A notice
that needs a new number on a laptop without a chosen number prefix asks for the prefix
(ui/number_prefix_dialog.py) instead of printing a made-up one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.inspection.status_values import has_status_form
from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.tables import RowsModel, make_table

DOCS = (
    ("summary", _("问题汇总表")),
    ("record", _("监督检查记录表")),
    ("notice", _("责令整改通知书")),
)
# Offered only where the record has one: steel and cement enterprises (002 附件3/附件4; core has_status_form).
STATUS_DOC = ("status", _("生产状况登记表"))
PREVIEW_SCALE = 1.25  # 90 dpi: A4 is 744 px wide
PRINT_DPI = 300


def have_renderer() -> bool:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class PageImage:
    width: int
    height: int
    rgb: bytes  # 24-bit RGB rows


def render_pages(pdf: bytes, scale: float) -> list[PageImage]:
    """Every page of `pdf` as RGB pixels at `scale` × 72 dpi (runs in any thread)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for index in range(len(doc)):
            image = doc[index].render(scale=scale).to_pil().convert("RGB")
            out.append(PageImage(image.width, image.height, image.tobytes()))
        return out
    finally:
        doc.close()


def to_qimage(page: PageImage) -> QImage:
    return QImage(page.rgb, page.width, page.height, page.width * 3, QImage.Format.Format_RGB888).copy()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page, scaled to the printer's page and centred; returns the number of pages."""
    dpi = min(printer.resolution() or PRINT_DPI, PRINT_DPI)
    pages = render_pages(pdf, dpi / 72)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_("无法开始打印，请检查打印机"))
    try:
        for n, page in enumerate(pages):
            if n:
                printer.newPage()
            target = painter.viewport()
            image = to_qimage(page)
            size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            rect = QRect(target.x() + (target.width() - size.width()) // 2, target.y(), size.width(), size.height())
            painter.drawImage(rect, image)
    finally:
        painter.end()
    return len(pages)


@dataclass(frozen=True)
class Prepared:
    doc: object  # documents.generate.Generated
    pages: list[PageImage]
    check: object = None  # core.issuing.print_check.PrintCheck: the bureau settings still unset or ××


def prepare(db, inspection_id: str, doc_type: str, with_photos: bool, strict: bool) -> Prepared:
    """Generate and sign the document, then render the preview pages (in the worker)."""
    from inspector_app.core.issuing.print_check import check
    from inspector_app.documents.generate import generate

    doc = generate(db, inspection_id, doc_type, with_photos=with_photos, strict=strict)
    pages = render_pages(doc.pdf, PREVIEW_SCALE) if have_renderer() else []
    return Prepared(doc, pages, check(db, doc_type))


class DocumentsDialog(QDialog):
    def __init__(self, db, worker, inspection_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.worker, self.inspection_id = db, worker, inspection_id
        self.current: Prepared | None = None
        self._busy = False
        self.setWindowTitle(_("出具文书"))
        fit_window(self, "documents", (1000, 860))

        self.doc_list = QListWidget(self)
        self.doc_list.setObjectName("documentList")
        self.docs: list[tuple[str, str]] = list(DOCS)  # the list's rows; 生产状况登记表 joins when the record has one
        for _code, label in self.docs:
            self.doc_list.addItem(label)
        self.doc_list.setMaximumWidth(200)
        self.photos = QCheckBox(_("记录表附现场照片"), self)
        self.photos.toggled.connect(self._reload)
        self.status = QLabel(self)
        self.status.setObjectName("documentStatus")
        self.status.setWordWrap(True)
        self.pages_box = QWidget(self)
        self.pages_layout = QVBoxLayout(self.pages_box)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages_box)
        scroll.setStyleSheet("QScrollArea { background: #808080; }")

        self.issued_model = RowsModel((_("文书"), _("文号"), _("出具时间"), _("方式")), self)
        self.issued_view = make_table(self.issued_model, self, single=True)
        self.issued_view.setObjectName("issuedDocuments")
        self.issued_view.setMaximumHeight(150)
        self.issued_save_button = QPushButton(_("另存为…"), self)
        self.issued_save_button.setToolTip(_("把存档的原文件（当时出具的那一份）另存到别处"))
        self.issued_save_button.clicked.connect(self.save_issued_copy)
        self.issued_view.selectionModel().selectionChanged.connect(self._issued_selection)
        self.issued: list = []  # IssuedInfo, in the table's order
        self._issue_jobs = 0
        issued_box = QGroupBox(_("已出具的文书"), self)
        issued_layout = QHBoxLayout(issued_box)
        issued_layout.addWidget(self.issued_view, 1)
        issued_layout.addWidget(self.issued_save_button, 0, Qt.AlignmentFlag.AlignTop)

        self.print_button = QPushButton(_("打印…"), self)
        self.save_button = QPushButton(_("另存为PDF…"), self)
        close = QPushButton(_("关闭"), self)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        close.clicked.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(self.doc_list, 1)
        left.addWidget(self.photos)
        right = QVBoxLayout()
        right.addWidget(self.status)
        right.addWidget(scroll, 1)
        right.addWidget(issued_box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.print_button, self.save_button, close):
            buttons.addWidget(b)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)

        self.doc_list.currentRowChanged.connect(self._reload)
        self._set_ready(False)
        self._issued_selection()
        self.doc_list.setCurrentRow(0)
        self.refresh_issued()
        self.worker.submit(has_status_form, db, inspection_id, on_done=self._offer_status, on_error=lambda _e: None)

    # -- generating -------------------------------------------------------------------------------------------
    def doc_type(self) -> str:
        return self.docs[max(0, self.doc_list.currentRow())][0]

    def _offer_status(self, has_form: bool) -> None:
        if has_form and STATUS_DOC not in self.docs:
            self.docs.append(STATUS_DOC)
            self.doc_list.addItem(STATUS_DOC[1])

    def _set_ready(self, ready: bool) -> None:
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready and have_renderer())

    def _reload(self, *_args, strict: bool = True) -> None:
        self.current = None
        self._set_ready(False)
        self._clear_pages()
        self.status.setText(_("正在生成……"))
        self._busy = True
        doc_type = self.doc_type()
        self.worker.submit(
            prepare,
            self.db,
            self.inspection_id,
            doc_type,
            self.photos.isChecked() and doc_type == "record",
            strict,
            on_done=lambda result, d=doc_type: self._shown(d, result),
            on_error=lambda exc, d=doc_type: self._failed(d, exc),
        )

    def busy(self) -> bool:
        return self._busy or self._issue_jobs > 0

    def _clear_pages(self) -> None:
        while self.pages_layout.count():
            widget = self.pages_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _shown(self, doc_type: str, result: Prepared) -> None:
        if doc_type != self.doc_type():
            return  # the user moved on; the newer job will show
        self._busy = False
        self.current = result
        doc = result.doc
        text = _("核验码 {c}").format(c=doc.verification_code)
        if doc.number:
            text += _("　文号 {n}").format(n=doc.number)
        if doc.warnings:
            text += "\n" + _("注意：以下文字字体中没有，已用〓代替，请在纸面上手写补正：") + "；".join(doc.warnings)
        if result.check is not None and not result.check.ok:
            text += "\n" + _("注意：{k}还没有设置，文书上印的是占位内容；打印或另存前会再次询问。").format(
                k=result.check.labels()
            )
        if not have_renderer():
            text += "\n" + _("本机缺少 pypdfium2 组件，无法预览和打印；可另存为PDF后用其他程序打开。")
        self.status.setText(text)
        for n, page in enumerate(result.pages, start=1):
            label = QLabel(self.pages_box)
            label.setObjectName(f"page-{n}")
            label.setPixmap(QPixmap.fromImage(to_qimage(page)))
            self.pages_layout.addWidget(label)
        self._set_ready(True)

    def _failed(self, doc_type: str, exc: BaseException) -> None:
        from inspector_app.core.issuing.number_prefix import PrefixNeeded
        from inspector_app.documents.fonts import MissingGlyphs

        if doc_type != self.doc_type():
            return
        self._busy = False
        self.status.setText(str(exc))
        if isinstance(exc, PrefixNeeded):
            self.ask_prefix(exc)
            return
        if isinstance(exc, MissingGlyphs):
            box = QMessageBox(QMessageBox.Icon.Warning, _("文书缺字"), str(exc), parent=self)
            go = box.addButton(_("用〓代替并出具"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(_("取消"), QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is go:
                self._reload(strict=False)
            return
        from inspector_app.ui.errors import show_error

        show_error(exc, self)

    def ask_prefix(self, exc: BaseException) -> None:
        """A new number is needed and this laptop has not chosen its prefix: ask for it, then number."""
        from inspector_app.ui.number_prefix_dialog import PrefixDialog

        dialog = PrefixDialog(self.db, self.worker, getattr(exc, "reason", str(exc)), self)
        dialog.chosen.connect(self._reload)
        dialog.exec()

    # -- output -----------------------------------------------------------------------------------------------
    def confirm_placeholders(self) -> bool:
        """True to go on issuing. While bureau settings the document prints are unset or ××, ask first."""
        check = self.current.check if self.current is not None else None
        if check is None or check.ok:
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, _("文书上有占位内容"), check.message(), parent=self)
        box.setObjectName("placeholderQuestion")
        box.setInformativeText(_("仍要照此出具吗？"))
        go = box.addButton(_("仍然出具"), QMessageBox.ButtonRole.AcceptRole)
        settings_button = box.addButton(_("打开设置…"), QMessageBox.ButtonRole.ActionRole)
        cancel = box.addButton(_("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        if box.clickedButton() is settings_button:
            self.open_settings()
        return box.clickedButton() is go

    def open_settings(self) -> None:
        """设置, from the question; what is saved shows in a new preview."""
        from inspector_app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.db, self.worker, self)
        dialog.saved.connect(self._reload)
        dialog.exec()

    def save_document(self) -> Path | None:
        if self.current is None or not self.confirm_placeholders():
            return None
        name, _filter = file_dialogs.get_save_file_name(
            self, _("另存为PDF"), self.current.doc.filename, _("PDF 文件 (*.pdf)")
        )
        if not name:
            return None
        path = Path(name)
        try:
            path.write_bytes(self.current.doc.pdf)
        except OSError as exc:
            from inspector_app.ui.errors import warn

            warn(_("无法保存到“{p}”：{e}").format(p=path, e=exc.strerror), self)
            return None
        self.status.setText(self.status.text() + "\n" + _("已保存：{p}").format(p=path))
        self._record(self.current.doc, "saved")
        return path

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.current.doc.filename if self.current else "document.pdf")
        printer.setFullPage(True)
        return printer

    def print_document(self) -> bool:
        if self.current is None or not have_renderer() or not self.confirm_placeholders():
            return False
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("打印{d}").format(d=dict(self.docs)[self.current.doc.doc_type]))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            pages = print_pdf(self.current.doc.pdf, printer)
        except OSError as exc:
            from inspector_app.ui.errors import warn

            warn(str(exc), self)
            return False
        self.status.setText(self.status.text() + "\n" + _("已送打印：{n}页").format(n=pages))
        self._record(self.current.doc, "printed")
        return True

    # -- the archive of issued documents -------------------------------------------------------------------------
    def _record(self, doc, how: str) -> None:
        """The document left the laptop (a file or paper): archive its bytes, in the worker."""
        from inspector_app.documents.issue import record_issued

        self._issue_jobs += 1
        self.worker.submit(record_issued, self.db, doc, how, on_done=self._recorded, on_error=self._record_failed)

    def _recorded(self, _info) -> None:
        self._issue_jobs -= 1
        self.refresh_issued()

    def _record_failed(self, exc: BaseException) -> None:
        from inspector_app.core.errors import DomainError
        from inspector_app.ui.errors import show_error, warn

        self._issue_jobs -= 1
        if isinstance(exc, DomainError):
            warn(_("文书已出具，但未能记入已出具文书存档：{e}").format(e=exc), self)
        else:
            show_error(exc, self)

    def refresh_issued(self) -> None:
        from inspector_app.core.issuing.issued import list_issued

        self._issue_jobs += 1
        self.worker.submit(
            list_issued, self.db, self.inspection_id, on_done=self._show_issued, on_error=self._copy_failed
        )

    def _show_issued(self, docs: list) -> None:
        self._issue_jobs -= 1
        self.issued = list(docs)
        self.issued_model.set_rows(
            [(d.title, d.number or "—", d.issued_at.strftime("%Y-%m-%d %H:%M"), d.how_label) for d in self.issued],
            ids=[d.id for d in self.issued],
        )
        self._issued_selection()

    def _issued_selection(self, *_args) -> None:
        self.issued_save_button.setEnabled(self.selected_issued() is not None)

    def selected_issued(self):
        rows = self.issued_view.selectionModel().selectedRows()
        return self.issued[rows[0].row()] if rows and rows[0].row() < len(self.issued) else None

    def save_issued_copy(self) -> Path | None:
        """另存为…: the archived bytes of the selected document, written out in the worker."""
        from inspector_app.core.issuing.issued import export_issued

        chosen = self.selected_issued()
        if chosen is None:
            return None
        name, _filter = file_dialogs.get_save_file_name(
            self, _("另存已出具的文书"), (chosen.filename or "document.pdf"), _("PDF 文件 (*.pdf)")
        )
        if not name:
            return None
        path = Path(name)
        self._issue_jobs += 1
        self.worker.submit(
            export_issued, self.db, chosen.id, path, on_done=self._copy_saved, on_error=self._copy_failed
        )
        return path

    def _copy_saved(self, path: Path) -> None:
        self._issue_jobs -= 1
        self.status.setText(self.status.text() + "\n" + _("已另存存档原件：{p}").format(p=path))

    def _copy_failed(self, exc: BaseException) -> None:  # also: the list could not be read
        from inspector_app.ui.errors import show_error

        self._issue_jobs -= 1
        show_error(exc, self)
