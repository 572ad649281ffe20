"""A bureau's server database (PostgreSQL): connect, check that it is ours, create or upgrade its schema.

The file's guarantees (core/storage/db.py), in server terms:
- ours: the table `inspector_app_marker` holds our application id (a file keeps it in its header); a
  database with tables and no marker belongs to someone else and is refused untouched;
- newer: a revision in alembic_version this version does not know → refused untouched;
- older: the upgrade is described (which steps) and done only when asked (`--upgrade`), after the
  administrator's `pg_dump` — there is no file to copy beside it.
Creating or upgrading runs in one transaction (PostgreSQL's DDL is transactional) under an advisory lock,
so two clerks starting the app on a new database at once do not both migrate it.

The password is never ours to keep: libpq reads it from PGPASSWORD, PGPASSFILE or ~/.pgpass
(%APPDATA%\\postgresql\\pgpass.conf on Windows) when the URL has none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError

from inspector_app.core.errors import DatabaseRefused
from inspector_app.i18n import _

MARKER = "inspector_app_marker"
APPLICATION_ID = 0x58434A43  # 'XCJC' (现场检查), as a file's PRAGMA application_id
CONNECT_TIMEOUT_S = 10


def connect(url: URL) -> Engine:
    """An engine for url whose server answered; DatabaseRefused (Chinese, with the server's words) if not."""
    engine = create_engine(
        url,
        pool_pre_ping=True,  # a clerk's laptop sleeps; a connection the server dropped is replaced, not an error
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "inspector-app"},
    )
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseRefused(
            _(
                "无法连接数据库服务器“{u}”：{e}。请检查主机、端口、数据库名和用户名，服务器是否已启动；"
                "密码请放在环境变量 PGPASSWORD 或 ~/.pgpass 文件中。未作任何改动。"
            ).format(u=_shown(url), e=server_words(exc))
        ) from None
    return engine


def server_words(exc: BaseException) -> str:
    """The server's (or libpq's) own first line about exc."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _state(conn: Connection) -> tuple[set[str], list[int], frozenset[str]]:
    """(tables of the current schema, marker ids, alembic revisions)."""
    tables = set(
        conn.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        ).scalars()
    )
    marks: list[int] = []
    if MARKER in tables:
        marks = list(conn.execute(text(f"SELECT application_id FROM {MARKER}")).scalars())
    revisions: frozenset[str] = frozenset()
    if "alembic_version" in tables:
        revisions = frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return tables, marks, revisions


def _judge(url: URL, state, known: set[str]) -> bool:
    """True when the database is new (empty); raise DatabaseRefused when it is not ours or newer than us."""
    tables, marks, revisions = state
    if not tables:
        return True
    if marks != [APPLICATION_ID]:
        shown = "、".join(sorted(tables)[:5]) + ("……" if len(tables) > 5 else "")
        raise DatabaseRefused(
            _(
                "服务器数据库“{u}”里已有其他程序的数据表（{t}），不是本程序的数据库，未作任何改动。请为本程序新建一个空数据库。"
            ).format(u=_shown(url), t=shown)
        )
    if not revisions:
        raise DatabaseRefused(
            _(
                "服务器数据库“{u}”缺少结构版本记录（可能被其他程序改动），未作任何改动。请用管理员的 pg_dump 备份恢复。"
            ).format(u=_shown(url))
        )
    unknown = revisions - known
    if unknown:
        raise DatabaseRefused(
            _("服务器数据库“{u}”由更新版本的程序创建（结构版本 {r}），请升级本程序后再连接。未作任何改动。").format(
                u=_shown(url), r="、".join(sorted(unknown))
            )
        )
    return False


def prepare(
    engine: Engine,
    known: set[str],
    heads: frozenset[str],
    *,
    upgrade: bool,
    migrate: Callable[..., None],
) -> None:
    """Check the server database is ours; create its schema when empty, upgrade it when asked."""
    url = engine.url
    with engine.connect() as conn:
        state = _state(conn)
    is_new = _judge(url, state, known)
    if not is_new and state[2] == heads:
        return
    if not is_new and not upgrade:
        raise DatabaseRefused(upgrade_advice(url, state[2]))
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPLICATION_ID})
        state = _state(conn)  # again, under the lock: another clerk may have done it meanwhile
        is_new = _judge(url, state, known)
        if not is_new and state[2] == heads:
            return
        if is_new:
            conn.execute(text(f"CREATE TABLE {MARKER} (application_id integer NOT NULL)"))
            conn.execute(text(f"INSERT INTO {MARKER} VALUES (:a)"), {"a": APPLICATION_ID})
        migrate(engine, is_new, conn)


def pg_dump_command(url: URL, target: str = "bureau-before-upgrade.dump") -> str:
    parts = ["pg_dump", "-Fc"]
    if url.host:
        parts += ["-h", url.host]
    if url.port:
        parts += ["-p", str(url.port)]
    if url.username:
        parts += ["-U", url.username]
    return " ".join([*parts, "-f", target, url.database or ""])


def pending_steps(current: frozenset[str]) -> list[str]:
    """The first line of every migration the database still lacks, oldest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    script = ScriptDirectory.from_config(cfg)
    applied = {rev.revision for r in current for rev in script.iterate_revisions(r, "base")}
    pending = [rev for rev in script.walk_revisions() if rev.revision not in applied]
    return [(rev.doc or rev.revision).strip().splitlines()[0] for rev in reversed(pending)]


def upgrade_advice(url: URL, current: frozenset[str]) -> str:
    steps = "\n".join(f"  - {line}" for line in pending_steps(current))
    return _(
        "服务器数据库“{u}”的结构是旧版本（{r}），本程序要先升级它，升级将：\n{s}\n"
        "升级前请先备份（在能连接服务器的电脑上运行）：\n  {dump}\n"
        "备份好后，加上 --upgrade 重新运行（例如 inspector-app --db {u} --upgrade 命令……）。未作任何改动。"
    ).format(u=_shown(url), r="、".join(sorted(current)), s=steps, dump=pg_dump_command(url))
