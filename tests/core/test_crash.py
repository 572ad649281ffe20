"""Durability: an answer is saved once save_answer has returned, whatever happens to the process after that.

A child process (crash_child.py) answers items one by one and reports each save; we SIGKILL it at random
moments (during start-up and migrations too), many times on the same database, and after each kill check that
every answer it reported is in the database with exactly the reported value, and that the file is sound.
Reproduce a failure with CRASH_SEED=<the seed printed in the message>.
"""

import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.core import crash_child

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
CHILD = Path(crash_child.__file__)
KILLS = 30
# About 40 s in all: a child needs ≈ 0.5 s to import and open the database before its first save.


class Child:
    """One run of crash_child.py, its output read line by line as it comes."""

    def __init__(self, db: Path, first_counter: int, stderr_path: Path):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.stderr = stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(db), str(FORMS), str(first_counter)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            if not raw.endswith(b"\n"):
                break  # cut off by the kill: not reported
            line = raw.decode("utf-8").strip()
            self.lines.append(line)
            if line.startswith("ready"):
                self.ready.set()
        self.ready.set()  # EOF: the child died or was killed

    def kill(self) -> int:
        self.proc.kill()  # SIGKILL on POSIX: no cleanup, no atexit, no flush
        code = self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        self.proc.stdout.close()
        self.stderr.close()
        return code


def _db_state(db: Path) -> tuple[str, dict[str, tuple[str | None, str]]]:
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        rows = {}
        if "item_result" in tables:
            rows = {
                item: (conclusion, record)
                for item, conclusion, record in con.execute("SELECT item_id, conclusion, record FROM item_result")
            }
        return integrity, rows
    finally:
        con.close()


@pytest.mark.slow
def test_reported_answers_survive_sigkill(tmp_path):
    seed = int(os.environ.get("CRASH_SEED", "20261122"))
    rng = random.Random(seed)
    db = tmp_path / "crash.sqlite3"
    items = crash_child.item_ids(crash_child.template(FORMS))
    saved: dict[str, int] = {}  # item -> counter of the latest save the child reported as done
    next_counter = 0
    total_saves = runs_with_saves = 0
    log: list[str] = []
    started = time.monotonic()

    def fail(message: str) -> None:
        pytest.fail(f"{message}\nseed={seed} (rerun with CRASH_SEED={seed}); runs so far:\n" + "\n".join(log[-12:]))

    for run in range(KILLS):
        child = Child(db, next_counter, tmp_path / f"child-{run}.err")
        if run % 3 == 0:
            # Any moment from the start: imports, opening the file, the first run's migrations, setup.
            time.sleep(rng.uniform(0.0, 1.5))
        else:
            if not child.ready.wait(30):
                child.kill()
                fail(f"run {run}: the child did not get ready in 30 s")
            time.sleep(rng.uniform(0.0, 0.6))
        code = child.kill()
        if code >= 0:
            fail(f"run {run}: the child exited by itself ({code}):\n{(tmp_path / f'child-{run}.err').read_text()}")

        in_flight: tuple[str, int] | None = None
        saves = 0
        for line in child.lines:
            word, *rest = line.split()
            if word == "saving":
                in_flight = (rest[0], int(rest[1]))
                next_counter = max(next_counter, int(rest[1]) + 1)
            elif word == "saved":
                item, counter = rest[0], int(rest[1])
                if in_flight != (item, counter):
                    fail(f"run {run}: output out of order at {line!r}")
                saved[item] = counter
                in_flight = None
                saves += 1
        total_saves += saves
        runs_with_saves += saves > 0
        log.append(f"run {run}: {saves} saves, then killed; {len(child.lines)} lines, last {child.lines[-1:]}")

        integrity, rows = _db_state(db)
        if integrity != "ok":
            fail(f"run {run}: PRAGMA integrity_check says {integrity!r}")
        for item, counter in saved.items():
            got = rows.get(item)
            if got == crash_child.value(counter):
                continue
            # The save under way at the kill may have committed without reporting it: then it is the latest.
            if in_flight and in_flight[0] == item and got == crash_child.value(in_flight[1]):
                saved[item] = in_flight[1]
                continue
            fail(
                f"run {run}: item {item} reported saved at #{counter} = {crash_child.value(counter)}, "
                f"but the database has {got}"
            )
        if in_flight and in_flight[0] not in saved and rows.get(in_flight[0]) == crash_child.value(in_flight[1]):
            saved[in_flight[0]] = in_flight[1]
        unexpected = set(rows) - set(saved) - {in_flight[0] if in_flight else None}
        unexpected -= {i for i in rows if i not in items}  # items pre-set to 不适用 when the form was started
        if unexpected:
            fail(f"run {run}: answers in the database that were never saved: {sorted(unexpected)}")

    elapsed = time.monotonic() - started
    print(
        f"\ncrash test: seed {seed}, {KILLS} kills, {total_saves} reported saves "
        f"({runs_with_saves} runs killed while saving), {elapsed:.1f} s"
    )
    assert runs_with_saves >= KILLS // 3, f"too few runs reached the saving loop (seed={seed}): {log}"
    assert total_saves >= 100, f"too few saves to mean anything (seed={seed}): {log}"

    # Finally the app itself opens the survivor and shows exactly the reported answers.
    from sqlalchemy import select

    from inspector_app.core.inspection.inspections import load_inspection
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Inspection

    database = open_database(db)
    try:
        with database.session() as s:
            (inspection_id,) = s.scalars(select(Inspection.id)).all()
        view = load_inspection(database, inspection_id)
        for item, counter in saved.items():
            answer = view.answer(item)
            assert (answer.conclusion, answer.record) == crash_child.value(counter), f"{item} (seed={seed})"
    finally:
        database.close()
