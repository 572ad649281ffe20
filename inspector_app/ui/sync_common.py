"""What the sync dialogs share: a background task with progress and cancel, a dialog that runs one, a status
line, and the query that fills their device choices.

Bundles are long jobs (hundreds of megabytes of photos): they run on a thread of their own, not on the
serial database worker, so that the inspector's saves never wait behind an export (architecture rule 3).
The core functions report progress through a callback and check a cancel flag; `BackgroundTask` only
carries those to a progress bar and a 取消 button (rule 4). Short queries go through the database worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QWidget

from inspector_app.i18n import _
from inspector_app.ui.errors import show_error

log = logging.getLogger(__name__)


class BackgroundTask(QObject):
    """Runs `fn(progress=..., cancelled=...)` on its own thread; results come back as signals."""

    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[..., Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bundle-task", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            result = self._fn(progress=self._report, cancelled=self._cancel.is_set)
        except BaseException as exc:  # delivered to the UI, never lost in the thread
            if not isinstance(exc, Exception):
                log.exception("bundle task failed")
            self.failed.emit(exc)
        else:
            self.done.emit(result)

    def _report(self, done: int, total: int, text: str = "") -> None:
        self.progress.emit(int(done), int(total), text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float = 30.0) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running


class StatusLabel(QLabel):
    """A selectable, wrapping line under a dialog's controls: green for news, red for a refusal."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def say(self, text: str, error: bool = False) -> None:
        self.setText(text)
        self.setStyleSheet("color: #a4161a" if error else "color: #1b5e20")

    def fail(self, exc: BaseException, fallback: str = "") -> None:
        """A domain error (a refused bundle, a wrong key file) is said here; anything else also gets the
        error dialog with its details and log file."""
        from inspector_app.core.errors import DomainError

        if isinstance(exc, DomainError):
            self.say(str(exc), error=True)
        else:
            self.say(fallback or _("操作失败。"), error=True)
            show_error(exc, self.window())


class TaskDialog(QDialog):
    """A dialog whose action runs as a BackgroundTask behind a progress bar; its 取消 button cancels the task
    while one runs and closes the dialog otherwise."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._task: BackgroundTask | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = StatusLabel()
        self.cancel_button = QPushButton(_("取消"))
        self.cancel_button.clicked.connect(self.cancel_or_close)

    def run_task(self, job, on_done, text: str) -> None:
        self._task = BackgroundTask(job, self)
        self._task.progress.connect(self._progress)
        self._task.done.connect(lambda result: self._finished(on_done, result))
        self._task.failed.connect(lambda exc: self._finished(self.task_failed, exc))
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setText(_("取消"))
        self.status.say(text)
        self._task.start()

    def _finished(self, handler, value) -> None:
        self._task = None
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(_("关闭"))
        handler(value)

    def task_failed(self, exc: BaseException) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.fail(exc)

    def _progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if text:
            self.status.setText(text)

    @property
    def busy(self) -> bool:
        return self._task is not None

    def cancel_or_close(self) -> None:
        if self._task is not None and self._task.running:
            self._task.cancel()
            self.status.say(_("正在取消…"))
            return
        self.reject()

    def reject(self) -> None:
        if self._task is not None and self._task.running:
            self._task.cancel()
            self._task.wait()
        super().reject()


def identity_and_devices(db):
    """(this device's identity or None before first setup, the device register); runs on the worker."""
    from inspector_app.sync.format import SyncError
    from inspector_app.sync.keys import list_devices, load_identity

    try:
        identity = load_identity(db)
    except SyncError:
        identity = None
    return identity, list_devices(db)


def bureau_only(worker, db, *widgets: QWidget) -> None:
    """Disable the controls of bureau work (plans, draws, decisions) on a field laptop, saying why; core refuses
    them there anyway (sync_models.require_bureau), this only keeps the laptop's screens honest."""
    from inspector_app.core.sync_models import FIELD, device_role

    def apply(role) -> None:
        if role == FIELD:
            for w in widgets:
                if shiboken6.isValid(w):
                    w.setEnabled(False)
                    w.setToolTip(_("区局办理：本机是现场检查终端"))

    worker.submit(device_role, db, on_done=apply)


def title_suffix(db) -> str:
    """' — 区局' / ' — 现场检查终端' for the title bar ('' before first setup). Cheap: one settings query."""
    from inspector_app.core.sync_models import device_role_label

    label = device_role_label(db)
    return f" — {label}" if label else ""
