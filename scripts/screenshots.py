"""Screenshots for the user guide, taken from the real app so that they stay current.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]      # default docs/img/guide

Starts a private Xvfb screen of 1280×720 (the smallest laptop screen we support), a window manager when one is
installed (openbox or xfwm4; without one, windows have no frames and are placed by Qt alone — the script says
which), and the app as `inspector-app --db FILE` does, on a fresh temporary data folder with the demo roster and
a signed, a completed and a draft inspection (tests/ui/soak_child.py prepares them). It then walks the screens
an inspector and a clerk use — the scenes of a day on site first, then every action of every menu, listed from
the menu bar so that a new screen is photographed without a change here — and saves the whole screen as
OUT_DIR/name.png, the name saying what is shown, not when (earlier *.png there are removed first: reruns give
the same names, and a new screen does not renumber the pictures the user guide links).

Every window is closed with Esc (the window's close button when Esc does not close it). A step that does not
show its window within STEP_TIMEOUT seconds is named on stderr and skipped; the exit code is then 4.
tests/ui/test_screenshots.py runs it and checks the pictures. virtual_screen.py starts the screen and the window
manager; screenshot_data.py makes what the pictures show.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from virtual_screen import start_window_manager, start_x

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1280, 720)
STEP_TIMEOUT = 20.0
TOTAL_TIMEOUT = 170  # seconds: the whole run stays under 3 minutes

# File names of the menu actions, by their text without "…" (a new action gets its window's class name).
MENU_NAMES = {
    "导入名录": "roster-import-choose-file",
    "加载演示数据": "load-demo-confirm",
    "设置": "settings",
    "新建检查": "new-inspection",
    "年度检查计划": "plan",
    "双随机抽取": "draw",
    "整改跟踪": "followup",
    "统计报表": "statistics",
    "导出同步数据包": "sync-export",
    "导入同步数据包": "sync-import-choose",
    "同步冲突": "sync-conflicts",
    "同步记录": "sync-history",
    "设备登记": "device-registration-empty",
    "本机设置": "device-setup",
    "管理检查人员": "inspectors",
    "核验文书": "verify-document",
    "关于": "about",
}
SKIPPED_ACTIONS = {"退出"}
CLICKS = {"plan": "按分类生成计划", "statistics": "统计"}  # buttons that fill a screen that opens empty


# --- the parent: X server, window manager, the app in a child process ----------------------------------------
def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(Path(argv[1]), Path(argv[2]))
    out = Path(argv[0]) if argv else ROOT / "docs" / "img" / "guide"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    started = time.monotonic()
    server, display = start_x(SIZE)
    wm, wm_name = start_window_manager(display)
    print(f"screenshots: screen {SIZE[0]}×{SIZE[1]} on {display}, window manager: {wm_name}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="inspector-shots-") as work:
            env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
            env.update(
                DISPLAY=display,
                QT_QPA_PLATFORM="xcb",
                INSPECTOR_APP_DATA_DIR=str(Path(work) / "appdata"),
                PYTHONFAULTHANDLER="1",
            )
            try:
                code = subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--child", work, str(out.resolve())],
                    cwd=ROOT,
                    env=env,
                    timeout=TOTAL_TIMEOUT,
                ).returncode
            except subprocess.TimeoutExpired:
                print(f"screenshots: the app did not finish within {TOTAL_TIMEOUT} s", file=sys.stderr)
                code = 4
            log = Path(work) / "appdata" / "logs" / "inspector_app.log"
            if code and log.exists():  # the app's own account of what went wrong
                print("screenshots: the app's log ends:\n" + log.read_text("utf-8")[-4000:], file=sys.stderr)
    finally:
        if wm is not None:
            wm.terminate()
            wm.wait(10)
        server.terminate()
        server.wait(10)
    shots = sorted(out.glob("*.png"))
    print(f"screenshots: {len(shots)} pictures in {out} in {time.monotonic() - started:.0f} s", flush=True)
    return code


# --- the child: the app, driven from its own event loop -------------------------------------------------------
class StepTimeout(Exception):
    pass


def slug(text: str) -> str:
    """HomeView → home-view: the file name of a window the table above does not know."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", text).lower()


