"""`inspector-app demo` and `inspector-app roster import|export`: exit codes, messages, nothing written on refusal."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.cli.main import main
from inspector_app.core.roster.columns import HEADERS
from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.models import Enterprise, License, Site

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
USCC1 = "91310120MA1H000018"
USCC2 = "91310117MA1H000021"


def good_row(**fields) -> dict:
    base = {
        "企业名称": "上海申华塑料制品有限公司",
        "统一社会信用代码": USCC1,
        "法定代表人": "王建国",
        "联系电话": "021-57001234",
        "所在区": "奉贤区",
        "生产地址": "上海市奉贤区南桥镇江海路88号",
        "生产许可证编号": "(沪)XK16-204-00006",
        "产品类别": "食品相关产品",
        "发证日期": "2022-03-01",
        "有效期至": "2027-02-28",
    }
    base.update(fields)
    return base


def write_csv(path: Path, rows: list[dict], encoding="utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for r in rows:
            w.writerow([r.get(h, "") for h in HEADERS])
    return path


def counts(db_path: Path) -> tuple[int, int, int]:
    if not db_path.exists():
        return (0, 0, 0)
    db = open_database(db_path)
    try:
        with db.session() as s:
            return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Enterprise, License, Site))
    finally:
        db.close()


def run(db_path: Path, *args: str) -> int:
    return main(["--db", str(db_path), *map(str, args)])


# ------------------------------------------------------------------------------------------------ in-process


def test_import_ok_prints_a_summary(db_path, tmp_path, capsys):
    path = write_csv(
        tmp_path / "台账.csv",
        [good_row(), good_row(统一社会信用代码=USCC2, 企业名称="上海乙有限公司", 生产许可证编号="(沪)XK16-204-00007")],
    )
    assert run(db_path, "roster", "import", path) == 0
    out, err = capsys.readouterr()
    assert "已导入" in out and "企业：新增 2 家" in out and "许可证：新增 2 张" in out
    assert err == ""
    assert counts(db_path) == (2, 2, 2)


def test_gbk_file_with_a_bad_row_is_refused_naming_row_and_column(db_path, tmp_path, capsys):
    rows = [
        good_row(),
        good_row(统一社会信用代码="91310117MA1H000022", 企业名称="上海乙有限公司", 生产许可证编号="(沪)XK16-204-00007"),
    ]
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    assert run(db_path, "roster", "import", path) == 1
    out, err = capsys.readouterr()
    assert "第3行（列“统一社会信用代码”）：第18位校验码应为“1”，实为“2”" in err
    assert "整个文件未导入，数据库没有任何改动" in err
    assert "--skip-invalid" in err
    assert out == ""
    assert counts(db_path) == (0, 0, 0)


def test_refusal_leaves_an_existing_roster_untouched(db_path, tmp_path, capsys):
    assert run(db_path, "roster", "import", write_csv(tmp_path / "a.csv", [good_row()])) == 0
    before = counts(db_path)
    bad = [good_row(联系电话="13900000000"), good_row(生产许可证编号="(沪)XK16-204-00008", 所在区="南京")]
    assert run(db_path, "roster", "import", write_csv(tmp_path / "b.csv", bad)) == 1
    assert "第3行（列“所在区”）" in capsys.readouterr().err
    assert counts(db_path) == before
    db = open_database(db_path)
    try:
        with db.session() as s:
            assert s.scalar(select(Enterprise.phone)) == "021-57001234"
    finally:
        db.close()


def test_skip_invalid_exits_0_and_lists_the_skipped_rows(db_path, tmp_path, capsys):
    rows = [
        good_row(),
        good_row(统一社会信用代码="91310117MA1H000022", 企业名称="上海乙有限公司", 生产许可证编号="(沪)XK16-204-00007"),
    ]
    assert run(db_path, "roster", "import", write_csv(tmp_path / "s.csv", rows), "--skip-invalid") == 0
    out, err = capsys.readouterr()
    assert "已跳过有问题的 1 行：第 3 行" in out
    assert "第3行（列“统一社会信用代码”）" in err
    assert counts(db_path) == (1, 1, 1)


def test_dry_run_writes_nothing(db_path, tmp_path, capsys):
    assert run(db_path, "roster", "import", write_csv(tmp_path / "d.csv", [good_row()]), "--dry-run") == 0
    out, _err = capsys.readouterr()
    assert "试运行" in out and "企业：新增 1 家" in out
    assert counts(db_path) == (0, 0, 0)


def test_dry_run_with_errors_still_exits_1(db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "d.csv", [good_row(有效期至="2020-01-01")])
    assert run(db_path, "roster", "import", path, "--dry-run") == 1
    assert "第2行（列“有效期至”）" in capsys.readouterr().err


def test_warnings_are_shown_but_do_not_refuse(db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "w.csv", [good_row(生产许可证编号="XK16-204-0006")])
    assert run(db_path, "roster", "import", path) == 0
    err = capsys.readouterr().err
    assert "提示：第2行（列“生产许可证编号”）：“XK16-204-0006”是旧版编号格式" in err


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("empty.csv", b"", "文件是空的"),
        ("scan.csv", b"%PDF-1.5\n%\xb5\xb5\xb5\xb5\n1 0 obj", "这是PDF文件，不是表格"),
        ("words.csv", "随便写的一段话\n".encode(), "找不到表头"),
    ],
)
def test_wrong_files_exit_1_naming_the_file(db_path, tmp_path, capsys, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    assert run(db_path, "roster", "import", path) == 1
    err = capsys.readouterr().err
    assert f"无法导入“{path}”" in err and fragment in err
    assert counts(db_path) == (0, 0, 0)


def test_missing_column_exit_1(db_path, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("企业名称,统一社会信用代码,生产许可证编号\n甲,91310120MA1H000018,(沪)XK16-204-00006\n", "utf-8")
    assert run(db_path, "roster", "import", path) == 1
    assert "缺少必需的列：“所在区”、“生产地址”、“产品类别”、“有效期至”" in capsys.readouterr().err


def test_usage_errors_exit_2(db_path, capsys):
    for argv in (["roster"], ["roster", "import"], ["roster", "import", "a.csv", "--bogus"], ["roster", "frobnicate"]):
        with pytest.raises(SystemExit) as caught:
            run(db_path, *argv)
        assert caught.value.code == 2
        assert "用法错误" in capsys.readouterr().err


def test_demo_then_export_csv_and_xlsx_and_reimport(db_path, tmp_path, capsys, fixed_today):
    assert run(db_path, "demo") == 0
    out = capsys.readouterr().out
    assert "新增企业 646 家、许可证 688 张" in out and "检查人员 20 名" in out
    assert run(db_path, "demo") == 0
    assert "未重复载入" in capsys.readouterr().out
    assert counts(db_path)[:2] == (646, 688)
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"roster{suffix}"
        assert run(db_path, "roster", "export", path) == 0
        assert "企业 646 家、许可证 688 张" in capsys.readouterr().out
        fresh = tmp_path / f"fresh{suffix}.sqlite3"
        assert run(fresh, "roster", "import", path) == 0
        assert counts(fresh) == counts(db_path)
        capsys.readouterr()


def test_export_to_an_unsupported_extension_exits_1(db_path, tmp_path, capsys):
    assert run(db_path, "roster", "export", tmp_path / "r.pdf") == 1
    assert ".csv 或 .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


# ------------------------------------------------------------------------------------------------ subprocess


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    return subprocess.run(
        [python, "-m", "inspector_app", *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=120,
    )  # fmt: skip


def test_subprocess_pdf_renamed_csv_is_refused(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    db_path = tmp_path / "x.sqlite3"
    result = cli("--db", db_path, "roster", "import", path)
    assert result.returncode == 1
    assert f"无法导入“{path}”：这是PDF文件，不是表格" in result.stderr
    assert result.stdout == ""
    assert counts(db_path) == (0, 0, 0)


def test_subprocess_import_with_bad_row_and_usage_error(tmp_path):
    db_path = tmp_path / "x.sqlite3"
    path = write_csv(tmp_path / "bad.csv", [good_row(), good_row(生产许可证编号="(沪)XK16-204-00007", 产品类别="玩具")])
    result = cli("--db", db_path, "roster", "import", path)
    assert result.returncode == 1
    assert "第3行（列“产品类别”）：“玩具”不是发证目录内的产品类别" in result.stderr
    assert counts(db_path) == (0, 0, 0)
    result = cli("--db", db_path, "roster", "import", path, "--skip-invalid")
    assert result.returncode == 0 and "已跳过有问题的 1 行" in result.stdout
    assert counts(db_path) == (1, 1, 1)
    assert cli("--db", db_path, "roster", "import").returncode == 2


def test_cli_doc_covers_every_command():
    import argparse

    from inspector_app.cli.main import build_parser

    doc = (ROOT / "docs" / "cli.md").read_text("utf-8")

    def walk(parser, prefix):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield f"{prefix} {name}".strip()
                    yield from walk(sub, f"{prefix} {name}")

    commands = list(walk(build_parser(), ""))
    assert "roster import" in commands and "templates validate" in commands
    missing = [c for c in commands if f"inspector-app {c}" not in doc]
    assert missing == []
