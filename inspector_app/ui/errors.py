"""Errors speak to the inspector (architecture rule 5; after Anki's qt/aqt/errors.py).

A DomainError already carries a Chinese message that says what is wrong and what to do: it gets a plain
warning box. Anything else is a bug: one "程序出错" dialog with the traceback, a button that copies it for
the support request, and the path of the log file where it was also written. That dialog lives in
ui/error_dialog.py and is imported when needed: each Qt class costs start-up time on first use.
"""

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from inspector_app.i18n import _

log = logging.getLogger(__name__)

_log_file: Path | None = None
_showing = False  # an error inside the error dialog must not open dialogs without end


def set_log_file(path: Path | None) -> None:
    global _log_file
    _log_file = path


def log_file() -> Path | None:
    return _log_file


def warn(message: str, parent: QWidget | None = None, title: str | None = None) -> None:
    """A modal warning with a Chinese message: the one place the UI shows a refusal."""
    box = QMessageBox(QMessageBox.Icon.Warning, title or _("现场检查"), message, QMessageBox.StandardButton.Ok, parent)
    box.exec()


def inform(message: str, parent: QWidget | None = None, title: str | None = None) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information, title or _("现场检查"), message, QMessageBox.StandardButton.Ok, parent
    )
    box.exec()


def show_error(exc: BaseException, parent: QWidget | None = None, *, wait: bool = True) -> None:
    """Show a refusal or an unexpected error. `wait=False` opens the box and returns at once: for an error
    whose own window has already closed (ui/tasks.py), which must still reach the user but block nothing."""
    from inspector_app.core.errors import DomainError  # no Qt, no SQLAlchemy: cheap

    global _showing
    if _showing:
        log.error("error while showing an error", exc_info=exc)
        return
    _showing = True
    try:
        if isinstance(exc, DomainError):
            log.info("refused: %s", exc)
            box = QMessageBox(QMessageBox.Icon.Warning, _("现场检查"), str(exc), QMessageBox.StandardButton.Ok, parent)
        else:
            details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            log.error("unexpected error\n%s", details)
            from inspector_app.ui.error_dialog import ErrorDialog

            box = ErrorDialog(details, _log_file, parent)
        if wait:
            box.exec()
        else:
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            box.open()
    finally:
        _showing = False


def excepthook(exc_type, exc, tb) -> None:
    """sys.excepthook: log every uncaught exception and show it, instead of Qt silently continuing."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    if QApplication.instance() is None:
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))
        sys.__excepthook__(exc_type, exc, tb)
        return
    show_error(exc, QApplication.activeWindow())


def install_excepthook() -> None:
    sys.excepthook = excepthook


class MessageLine(QLabel):
    """The line beside a screen's fields that says what just happened: done in green, a refusal in red where the
    user is looking instead of a box in the way; an unexpected error still gets the error dialog."""

    DONE, REFUSED = "#1b5e20", "#a4161a"

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)

    def say(self, text: str, color: str = DONE) -> None:
        self.setStyleSheet(f"color: {color}")
        self.setText(text)

    def refuse(self, exc: BaseException) -> None:
        from inspector_app.core.errors import DomainError

        if isinstance(exc, DomainError):
            self.say(str(exc), self.REFUSED)
        else:
            show_error(exc, self.window())
