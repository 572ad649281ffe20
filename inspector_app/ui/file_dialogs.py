"""File dialogs that open where the user works: the folder used last, else the user's documents folder.

Drop-in for QFileDialog's static functions (same arguments, same results). A suggested name without a folder
("抽取数据包.json") is put in that folder; a full path is kept. The folder of every file chosen is remembered
(windows.ini, ui/geometry.py). The dialog's own words are Chinese through Qt's qtbase_zh_CN (ui/qt_i18n.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from inspector_app.ui.geometry import settings

KEY = "dialogs/last_folder"


def start_folder() -> str:
    last = settings().value(KEY, "")
    if last and Path(str(last)).is_dir():
        return str(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


def where(suggested: str = "") -> str:
    """The path a dialog opens on: `suggested` if it names a folder, else it inside the start folder."""
    if suggested and Path(suggested).is_absolute():
        return suggested
    return str(Path(start_folder(), suggested)) if suggested else start_folder()


def remember(*paths: str) -> None:
    chosen = next((p for p in paths if p), "")
    if chosen:
        settings().setValue(KEY, str(Path(chosen).parent))


def get_open_file_name(parent: QWidget | None, caption: str, suggested: str = "", filters: str = "", *args):
    path, chosen_filter = QFileDialog.getOpenFileName(parent, caption, where(suggested), filters, *args)
    remember(path)
    return path, chosen_filter


def get_open_file_names(parent: QWidget | None, caption: str, suggested: str = "", filters: str = "", *args):
    paths, chosen_filter = QFileDialog.getOpenFileNames(parent, caption, where(suggested), filters, *args)
    remember(*paths)
    return paths, chosen_filter


def get_save_file_name(parent: QWidget | None, caption: str, suggested: str = "", filters: str = "", *args):
    path, chosen_filter = QFileDialog.getSaveFileName(parent, caption, where(suggested), filters, *args)
    remember(path)
    return path, chosen_filter
