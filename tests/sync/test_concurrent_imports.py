"""Two clerks importing bundles into the bureau's database at the same moment (issue 17), each in a process of
its own as on two workstations: different laptops' bundles, and the same bundle twice. The bureau ends as after
importing them one after the other, and no clerk sees a lock or deadlock error (the import is tried again
inside the operation: sync/import_guard.py, core/storage/db.is_transient)."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from inspector_app.core.storage.db import open_database
from inspector_app.sync.importer import import_bundle
from tests.sync.conftest import bureau_state, copy_db

ROOT = Path(__file__).resolve().parents[2]


def _twin(w) -> object:
    """A copy of the bureau's database as it is now: where the same bundles are imported one by one."""
    if isinstance(w.bureau.path, Path):
        return open_database(copy_db(w.bureau.path, w.tmp / "twin.sqlite3"))
    from tests import pg

    w.bureau.db.close()  # a template database must have no other connection
    name = pg.new_name("twin")
    url = pg.create(name, template=make_url(w.bureau.path).database)
    w.bureau.db = open_database(w.bureau.path)
    w.twin_name = name
    return open_database(url)


def _at_once(w, bundles: list[Path]) -> list[subprocess.CompletedProcess]:
    clerks = [
        subprocess.Popen(
            [sys.executable, "-m", "inspector_app", "--db", str(w.bureau.path), "bundle", "import", str(b)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for b in bundles
    ]
    done = []
    for clerk in clerks:
        out, err = clerk.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(clerk.args, clerk.returncode, out, err))
    return done


def test_clerks_importing_at_once_end_as_one_after_the_other(world):
    w = world
    for node, answers in ((w.a, {"1.1": "nonconform"}), (w.b, {"1.2": "conform"})):
        iid = w.start(node, answers)
        w.answer_all(node, iid)
        w.complete_and_sign(node, iid)
    from_a, from_b = w.a.export().path, w.b.export().path
    twin = _twin(w)
    try:
        for bundle in (from_a, from_b):
            import_bundle(twin, bundle)
        expected = bureau_state(twin)
    finally:
        twin.close()
        if hasattr(w, "twin_name"):
            from tests import pg

            pg.drop(w.twin_name)

    # Two clerks, two laptops' bundles; and a third clerk importing the first laptop's bundle again.
    results = _at_once(w, [from_a, from_b, from_a])
    for r in results:
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr and "deadlock" not in r.stderr.lower() and "锁" not in r.stderr
    assert bureau_state(w.bureau.db) == expected
    assert len(expected) > 10  # the inspections, their answers, sign-offs and signatures arrived
