"""Storage: the file is marked as ours and durable; foreign, damaged and newer files are refused untouched;
an older file is backed up and migrated with its data intact; the schema enforces its references."""

import random
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from inspector_app.core.errors import DatabaseRefused, EditedByOther
from inspector_app.core.storage.db import APPLICATION_ID, make_engine, open_database
from inspector_app.core.storage.models import Enterprise, Inspection

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "inspector_app" / "core" / "storage" / "migrations"


def _script():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg, ScriptDirectory.from_config(cfg)


def _heads() -> set[str]:
    return set(_script()[1].get_heads())


def _sidecars(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p != path and p.name.startswith(path.name)]


def _revisions(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
    finally:
        con.close()


def assert_refused_untouched(path: Path, match: str | None = None) -> None:
    before = path.read_bytes()
    with pytest.raises(DatabaseRefused, match=match):
        open_database(path)
    assert path.read_bytes() == before
    # Reading a WAL-mode file (our own, newer) read-only makes an empty -wal and its -shm index: both removed.
    assert not _sidecars(path), f"left beside a refused file: {sorted(p.name for p in _sidecars(path))}"


# --- a new database ------------------------------------------------------------------------------------------


def test_new_database_is_marked_ours_durable_and_at_head(db_path):
    db = open_database(db_path)
    try:
        # A fresh connection from the pool: every connection gets the pragmas, not just the first one.
        db.engine.dispose()
        with db.engine.connect() as con:
            pragma = lambda name: con.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("application_id") == APPLICATION_ID
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
    finally:
        db.close()
    assert db_path.read_bytes()[68:72] == APPLICATION_ID.to_bytes(4, "big")
    assert _revisions(db_path) == _heads()
    assert not list(db_path.parent.glob("*.bak")), "a new database has nothing to back up"


def test_opening_a_current_database_again_changes_nothing(db_path):
    open_database(db_path).close()
    open_database(db_path).close()
    assert _revisions(db_path) == _heads()
    assert not list(db_path.parent.glob("*.bak"))


def test_a_file_in_a_folder_that_does_not_exist_is_refused(tmp_path):
    """A typo in --db (or a server address the shell mangled) does not quietly become a new file somewhere."""
    path = tmp_path / "a" / "b" / "inspections.sqlite3"
    with pytest.raises(DatabaseRefused, match=r"文件夹.*不存在"):
        open_database(path)
    assert not (tmp_path / "a").exists()


# --- files that are not ours ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(random.Random(7).randbytes(8192), id="random-bytes"),
        pytest.param("企业名称,统一社会信用代码\n上海申华塑料制品有限公司,91350100M000100Y43\n".encode(), id="text"),
        pytest.param(b"SQLite", id="short"),
        pytest.param(b"SQLite format 3\x00" + random.Random(8).randbytes(4096 - 16), id="sqlite-header-garbage"),
    ],
)
def test_a_file_that_is_not_our_database_is_refused_untouched(tmp_path, content):
    path = tmp_path / "x.sqlite3"
    path.write_bytes(content)
    assert_refused_untouched(path)


def test_another_programs_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE contacts(name TEXT, phone TEXT); INSERT INTO contacts VALUES ('王', '110');")
    con.commit()
    con.close()
    assert_refused_untouched(path, match="其他程序")


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("DELETE FROM alembic_version; INSERT INTO alembic_version VALUES ('9999');", id="newer-head"),
        pytest.param("INSERT INTO alembic_version VALUES ('9999');", id="newer-branch"),
    ],
)
def test_a_database_from_a_newer_version_is_refused_untouched(db_path, sql):
    open_database(db_path).close()
    con = sqlite3.connect(db_path)
    con.executescript(sql)
    con.commit()
    con.close()
    assert_refused_untouched(db_path, match="9999")


# --- migrating an older file ---------------------------------------------------------------------------------


def _create_at_0001(path: Path) -> None:
    """A database as version 0.0.x of the app left it: schema 0001 (the roster) only."""
    from alembic import command

    cfg, _ = _script()
    engine = make_engine(path)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
    finally:
        engine.dispose()
    con = sqlite3.connect(path)
    now = "2026-01-05 09:00:00.000000"
    con.executescript(
        f"""
        INSERT INTO enterprise (id, rev, updated_at, uscc, name, legal_rep, contact, phone, address, district,
                                classification)
        VALUES ('e1', 1, '{now}', '91310120MA1H000001', '上海奉贤化工有限公司', '王建国', '李秀英', '021-57001234',
                '上海市奉贤区南桥镇江海路88号', '奉贤区', 'B');
        INSERT INTO site (id, rev, updated_at, enterprise_id, address, district)
        VALUES ('s1', 1, '{now}', 'e1', '上海市奉贤区南桥镇江海路88号', '奉贤区');
        INSERT INTO license (id, rev, updated_at, enterprise_id, site_id, number, category, products, issue_date,
                             expiry_date)
        VALUES ('l1', 1, '{now}', 'e1', 's1', '(沪)XK13-006-00021', '危险化学品', '涂料', '2022-03-01', '2027-02-28');
        INSERT INTO inspector (id, rev, updated_at, name, badge_no, active)
        VALUES ('i1', 1, '{now}', '张伟', '31000001', 1), ('i2', 1, '{now}', '刘洋', '31000002', 1);
        """
    )
    con.commit()
    con.close()
    assert _revisions(path) == {"0001"}


