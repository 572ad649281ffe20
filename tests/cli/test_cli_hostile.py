"""Inputs that exhaust or crash (issue 13 §4), through the command line: each refused with a Chinese reason
naming the file, exit 1, the database unchanged, never a traceback. Hostile files are built at test time from
real exports (a roster export, a key file, an inspection record)."""

import base64
import csv
import json
import os
import sqlite3
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from inspector_app.cli.main import main
from tests.core.inspection_io_helpers import document as inspection_document
from tests.core.inspection_io_helpers import paper_record, paper_signatures, signed_paper_record
from tests.core.roster_io_helpers import row, second_enterprise

DEEP = "[" * 50_000 + "]" * 50_000
UNWRITABLE = Path("/sys")  # refuses every write, even root's: stands for a read-only folder


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Error:" not in err, err
    return code, out, err


def _csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture
def rostered(tmp_path, capsys):
    db = tmp_path / "app.sqlite3"
    assert run(capsys, "--db", db, "roster", "import", _csv(tmp_path / "r.csv", [row(), second_enterprise()]))[0] == 0
    return db


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


# ------------------------------------------------------------------ the database file


def test_db_that_is_a_folder_or_a_fifo(tmp_path, capsys):
    code, _o, err = run(capsys, "--db", tmp_path, "bundle", "history")
    assert code == 1 and "文件夹" in err
    fifo = tmp_path / "db.fifo"
    os.mkfifo(fifo)
    code, _o, err = run(capsys, "--db", fifo, "bundle", "history")
    assert code == 1 and "管道或设备" in err


@pytest.mark.parametrize("how", ["vacuum", "dropped_table", "user_version"])
def test_an_empty_sqlite_file_of_another_program_is_not_adopted(tmp_path, capsys, how):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    if how == "vacuum":
        con.execute("VACUUM")
    elif how == "dropped_table":
        con.execute("CREATE TABLE notes(x)")
        con.execute("DROP TABLE notes")
    else:
        con.execute("PRAGMA user_version=7")
    con.commit()
    con.close()
    before = _bytes(path)
    code, _o, err = run(capsys, "--db", path, "bundle", "history")
    assert code == 1 and "其他程序" in err and "未作任何改动" in err
    assert _bytes(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_our_database_without_its_version_table_is_refused(rostered, capsys):
    con = sqlite3.connect(rostered)
    con.execute("DROP TABLE alembic_version")
    con.commit()
    con.close()
    code, _o, err = run(capsys, "--db", rostered, "roster", "export", rostered.with_name("x.csv"))
    assert code == 1 and "缺少结构版本记录" in err
    assert "table" not in err  # not SQLite's "table enterprise already exists"


def test_damaged_pages_are_named_with_the_latest_backup(rostered, capsys, tmp_path):
    backup = rostered.with_name(rostered.name + ".before-0100.bak")
    backup.write_bytes(_bytes(rostered))
    con = sqlite3.connect(rostered)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(_bytes(rostered))
    for at in range(2 * page, len(data), page):  # every page but the header and the schema: garbage
        data[at : at + page] = os.urandom(page)
    rostered.write_bytes(bytes(data))
    code, _o, err = run(capsys, "--db", rostered, "roster", "export", tmp_path / "out.csv")
    assert code == 1 and "已损坏" in err and str(backup) in err
    assert len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ input paths and sizes


def test_roster_import_of_a_fifo_or_folder_does_not_hang(rostered, capsys, tmp_path):
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)
    code, _o, err = run(capsys, "--db", rostered, "roster", "import", fifo)
    assert code == 1 and "管道或设备" in err and str(fifo) in err
    code, _o, err = run(capsys, "--db", rostered, "roster", "import", tmp_path)
    assert code == 1 and "文件夹" in err


def _limit(db: Path, key: str, value: str) -> None:
    from inspector_app.core import settings
    from inspector_app.core.storage.db import open_database

    database = open_database(db)
    try:
        with database.session() as s:
            settings.write(s, key, value)
    finally:
        database.close()


def test_a_roster_over_the_size_limit_is_refused_before_reading(rostered, capsys, tmp_path):
    _limit(rostered, "input.roster_max_mb", "1")
    out = tmp_path / "big.csv"
    assert run(capsys, "--db", rostered, "roster", "export", out)[0] == 0
    text = out.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    out.write_text("\n".join([lines[0]] + lines[1:] * 8000) + "\n", encoding="utf-8-sig")  # ≈ 3 MB
    code, _o, err = run(capsys, "--db", rostered, "roster", "import", out)
    assert code == 1 and "超过上限" in err and "1.0 MB" in err and str(out) in err


def test_a_roster_over_the_row_limit_is_refused(rostered, capsys, tmp_path):
    _limit(rostered, "input.roster_max_rows", "1000")
    out = tmp_path / "many.csv"
    assert run(capsys, "--db", rostered, "roster", "export", out)[0] == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    out.write_text("\n".join([lines[0]] + lines[1:] * 800) + "\n", encoding="utf-8-sig")
    code, _o, err = run(capsys, "--db", rostered, "roster", "import", out)
    assert code == 1 and "1000 行" in err