class Shooter:
    """Steps are generators yielding (condition, what): the event loop polls the condition; a step that waits
    too long gets StepTimeout thrown in, is recorded, its windows are closed and the next step runs."""

    def __init__(self, data: dict, out: Path):
        from PySide6.QtCore import QTimer

        self.data, self.out = data, out
        self.window = None
        self.number = 0
        self.failed: list[str] = []
        self._script = self.script()
        self._waiting = None
        self._timer = QTimer(interval=20)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        from PySide6.QtWidgets import QApplication

        send, error = None, None
        if self._waiting is not None:
            condition, deadline, what = self._waiting
            try:
                value = condition()
            except Exception:  # a bug of this script: say where, end the app rather than show its error dialog
                traceback.print_exc()
                QApplication.instance().exit(5)
                return
            if not value:
                if time.monotonic() < deadline:
                    return
                error = StepTimeout(what)
            send = value
            self._waiting = None
        self._timer.stop()  # a step may open a nested event loop (exec()): no re-entry meanwhile
        try:
            wait = self._script.throw(error) if error else self._script.send(send)
        except StopIteration:
            print(f"screenshots: {self.number} steps, {len(self.failed)} timed out", flush=True)
            QApplication.instance().exit(4 if self.failed else 0)
            return
        except Exception:  # a bug of this script: say where, end the app rather than show its error dialog
            traceback.print_exc()
            QApplication.instance().exit(5)
            return
        self._waiting = (wait[0], time.monotonic() + (wait[2] if len(wait) > 2 else STEP_TIMEOUT), wait[1])
        self._timer.start()

    # --- waiting ------------------------------------------------------------------------------------------
    @staticmethod
    def later(action) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, action)

    def idle(self):
        turns = []

        def check():
            if self.window.worker is None or self.window.worker.wait_idle(0):
                turns.append(1)
            return len(turns) > 3

        return check, "the database lane to be idle"

    @staticmethod
    def pause(seconds: float):
        end = time.monotonic() + seconds
        return (lambda: time.monotonic() >= end), "a pause", seconds + 5

    @staticmethod
    def windows() -> set:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication, QMenu

        return {
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and not isinstance(w, QMenu) and w.windowType() != Qt.WindowType.ToolTip
        }

    def new_window(self, before: set, kind: str | None = None):
        from PySide6.QtWidgets import QApplication

        def check():
            modal = QApplication.activeModalWidget()
            found = [modal] if modal is not None and modal not in before else []
            found += [w for w in self.windows() - before if w is not modal]
            found = [w for w in found if w.isVisible() and (kind is None or type(w).__name__ == kind)]
            return found[0] if found else None

        return check, f"the {kind or 'new'} window"

    # --- the step ---------------------------------------------------------------------------------------------
    def grab(self, name: str) -> None:
        from PySide6.QtGui import QGuiApplication

        self.number += 1
        path = self.out / f"{name}.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
        print(f"screenshots: {path.name}", flush=True)

    def shot(self, name, action, interact=None, kind: str | None = None, settle: float = 0.5):
        """Run `action`, wait for the window it opens, let it load, `interact` with it, photograph the
        screen, close every window the step opened. `name` may be None: the window's class name then."""
        before = self.windows()
        print(f"screenshots: step {self.number + 1:02d}: {name or '(a new menu action)'}", flush=True)
        if action is not None:
            self.later(action)
        try:
            win = yield self.new_window(before, kind)
            yield self.idle()
            yield self.pause(settle)
            if interact is not None:
                yield from interact(win)
                yield self.idle()
                yield self.pause(0.3)
            self.grab(name or slug(type(win).__name__))
        except StepTimeout as e:
            self.number += 1
            self.failed.append(f"step {self.number:02d}-{name or '?'} timed out waiting for {e}")
            print(f"screenshots: {self.failed[-1]}", file=sys.stderr, flush=True)
        yield from self.close_new(before)

    def close_new(self, before: set):
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication, QDialog
        from shiboken6 import isValid

        for _attempt in range(10):
            modal = QApplication.activeModalWidget()
            if modal is not None and modal not in before:
                QTest.keyClick(modal, Qt.Key.Key_Escape)
                try:
                    yield (lambda m=modal: not isValid(m) or not m.isVisible()), "Esc to close the dialog", 3
                except StepTimeout:
                    if isValid(modal):
                        modal.reject() if isinstance(modal, QDialog) else modal.close()
                continue
            left = self.windows() - before
            if not left:
                break
            for w in left:  # a screen of its own: Esc where it closes on Esc, else its close button
                QTest.keyClick(w, Qt.Key.Key_Escape)
            yield self.pause(0.2)
            for w in self.windows() - before:
                w.close()
            yield self.pause(0.1)
        yield self.idle()

    # --- the scenes -------------------------------------------------------------------------------------------
    def script(self):
        from PySide6.QtWidgets import QApplication

        from inspector_app.ui.main_window import MainWindow

        self.window = yield (
            lambda: next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.db), None),
            "the main window with its database",
        )
        yield (lambda: self.window.model is not None), "the roster"
        yield self.idle()
        yield self.pause(0.5)
        w, d = self.window, self.data
        self.grab("start")
        yield from self.search()
        yield from self.home()
        yield from self.shot("start-inspection", lambda: w.new_inspection_for(d["enterprise"], ""))
        yield from self.shot("checklist-keyboard", lambda: w.open_inspection(d["draft"]), self.answer, settle=1)
        yield from self.shot("sign", lambda: w.sign_inspection(d["completed"]), kind="SignDialog")
        yield from self.shot("sign-refused-witness", lambda: w.sign_inspection(d["completed"]), self.refuse)
        yield from self.shot("documents-preview", lambda: w.show_documents(d["signed"]), self.preview, settle=1)
        yield from self.shot("device-registration", lambda: w.open_sync_dialog("devices"), self.register)
        yield from self.shot("sync-import", lambda: w.import_bundle(d["bundle"]), self.verified)
        yield from self.shot("roster-import-result", self.import_roster, kind="QMessageBox", settle=0.3)
        yield from self.shot("amendment", lambda: w.amend_inspection(d["signed"]))
        yield from self.shot("photo-viewer", self.open_photo, kind="PhotoViewer", settle=1)
        yield from self.shot("followup-form", lambda: w.open_work(d["followup"], "followup"), kind="FollowupForm")
        yield from self.archive_history()
        yield from self.menus()

    def search(self):
        """Search by a part of the name; then by classification: the roster narrows, the archive shows one."""
        bar = self.window.filter_bar
        bar.search.setFocus()
        bar.search.insert(self.data["search"])  # QTest types ASCII only
        yield self.idle()
        yield self.pause(0.3)
        self.window.table.selectRow(0)
        yield self.idle()
        yield self.pause(0.5)
        self.grab("roster-search")
        bar.search.clear()
        bar.classification.setCurrentIndex(min(2, bar.classification.count() - 1))
        yield self.idle()
        yield self.pause(0.3)
        self.window.table.selectRow(0)
        yield self.idle()
        yield self.pause(0.5)
        self.grab("classification")
        bar.classification.setCurrentIndex(0)
        yield self.idle()

    def home(self):
        """我的工作: the drafts, the 回访 due, the records the bureau has not received yet."""
        self.window.right_tabs.setCurrentWidget(self.window.home)
        yield (lambda: bool(self.window.home.rows())), "the rows of 我的工作"
        yield self.idle()
        yield self.pause(0.5)
        self.grab("home")

    def archive_history(self):
        """The archive of the enterprise whose class the bureau changed, on its 变更记录 tab."""
        from inspector_app.core.storage.models import Enterprise

        w = self.window
        with w.db.session() as s:
            name = s.get(Enterprise, self.data["enterprise"]).name
        w.filter_bar.search.setText(name)
        yield self.idle()
        yield self.pause(0.3)
        w.table.selectRow(0)
        yield self.idle()
        yield (lambda: w.archive.record_tabs.tabText(1) != "变更记录"), "the 变更记录 of the enterprise"
        w.archive.record_tabs.setCurrentIndex(1)
        yield self.pause(0.5)
        self.grab("archive-history")
        w.archive.record_tabs.setCurrentIndex(0)
        w.filter_bar.search.clear()
        yield self.idle()

    def open_photo(self) -> None:
        """The draft's photo full-size, as a double-click on its thumbnail opens it."""
        from inspector_app.ui.photo_viewer import PhotoViewer

        self.viewer = PhotoViewer(self.window.db, self.window.worker, self.data["photos"], 0, parent=self.window)
        self.viewer.open()

    def answer(self, screen):
        """Keyboard only: 1 (符合) and a record on the first item, F3 to the next unanswered, 2 (不符合)."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from inspector_app.ui.item_controls import ConclusionBar

        bars = [b for b in screen.findChildren(ConclusionBar) if b.isEnabled()]
        if not bars:
            return
        bars[0].setFocus()
        yield self.pause(0.2)
        QTest.keyClick(bars[0], Qt.Key.Key_1)
        for _item in range(2):
            QTest.keyClick(QApplication.focusWidget() or screen, Qt.Key.Key_F3)
            yield self.pause(0.2)
            focus = QApplication.focusWidget()
            if isinstance(focus, ConclusionBar):
                QTest.keyClick(focus, Qt.Key.Key_1)
        QTest.keyClick(QApplication.focusWidget() or screen, Qt.Key.Key_F3)
        yield self.pause(0.2)
        focus = QApplication.focusWidget()
        if isinstance(focus, ConclusionBar):
            QTest.keyClick(focus, Qt.Key.Key_2)
            yield self.pause(0.2)
            item = focus
            while item is not None and getattr(item, "record", None) is None:
                item = item.parentWidget()
            if item is not None:
                item.record.setFocus()
                item.record.insertPlainText("现场抽查出厂检验记录，缺少2026年10月批次的检验报告。")

    def refuse(self, dialog):
        dialog.state_buttons["refused"].setChecked(True) if "refused" in dialog.state_buttons else None
        dialog.reason.setText("对第4项检查结论有异议，拒绝签字")
        dialog.witness.setText("李强（检查组成员）")
        yield self.pause(0.1)

    @staticmethod
    def done(dialog):
        busy = dialog.busy
        return (lambda: not (busy() if callable(busy) else dialog.busy)), f"{type(dialog).__name__} to finish"

    def preview(self, dialog):
        yield self.done(dialog)

    def register(self, dialog):
        dialog.key_edit.setText(str(self.data["key"]))
        dialog.inspector_edit.setText(self.data["badge"])
        dialog.register_button.click()
        yield (lambda: dialog.status.text().startswith(("已登记", "该设备已登记"))), "the registration"

    def verified(self, dialog):
        yield self.done(dialog)

    def import_roster(self) -> None:
        from inspector_app.ui.roster_import import import_file

        import_file(self.window, self.data["roster"], skip_invalid=False)

    def menus(self):
        """Every action of every menu, in menu order; the window it opens is photographed and closed."""
        for menu_action in self.window.menuBar().actions():
            menu = menu_action.menu()
            if menu is None:
                continue
            for action in menu.actions():
                text = action.text().replace("…", "").replace("&", "").strip()
                if action.isSeparator() or action.menu() is not None or not text or text in SKIPPED_ACTIONS:
                    continue
                if not action.isEnabled():  # wants a selection, or not for this role: nothing to photograph
                    print(f"screenshots: menu action {text} is disabled, not photographed", flush=True)
                    continue
                name = MENU_NAMES.get(text)
                yield from self.shot(name, action.trigger, self.clicking(CLICKS.get(name)), settle=0.8)

    def clicking(self, label: str | None):
        """Click the window's button `label` (统计, 按分类生成计划) when it has one, so that it shows content."""
        from PySide6.QtWidgets import QPushButton

        def interact(win):
            button = next((b for b in win.findChildren(QPushButton) if b.text() == label and b.isEnabled()), None)
            if button is not None:
                button.click()
                yield self.pause(1.0)

        return interact if label else None


def child(work: Path, out: Path) -> int:
    sys.path.insert(0, str(ROOT))
    import faulthandler

    faulthandler.dump_traceback_later(TOTAL_TIMEOUT - 10, exit=True)  # where it hangs, before the parent kills it
    from screenshot_data import prepare_data

    data = prepare_data(work)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    QApplication(sys.argv[:1])
    from inspector_app.ui import app

    shooter: list[Shooter] = []
    QTimer.singleShot(0, lambda: shooter.append(Shooter(data, out)))
    return app.run(["--db", str(data["db"])])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
