"""Evidence photos of one item (or of the whole inspection) as a strip of thumbnails.

Add from a file dialog or by dragging image files onto the strip; Delete removes the selected photo while
the inspection is not signed. Decoding, orientation and the downscaled copies (core/inspection/photos.py) run in the
database lane; the strip shows the stored upright thumbnails.

The record form puts a `compact` strip under each item's record: thumbnails only, hidden while the item has
no photo, fed by the form's one load of the inspection's photos (`load_photos`) so that the numbers shown
are the appendix's (照片1, 照片2, … over the whole record). The form's item owns the add button and the drop.
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.errors import DomainError
from inspector_app.core.inspection import photos
from inspector_app.i18n import _
from inspector_app.ui import file_dialogs

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic"}
THUMB = 96
COMPACT_THUMB = 64  # under an item of the record form: 16 items must stay readable


def _add_files(db, inspection_id: str, item_id: str, files: list[str]) -> tuple[list, list[str]]:
    """Add each file; the errors of the ones refused come back as messages, the others are still added."""
    added, errors = [], []
    for f in files:
        name = Path(f).name
        try:
            info = photos.add_photo(db, inspection_id, item_id, Path(f))
        except DomainError as exc:  # a refused photo must not stop the others; DomainErrors speak Chinese
            errors.append(str(exc))
            continue
        except Exception as exc:  # a decoder's own error: still a refusal, said in Chinese, and logged
            log.exception("photo %s could not be added", f)
            errors.append(_("照片“{f}”：无法读取该图片（{e}），请换一张").format(f=name, e=type(exc).__name__))
            continue
        if info.item_id != item_id:  # the same file is already evidence of another item: not stored twice
            errors.append(_("照片“{f}”已作为检查项 {i} 的照片添加过，未重复添加").format(f=name, i=info.item_id))
        added.append(info)
    return added, errors


def load_photos(db, inspection_id: str) -> tuple[bool, list[photos.PhotoInfo]]:
    """For the record form (in the worker): may photos still change (not signed, core/inspection/photos.py), and every
    photo of the inspection in the appendix's order."""
    from inspector_app.core.issuing import signing

    editable = signing.status(db, inspection_id) != signing.SIGNED_STATUS
    return editable, photos.list_photos(db, inspection_id)


