"""The real-window soak (tests/ui/test_soak.py runs it under Xvfb with the xcb platform).

`python -m tests.ui.soak_child WORKDIR ROUNDS` prepares a bureau database with the demo roster, a signed, a
completed and a draft inspection, a laptop's key file and a bundle; then starts the app as `inspector-app`
does and, ROUNDS times, opens and closes every dialog and screen reachable from the menus — by button, by
Esc and by closing the window, in turn — interleaved with the sequences that crashed in the field:
documents twice, export after documents, import after a device registration, signing cancelled, and a short
inspection. `gc.collect()` runs between steps.

Exit 0 after the last step; 3 on a Qt warning about objects used across threads; 4 when a step did not happen
in time. A crash shows as a signal (SIGSEGV, SIGABRT), with faulthandler's traceback on stderr.
"""

from __future__ import annotations

import faulthandler
import gc
import os
import sys
import time
from pathlib import Path

faulthandler.enable()

THREAD_WARNINGS = ("thread", "QBasicTimer", "killTimer", "startTimer", "QSocketNotifier")
STEP_TIMEOUT = 30.0


def prepare(work: Path) -> dict:
    """A bureau database with what every dialog needs, built through the core as a user's data would be."""
    work.mkdir(parents=True, exist_ok=True)  # the app refuses a database in a folder that does not exist
    from datetime import date

    from inspector_app.core.archive import list_inspectors
    from inspector_app.core.demo import load_demo
    from inspector_app.core.inspection import inspections
    from inspector_app.core.inspection.templates import load_templates
    from inspector_app.core.issuing import signing
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Inspector, License, Site
    from inspector_app.paths import forms_dir
    from inspector_app.sync.export import export_bundle
    from inspector_app.sync.keys import export_public_key, load_identity, register_device, setup_device
    from tests.documents import factory

    bureau_path, laptop_path = work / "bureau.sqlite3", work / "laptop.sqlite3"
    bureau, laptop = open_database(bureau_path), open_database(laptop_path)
    load_demo(bureau)
    setup_device(bureau, "bureau", "区局")
    setup_device(laptop, "field", "张伟的笔记本")
    laptop_key = work / "laptop.ibkey"
    laptop_key.write_bytes(export_public_key(load_identity(laptop)))
    register_device(laptop, export_public_key(load_identity(bureau)))
    bundle = work / "laptop-to-bureau.ibundle"
    export_bundle(laptop, bundle, to=None)
    laptop.close()

    templates = load_templates(forms_dir())
    team = [i.id for i in list_inspectors(bureau)[:2]]
    with bureau.session() as s:
        lic = s.query(License).filter(License.category == "危险化学品").first()
        site = s.query(Site).filter(Site.enterprise_id == lic.enterprise_id).first()
        enterprise_id, site_id, license_id = lic.enterprise_id, site.id, lic.id

    def start():
        return inspections.start_inspection(
            bureau, site_id=site_id, template=templates["industrial"], kind="double_random", team=team,
            inspected_on=date.today(), license_id=license_id,
        )  # fmt: skip

    def complete():
        iid = start()
        for item in templates["industrial"].applicable_items:
            problem = factory.PROBLEMS.get(item.id)
            conclusion = "nonconform" if problem else "conform"
            inspections.save_answer(
                bureau, iid, item.id, conclusion=conclusion, record=problem or "现场核查，符合要求。"
            )
        inspections.complete_inspection(bureau, iid)
        return iid

    signed = complete()
    signing.sign_inspection(
        bureau, signed, [*factory.team_signatures(bureau, signed), factory.representative()], signed_on=date.today()
    )
    with bureau.session() as s:
        badge = s.get(Inspector, team[0]).badge_no
    ids = {"badge": badge, "enterprise": enterprise_id, "signed": signed, "completed": complete(), "draft": start()}
    bureau.close()
    return {"db": bureau_path, "key": laptop_key, "bundle": bundle, **ids}


