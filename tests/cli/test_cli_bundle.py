"""`inspector-app bundle|keys|devices`: the whole exchange through the command line, exit codes 0 / 1 / 2."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from inspector_app.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path, capsys, templates):
    """A bureau and a laptop set up entirely through the CLI, the laptop holding one inspection."""
    from inspector_app.core.inspection import inspections
    from inspector_app.core.storage.db import open_database
    from tests.sync.conftest import make_roster

    bureau, laptop = tmp_path / "bureau.sqlite3", tmp_path / "laptop.sqlite3"
    db = open_database(bureau)
    make_roster(db)
    db.close()
    assert run(capsys, "--db", bureau, "keys", "init", "--role", "bureau", "--name", "区局")[0] == 0
    code, out, _ = run(capsys, "--db", laptop, "keys", "init", "--role", "field")
    assert code == 0 and "现场检查终端" in out
    assert run(capsys, "--db", bureau, "keys", "export", "-o", tmp_path / "bureau.ibkey")[0] == 0
    assert run(capsys, "--db", laptop, "keys", "export", "-o", tmp_path / "laptop.ibkey")[0] == 0
    code, out, _ = run(
        capsys, "--db", bureau, "devices", "register", tmp_path / "laptop.ibkey", "--inspector", "31000001"
    )
    assert code == 0 and "张伟" in out and "指纹" in out
    assert run(capsys, "--db", laptop, "devices", "register", tmp_path / "bureau.ibkey")[0] == 0
    assert run(capsys, "--db", bureau, "bundle", "export", "-o", tmp_path / "roster.ibundle")[0] == 0
    code, out, _ = run(capsys, "--db", laptop, "bundle", "import", tmp_path / "roster.ibundle")
    assert code == 0 and "新增" in out
    db = open_database(laptop)
    try:
        from sqlalchemy import select

        from inspector_app.core.storage.models import Inspector, License

        with db.session() as s:
            lic = s.scalar(select(License))
            team = list(s.scalars(select(Inspector.id).order_by(Inspector.badge_no)))[:2]
        template = next(t for t in templates.values() if t.product_kind == "industrial")
        inspections.start_inspection(db, site_id=lic.site_id, template=template, kind="scheduled", team=team)
    finally:
        db.close()
    return tmp_path, bureau, laptop


def test_the_whole_exchange(setup, capsys):
    tmp, bureau, laptop = setup
    code, out, _ = run(capsys, "--db", laptop, "keys", "show")
    assert code == 0 and "公钥指纹" in out
    code, out, _ = run(capsys, "--db", laptop, "bundle", "export", "-o", tmp / "a1.ibundle")
    assert code == 0 and "已加密" in out and "检查记录：1" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "inspect", tmp / "a1.ibundle")
    assert code == 0 and "发送设备" in out  # the bureau is the recipient: it may read the sealed manifest
    code, out, _ = run(capsys, "--db", laptop, "bundle", "inspect", tmp / "a1.ibundle")
    assert code == 0 and "只有收件设备" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "verify", tmp / "a1.ibundle")
    assert code == 0 and "校验通过" in out and "新增 1" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "import", tmp / "a1.ibundle")
    assert code == 0 and "新增 2 条" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "import", tmp / "a1.ibundle")
    assert code == 0 and "未作任何改动" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "history")
    assert code == 0 and "张伟" in out and "第1号" in out
    code, out, _ = run(capsys, "--db", bureau, "devices", "list")
    assert code == 0 and "（本机）" in out and "张伟" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "conflicts")
    assert code == 0 and "没有待处理" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "export", "-o", tmp / "back.ibundle", "--to", "31000001")
    assert code == 0 and "回执：1" in out
    assert run(capsys, "--db", laptop, "bundle", "import", tmp / "back.ibundle")[0] == 0
    code, out, _ = run(capsys, "--db", laptop, "bundle", "history")  # the receipt: what the bureau holds
    assert code == 0 and "区局已确认收到" in out and "都已收到" in out
    code, out, err = run(capsys, "--db", bureau, "devices", "revoke", "31000001", "--reason", "遗失")
    assert code == 0 and "已吊销" in out
    assert run(capsys, "--db", laptop, "bundle", "export", "-o", tmp / "a2.ibundle", "--full")[0] == 0
    code, out, err = run(capsys, "--db", bureau, "bundle", "import", tmp / "a2.ibundle")
    assert code == 1 and "吊销" in err and "遗失" in err and out == ""


def test_a_draft_deleted_after_it_was_sent_is_deleted_at_the_bureau(setup, capsys):
    from sqlalchemy import func, select

    from inspector_app.core.inspection import inspections
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Inspection

    tmp, bureau, laptop = setup
    assert run(capsys, "--db", laptop, "bundle", "export", "-o", tmp / "a1.ibundle")[0] == 0
    assert run(capsys, "--db", bureau, "bundle", "import", tmp / "a1.ibundle")[0] == 0
    db = open_database(laptop)
    try:
        with db.session() as s:
            iid = s.scalar(select(Inspection.id))
        inspections.delete_draft(db, iid)
    finally:
        db.close()
    code, out, _ = run(capsys, "--db", laptop, "bundle", "export", "-o", tmp / "a2.ibundle")
    assert code == 0 and "检查记录：1（其中删除 1）" in out
    code, out, _ = run(capsys, "--db", bureau, "bundle", "verify", tmp / "a2.ibundle")
    assert code == 0 and "检查记录：新增 0，更新 0，删除 1" in out
    assert "删除：检查记录 上海申华塑料制品有限公司" in out and iid in out  # which record goes
    code, out, _ = run(capsys, "--db", bureau, "bundle", "import", tmp / "a2.ibundle")
    assert code == 0 and "删除 1 条" in out
    db = open_database(bureau)
    try:
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Inspection)) == 0
    finally:
        db.close()


def test_refusals_exit_1_with_the_member_named(setup, capsys):
    tmp, bureau, laptop = setup
    evil = tmp / "evil.ibundle"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("bundle.json", b"{}")
        zf.writestr("../../etc/cron.d/x", b"* * * * * root rm -rf /")
    for command in ("import", "verify", "inspect"):
        code, _out, err = run(capsys, "--db", bureau, "bundle", command, evil)
        assert code == 1 and "../../etc/cron.d/x" in err and "路径穿越" in err, (command, err)
    code, _, err = run(capsys, "--db", bureau, "bundle", "import", tmp / "missing.ibundle")
    assert code == 1 and "找不到文件" in err
    code, _, err = run(capsys, "--db", laptop, "bundle", "export", "-o", tmp / "x.ibundle", "--to", "*")
    assert code == 1 and "不能群发" in err
    (tmp / "exists.ibundle").write_bytes(b"")
    code, _, err = run(capsys, "--db", laptop, "bundle", "export", "-o", tmp / "exists.ibundle")
    assert code == 1 and "已存在" in err
    code, _, err = run(capsys, "--db", laptop, "devices", "revoke", "31000001")
    assert code == 1 and "只有区局" in err
    code, _, err = run(capsys, "--db", bureau, "devices", "register", tmp / "nope.ibkey", "--inspector", "31000002")
    assert code == 1 and "无法读取" in err


def test_usage_errors_exit_2(setup, capsys):
    _tmp, bureau, _laptop = setup
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(bureau), "bundle", "export"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(bureau), "bundle", "resolve", "x", "--keep", "mine"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(bureau), "devices", "register", "x", "--valid-until", "31/12/2027"])
    assert exc.value.code == 2


def test_real_process_exit_codes(setup):
    tmp, bureau, laptop = setup
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    junk = tmp / "junk.ibundle"
    junk.write_bytes(b"PK\x03\x04 not really")
    p = subprocess.run(
        [sys.executable, "-m", "inspector_app", "--db", str(bureau), "bundle", "verify", str(junk)],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert p.returncode == 1 and "文件不完整" in p.stderr.decode()
    p = subprocess.run(
        [sys.executable, "-m", "inspector_app", "--db", str(laptop), "bundle", "export", "-o", str(tmp / "ok.ibundle")],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr.decode()