def local_files(mime) -> list[str]:
    """The local files a drag carries, whatever their type: core tells an image from the rest by content."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


class _Thumbs(QListWidget):
    files_dropped = Signal(list)

    def __init__(self, parent=None, thumb: int = THUMB, drops: bool = True):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListWidget.Movement.Static)
        self.setIconSize(QSize(thumb, thumb))
        if drops:
            self.setFixedHeight(thumb + 46)
            self.setAcceptDrops(True)
            self.setDragDropMode(QListWidget.DragDropMode.DropOnly)
        else:  # the item around it takes the drop (and says why a file is refused)
            self.setDragDropMode(QListWidget.DragDropMode.NoDragDrop)
            self.setAcceptDrops(False)
            self.viewport().setAcceptDrops(False)
            self.setSpacing(2)
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            # One row of thumbnails, as high as they are; the scroll bar's height only when they overflow.
            self._thumb = thumb
            self.horizontalScrollBar().rangeChanged.connect(self._fit)
            self._fit()

    def _fit(self, *_range) -> None:
        if self.count():
            row = self.sizeHintForIndex(self.model().index(0, 0)).height()
        else:
            row = self._thumb + self.fontMetrics().height() + 8
        bar = self.horizontalScrollBar()
        extra = bar.sizeHint().height() if bar.maximum() > 0 else 0
        self.setFixedHeight(row + 2 * self.spacing() + 2 * self.frameWidth() + extra)

    @staticmethod
    def _files(event) -> list[str]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [
            u.toLocalFile() for u in urls if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES
        ]

    def dragEnterEvent(self, event):
        if self._files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        if self._files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):
        files = self._files(event)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)
        else:
            event.ignore()


class PhotoStrip(QWidget):
    """`changed` fires after photos were added or removed."""

    changed = Signal()

    def __init__(
        self,
        db,
        worker,
        inspection_id: str,
        parent: QWidget | None = None,
        *,
        item_id: str | None = None,
        compact: bool = False,
    ):
        super().__init__(parent)
        self.db, self.worker, self.inspection_id, self.item_id = db, worker, inspection_id, item_id
        self.compact = compact
        self._read_only = False
        self.infos: list[photos.PhotoInfo] = []
        self.thumbs = _Thumbs(self, COMPACT_THUMB if compact else THUMB, drops=not compact)
        self.thumbs.setObjectName("photoThumbs")
        self.thumbs.setAccessibleName(_("检查项 {i} 的照片").format(i=item_id) if item_id else _("现场照片"))
        self.thumbs.files_dropped.connect(self.add_files)
        self.thumbs.itemActivated.connect(self.open_viewer)  # double-click or Enter: full size (ui/photo_viewer.py)
        self.add_button = QPushButton(_("添加照片…"), self)
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton(_("删除"), self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.hint = QLabel(_("可把照片文件拖到这里"), self)
        self.hint.setStyleSheet("color: #777777;")
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.thumbs,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,  # a form holds one strip per item
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumbs)
        if compact:  # thumbnails only; the owner adds photos, feeds them (show_photos) and reloads on `changed`
            for w in (self.add_button, self.remove_button, self.hint):
                w.hide()
            self.thumbs.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # not one more Tab stop per item
            self.thumbs.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.thumbs.customContextMenuRequested.connect(self._context_menu)
            self.hide()
            self._update_buttons()
            return
        layout.addLayout(buttons)
        self._update_buttons()
        self.refresh()

    def set_item(self, item_id: str | None) -> None:
        """Show (and add to) one item's photos; None shows every photo of the inspection, adding is off."""
        self.item_id = item_id
        self._update_buttons()
        self.refresh()

    def _update_buttons(self) -> None:
        editable = self.item_id is not None and not self._read_only
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(not self._read_only)
        if not self.compact:
            self.thumbs.setAcceptDrops(editable)

    def set_read_only(self, read_only: bool) -> None:
        """Signed: the photos are part of the signed content (core/inspection/photos.py) and can only be looked at."""
        self._read_only = read_only
        self._update_buttons()

    def read_only(self) -> bool:
        return self._read_only

    def refresh(self) -> None:
        if self.compact:  # the owner loads every item's photos in one job and calls show_photos
            return
        self.worker.submit(photos.list_photos, self.db, self.inspection_id, self.item_id, on_done=self._show)

    def _after_change(self) -> None:
        self.refresh()
        self.changed.emit()

    def show_photos(self, infos: list[photos.PhotoInfo], numbers: list[int] | None = None) -> None:
        """Show these photos, numbered as given (the appendix's numbers) or 1, 2, …; compact: hidden if none."""
        self._show(infos, numbers)

    def _show(self, infos: list[photos.PhotoInfo], numbers: list[int] | None = None) -> None:
        if not shiboken6.isValid(self):
            return
        self.infos = infos
        self.thumbs.clear()
        numbers = numbers or list(range(1, len(infos) + 1))
        for n, info in zip(numbers, infos, strict=True):
            pixmap = QPixmap()
            pixmap.loadFromData(info.thumbnail, "JPEG")
            label = _("照片{n}").format(n=n) + (f" · {info.item_id}" if self.item_id is None else "")
            item = QListWidgetItem(QIcon(pixmap), label)
            tip = [info.filename]
            if info.taken_at:
                tip.append(_("拍摄于 {t}").format(t=info.taken_at.strftime("%Y-%m-%d %H:%M")))
            if info.caption:
                tip.append(info.caption)
            tip.append(f"SHA-256 {info.sha256[:16]}…")
            if self.compact and not self._read_only:
                tip.append(_("右键或按 Delete 键可删除"))
            item.setToolTip("\n".join(t for t in tip if t))
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.thumbs.addItem(item)
        if self.compact:
            self.thumbs._fit()
            self.setVisible(bool(infos))

    def open_viewer(self, item: QListWidgetItem | None = None) -> None:
        row = self.thumbs.row(item) if item is not None else max(self.thumbs.currentRow(), 0)
        if not self.infos:
            return
        from inspector_app.ui.photo_viewer import PhotoViewer

        self.viewer = PhotoViewer(
            self.db, self.worker, self.infos, row, editable=not self._read_only, parent=self.window()
        )
        self.viewer.changed.connect(self._after_change)
        self.viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.viewer.open()

    def choose_files(self) -> None:
        if self.item_id is None or self._read_only:
            return
        files, _filter = file_dialogs.get_open_file_names(
            self.window(),
            _("添加现场照片（检查项 {i}）").format(i=self.item_id),
            "",  # where the inspector took the last file from (ui/file_dialogs.py)
            _("图片 (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.heic);;所有文件 (*)"),
        )
        if files:
            self.add_files(files)

    def add_files(self, files: list[str]) -> None:
        if self.item_id is None or self._read_only or not files:
            return
        self.worker.submit(
            _add_files,
            self.db,
            self.inspection_id,
            self.item_id,
            list(files),
            on_done=self._added,
            on_error=self._failed,
        )

    def _added(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        added, errors = result
        if added or not self.compact:
            self._after_change()
        if errors:
            from inspector_app.ui.errors import warn

            warn("\n".join(errors), self.window(), _("添加照片"))

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from inspector_app.ui.errors import show_error

        show_error(exc, self.window())
        self._after_change()  # e.g. signed meanwhile: the owner learns it on reloading

    def _context_menu(self, pos) -> None:
        item = self.thumbs.itemAt(pos)
        if item is None or self._read_only:
            return
        self.thumbs.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(_("删除照片"), self.remove_selected)
        menu.exec(self.thumbs.viewport().mapToGlobal(pos))

    def remove_selected(self) -> None:
        item = self.thumbs.currentItem()
        if item is None or self._read_only:
            return
        self.worker.submit(
            photos.remove_photo,
            self.db,
            item.data(Qt.ItemDataRole.UserRole),
            on_done=lambda _r: self._removed(),
            on_error=self._failed,
        )

    def _removed(self) -> None:
        if shiboken6.isValid(self):
            self._after_change()
