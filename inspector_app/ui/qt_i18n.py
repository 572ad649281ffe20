"""Qt's own strings (standard buttons, context menus, file dialogs) in the app's language.

Our strings go through inspector_app.i18n (gettext); Qt's built-in ones come from the qtbase catalogue
that PySide6-Essentials ships in its translations folder (qtbase_zh_CN.qm, …).
"""

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


def install_qt_translations(app: QApplication, language: str) -> QTranslator | None:
    """Install qtbase_<language>; returns the translator (keep it alive) or None if Qt has no catalogue."""
    QLocale.setDefault(QLocale(language))  # dates and numbers in Qt widgets follow the same language
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(f"qtbase_{language}", folder):
        log.info("no Qt translation qtbase_%s in %s", language, folder)
        return None
    app.installTranslator(translator)
    return translator
