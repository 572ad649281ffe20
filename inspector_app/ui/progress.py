"""A long core job behind a modal progress dialog (architecture rule 4): the job runs through the TaskManager,
this only shows its progress and offers 取消."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QProgressDialog, QWidget

from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.tasks import Cancelled, TaskManager, cancelled_text


class ProgressDialogRun(QObject):
    """One run: the dialog, the job's handle, and what follows on the GUI thread."""

    def __init__(
        self,
        parent: QWidget,
        tasks: TaskManager,
        label: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        cancellable: bool = False,
        changes: Iterable[str] = (),
        **kwargs: Any,
    ):
        super().__init__(parent)
        self._parent = parent
        self._on_done = on_done
        self.dialog = QProgressDialog(label, _("取消"), 0, 0, parent)
        self.dialog.setWindowTitle(_("现场检查"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        if cancellable:
            self.dialog.canceled.connect(self._cancel)
        else:
            self.dialog.setCancelButton(None)
        self.dialog.show()
        # Serial: these jobs write the database, after the saves queued before them.
        self.job = tasks.run_in_background(
            fn,
            *args,
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._show,
            changes=changes,
            serial=True,
            **kwargs,
        )

    def _cancel(self) -> None:
        self.job.cancel()
        self.dialog.setLabelText(_("正在取消…"))

    def _show(self, done: int, total: int, _text: str) -> None:
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def _close(self) -> None:
        self.dialog.close()
        self.dialog.deleteLater()
        self.deleteLater()

    def _done(self, result: Any) -> None:
        self._close()
        if self._on_done is not None:
            self._on_done(result)

    def _failed(self, exc: BaseException) -> None:
        self._close()
        if isinstance(exc, Cancelled):
            if isinstance(self._parent, QMainWindow):
                self._parent.statusBar().showMessage(cancelled_text(), 5000)
        else:
            show_error(exc, self._parent)
