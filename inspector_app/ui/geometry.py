"""Every window and dialog fits the screen it opens on, and reopens where the user left it on that screen.

One helper for all of them: `fit_window(widget, name, default)` is called once the widget's layout is built.
- The first time, the window takes its default size, shrunk to the screen's available geometry (the laptop's
  1280×720 or 1366×768 less the taskbar and the title bar); a window whose default does not fit, and the
  windows asked to (`maximised=True`), open maximised. It is centred on its parent window, or on the screen.
- Its size, position and maximised state are remembered when it is hidden or closed, per screen (the
  screen's name and size: a laptop on its own screen and on the office monitor keeps one of each), in
  `windows.ini` in the data folder (QSettings, INI format), and restored the next time, moved back inside
  the screen if the screen changed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDialog, QWidget

# What the window manager adds around a window (title bar, borders): room kept for them before the window is
# shown, when its frame is not known yet.
FRAME_WIDTH, FRAME_HEIGHT = 16, 40


def settings() -> QSettings:
    from inspector_app.paths import data_dir

    return QSettings(str(data_dir() / "windows.ini"), QSettings.Format.IniFormat)


def screen_for(widget: QWidget) -> QScreen:
    parent = widget.parentWidget()
    screen = parent.window().screen() if parent is not None else None
    return screen or widget.screen() or QGuiApplication.primaryScreen()


def screen_key(screen: QScreen) -> str:
    size = screen.geometry().size()
    name = "".join(c if c.isalnum() else "_" for c in (screen.name() or "screen"))
    return f"{name}_{size.width()}x{size.height()}"


def usable(screen: QScreen) -> QRect:
    """The screen's available geometry less room for a window frame: where a window's client area fits."""
    area = screen.availableGeometry()
    return area.adjusted(FRAME_WIDTH // 2, FRAME_HEIGHT - FRAME_WIDTH // 2, -FRAME_WIDTH // 2, -FRAME_WIDTH // 2)


def inside(rect: QRect, area: QRect) -> QRect:
    """`rect` shrunk to fit `area` and moved into it."""
    width, height = min(rect.width(), area.width()), min(rect.height(), area.height())
    x = min(max(rect.x(), area.left()), area.right() + 1 - width)
    y = min(max(rect.y(), area.top()), area.bottom() + 1 - height)
    return QRect(x, y, width, height)


class _Keeper(QObject):
    """Places the window when it is first shown (its layout built by then), and saves its geometry whenever
    it is hidden or closed (a dialog's done() hides it). Filters only its own window's events."""

    def __init__(self, widget: QWidget, name: str, default: QSize, maximised: bool):
        super().__init__(widget)
        self.name, self.default, self.maximised = name, default, maximised
        self.placed = False

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and not self.placed and watched.isWindow():
            self.placed = True
            place(watched, self.name, self.default, maximised=self.maximised)
        elif kind in (QEvent.Type.Hide, QEvent.Type.Close) and self.placed:
            save_geometry(watched, self.name)
        return False


def save_geometry(widget: QWidget, name: str) -> None:
    maximised = widget.isMaximized()
    rect = widget.normalGeometry() if maximised else widget.geometry()
    if not rect.isValid():
        rect = widget.geometry()
    store = settings()
    store.beginGroup(f"{name}/{screen_key(widget.screen() or QGuiApplication.primaryScreen())}")
    store.setValue("rect", [rect.x(), rect.y(), rect.width(), rect.height()])
    store.setValue("maximised", maximised)
    store.endGroup()


def saved_geometry(name: str, screen: QScreen) -> tuple[QRect, bool] | None:
    store = settings()
    store.beginGroup(f"{name}/{screen_key(screen)}")
    rect, maximised = store.value("rect"), store.value("maximised")
    store.endGroup()
    try:
        x, y, w, h = (int(v) for v in rect)
    except (TypeError, ValueError):
        return None
    return QRect(x, y, w, h), str(maximised).lower() == "true"


def fit_window(widget: QWidget, name: str, default: QSize | tuple[int, int], *, maximised: bool = False) -> None:
    """Call in place of `resize(default)`: when first shown, `widget` (a window or a dialog) takes its size
    and place within its screen — as last left on that screen, or `default` shrunk to fit — and from then on
    it is remembered under `name`. `maximised` opens it maximised the first time (the checklist)."""
    default = QSize(*default) if isinstance(default, tuple) else default
    widget.resize(default)  # until shown, e.g. for a test that measures it
    for child in widget.children():
        if isinstance(child, _Keeper):
            child.name, child.default, child.maximised = name, default, maximised
            return
    widget.installEventFilter(_Keeper(widget, name, default, maximised))


def place(widget: QWidget, name: str, default: QSize, *, maximised: bool = False) -> None:
    screen = screen_for(widget)
    area = usable(screen)
    minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    saved = saved_geometry(name, screen)
    if saved is not None:
        rect, maximised = saved
        rect.setSize(rect.size().expandedTo(minimum))
    else:
        size = default.expandedTo(minimum)
        maximised = maximised or size.width() > area.width() or size.height() > area.height()
        rect = QRect(0, 0, size.width(), size.height())
        parent = widget.parentWidget()
        rect.moveCenter(parent.window().geometry().center() if parent is not None else area.center())
    widget.setGeometry(inside(rect, area))
    if maximised and not isinstance(widget, QDialog):
        widget.setWindowState(widget.windowState() | Qt.WindowState.WindowMaximized)
