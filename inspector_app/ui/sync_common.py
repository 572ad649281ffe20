"""What the sync dialogs share: a dialog that runs one long job with progress and cancel, a status line, and
the query that fills their device choices.

Bundles are long jobs (hundreds of megabytes of photos): they run on a thread of their own through the
TaskManager (ui/tasks.py), not on the serial database lane, so that the inspector's saves never wait behind
an export (architecture rule 3). The core functions report progress through a callback and check a cancel
flag; `TaskDialog` only carries those to a progress bar and a 取消 button (rule 4).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QWidget

from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.tasks import BackgroundJob, TaskManager

log = logging.getLogger(__name__)


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
    """A dialog whose action runs as a long job behind a progress bar; its 取消 button cancels the job while
    one runs and closes the dialog otherwise. Subclasses set `self._worker` (the TaskManager)."""

    _worker: TaskManager

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._task: BackgroundJob | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = StatusLabel()
        self.cancel_button = QPushButton(_("取消"))
        self.cancel_button.clicked.connect(self.cancel_or_close)

    def run_task(
        self,
        job: Callable[..., Any],
        on_done: Callable[[Any], None],
        text: str,
        *,
        changes: Iterable[str] = (),
        cleanup: Callable[[Any], None] | None = None,
    ) -> None:
        """Run `job(progress, cancelled)`; `cleanup(result)` releases a result that arrives after closing."""
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setText(_("取消"))
        self.status.say(text)
        self._task = self._worker.run_in_background(
            job,
            on_done=lambda result: self._finished(on_done, result),
            on_error=lambda exc: self._finished(self.task_failed, exc),
            on_progress=self._progress,
            changes=changes,
            cleanup=cleanup,
        )

    def _finished(self, handler: Callable[[Any], None], value: Any) -> None:
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
    from inspector_app.core.storage.sync_models import FIELD, device_role

    def apply(role) -> None:
        if role == FIELD:
            for w in widgets:
                if shiboken6.isValid(w):
                    w.setEnabled(False)
                    w.setToolTip(_("区局办理：本机是现场检查终端"))

    worker.submit(device_role, db, on_done=apply)


def title_suffix(db) -> str:
    """' — 区局' / ' — 现场检查终端' for the title bar ('' before first setup). Cheap: one settings query."""
    from inspector_app.core.storage.sync_models import device_role_label

    label = device_role_label(db)
    return f" — {label}" if label else ""
