"""One translation mechanism for core, CLI and UI.

Source strings are Simplified Chinese, the default language. Another language is added by dropping a
gettext catalogue in resources/i18n/<lang>/LC_MESSAGES/inspector_app.mo and setting INSPECTOR_APP_LANG.
"""

import gettext
import os

from inspector_app.paths import resource_path

LANG_ENV = "INSPECTOR_APP_LANG"


def _load() -> gettext.NullTranslations:
    lang = os.environ.get(LANG_ENV, "zh_CN")
    return gettext.translation("inspector_app", localedir=str(resource_path("i18n")), languages=[lang], fallback=True)


_translations = _load()


def _(text: str) -> str:
    return _translations.gettext(text)


def language() -> str:
    return os.environ.get(LANG_ENV, "zh_CN")
