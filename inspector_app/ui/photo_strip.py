"""Evidence photos of one item (or of the whole inspection) as a strip of thumbnails.

Add from a file dialog or by dragging image files onto the strip; Delete removes the selected photo while
the inspection is not signed. Decoding, orientation and the downscaled copies (core/photos.py) run in the
DbWorker; the strip shows the stored upright thumbnails.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import photos
from inspector_app.i18n import _

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic"}
THUMB = 96


def _add_files(db, inspection_id: str, item_id: str, files: list[str]) -> tuple[list, list[str]]:
    """Add each file; the errors of the ones refused come back as messages, the others are still added."""
    added, errors = [], []
    for f in files:
        try:
            added.append(photos.add_photo(db, inspection_id, item_id, Path(f)))
        except Exception as exc:  # a refused photo must not stop the others; DomainErrors speak Chinese
            errors.append(str(exc))
    return added, errors


class _Thumbs(QListWidget):
    files_dropped = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setFixedHeight(THUMB + 46)
        self.setAcceptDrops(True)
        self.setDragDropMode(QListWidget.DragDropMode.DropOnly)

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

    def __init__(self, db, worker, inspection_id: str, parent: QWidget | None = None, *, item_id: str | None = None):
        super().__init__(parent)
        self.db, self.worker, self.inspection_id, self.item_id = db, worker, inspection_id, item_id
        self.infos: list[photos.PhotoInfo] = []
        self.thumbs = _Thumbs(self)
        self.thumbs.setObjectName("photoThumbs")
        self.thumbs.files_dropped.connect(self.add_files)
        self.add_button = QPushButton(_("添加照片…"), self)
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton(_("删除"), self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.hint = QLabel(_("可把照片文件拖到这里"), self)
        self.hint.setStyleSheet("color: #777777;")
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.thumbs, self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumbs)
        layout.addLayout(buttons)
        self._update_buttons()
        self.refresh()

    def set_item(self, item_id: str | None) -> None:
        """Show (and add to) one item's photos; None shows every photo of the inspection, adding is off."""
        self.item_id = item_id
        self._update_buttons()
        self.refresh()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self.item_id is not None)
        self.thumbs.setAcceptDrops(self.item_id is not None)

    def refresh(self) -> None:
        self.worker.submit(photos.list_photos, self.db, self.inspection_id, self.item_id, on_done=self._show)

    def _show(self, infos: list[photos.PhotoInfo]) -> None:
        self.infos = infos
        self.thumbs.clear()
        for n, info in enumerate(infos, start=1):
            pixmap = QPixmap()
            pixmap.loadFromData(info.thumbnail, "JPEG")
            label = _("照片{n}").format(n=n) + (f" · {info.item_id}" if self.item_id is None else "")
            item = QListWidgetItem(QIcon(pixmap), label)
            item.setToolTip(f"{info.filename}\n{info.caption}\nSHA-256 {info.sha256[:16]}…".strip())
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.thumbs.addItem(item)

    def choose_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self, _("添加现场照片"), str(Path.home()), _("图片 (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp)")
        )
        if files:
            self.add_files(files)

    def add_files(self, files: list[str]) -> None:
        if self.item_id is None:
            return
        self.worker.submit(_add_files, self.db, self.inspection_id, self.item_id, list(files), on_done=self._added)

    def _added(self, result) -> None:
        _added, errors = result
        if errors:
            from inspector_app.ui.errors import warn

            warn("\n".join(errors), self)
        self.refresh()
        self.changed.emit()

    def remove_selected(self) -> None:
        item = self.thumbs.currentItem()
        if item is None:
            return
        self.worker.submit(
            photos.remove_photo, self.db, item.data(Qt.ItemDataRole.UserRole), on_done=lambda _r: self._removed()
        )

    def _removed(self) -> None:
        self.refresh()
        self.changed.emit()