def test_an_xlsx_zip_bomb_is_refused_by_its_declared_size(rostered, capsys, tmp_path):
    _limit(rostered, "input.roster_max_mb", "1")
    real = tmp_path / "real.xlsx"
    assert run(capsys, "--db", rostered, "roster", "export", real)[0] == 0
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("sheet1.xml"):  # 40 MB of empty rows: a few tens of KB packed
                head, tail = data.split(b"</sheetData>")
                filler = b"<row/>" * 7_000_000
                data = head + filler + b"</sheetData>" + tail
            dst.writestr(info.filename, data)
    assert bomb.stat().st_size < 1024**2
    code, _o, err = run(capsys, "--db", rostered, "roster", "import", bomb)
    assert code == 1 and "压缩炸弹" in err and str(bomb) in err


@pytest.mark.parametrize("command", ["roster", "keys", "bundle"])
def test_export_into_a_folder_we_may_not_write(tmp_path, capsys, command):
    db = tmp_path / "app.sqlite3"
    assert run(capsys, "--db", db, "keys", "init", "--role", "bureau")[0] == 0
    target = UNWRITABLE / f"out.{command}"
    argv = {
        "roster": ["roster", "export", UNWRITABLE / "out.csv"],
        "keys": ["keys", "export", "-o", target],
        "bundle": ["bundle", "export", "-o", target, "--to", "*", "--no-encrypt"],
    }[command]
    code, _o, err = run(capsys, "--db", db, *argv)
    assert code == 1 and str(UNWRITABLE) in err


# ------------------------------------------------------------------ structures and values


def test_a_deeply_nested_key_file(tmp_path, capsys):
    db = tmp_path / "app.sqlite3"
    assert run(capsys, "--db", db, "keys", "init", "--role", "bureau")[0] == 0
    key = tmp_path / "deep.ibkey"
    key.write_text(DEEP)
    code, _o, err = run(capsys, "--db", db, "devices", "register", key)
    assert code == 1 and "公钥文件" in err


def test_a_deeply_nested_draw_package(tmp_path, capsys):
    package = tmp_path / "draw.json"
    package.write_text(DEEP)
    code, _o, err = run(capsys, "--db", tmp_path / "app.sqlite3", "draw", "verify", "--package", package)
    assert code == 1 and "嵌套" in err and str(package) in err


def test_a_deeply_nested_template(tmp_path):
    from inspector_app.core.inspection.templates import TemplateError, load_template

    path = tmp_path / "deep.toml"
    path.write_text('id = "x"\nsections = ' + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(TemplateError) as exc:
        load_template(path)
    assert "嵌套" in str(exc.value) and "deep.toml" in str(exc.value)


@pytest.mark.parametrize(
    "patch, reason",
    [
        ({"inspected_on": "9999-12-20"}, "超出范围"),
        ({"site_address": "\ud800"}, "代理字符"),
        ({"template": {"id": "industrial", "version": int("9" * 4000)}}, "整数"),
    ],
)
def test_inspection_import_refuses_values_that_would_crash_later(rostered, capsys, tmp_path, patch, reason):
    path = tmp_path / "insp.json"
    text = json.dumps(inspection_document(paper_record(**patch)), ensure_ascii=True)
    path.write_text(text, encoding="utf-8")
    code, _o, err = run(capsys, "--db", rostered, "inspection", "import", path)
    assert code == 1 and reason in err and "未写入任何数据" in err


def test_inspection_import_refuses_deep_json(rostered, capsys, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(DEEP)
    code, _o, err = run(capsys, "--db", rostered, "inspection", "import", path)
    assert code == 1 and "嵌套" in err


def _png_bomb(width=60_000, height=60_000) -> bytes:
    """A few hundred bytes of PNG that claim width × height pixels (a 1-bit image)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(60_000, 60_000), (12_000, 8_000)])
def test_a_signature_scan_that_is_a_decompression_bomb(rostered, capsys, tmp_path, size):
    sigs = paper_signatures()
    sigs[0]["image_png_base64"] = base64.b64encode(_png_bomb(*size)).decode()
    path = tmp_path / "bomb.json"
    path.write_text(json.dumps(inspection_document(signed_paper_record(sigs)), ensure_ascii=False), encoding="utf-8")
    code, _o, err = run(capsys, "--db", rostered, "inspection", "import", path)
    assert code == 1 and "像素" in err and "image_png_base64" in err


def test_a_stored_bomb_still_prints(tmp_path):
    """A record stored before the import checked pixels (or from an old bundle) must always print."""
    from inspector_app.documents.layout import _printable

    assert not _printable(_png_bomb())
    from tests.documents import factory

    assert _printable(factory.signature_png(0))


# ------------------------------------------------------------------ the last line of defence


def test_an_unforeseen_error_is_one_line_and_a_log(tmp_path, monkeypatch):
    from inspector_app.cli import last_resort

    monkeypatch.setenv("INSPECTOR_APP_DATA_DIR", str(tmp_path / "data"))
    try:
        raise KeyError("boom")
    except KeyError as exc:
        line = last_resort.report(exc, ["bundle", "import", "x"], None)
    assert line.count("\n") == 0 and "程序内部错误" in line and str(last_resort.log_path()) in line
    assert "KeyError: 'boom'" in last_resort.log_path().read_text(encoding="utf-8")
