"""Where the app keeps its data and finds its resources, from source and when frozen by PyInstaller."""

import os
import sys
from pathlib import Path

import platformdirs

from inspector_app import APP_NAME

# Environment overrides: a bureau can point every laptop at a fixed folder, tests use a temp dir.
ENV_DB = "INSPECTOR_APP_DB"
ENV_DATA_DIR = "INSPECTOR_APP_DATA_DIR"


def _root() -> Path:
    # PyInstaller unpacks data next to the executable under sys._MEIPASS; build.spec keeps the source layout.
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return _root().joinpath("resources", *parts)


def forms_dir() -> Path:
    return _root() / "forms"


def data_dir() -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if not path.is_dir():  # one stat, not a failing mkdir: called once per photo by an import
        path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    override = os.environ.get(ENV_DB)
    return Path(override) if override else data_dir() / "inspections.sqlite3"