class Soak:
    """Drives the window step by step from the event loop: a step starts an action (which may block in a
    dialog's exec()), then waits, polling, for what a user would see, and closes it."""

    def __init__(self, data: dict, rounds: int):
        from PySide6.QtCore import QTimer

        self.data, self.rounds = data, rounds
        self.window = None
        self.steps = 0
        self._script = self.script()
        self._timer = QTimer(interval=10)
        self._timer.timeout.connect(self._tick)
        self._waiting = None  # (condition, deadline, what)
        self._timer.start()

    # --- the machinery ---------------------------------------------------------------------------------------
    def _tick(self) -> None:
        from PySide6.QtWidgets import QApplication

        if self._waiting is not None:
            condition, deadline, what = self._waiting
            value = condition()
            if not value:
                if time.monotonic() > deadline:
                    from PySide6.QtWidgets import QLabel

                    shown = QApplication.activeModalWidget()
                    texts = [lb.text() for lb in shown.findChildren(QLabel) if lb.text()] if shown else []
                    print(
                        f"soak: timed out waiting for {what} (step {self.steps}); on screen: {texts}",
                        file=sys.stderr,
                        flush=True,
                    )
                    os._exit(4)
                return
            self._waiting = None
        else:
            value = None
        self._timer.stop()  # a step may open a nested event loop: no re-entry meanwhile
        try:
            condition = self._script.send(value)
        except StopIteration:
            print(f"soak: {self.steps} steps done", flush=True)
            QApplication.instance().exit(0)
            return
        self._waiting = (condition[0], time.monotonic() + STEP_TIMEOUT, condition[1])
        self._timer.start()

    @staticmethod
    def later(action) -> None:
        """Run an action from the event loop, not from the script: it may block in exec()."""
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, action)

    def idle(self):
        """Wait until the database lane is idle and the events it posted were handled."""
        done = []

        def check():
            if self.window.worker.wait_idle(0):
                done.append(1)
            return len(done) > 3  # a few turns of the event loop after the last job

        return check, "the database lane to be idle"

    @staticmethod
    def modal(kind: str):
        from PySide6.QtWidgets import QApplication

        def check():
            w = QApplication.activeModalWidget()
            return w if w is not None and type(w).__name__ == kind and w.isVisible() else None

        return check, f"the {kind} dialog"

    @staticmethod
    def no_modal():
        from PySide6.QtWidgets import QApplication

        return (lambda: QApplication.activeModalWidget() is None), "no dialog open"

    @staticmethod
    def close(dialog, how: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QDialogButtonBox, QPushButton

        if how == "esc":
            QTest.keyClick(dialog, Qt.Key.Key_Escape)
            return
        if how == "button":
            for box in dialog.findChildren(QDialogButtonBox):
                for b in box.buttons():
                    if box.buttonRole(b) in (
                        QDialogButtonBox.ButtonRole.RejectRole,
                        QDialogButtonBox.ButtonRole.AcceptRole,
                    ) and b.text() in ("关闭", "取消", "Close", "Cancel", "确定", "OK"):
                        b.click()
                        return
            for b in dialog.findChildren(QPushButton):
                if b.text() in ("关闭", "取消", "确定", "OK") and b.isVisible() and b.isEnabled():
                    b.click()
                    return
        dialog.close()  # what the window's close button does

    def step(self, kind: str, action, how: str, settle: bool = True):
        """Open a modal dialog with `action`, let it load, close it `how`, collect garbage."""
        self.steps += 1
        self.later(action)
        dialog = yield self.modal(kind)
        if settle:
            yield self.idle()
        self.close(dialog, how)
        yield self.no_modal()
        dialog = None
        gc.collect()
        yield self.idle()

    def window_step(self, opener, how_many: int = 1):
        """Open a non-modal window (a supervision screen, an inspection), let it load, close it."""
        self.steps += 1
        opener()
        yield self.idle()
        for w in [*self.window._tools.values(), *self.window._screens.values()]:
            w.close()
        yield (lambda: not self.window._tools and not self.window._screens), "the windows to close"
        gc.collect()
        yield self.idle()

    # --- the script -------------------------------------------------------------------------------------------
    def script(self):
        from PySide6.QtWidgets import QApplication

        from inspector_app.ui.main_window import MainWindow

        self.window = yield (
            lambda: next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.db), None),
            "the main window with its database",
        )
        yield self.idle()
        w, d = self.window, self.data
        ways = ("button", "esc", "window")
        for r in range(self.rounds):
            how = ways[r % 3]
            # The four sequences seen to crash in the field.
            yield from self.step("DocumentsDialog", lambda: w.show_documents(d["signed"]), how)
            yield from self.step("DocumentsDialog", lambda: w.show_documents(d["signed"]), how)
            yield from self.step("DocumentsDialog", lambda: w.show_documents(d["signed"]), how)
            yield from self.step("ExportDialog", w.export_bundle, how)
            yield from self.register_then_import(how)
            yield from self.step("SignDialog", lambda: w.sign_inspection(d["completed"]), "esc")
            # Every other dialog of the menus and the archive.
            yield from self.step("SettingsDialog", w.edit_settings, how)
            yield from self.step("InspectorsDialog", w.manage_inspectors, how)
            yield from self.step("DeviceSetupDialog", w.device_setup, how)
            yield from self.step("ConflictsDialog", lambda: w.open_sync_dialog("conflicts"), how)
            yield from self.step("SyncHistoryDialog", lambda: w.open_sync_dialog("history"), how)
            yield from self.step("StartInspectionDialog", lambda: w.new_inspection_for(d["enterprise"], ""), how)
            yield from self.step("AmendmentDialog", lambda: w.amend_inspection(d["signed"]), how)
            yield from self.step("QMessageBox", w.about, how)
            yield from self.step("VerifyDocumentDialog", w.verify_document, how)
            yield from self.step("QFileDialog", w.import_roster, "esc" if how == "button" else how, settle=False)
            for name in ("plan", "draw", "followup", "statistics", "classification", "license_actions", "interviews"):
                yield from self.window_step(lambda n=name: w.open_tool(n))
            yield from self.inspect()

    def register_then_import(self, how: str):
        """同步 → 设备登记 → 登记 → 关闭 → 同步 → 导入同步数据包 (it crashed)."""
        w, d = self.window, self.data
        self.steps += 1
        self.later(lambda: w.open_sync_dialog("devices"))
        dialog = yield self.modal("DevicesDialog")
        yield self.idle()
        dialog.key_edit.setText(str(d["key"]))
        dialog.inspector_edit.setText(d["badge"])
        dialog.register_button.click()
        yield (lambda: dialog.status.text().startswith(("已登记", "该设备已登记"))), "the registration"
        self.close(dialog, how)
        yield self.no_modal()
        dialog = None
        gc.collect()
        self.later(lambda: w.import_bundle(d["bundle"]))
        dialog = yield self.modal("ImportDialog")
        yield (lambda: not dialog.busy), "the bundle's verification"
        self.close(dialog, how)
        yield self.no_modal()
        dialog = None
        gc.collect()
        yield self.idle()

    def inspect(self):
        """A short inspection: open the draft, answer a few items by keyboard, type a record, close."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from inspector_app.ui.item_controls import ConclusionBar

        self.steps += 1
        self.window.open_inspection(self.data["draft"])
        yield self.idle()
        [screen] = self.window._screens.values()
        for item in list(screen.items.values())[:4]:
            bars = item.findChildren(ConclusionBar)
            if bars and bars[0].isEnabled():
                QTest.keyClick(bars[0], Qt.Key.Key_1)
            if item.record is not None:
                item.record.setPlainText("现场核查，符合要求。")
        yield self.idle()
        screen.close()
        del screen
        yield (lambda: not self.window._screens), "the inspection to close"
        gc.collect()
        yield self.idle()


def main() -> int:
    work, rounds = Path(sys.argv[1]), int(sys.argv[2])
    os.environ["INSPECTOR_APP_DATA_DIR"] = str(work / "appdata")
    data = prepare(work)

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    bad: list[str] = []

    def on_message(kind, _context, text) -> None:
        if kind != QtMsgType.QtDebugMsg:
            print(f"qt: {text}", file=sys.stderr, flush=True)
        if any(word in text for word in THREAD_WARNINGS):
            bad.append(text)

    qInstallMessageHandler(on_message)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    QApplication(sys.argv[:1])  # app.run takes this one

    from inspector_app.ui import app

    soak: list[Soak] = []
    QTimer.singleShot(0, lambda: soak.append(Soak(data, rounds)))
    code = app.run(["--db", str(data["db"])])
    if bad:
        print("soak: Qt warned of cross-thread use:\n" + "\n".join(bad), file=sys.stderr, flush=True)
        return 3
    if not soak or soak[0]._script.gi_frame is not None:
        print("soak: the app ended before the last step", file=sys.stderr, flush=True)
        return 4
    return code


if __name__ == "__main__":
    sys.exit(main())
