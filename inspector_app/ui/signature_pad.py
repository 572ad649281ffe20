"""A signature pad: draw with the mouse, a pen or a finger; clear, undo, redo; strokes and a PNG image.

Pen (tablet) events are handled directly for their sub-pixel positions; touch reaches the pad as the mouse
events Qt synthesises for a widget that does not take touch events itself, so one code path draws for all
three. The image is cropped to the ink, on a transparent background, at twice the screen resolution.
"""

import itertools

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QTabletEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from inspector_app.i18n import _

INK = QColor(16, 24, 96)
PEN_WIDTH = 2.6


def _path(stroke: list[QPointF]) -> QPainterPath:
    path = QPainterPath()
    if not stroke:
        return path
    path.moveTo(stroke[0])
    if len(stroke) == 1:
        path.lineTo(stroke[0] + QPointF(0.5, 0.5))  # a dot
    for a, b in itertools.pairwise(stroke[1:]):
        path.quadTo(a, (a + b) / 2)  # smooth through the midpoints
    if len(stroke) > 1:
        path.lineTo(stroke[-1])
    return path


class SignaturePad(QWidget):
    """The drawing surface. `changed` fires after every stroke, clear, undo and redo."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, placeholder: str | None = None):
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setMinimumSize(320, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(_("签名区"))
        self._placeholder = placeholder if placeholder is not None else _("请在此处签名")
        self._strokes: list[list[QPointF]] = []
        self._current: list[QPointF] | None = None
        self._undo: list[list[list[QPointF]]] = []
        self._redo: list[list[list[QPointF]]] = []

    def sizeHint(self) -> QSize:
        return QSize(420, 140)

    # -- state ------------------------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self._strokes

    def strokes(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        return tuple(tuple((p.x(), p.y()) for p in s) for s in self._strokes)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def _snapshot(self) -> None:
        self._undo.append([list(s) for s in self._strokes])
        self._redo.clear()

    def clear(self) -> None:
        """Clear the pad (undoable)."""
        if not self._strokes:
            return
        self._snapshot()
        self._strokes = []
        self._finish()

    def undo(self) -> None:
        if not self._undo:
            return
        self._redo.append(self._strokes)
        self._strokes = self._undo.pop()
        self._finish()

    def redo(self) -> None:
        if not self._redo:
            return
        self._undo.append(self._strokes)
        self._strokes = self._redo.pop()
        self._finish()

    def _finish(self) -> None:
        self.update()
        self.changed.emit()

    # -- input ------------------------------------------------------------------------------------------------
    def _begin(self, pos: QPointF) -> None:
        self._current = [QPointF(pos)]
        self.update()

    def _extend(self, pos: QPointF) -> None:
        if self._current is None:
            return
        if (pos - self._current[-1]).manhattanLength() >= 0.8:
            self._current.append(QPointF(pos))
            self.update()

    def _end(self) -> None:
        if self._current is None:
            return
        stroke, self._current = self._current, None
        self._snapshot()
        self._strokes.append(stroke)
        self._finish()

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()

    def mouseMoveEvent(self, event):
        self._extend(event.position())

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event: QTabletEvent):
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._extend(event.position())
            self._end()
        event.accept()

    # -- drawing ----------------------------------------------------------------------------------------------
    def _pen(self, scale: float = 1.0) -> QPen:
        pen = QPen(INK, PEN_WIDTH * scale)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def paintEvent(self, _event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        p.setPen(QPen(QColor(150, 150, 150), 1, Qt.PenStyle.DashLine))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        base = self.height() - 28
        p.drawLine(16, base, self.width() - 16, base)
        if self.is_empty() and self._current is None:
            p.setPen(QColor(160, 160, 160))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
        p.setPen(self._pen())
        for stroke in [*self._strokes, *([self._current] if self._current else [])]:
            p.drawPath(_path(stroke))

    def to_png(self, scale: float = 2.0, margin: float = 6.0) -> bytes:
        """The ink as a PNG with a transparent background, cropped to the strokes; b"" when empty."""
        if self.is_empty():
            return b""
        bounds = QRectF()
        for stroke in self._strokes:
            bounds = bounds.united(_path(stroke).boundingRect())
        bounds = bounds.adjusted(-margin, -margin, margin, margin)
        w, h = max(1, int(bounds.width() * scale)), max(1, int(bounds.height() * scale))
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(scale, scale)
        p.translate(-bounds.topLeft())
        p.setPen(self._pen())
        for stroke in self._strokes:
            p.drawPath(_path(stroke))
        p.end()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        buf.close()
        return bytes(data.data())


class SignatureField(QWidget):
    """A pad with its caption and the 清除 / 撤销 / 重做 buttons."""

    changed = Signal()

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.pad = SignaturePad(self)
        self.caption = QLabel(caption, self)
        self.clear_button = QPushButton(_("清除"), self)
        self.undo_button = QPushButton(_("撤销"), self)
        self.redo_button = QPushButton(_("重做"), self)
        for b in (self.clear_button, self.undo_button, self.redo_button):
            b.setAutoDefault(False)
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button.clicked.connect(self.pad.undo)
        self.redo_button.clicked.connect(self.pad.redo)
        self.pad.changed.connect(self._update_buttons)
        self.pad.changed.connect(self.changed)
        buttons = QVBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.redo_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.pad, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addLayout(row)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.clear_button.setEnabled(not self.pad.is_empty())
        self.undo_button.setEnabled(self.pad.can_undo())
        self.redo_button.setEnabled(self.pad.can_redo())
