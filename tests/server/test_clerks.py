"""Several clerks at once against one server database (separate processes, as on separate PCs): the counters
they share never hand out the same number twice."""

import json
import subprocess
import sys
from pathlib import Path

from inspector_app.core import settings
from inspector_app.core.storage.db import open_database

ROOT = Path(__file__).resolve().parents[2]
CLERKS, EACH = 4, 8


def test_document_numbers_never_collide_between_clerks(server_db):
    _name, url = server_db
    db = open_database(url)
    settings.set_value(db, "device.docnumber_prefix", "QJ")  # the bureau's one prefix: every clerk shares it
    db.close()
    clerks = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.server.clerk_child", url, str(EACH)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _i in range(CLERKS)
    ]
    issued = []
    for clerk in clerks:
        out, err = clerk.communicate(timeout=300)
        assert clerk.returncode == 0, err[-2000:]
        issued += json.loads(out)
    assert len(issued) == len(set(issued)) == CLERKS * EACH
    db = open_database(url)
    try:
        from sqlalchemy import select

        from inspector_app.core.storage.docs_models import DocNumber

        with db.session() as s:
            serials = sorted(s.scalars(select(DocNumber.serial)))
    finally:
        db.close()
    assert serials == list(range(1, CLERKS * EACH + 1)), "consecutive: no gap, no number twice"
