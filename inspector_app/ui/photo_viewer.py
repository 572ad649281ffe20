"""A photo full-size (issue 16 §2): zoom and pan, rotate, previous/next, caption, time and place taken.

Opened from a strip of thumbnails (ui/photo_strip.py) with the strip's photos. The original file is shown
(Qt applies its EXIF orientation) turned by the rotation the inspector chose; where this laptop lacks the
original or Qt cannot decode it (HEIC), the appendix's print copy. Rotating and the caption are saved at once
through core/inspection/photos.py and only until the record is signed; the original file never changes.

Keys: ←/→ or PageUp/PageDown previous/next, +/− zoom, 0 fit to the window, R / Shift+R rotate, Esc closes.
"""

from dataclasses import replace

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QImageReader, QKeySequence, QPixmap, QShortcut, QTransform
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from inspector_app.core.inspection import photos
from inspector_app.i18n import _
from inspector_app.ui.errors import show_error


def decode(original: bytes | None, print_copy: bytes, rotation: int) -> QPixmap:
    """The original upright (EXIF) and turned by `rotation`, or the print copy (already both)."""
    if original is not None:
        data = QByteArray(original)
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buf)
        reader.setAutoTransform(True)
        image = reader.read()
        if not image.isNull():
            return QPixmap.fromImage(image.transformed(QTransform().rotate(rotation)) if rotation else image)
    pixmap = QPixmap()
    pixmap.loadFromData(print_copy, "JPEG")
    return pixmap


class _View(QGraphicsView):
    def wheelEvent(self, event) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale(factor, factor)


class PhotoViewer(QDialog):
    changed = Signal()  # rotated or captioned: the owner reloads its thumbnails
    shown = Signal(str)  # photo id, once its picture is on screen

    def __init__(
        self, db, worker, infos: list[photos.PhotoInfo], index: int = 0, *, editable: bool = True, parent=None
    ):
        super().__init__(parent)
        self.db, self.worker = db, worker
        self.infos = list(infos)
        self.index = index
        self.editable = editable
        self.setWindowTitle(_("查看照片"))
        self.resize(1000, 680)
        self.scene = QGraphicsScene(self)
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.addItem(self.item)
        self.view = _View(self.scene)
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)  # pan by dragging
        self.view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.caption = QLineEdit()
        self.caption.setPlaceholderText(_("照片说明（打印在检查记录的照片附页上）"))
        self.caption.setMaxLength(200)
        self.caption.editingFinished.connect(self._save_caption)
        buttons = QHBoxLayout()
        self.prev_button = QPushButton(_("上一张"))
        self.next_button = QPushButton(_("下一张"))
        self.left_button = QPushButton(_("向左旋转"))
        self.right_button = QPushButton(_("向右旋转"))
        fit = QPushButton(_("适合窗口"))
        close = QPushButton(_("关闭"))
        self.prev_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.left_button.clicked.connect(lambda: self.rotate(-1))
        self.right_button.clicked.connect(lambda: self.rotate(1))
        fit.clicked.connect(self.fit)
        close.clicked.connect(self.reject)
        for b in (self.prev_button, self.next_button, self.left_button, self.right_button, fit):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        v = QVBoxLayout(self)
        v.addWidget(self.view, 1)
        v.addWidget(self.info)
        v.addWidget(self.caption)
        v.addLayout(buttons)
        for keys, slot in (
            (("Left", "PgUp"), lambda: self.go(-1)),
            (("Right", "PgDown"), lambda: self.go(1)),
            (("+", "="), lambda: self.zoom(1.25)),
            (("-",), lambda: self.zoom(0.8)),
            (("0",), self.fit),
            (("R",), lambda: self.rotate(1)),
            (("Shift+R",), lambda: self.rotate(-1)),
        ):
            for k in keys:
                QShortcut(QKeySequence(k), self.view, slot)
        self.left_button.setEnabled(editable)
        self.right_button.setEnabled(editable)
        self.caption.setReadOnly(not editable)
        self.load()

    @property
    def current(self) -> photos.PhotoInfo:
        return self.infos[self.index]

    def load(self) -> None:
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.infos) - 1)
        self.worker.submit(photos.full_size, self.db, self.current.id, on_done=self._loaded, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            show_error(exc, self)

    def _loaded(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        info, original, copy = result
        if info.id != self.current.id:
            return  # the inspector moved on meanwhile
        self.infos[self.index] = info
        self.item.setPixmap(decode(original, copy, info.rotation))
        self.scene.setSceneRect(self.item.boundingRect())
        self.fit()
        lines = [
            _("照片{n}/{m}　检查项 {i}　{f}").format(
                n=self.index + 1, m=len(self.infos), i=info.item_id, f=info.filename
            )
        ]
        lines.append(
            _("拍摄于 {t}").format(t=info.taken_at.strftime("%Y-%m-%d %H:%M"))
            if info.taken_at
            else _("照片未记录拍摄时间")
        )
        place = photos.place_text(info.latitude, info.longitude)
        lines.append(_("拍摄位置 {p}").format(p=place) if place else _("照片未记录拍摄位置"))
        if original is None:
            lines.append(_("本机没有原始文件，显示的是打印件"))
        self.info.setText("　".join(lines))
        self.caption.setText(info.caption)
        self.setWindowTitle(_("查看照片 {n}/{m}").format(n=self.index + 1, m=len(self.infos)))
        self.shown.emit(info.id)

    def go(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.infos):
            self._save_caption()
            self.index = target
            self.load()

    def zoom(self, factor: float) -> None:
        self.view.scale(factor, factor)

    def fit(self) -> None:
        self.view.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def rotate(self, quarter_turns: int) -> None:
        if self.editable:
            self.worker.submit(
                photos.rotate, self.db, self.current.id, quarter_turns, on_done=self._rotated, on_error=self._failed
            )

    def _rotated(self, _info) -> None:
        if shiboken6.isValid(self):
            self.changed.emit()
            self.load()

    def _save_caption(self) -> None:
        text = self.caption.text().strip()
        if not self.editable or text == self.current.caption:
            return
        self.infos[self.index] = replace(self.current, caption=text)
        self.worker.submit(
            photos.set_caption, self.db, self.current.id, text, on_done=self._captioned, on_error=self._failed
        )

    def _captioned(self, _info) -> None:
        if shiboken6.isValid(self):
            self.changed.emit()

    def done(self, result: int) -> None:
        self._save_caption()
        super().done(result)
