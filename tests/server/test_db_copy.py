"""Moving in: `db copy` moves a whole archive file → server → file, verified by counts and content hashes, and
refuses a target that already holds records."""

import subprocess
import sys
from pathlib import Path

from inspector_app.core.demo import load_demo
from inspector_app.core.storage.copy import digest, tables
from inspector_app.core.storage.db import open_database

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inspector_app", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def _contents(target) -> dict:
    db = open_database(target)
    try:
        with db.engine.connect() as conn:
            return {t.name: digest(conn, t) for t in tables()}
    finally:
        db.close()


def test_a_file_moves_onto_the_server_and_back_record_for_record(server_db, tmp_path):
    _name, url = server_db
    src = tmp_path / "bureau.sqlite3"
    db = open_database(src)
    load_demo(db)
    db.close()
    done = _cli("db", "copy", "--from", str(src), "--to", url)
    assert done.returncode == 0, done.stderr
    assert "逐表核对行数和内容一致" in done.stdout
    back = tmp_path / "home.sqlite3"
    done = _cli("db", "copy", "--from", url, "--to", str(back))
    assert done.returncode == 0, done.stderr
    original = _contents(src)
    assert original["enterprise"][0] > 0
    assert _contents(url) == original == _contents(back)

    again = _cli("db", "copy", "--from", str(src), "--to", url)
    assert again.returncode == 1 and "已有数据" in again.stderr and "Traceback" not in again.stderr
    assert _contents(url) == original
