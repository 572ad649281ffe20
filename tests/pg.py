"""The PostgreSQL server the tests run on (test.sh starts a throwaway one and sets INSPECTOR_APP_TEST_PG).

INSPECTOR_APP_TEST_PG is a SQLAlchemy URL of a role that may create databases. Each test gets its own
database, cloned from a migrated template (`CREATE DATABASE … TEMPLATE …`, the server's copy of a file),
and dropped afterwards. Names carry the process id and a counter: several runs may share one server.
"""

from __future__ import annotations

import itertools
import os

PG_URL = os.environ.get("INSPECTOR_APP_TEST_PG", "")
_counter = itertools.count()


def _admin():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def url_of(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def new_name(label: str) -> str:
    return f"ia_{label}_{os.getpid()}_{next(_counter)}"


def create(name: str, template: str | None = None) -> str:
    """Create database name (empty, or a copy of template); return its URL."""
    with _admin() as con:
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return url_of(name)


def drop(name: str) -> None:
    with _admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connection(name: str):
    """A psycopg connection (autocommit) to database name, outside the app."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(url_of(name)).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def execute(name: str, sql: str) -> list[tuple]:
    """Run sql on database name outside the app; the rows it returns."""
    with connection(name) as con:
        cur = con.execute(sql)
        return cur.fetchall() if cur.description else []


KEEP = ("alembic_version", "inspector_app_marker")  # the schema's own: what makes an empty database ours


def emptier(con):
    """A function that empties every table of con's database but the schema's own."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        if r[0] not in KEEP
    ]
    statement = "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY"

    def empty() -> None:
        con.execute(statement)

    return empty
