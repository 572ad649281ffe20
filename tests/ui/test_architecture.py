"""Architecture rules a reviewer would otherwise have to remember.

Rule 1: only inspector_app/ui imports Qt. Start-up: nothing on the path to the first window imports the
database stack, and `inspector-app` with --db/--demo starts, shows the roster and exits cleanly.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "inspector_app"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_the_ui_package_imports_qt():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "ui") in path.parents:
            continue
        for name in _imported_modules(path):
            if name.split(".")[0] in QT_MODULES:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}: import {name}")
    assert not offenders, "Qt outside inspector_app/ui:\n" + "\n".join(offenders)


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
        env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)},
    )
    return set(out.stdout.split())


def test_core_and_cli_run_without_qt():
    core = sorted(
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in (PACKAGE / "core").rglob("*.py")
        if p.stem != "__init__" and "migrations" not in p.parts
    )
    modules = [*core, "inspector_app.cli.main"]
    loaded = _loaded_after("\n".join(f"import {m}" for m in modules))
    assert set(modules) <= loaded
    assert not {m for m in loaded if m.split(".")[0] in QT_MODULES}


def test_the_window_comes_before_the_database_stack():
    loaded = _loaded_after("import inspector_app.__main__, inspector_app.ui.app, inspector_app.ui.main_window")
    assert "PySide6.QtWidgets" in loaded
    heavy = {m for m in loaded if m.split(".")[0] in ("sqlalchemy", "alembic")}
    heavy |= {m for m in loaded if m in ("inspector_app.core.storage.db", "inspector_app.core.roster.load")}
    assert not heavy, f"imported before the window is shown: {sorted(heavy)[:5]}"


@pytest.mark.slow
def test_the_app_starts_shows_the_roster_and_exits(tmp_path):
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "INSPECTOR_APP_DATA_DIR": str(tmp_path / "data"),
        "INSPECTOR_APP_STARTUP_PROBE": "1",
        "PYTHONPATH": str(PACKAGE.parent),
    }
    db = tmp_path / "new.sqlite3"
    run = subprocess.run(
        [sys.executable, "-m", "inspector_app", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    lines = dict(line.split() for line in run.stdout.splitlines())
    assert float(lines["window_shown_at"]) <= float(lines["roster_visible_at"]) <= float(lines["database_roster_at"])
    assert db.exists()
    log = (tmp_path / "data" / "logs" / "inspector_app.log").read_text(encoding="utf-8")
    assert "database_roster_at after" in log


def test_unknown_gui_arguments_are_a_usage_error(capsys):
    from inspector_app.ui.app import run

    assert run(["--dbx"]) == 2
    assert "未知参数" in capsys.readouterr().err