def test_an_older_database_is_backed_up_then_migrated_with_its_data(db_path, templates):
    from inspector_app.core.inspection.inspections import load_inspection, start_inspection
    from inspector_app.core.inspection.templates import template_for_category

    _create_at_0001(db_path)
    db = open_database(db_path)
    try:
        assert _revisions(db_path) == _heads()
        from inspector_app.core.storage.identity import derive_id
        from inspector_app.core.storage.models import Inspector

        with db.session() as s:
            assert s.get(Enterprise, "e1") is None  # migration 0800: the id comes from the USCC now
            ent = s.get(Enterprise, derive_id("enterprise", {"uscc": "91310120MA1H000001"}))
            assert (ent.name, ent.uscc, ent.rev) == ("上海奉贤化工有限公司", "91310120MA1H000001", 1)
            assert [site.address for site in ent.sites] == ["上海市奉贤区南桥镇江海路88号"]
            assert [lic.expiry_date for lic in ent.licenses] == [date(2027, 2, 28)]
            site_id, license_id = ent.sites[0].id, ent.licenses[0].id
            assert ent.licenses[0].site_id == site_id  # references followed their records
            team = list(s.scalars(select(Inspector.id).order_by(Inspector.badge_no)))
            assert team == [derive_id("inspector", {"badge_no": b}) for b in ("31000001", "31000002")]
        template = template_for_category(templates, "危险化学品")
        inspection_id = start_inspection(
            db, site_id=site_id, template=template, kind="scheduled", team=team, license_id=license_id
        )
        view = load_inspection(db, inspection_id)
        assert view.enterprise_name == "上海奉贤化工有限公司"
        assert [m.name for m in view.team] == ["张伟", "刘洋"]
    finally:
        db.close()

    (backup,) = db_path.parent.glob("*.bak")
    assert backup.name == f"{db_path.name}.before-0001.bak"
    assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert [r[0] for r in con.execute("SELECT version_num FROM alembic_version")] == ["0001"]
        assert con.execute("SELECT name FROM enterprise").fetchall() == [("上海奉贤化工有限公司",)]
        assert con.execute("SELECT count(*) FROM inspector").fetchone()[0] == 2
        assert "inspection" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()

    # The migrated file opens again without a second backup.
    open_database(db_path).close()
    assert len(list(db_path.parent.glob("*.bak"))) == 1


# --- what the schema and the session promise -----------------------------------------------------------------


def test_foreign_keys_are_enforced(db, sample):
    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(
            text(
                "INSERT INTO inspection (id, rev, updated_at, enterprise_id, site_id, template_digest, template_id,"
                " template_version, kind, inspected_on, status, created_at)"
                " VALUES ('x', 1, '2026-06-15', :e, 'no-such-site', 'd', 't', 1, 'scheduled', '2026-06-15',"
                " 'draft', '2026-06-15')"
            ),
            {"e": sample.enterprise_id},
        )
    with db.session() as s:
        assert s.scalars(select(Inspection)).all() == []


def test_an_error_inside_a_session_leaves_nothing(db):
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(Enterprise(uscc="91310000000000001X", name="临时企业", district="奉贤区"))
        s.flush()  # written inside the transaction ...
        raise RuntimeError("boom")
    with db.session() as s:  # ... and gone with it
        assert s.scalars(select(Enterprise)).all() == []


def test_every_update_bumps_the_revision_and_a_stale_copy_is_refused(db, sample):
    with db.session() as s:
        assert s.get(Enterprise, sample.enterprise_id).rev == 1
    with db.session() as s:
        s.get(Enterprise, sample.enterprise_id).phone = "021-00000000"
    with db.session() as s:
        ent = s.get(Enterprise, sample.enterprise_id)
        assert ent.rev == 2
        assert len(ent.id) == 36  # a UUID: stable across laptops and the bureau
        stale = ent  # a copy taken now, e.g. sent to another laptop (expire_on_commit=False keeps its values)
    with db.session() as s:
        s.get(Enterprise, sample.enterprise_id).phone = "021-11111111"
    # Writing the stale copy back is refused, not a silent lost update.
    stale.phone = "021-22222222"
    with pytest.raises(EditedByOther, match="已被他人修改") as refused, db.session() as s:
        s.merge(stale)
    assert refused.value.current["联系电话"] == "021-11111111"  # what the clerk is shown: the values now
    with db.session() as s:
        ent = s.get(Enterprise, sample.enterprise_id)
        assert (ent.phone, ent.rev) == ("021-11111111", 3)


def test_revision_graph_read_from_files_matches_alembic():
    """Start-up reads the migration graph without Alembic; it must agree with Alembic's own reading."""
    from alembic.script import ScriptDirectory

    from inspector_app.core.storage import db as storage

    script = ScriptDirectory.from_config(storage._alembic_config())
    known, heads = storage._known_revisions()
    assert known == {r.revision for r in script.walk_revisions()}
    assert heads == frozenset(script.get_heads())


def test_reopening_a_current_database_does_not_load_alembic(tmp_path):
    """Every start pays for what it imports: a database at head opens without Alembic."""
    import subprocess
    import sys

    path = tmp_path / "x.sqlite3"
    open_database(path).close()
    code = (
        "import sys; from inspector_app.core.storage.db import open_database; "
        f"open_database({str(path)!r}).close(); print('alembic' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.strip() == "False"
