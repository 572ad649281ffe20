"""The storage module: the only place that knows which engine holds the data.

A database is a SQLite file (a laptop, a small bureau) or a PostgreSQL server database (a bureau of several
clerks, core/storage/server.py); `open_database` takes either a file path or a SQLAlchemy URL
(`postgresql+psycopg://user@host:5432/dbname`). Opening a file checks that it is ours (SQLite header +
application_id), refuses one written by a newer version of the app, backs up and migrates an older one with
Alembic, and sets the pragmas that make every commit durable. A server database gets the same checks through a
marker table, and is upgraded only when asked (`--upgrade`): its backup is the administrator's pg_dump.
"""

import ast
import re
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from inspector_app.core.errors import DatabaseRefused
from inspector_app.core.storage.health import backup_hint
from inspector_app.i18n import _

# PRAGMA application_id marks the file as ours: 'XCJC' (现场检查).
APPLICATION_ID = 0x58434A43
_MIGRATIONS = Path(__file__).with_name("migrations")
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def _known_revisions() -> tuple[set[str], frozenset[str]]:
    """All revisions this version knows, and its heads (several while feature branches are unmerged).

    Read from the revision files' `revision = …` / `down_revision = …` lines rather than through Alembic,
    whose import costs ≈ 0.25 s and 17 MB at every start; Alembic is loaded only to migrate.
    tests/core/test_db.py checks this reading against Alembic's own.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        fields = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in fields:
            continue
        revisions.add(ast.literal_eval(fields["revision"]))
        down = ast.literal_eval(fields.get("down_revision", "None"))
        parents.update((down,) if isinstance(down, str) else (down or ()))
    return revisions, frozenset(revisions - parents)


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def _inspect_file(path: Path) -> tuple[bool, frozenset[str]]:
    """(is_new, current revisions) for a file we may open; raise DatabaseRefused for any other file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return True, frozenset()
    except OSError as exc:
        raise DatabaseRefused(_("无法打开数据库“{p}”：{e}").format(p=path, e=exc.strerror or exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise DatabaseRefused(_("“{p}”是一个文件夹，不是数据库文件，未作任何改动。").format(p=path))
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseRefused(_("“{p}”不是普通文件（可能是管道或设备），不能作为数据库，未作任何改动。").format(p=path))
    if st.st_size == 0:
        return True, frozenset()
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise DatabaseRefused(_("无法读取数据库“{p}”：{e}").format(p=path, e=exc.strerror or exc)) from None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise DatabaseRefused(_("“{p}”不是本程序的数据库文件（不是SQLite数据库），未作任何改动。").format(p=path))
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = {c: c.exists() for c in companions}
    try:
        app_id, tables, revisions, user_version = _read_identity(path)
        # A file we created and a crash left without its schema is in WAL mode (header byte 18 = 2) with
        # user_version 0: everything else without our application_id belongs to another program.
        if app_id != APPLICATION_ID:
            if tables or app_id != 0 or user_version != 0 or header[18] != 2:
                raise DatabaseRefused(
                    _("“{p}”是其他程序的SQLite数据库，不是本程序的数据，未作任何改动。").format(p=path)
                )
            return True, frozenset()
        if tables - {"sqlite_sequence"} and not revisions:
            raise DatabaseRefused(
                _("数据库“{p}”缺少结构版本记录（可能已损坏或被其他程序改动），未作任何改动。").format(p=path)
                + backup_hint(path)
            )
        known, _heads = _known_revisions()
        unknown = revisions - known
        if unknown:
            raise DatabaseRefused(
                _("数据库“{p}”由更新版本的程序创建（结构版本 {r}），请升级本程序后再打开。未作任何改动。").format(
                    p=path, r="、".join(sorted(unknown))
                )
            )
        return False, revisions
    except DatabaseRefused:
        # A refused file keeps no trace of us: remove the -wal/-shm the read-only look created. With no log
        # content (-wal absent or empty) the -shm (32 KiB, an index of the log) holds nothing anyone needs.
        wal = companions[0]
        if not wal.exists() or wal.stat().st_size == 0:
            for c in companions:
                if not existed[c] and c.exists():
                    c.unlink()
        raise


def _read_identity(path: Path) -> tuple[int, set[str], frozenset[str], int]:
    # Ask SQLite, not the header bytes: after a crash the application_id may still sit in the WAL file.
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revisions: frozenset[str] = frozenset()
        if "alembic_version" in tables:
            revisions = frozenset(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
        user_version = con.execute("PRAGMA user_version").fetchone()[0]
        return app_id, tables, revisions, user_version
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseRefused(
                _("数据库“{p}”正被另一个程序使用，请稍后再试。未作任何改动。").format(p=path)
            ) from None
        raise DatabaseRefused(
            _("数据库文件“{p}”已损坏（{e}），无法打开。").format(p=path, e=exc) + backup_hint(path)
        ) from None
    finally:
        con.close()


def _set_pragmas(dbapi_connection, _record) -> None:
    # Non-legacy transactions for pysqlite: the driver must not issue its own BEGIN/COMMIT; we emit BEGIN
    # in the "begin" event below (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL").
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # durable: a commit survives power loss
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


class Database:
    """An open database. `path` is the SQLite file (None for a server database); `location` says which
    database it is in words a clerk recognises (the file, or the server URL without its password)."""

    def __init__(self, path: Path | None, engine: Engine, location: str | None = None):
        self.path = path
        self.engine = engine
        self.location = location or str(path)
        self.is_server = path is None
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        from inspector_app.core.storage import audit, edits

        edits.watch(self._sessions)  # 已被他人修改: which record a lost race was about
        audit.watch(self._sessions)  # who did it: the change log of the bureau's changes

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back everything on any error.

        A record another clerk saved while this unit read it (its `rev` moved on between our read and our
        update: version_id_col, core/storage/models.py) is refused as EditedByOther, with its values now."""
        with self._sessions() as s:
            try:
                with s.begin():
                    yield s
            except StaleDataError:
                from inspector_app.core.storage.edits import edited_by_other

                raise edited_by_other(self, s) from None

    def close(self) -> None:
        self.engine.dispose()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


# A server address as --db gives it; also the form a Path made of one leaves (pathlib folds "//" into "/").
_URL_FORM = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):/+(.*)$", re.DOTALL)
_SERVER_SCHEMES = ("postgresql", "postgres")


def server_url(target: str | Path) -> URL | None:
    """The SQLAlchemy URL when target names a server database, None when it names a file.

    `sqlite:///file` names a file (returned as None: use `file_path`). Any other scheme is refused.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = str(target)
    m = _URL_FORM.match(text)
    if m is None:
        return None
    scheme, rest = m.group(1).lower(), m.group(2)
    backend = scheme.split("+", 1)[0]
    if backend == "sqlite":
        return None
    if backend not in _SERVER_SCHEMES:
        raise DatabaseRefused(
            _(
                "不支持的数据库地址“{t}”：只能是本机的数据库文件，或 PostgreSQL 服务器地址（postgresql+psycopg://用户@主机:端口/数据库）。"
            ).format(t=text)
        )
    try:
        url = make_url(f"postgresql+psycopg://{rest}")
    except ArgumentError as exc:
        raise DatabaseRefused(_("数据库服务器地址“{t}”无法识别：{e}").format(t=text, e=exc)) from None
    if not url.database:
        raise DatabaseRefused(
            _("数据库服务器地址“{t}”缺少数据库名（例如 postgresql+psycopg://用户@主机:5432/bureau）。").format(t=text)
        )
    return url


def file_path(target: str | Path) -> Path:
    """The file a file target names (`sqlite:///x.sqlite3` or a plain path)."""
    text = str(target)
    m = _URL_FORM.match(text)
    if m is not None and m.group(1).lower().split("+", 1)[0] == "sqlite" and "://" in text:
        from sqlalchemy.engine import make_url

        return Path(make_url(text).database or "")
    return Path(target)


def database_exists(target: str | Path) -> bool:
    """A server database is taken to exist (opening it says if not); a file exists or not."""
    return server_url(target) is not None or file_path(target).exists()


def open_database(target: str | Path, *, upgrade: bool = False) -> Database:
    """Open (creating or migrating as needed) the database target names: a file path or a server URL.

    A file is backed up before it is migrated; a server database is migrated only with upgrade=True (its
    backup is the administrator's pg_dump), otherwise DatabaseRefused says what the upgrade would do.
    """
    url = server_url(target)
    if url is not None:
        from inspector_app.core.storage import server

        known, heads = _known_revisions()
        engine = server.connect(url)
        try:
            server.prepare(engine, known, heads, upgrade=upgrade, migrate=_migrate)
        except BaseException:
            engine.dispose()
            raise
        return Database(None, engine, url.render_as_string(hide_password=True))
    path = file_path(target)
    is_new, revisions = _inspect_file(path)
    _known, heads = _known_revisions()
    if is_new and not path.parent.is_dir():
        # A typo in --db (or a server address the shell mangled) must not quietly become a new file somewhere.
        raise DatabaseRefused(
            _("数据库文件“{p}”所在的文件夹“{d}”不存在，未作任何改动。请检查路径，或先建好该文件夹。").format(
                p=path, d=path.parent
            )
        )
    if not is_new and revisions != heads:
        _backup(path, revisions)
    engine = make_engine(path)
    if revisions != heads:
        _migrate(engine, is_new)
    return Database(path, engine)


def _backup(path: Path, revisions: frozenset[str]) -> None:
    """Copy an older database before migrating it, so an upgrade can never lose the inspector's data."""
    label = "+".join(sorted(revisions)) or "unversioned"
    target = path.with_name(f"{path.name}.before-{label}.bak")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _migrate(engine: Engine, is_new: bool, conn=None) -> None:
    """Bring the schema to the heads in one transaction (conn: the server's, already begun)."""
    from alembic import command

    cfg = _alembic_config()
    if conn is not None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
        return
    with engine.begin() as conn:
        if is_new:
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    with engine.connect() as conn:  # move the new schema and application_id into the main file
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def serialize(session: Session, *key: object) -> None:
    """Make this transaction wait for any other that holds the same key, until it ends.

    For the counters that are read, then written: document numbers, bundle sequence numbers, the change
    sequence of sync. SQLite lets one writer at a time anyway; on a server, two clerks would otherwise read the
    same last number (READ COMMITTED). A transaction-level advisory lock: released by the commit or rollback.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": "\x1f".join(map(str, key))})


# Another writer got in the way, and the whole operation may simply be tried again: SQLite's lock, or on a
# server a serialization failure, a deadlock, or a concurrent insert of the same key (two clerks importing
# the same bundle: tried again, the second finds it applied).
_SERVER_TRANSIENT = {"40001", "40P01", "23505", "55P03"}


def is_transient(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        return "locked" in str(orig) or "busy" in str(orig)
    return getattr(orig, "sqlstate", None) in _SERVER_TRANSIENT
