"""A server database has the file's guarantees: marked as ours, a foreign or newer one refused untouched, an older
one upgraded only when asked (after the advice to pg_dump it), an unreachable server a clear refusal."""

import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app.core.errors import DatabaseRefused
from inspector_app.core.storage.db import open_database
from tests import pg

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "inspector_app" / "core" / "storage" / "migrations"
BEFORE_0800 = ["0100", "0210", "0400", "0600", "0710"]


def _tables(name: str) -> set[str]:
    rows = pg.execute(name, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
    return {r[0] for r in rows}


def _revisions(name: str) -> set[str]:
    return {r[0] for r in pg.execute(name, "SELECT version_num FROM alembic_version")}


def _heads() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return set(ScriptDirectory.from_config(cfg).get_heads())


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inspector_app", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_a_new_server_database_is_marked_ours_and_at_head(server_db):
    name, url = server_db
    db = open_database(url)
    try:
        assert db.is_server and db.path is None
        assert "@" in db.location and name in db.location
    finally:
        db.close()
    assert pg.execute(name, "SELECT application_id FROM inspector_app_marker") == [(0x58434A43,)]
    assert _revisions(name) == _heads()
    open_database(url).close()  # again: nothing to do
    assert _revisions(name) == _heads()


def test_another_programs_database_is_refused_untouched(server_db):
    name, url = server_db
    pg.execute(name, "CREATE TABLE customer (id integer PRIMARY KEY, name text)")
    with pytest.raises(DatabaseRefused, match="其他程序的数据表（customer）"):
        open_database(url)
    assert _tables(name) == {"customer"}


def test_a_database_from_a_newer_version_is_refused_untouched(server_db):
    name, url = server_db
    open_database(url).close()
    pg.execute(name, "UPDATE alembic_version SET version_num = '9999'")
    before = _tables(name)
    with pytest.raises(DatabaseRefused, match="更新版本"):
        open_database(url)
    assert _tables(name) == before and _revisions(name) == {"9999"}


def _older(name: str, url: str) -> None:
    """The database as a version before 0800 left it (our marker, the schema up to 0710 and its siblings)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    pg.execute(name, "CREATE TABLE inspector_app_marker (application_id integer NOT NULL)")
    pg.execute(name, f"INSERT INTO inspector_app_marker VALUES ({0x58434A43})")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, BEFORE_0800)
    finally:
        engine.dispose()


def test_an_older_server_database_is_upgraded_only_when_asked(server_db):
    name, url = server_db
    _older(name, url)
    with pytest.raises(DatabaseRefused) as refused:
        open_database(url)
    message = str(refused.value)
    assert "--upgrade" in message and "pg_dump -Fc -h 127.0.0.1" in message and name in message
    assert "Ids from natural keys" in message  # what the upgrade will do: the 0800 step's own first line
    assert _revisions(name) == set(BEFORE_0800), "refused: untouched"
    open_database(url, upgrade=True).close()
    assert _revisions(name) == _heads()


def test_the_cli_asks_for_upgrade_then_upgrades(server_db):
    name, url = server_db
    _older(name, url)
    done = _cli("--db", url, "demo")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "pg_dump" in done.stderr and "--upgrade" in done.stderr
    done = _cli("--db", url, "--upgrade", "demo")
    assert done.returncode == 0, done.stderr
    assert "演示数据已载入" in done.stdout and name in done.stdout
    assert pg.execute(name, "SELECT count(*) FROM enterprise")[0][0] > 0


def test_an_unreachable_server_or_missing_database_is_a_clear_refusal(server_db):
    name, _url = server_db
    missing = pg.url_of(name + "_missing")
    for target, words in ((missing, "does not exist"), ("postgresql+psycopg://nobody@127.0.0.1:1/bureau", "无法连接")):
        done = _cli("--db", target, "demo")
        assert done.returncode == 1
        assert "无法连接数据库服务器" in done.stderr and words in done.stderr
        assert "Traceback" not in done.stderr


def test_a_server_address_the_shell_left_as_a_path_is_still_the_server(server_db, tmp_path, monkeypatch):
    """pathlib folds "//" into "/": a URL passed through Path() (the GUI's --db) must not become a file."""
    name, url = server_db
    monkeypatch.chdir(tmp_path)
    open_database(Path(url)).close()
    assert _revisions(name) == _heads()
    assert not list(tmp_path.iterdir())
