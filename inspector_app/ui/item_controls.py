"""The controls an item of the record form is built of, and the form's colours: the 符合 / 不符合 / 不适用 bar
(one tab stop, keys 1/2/3), the 问题类别 combo, and a wrapped label that remembers its heights.
ItemWidget (item_widget.py) lays them out; the form's screens share the colours.
"""

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from inspector_app.core.catalog import CONCLUSIONS
from inspector_app.i18n import _

# Colours (no style sheets: they double the time to open the form, see InspectionScreen).
CHECKED_COLOURS = {"conform": "#2e7d32", "nonconform": "#c62828", "na": "#616161"}
RED = QColor("#c62828")
BLUE = QColor("#1565c0")
MUTED = "#666666"


def set_text_colour(widget: QWidget, colour: str | QColor, strong: bool = False) -> None:
    pal = widget.palette()
    pal.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    widget.setPalette(pal)
    if strong:
        font = widget.font()
        font.setBold(True)
        widget.setFont(font)


class WrappedLabel(QLabel):
    """A plain-text, word-wrapped label that remembers its height for each width (its text changes through
    setText or clear only).

    While the form is first laid out, the layouts ask each wrapped label its height ≈ 17 times for two or three
    widths, and QLabel lays the text out anew every time: half the cost of laying out the form's texts.
    """

    def __init__(self, text: str, parent: QWidget):
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self._heights: dict[int, int] = {}

    def setText(self, text: str) -> None:
        self._heights.clear()
        super().setText(text)

    def clear(self) -> None:
        self._heights.clear()
        super().clear()

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def changeEvent(self, event) -> None:
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self._heights.clear()
        super().changeEvent(event)


class ConclusionButton(QPushButton):
    """A checkable button painted in its conclusion's colour when chosen, whatever the platform style."""

    def __init__(self, code: str, parent: QWidget):
        super().__init__(CONCLUSIONS[code], parent)
        self.code = code
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the bar is the tab stop, not each button
        self.setMinimumWidth(64)

    def paintEvent(self, event) -> None:
        if not self.isChecked():
            super().paintEvent(event)
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(CHECKED_COLOURS[self.code])
        if not self.isEnabled():
            colour.setAlpha(150)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 3, 3)
        font = self.font()
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text())


class ConclusionBar(QWidget):
    """The 符合 / 不符合 / 不适用 buttons as one tab stop; keys 1/2/3 (or Alt+1/2/3) choose, ←/→ move."""

    chosen = Signal(str)
    keyed = Signal(str)  # a conclusion chosen by its number key (the screen may move on to the next item)
    unavailable = Signal(str)  # a number key for an option this item does not have: what to tell the user

    def __init__(self, codes: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.codes = codes
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, ConclusionButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(3, 3, 3, 3)
        row.setSpacing(4)
        for n, code in enumerate(codes, start=1):
            b = ConclusionButton(code, self)
            b.setToolTip(_("按 {n} 键选择“{c}”").format(n=n, c=CONCLUSIONS[code]))
            self.group.addButton(b, n - 1)
            self.buttons[code] = b
            row.addWidget(b)
        row.addStretch(1)
        self.group.idClicked.connect(self._click)

    @Slot(int)
    def _click(self, index: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.chosen.emit(self.codes[index])

    def value(self) -> str | None:
        for code, b in self.buttons.items():
            if b.isChecked():
                return code
        return None

    def set_value(self, code: str | None) -> None:
        if code in self.buttons:
            self.buttons[code].setChecked(True)
        else:  # exclusive groups refuse to uncheck the last button
            self.group.setExclusive(False)
            for b in self.buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)

    def choose(self, code: str) -> None:
        if code in self.buttons and self.isEnabled():
            self.buttons[code].setChecked(True)
            self.chosen.emit(code)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        digits = {Qt.Key.Key_1: 0, Qt.Key.Key_2: 1, Qt.Key.Key_3: 2}
        if key in digits and mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.AltModifier):
            index = digits[key]
            if index < len(self.codes):
                self.choose(self.codes[index])
                self.keyed.emit(self.codes[index])
            else:
                self.unavailable.emit(self.missing_option_text(index))
            event.accept()
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and mods == Qt.KeyboardModifier.NoModifier:
            current = self.value()
            i = self.codes.index(current) if current in self.codes else -1
            i = (i + (1 if key == Qt.Key.Key_Right else -1)) % len(self.codes)
            self.choose(self.codes[i])
            event.accept()
            return
        super().keyPressEvent(event)

    def missing_option_text(self, index: int) -> str:
        every = list(CONCLUSIONS)
        offered = "，".join(_("{n} 选“{c}”").format(n=n, c=CONCLUSIONS[c]) for n, c in enumerate(self.codes, start=1))
        if index < len(every):
            return _("此项没有“{c}”选项（{o}）").format(c=CONCLUSIONS[every[index]], o=offered)
        return _("此项没有第{k}个选项（{o}）").format(k=index + 1, o=offered)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event) -> None:
        if self.hasFocus():  # where the keys 1/2/3 go
            p = QPainter(self)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(BLUE, 2))
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)


class CategoryCombo(QComboBox):
    """The 问题类别 choice: the mouse wheel scrolls the form unless the combo has the keyboard focus."""

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def bold(font: QFont) -> QFont:
    font.setBold(True)
    return font
