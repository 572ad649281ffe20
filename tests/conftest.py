"""Shared fixtures: a fresh real database per test, the shipped templates, a small roster.

The database is a SQLite file; with a PostgreSQL server at hand (INSPECTOR_APP_TEST_PG, which test.sh sets) the
tests of storage, roster, inspection, supervision, statistics and sync (tests/core, tests/sync) run once on
each engine: the `engine` parameter, "sqlite" or "postgresql".
"""

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

# Offscreen Qt must be chosen before any QApplication exists (architecture.md rule 10).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"
BOTH_ENGINES = (ROOT / "tests" / "core", ROOT / "tests" / "sync")
# tests/server needs a server; without one test.sh says that this half did not run.
collect_ignore = [] if os.environ.get("INSPECTOR_APP_TEST_PG") else ["server"]


def pytest_generate_tests(metafunc):
    from tests.pg import PG_URL

    if "engine" not in metafunc.fixturenames:
        return
    path = Path(str(metafunc.definition.path))
    engines = ["sqlite"]
    # A test that looks at the database file itself (db_path), or at what a file database keeps beside it
    # (sqlite_only: its data folder's photo files, its lock), is about SQLite.
    file_only = {"db_path", "sqlite_only"} & set(metafunc.fixturenames)
    if PG_URL and not file_only and any(f in path.parents for f in BOTH_ENGINES):
        engines.append("postgresql")
    if len(engines) > 1:
        metafunc.parametrize("engine", engines)


@pytest.fixture
def engine() -> str:
    """The engine under test where only one runs (see pytest_generate_tests)."""
    return "sqlite"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test may touch the real per-user data directory."""
    monkeypatch.setenv("INSPECTOR_APP_DATA_DIR", str(tmp_path / "appdata"))
    monkeypatch.delenv("INSPECTOR_APP_DB", raising=False)


@pytest.fixture
def sqlite_only() -> None:
    """Requested by a test about what only a file database has (see pytest_generate_tests)."""


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.sqlite3"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A database file migrated once per test session: copying it (≈ 9 ms) replaces migrating a new file
    (≈ 200 ms) for every test that only needs an empty database of the current schema."""
    from inspector_app.core.storage.db import open_database

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = open_database(path)
    database.close()  # the last connection closed: SQLite checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_database():
    """A server database migrated once per session, emptied before each test that uses it (TRUNCATE of every
    table but the schema's own: ≈ 20 ms, where cloning a database per test took ≈ 1 s)."""
    from inspector_app.core.storage.db import open_database
    from tests import pg

    name = pg.new_name("test")
    url = pg.create(name)
    open_database(url).close()
    with pg.connection(name) as con:
        con.execute("SET lock_timeout = '20s'")  # a test that left a transaction open fails, it does not hang
        yield url, pg.emptier(con)
    pg.drop(name)


@pytest.fixture
def db(engine, request):
    import shutil

    from inspector_app.core.storage.db import open_database

    if engine == "postgresql":
        url, empty = request.getfixturevalue("pg_database")
        empty()
        database = open_database(url)
        yield database
        database.close()
        return
    db_path = request.getfixturevalue("db_path")
    shutil.copyfile(request.getfixturevalue("migrated_template"), db_path)
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def templates():
    from inspector_app.core.inspection.templates import load_templates

    return load_templates(FORMS)


@pytest.fixture
def fixed_today(monkeypatch):
    """Pin the app's clock to 2026-06-15 (the edge of the world)."""
    from datetime import datetime

    from inspector_app.core import clock

    monkeypatch.setattr(clock, "today", lambda: date(2026, 6, 15))
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 15, 10, 30))
    return date(2026, 6, 15)


SAMPLE_LEGAL_BASES = "2022-05-01｜｜全部｜《中华人民共和国工业产品生产许可证管理条例》"


@dataclass
class Sample:
    enterprise_id: str
    site_id: str
    license_id: str
    food_license_id: str
    inspector_ids: list[str]


@pytest.fixture
def sample(db) -> Sample:
    """One enterprise with two sites, an industrial and a food-related license, and three inspectors — on a
    laptop that chose its document-number prefix at setup (core/issuing/number_prefix.py; tests of an unset prefix
    clear it)."""
    from inspector_app.core import settings
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site

    settings.set_value(db, "device.docnumber_prefix", "T1")
    # The bureau's legal basis for notices dated after the shipped one expired (core/issuing/legal_basis.py).
    settings.set_value(db, "notice.legal_bases", SAMPLE_LEGAL_BASES)

    with db.session() as s:
        ent = Enterprise(
            uscc="91350100M000100Y43",
            name="上海申华塑料制品有限公司",
            legal_rep="王建国",
            contact="李秀英",
            phone="021-57001234",
            address="上海市奉贤区南桥镇江海路88号",
            district="奉贤区",
        )
        site = Site(enterprise=ent, address="上海市奉贤区南桥镇江海路88号", district="奉贤区")
        site2 = Site(enterprise=ent, address="上海市奉贤区青村镇光明路6号", district="奉贤区")
        lic = License(
            enterprise=ent,
            site=site,
            number="(沪)XK13-006-00021",
            category="危险化学品",
            products="涂料",
            issue_date=date(2022, 3, 1),
            expiry_date=date(2027, 2, 28),
        )
        food = License(
            enterprise=ent,
            site=site2,
            number="(沪)XK16-204-00006",
            category="直接接触食品的材料等相关产品",
            products="食品用塑料包装容器工具",
            issue_date=date(2021, 8, 1),
            expiry_date=date(2026, 7, 31),
        )
        inspectors = [
            Inspector(name="张伟", badge_no="31000001"),
            Inspector(name="刘洋", badge_no="31000002"),
            Inspector(name="陈静", badge_no="31000003"),
        ]
        s.add_all([ent, site, site2, lic, food, *inspectors])
        s.flush()
        return Sample(ent.id, site.id, lic.id, food.id, [i.id for i in inspectors])
