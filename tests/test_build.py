"""The PyInstaller one-folder build: it builds from build.spec, and the frozen program finds its forms,
resources and Alembic migrations (opening a new database runs the migrations from the bundle)."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector_app import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "inspector_app" / "cli"


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller")
    tmp = tmp_path_factory.mktemp("pyinstaller")
    start = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(tmp / "dist"),
            "--workpath",
            str(tmp / "work"),
            str(ROOT / "build.spec"),
        ],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=900,
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, f"pyinstaller failed ({elapsed:.0f} s):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    folder = tmp / "dist" / "inspector-app"
    print(f"\nPyInstaller build: {elapsed:.1f} s, {_dir_size(folder) / 2**20:.0f} MiB in {folder}")
    return folder


def _run(bundle: Path, *args: str, cwd: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON", "INSPECTOR_APP_"))}
    # A bare locale: the frozen program must still print Chinese (build.spec turns on UTF-8 mode).
    env.update(LANG="C", LC_ALL="C", QT_QPA_PLATFORM="offscreen", INSPECTOR_APP_DATA_DIR=str(cwd / "appdata"))
    env.update(extra_env or {})
    return subprocess.run([str(bundle / "inspector-app"), *args], cwd=cwd, env=env, capture_output=True, timeout=120)


def _ok(proc: subprocess.CompletedProcess) -> str:
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    return out


def test_layout_keeps_the_source_tree(bundle):
    # PyInstaller 6 puts everything but the executable in the contents folder, which is sys._MEIPASS.
    (contents,) = {p.parent for p in bundle.rglob("base_library.zip")}
    for src in sorted((ROOT / "forms").rglob("*.toml")):
        assert (contents / src.relative_to(ROOT)).is_file(), src
    assert (contents / "resources").is_dir()
    migrations = contents / "inspector_app" / "core" / "storage" / "migrations"
    for src in (ROOT / "inspector_app" / "core" / "storage" / "migrations").rglob("*.py"):
        assert (migrations / src.relative_to(ROOT / "inspector_app" / "core" / "storage" / "migrations")).is_file(), src


def test_version_and_chinese_help(bundle, tmp_path):
    assert _ok(_run(bundle, "--version", cwd=tmp_path)).strip() == f"inspector-app {__version__}"
    assert "现场检查" in _ok(_run(bundle, "--help", cwd=tmp_path))


def test_frozen_program_creates_and_migrates_a_database(bundle, tmp_path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from inspector_app.core.storage.db import APPLICATION_ID

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "inspector_app" / "core" / "storage" / "migrations"))
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    db = tmp_path / "new" / "x.sqlite3"
    db.parent.mkdir()
    _ok(_run(bundle, "--db", str(db), "inspection", "list", cwd=tmp_path))
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert {r[0] for r in con.execute("SELECT version_num FROM alembic_version")} == heads
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    # Opened again: already at head, nothing to migrate, nothing backed up.
    _ok(_run(bundle, "--db", str(db), "inspection", "list", cwd=tmp_path))
    assert not list(db.parent.glob("*.bak"))


@pytest.mark.skipif(not (CLI / "templates.py").exists(), reason="cli/templates.py not written yet")
def test_frozen_program_validates_the_bundled_forms(bundle, tmp_path):
    _ok(_run(bundle, "--db", str(tmp_path / "x.sqlite3"), "templates", "validate", cwd=tmp_path))


@pytest.mark.skipif(not (CLI / "demo.py").exists(), reason="cli/demo.py not written yet")
def test_frozen_program_loads_the_demo(bundle, tmp_path):
    db = tmp_path / "demo.sqlite3"
    _ok(_run(bundle, "--db", str(db), "demo", cwd=tmp_path))
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM enterprise").fetchone()[0] > 0
    finally:
        con.close()


def test_frozen_gui_starts_offscreen(bundle, tmp_path):
    """The Qt plugins made it into the bundle: the window opens (offscreen), shows the roster and quits."""
    db = tmp_path / "gui.sqlite3"
    env = {"INSPECTOR_APP_STARTUP_PROBE": "1"}
    out = _ok(_run(bundle, "--db", str(db), cwd=tmp_path, extra_env=env))
    assert "database_roster_at" in out
    assert db.exists()
