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


def test_photos_and_issued_pdfs_move_with_the_database(server_db, db, sample, templates, fixed_today, tmp_path):
    """File → server: the data folder's files go into the server database (every clerk opens them there);
    server → file on another computer: they come out as that computer's files, byte for byte."""
    import hashlib
    import os

    from inspector_app.core.inspection import photos
    from inspector_app.core.issuing import issued
    from tests.core.test_photos import jpeg
    from tests.documents import factory

    _name, url = server_db
    iid = factory.complete(db, sample, templates)
    photo = photos.add_photo(db, iid, "4.1", jpeg(), filename="现场.jpg")
    pdf = b"%PDF-1.4 the bytes handed to the enterprise"
    doc = issued.ToIssue(iid, "summary", "", "ABCD", "h", pdf, "a.pdf", "")
    kept = issued.record_issued(db, doc, issued.SAVED)
    db.close()
    done = _cli("db", "copy", "--from", str(db.path), "--to", url)
    assert done.returncode == 0, done.stderr
    server = open_database(url)
    try:
        assert photos.original(server, photo.id) == photos.original(db, photo.id)
        assert issued.issued_pdf(server, kept.id) == pdf
    finally:
        server.close()

    home = tmp_path / "home-data"  # a clerk's computer at home: another data folder
    env = {**os.environ, "INSPECTOR_APP_DATA_DIR": str(home)}
    back = tmp_path / "home.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "inspector_app", "db", "copy", "--from", url, "--to", str(back)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    original = home / "photos" / photo.sha256[:2] / f"{photo.sha256}.jpg"
    assert hashlib.sha256(original.read_bytes()).hexdigest() == photo.sha256
    assert (home / "issued" / kept.sha256[:2] / f"{kept.sha256}.pdf").read_bytes() == pdf
    assert _contents(back) == _contents(url)


def test_a_missing_original_is_refused_and_nothing_is_copied(server_db, db, sample, templates, fixed_today):
    from inspector_app.core.inspection import photos
    from tests.core.test_photos import jpeg
    from tests.documents import factory

    _name, url = server_db
    iid = factory.complete(db, sample, templates)
    photo = photos.add_photo(db, iid, "4.1", jpeg())
    photos.original_path(photo.sha256, "jpg").unlink()
    db.close()
    done = _cli("db", "copy", "--from", str(db.path), "--to", url)
    assert done.returncode == 1 and "缺失" in done.stderr and "Traceback" not in done.stderr
    assert _contents(url)["enterprise"][0] == 0
