"""Every window and dialog on a laptop's screen (tests/ui/test_window_fit.py runs it).

`python -m tests.ui.fit_child WORKDIR [SHOTS]` prepares the soak's bureau database (tests/ui/soak_child.py),
starts the main window on whatever screen Qt offers — the test gives the offscreen platform one 1280×720
screen; under Xvfb with a window manager it is the real thing — and opens every window and dialog reachable
from the menus and the archive. For each it prints one JSON line: its name, its frame and client geometry,
the screen's available geometry, and the buttons that are not wholly inside the window or the screen.
With SHOTS, each window's picture (QWidget.grab) is saved there as NAME.png.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def wait(condition, seconds: float = 30.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        QApplication.processEvents()
        time.sleep(0.005)


def settle(window) -> None:
    from PySide6.QtWidgets import QApplication

    wait(lambda: window.worker.wait_idle(0))
    for _ in range(20):
        QApplication.processEvents()
        time.sleep(0.01)


def measure(widget, name: str, shots: Path | None) -> dict:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QAbstractButton

    screen = widget.screen().availableGeometry()
    frame, client = widget.frameGeometry(), widget.geometry()
    hidden = []
    for button in widget.findChildren(QAbstractButton):
        if not button.isVisibleTo(widget) or not button.text() or button.window() is not widget:
            continue
        top_left = button.mapTo(widget, button.rect().topLeft())
        inner = QRect(top_left, button.size())
        on_screen = QRect(button.mapToGlobal(button.rect().topLeft()), button.size())
        clipped = not widget.rect().contains(inner) or not screen.contains(on_screen)
        # Inside a scroll area a button may be scrolled away: that is what a scroll area is for.
        if clipped and not _in_scroll_area(button, widget):
            hidden.append(button.text())
    if shots is not None:
        widget.grab().save(str(shots / f"{name}.png"))
    r = lambda q: [q.x(), q.y(), q.width(), q.height()]  # noqa: E731
    return {"name": name, "frame": r(frame), "client": r(client), "screen": r(screen), "hidden_buttons": hidden}


def _in_scroll_area(widget, window) -> bool:
    from PySide6.QtWidgets import QAbstractScrollArea

    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def main() -> int:
    work = Path(sys.argv[1])
    shots = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    os.environ["INSPECTOR_APP_DATA_DIR"] = str(work / "appdata")
    from tests.ui.soak_child import prepare

    data = prepare(work)

    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    app = QApplication(sys.argv[:1])
    from inspector_app.i18n import language
    from inspector_app.ui.main_window import MainWindow
    from inspector_app.ui.qt_i18n import install_qt_translations

    install_qt_translations(app, language())
    window = MainWindow(data["db"])
    window.show()
    window.start()
    wait(lambda: window.model is not None and window.worker is not None)
    settle(window)
    print(json.dumps(measure(window, "main", shots), ensure_ascii=False), flush=True)

    def fake_exec(dialog):
        settle(window)
        print(json.dumps(measure(dialog, type(dialog).__name__, shots), ensure_ascii=False), flush=True)
        dialog.reject()
        return 0

    def show_and_measure(dialog):
        dialog.show()
        return fake_exec(dialog)

    QDialog.exec = show_and_measure
    QMessageBox.exec = show_and_measure
    w, d = window, data
    openers = [
        lambda: w.show_documents(d["signed"]),
        lambda: w.sign_inspection(d["completed"]),
        lambda: w.amend_inspection(d["signed"]),
        w.edit_settings,
        w.manage_inspectors,
        w.device_setup,
        w.export_bundle,
        lambda: w.import_bundle(d["bundle"]),
        lambda: w.open_sync_dialog("devices"),
        lambda: w.open_sync_dialog("conflicts"),
        lambda: w.open_sync_dialog("history"),
        lambda: w.new_inspection_for(d["enterprise"], ""),
        w.verify_document,
    ]
    for opener in openers:
        opener()
        settle(window)
    from inspector_app.ui.tool_windows import TOOLS

    for name in TOOLS:  # every window of the 监管 menu
        w.open_tool(name)
        settle(window)
        tool = w._tools[name]
        print(json.dumps(measure(tool, name, shots), ensure_ascii=False), flush=True)
        tool.close()
        settle(window)
    w.open_inspection(d["draft"])
    settle(window)
    [screen] = w._screens.values()
    print(json.dumps(measure(screen, "inspection", shots), ensure_ascii=False), flush=True)
    screen.close()
    settle(window)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
